// (activity)-[:USED {role, time}]->(entity). Rows: {src, dst, props}; props.role required.
// One edge per (activity, entity, role). Endpoints were written by the node statements.
UNWIND $rows AS row
MATCH (a:Activity {id: row.src})
MATCH (e:Entity {id: row.dst})
MERGE (a)-[r:USED {role: row.props.role}]->(e)
SET r += row.props
