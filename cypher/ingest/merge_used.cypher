// (activity)-[:USED {role, time}]->(entity). Rows: {src, dst, props}; props.role required.
// Props are {role, time}: set one by one (a map SET makes the plan Eager, ~10% slower).
// One edge per (activity, entity, role). Endpoints were written by the node statements.
UNWIND $rows AS row
MATCH (a:Activity {id: row.src})
MATCH (e:Entity {id: row.dst})
MERGE (a)-[r:USED {role: row.props.role}]->(e)
  ON CREATE SET r.time = row.props.time
  ON MATCH SET r.time = coalesce(row.props.time, r.time)
