// (task)-[:WAS_INFORMED_BY]->(task) from declared dependencies ({declared: true}).
// Rows: {src, dst, props}. One edge per pair (a derived edge is the same edge).
UNWIND $rows AS row
MATCH (a:Activity {id: row.src})
MATCH (b:Activity {id: row.dst})
MERGE (a)-[r:WAS_INFORMED_BY]->(b)
SET r += row.props
