// Imported PROV: one :Namespace node per namespace IRI. Rows: {id (the IRI), props: {prefix}}.
// The first prefix recorded for an IRI is kept (written on creation only).
UNWIND $rows AS row
MERGE (n:Namespace {id: row.id})
  ON CREATE SET n.prefix = row.props.prefix
