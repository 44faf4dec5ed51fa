// Upsert :Agent:SoftwareAgent nodes. Rows: {id, props}; props ({name}) written on creation only.
UNWIND $rows AS row
MERGE (g:SoftwareAgent {id: row.id})
  ON CREATE SET g:Agent, g += row.props
