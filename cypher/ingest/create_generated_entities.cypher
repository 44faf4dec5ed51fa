// (new entity)-[:WAS_GENERATED_BY {role, time}]->(activity), the entity created with its
// only edge of this write (an output seen for the first time). Rows: {dst, props,
// entity: {id, props}}.
UNWIND $rows AS row
MATCH (a:Activity {id: row.dst})
CREATE (e:Entity {id: row.entity.id})-[r:WAS_GENERATED_BY {role: row.props.role}]->(a)
SET r.time = row.props.time, e += row.entity.props
