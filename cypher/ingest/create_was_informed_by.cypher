// (task)-[:WAS_INFORMED_BY]->(task) declared, where one endpoint is new in this write.
// Rows: {src, dst, props}.
UNWIND $rows AS row
MATCH (a:Activity {id: row.src})
MATCH (b:Activity {id: row.dst})
CREATE (a)-[r:WAS_INFORMED_BY]->(b)
SET r += row.props
