// (activity)-[:USED {role, time}]->(entity) where one endpoint is new in this write, so the
// edge cannot exist yet. Rows: {src, dst, props}.
UNWIND $rows AS row
MATCH (a:Activity {id: row.src})
MATCH (e:Entity {id: row.dst})
CREATE (a)-[r:USED {role: row.props.role}]->(e)
SET r.time = row.props.time
