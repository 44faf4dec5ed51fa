// (activity)-[:WAS_ASSOCIATED_WITH {plan}]->(agent) where the activity is new in this
// write. Rows: {src, dst, props}.
UNWIND $rows AS row
MATCH (a:Activity {id: row.src})
MATCH (g:Agent {id: row.dst})
CREATE (a)-[r:WAS_ASSOCIATED_WITH]->(g)
SET r += row.props
