// Benchmarks only: bulk copy of USED edges (see create_tasks.cypher).
// Params: $rows ([{src, dst, props}]).
UNWIND $rows AS row
MATCH (a:Activity {id: row.src})
MATCH (b:Entity {id: row.dst})
CREATE (a)-[r:USED]->(b)
SET r = row.props
