// Create :Activity:Task nodes the probe found absent (no merge rule needed: there is
// nothing to merge with). Rows: {id, props}, ids unique. A task created meanwhile by
// another transaction makes this fail on the id constraint; the store then writes the
// whole delta again with the MERGE statements.
UNWIND $rows AS row
CREATE (task:Activity:Task {id: row.id})
SET task += row.props
