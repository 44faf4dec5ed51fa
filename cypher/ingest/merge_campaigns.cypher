// Upsert :Activity:Campaign nodes. Rows: {id, props}; later props win.
UNWIND $rows AS row
MERGE (c:Campaign {id: row.id})
  ON CREATE SET c:Activity
SET c += row.props
