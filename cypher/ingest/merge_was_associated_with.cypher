// (activity)-[:WAS_ASSOCIATED_WITH {plan}]->(agent). Rows: {src, dst, props};
// props.plan (the plan node id) when the activity has a plan. One edge per pair.
UNWIND $rows AS row
MATCH (a:Activity {id: row.src})
MATCH (g:Agent {id: row.dst})
MERGE (a)-[r:WAS_ASSOCIATED_WITH]->(g)
SET r += row.props
