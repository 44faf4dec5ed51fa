// Benchmarks only: bulk copy of WAS_PART_OF edges (see create_tasks.cypher).
// Params: $rows ([{src, dst, props}]).
UNWIND $rows AS row
MATCH (a:Activity {id: row.src})
MATCH (b:Activity {id: row.dst})
CREATE (a)-[r:WAS_PART_OF]->(b)
SET r = row.props
