// Create :Entity nodes the probe found absent: shared values seen for the first time, and
// the usage-local values of new tasks. Rows: {id, props}, ids unique.
UNWIND $rows AS row
CREATE (e:Entity {id: row.id})
SET e += row.props
