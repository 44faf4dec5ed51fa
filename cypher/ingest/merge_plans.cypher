// Upsert :Entity:Plan nodes (the code of a task). Rows: {id, props}.
// The id derives from module, qualname and source hash, so the props never change: written
// on creation only.
UNWIND $rows AS row
MERGE (p:Plan {id: row.id})
  ON CREATE SET p:Entity, p += row.props
