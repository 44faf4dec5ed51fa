// Create :Activity:Task nodes the probe found absent, each with its one WAS_PART_OF edge
// (to its workflow or parent, which is written before this statement): one lookup per task
// instead of a node statement and an edge statement. Rows: {id, props, parent}.
UNWIND $rows AS row
MATCH (parent:Activity {id: row.parent})
CREATE (task:Activity:Task {id: row.id})-[:WAS_PART_OF]->(parent)
SET task += row.props
