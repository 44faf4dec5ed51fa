// (activity)-[:USED {role, time}]->(new entity), the entity created with its only edge of
// this write (a usage-local value of a new task, or a shared value seen for the first
// time). Rows: {src, props, entity: {id, props}}.
UNWIND $rows AS row
MATCH (a:Activity {id: row.src})
CREATE (a)-[r:USED {role: row.props.role}]->(e:Entity {id: row.entity.id})
SET r.time = row.props.time, e += row.entity.props
