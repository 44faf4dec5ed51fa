// Upsert :Entity nodes. Rows: {id, props}.
// A shared entity (id 'e:<content hash>') is immutable: its props are written once, so the
// many tasks using a popular value do not rewrite (and lock) it. A usage-local entity
// ('<task>/used/<role>') takes the latest props.
UNWIND $rows AS row
MERGE (e:Entity {id: row.id})
  ON CREATE SET e += row.props
  ON MATCH SET e += CASE WHEN row.id STARTS WITH 'e:' THEN {} ELSE row.props END
