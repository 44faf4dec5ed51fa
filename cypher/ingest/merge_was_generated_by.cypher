// (entity)-[:WAS_GENERATED_BY {role, time}]->(activity). Rows: {src, dst, props};
// props.role required. One edge per (entity, activity, role).
UNWIND $rows AS row
MATCH (e:Entity {id: row.src})
MATCH (a:Activity {id: row.dst})
MERGE (e)-[r:WAS_GENERATED_BY {role: row.props.role}]->(a)
SET r += row.props
