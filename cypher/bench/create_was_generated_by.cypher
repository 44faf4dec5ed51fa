// Benchmarks only: bulk copy of WAS_GENERATED_BY edges (see create_tasks.cypher).
// Params: $rows ([{src, dst, props}]).
UNWIND $rows AS row
MATCH (a:Entity {id: row.src})
MATCH (b:Activity {id: row.dst})
CREATE (a)-[r:WAS_GENERATED_BY]->(b)
SET r = row.props
