// (entity)-[:WAS_GENERATED_BY {role, time}]->(activity) where one endpoint is new in this
// write. Rows: {src, dst, props}.
UNWIND $rows AS row
MATCH (e:Entity {id: row.src})
MATCH (a:Activity {id: row.dst})
CREATE (e)-[r:WAS_GENERATED_BY {role: row.props.role}]->(a)
SET r.time = row.props.time
