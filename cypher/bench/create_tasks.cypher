// Benchmarks only: bulk copy of task nodes into an EMPTY database (no MERGE, no merge
// rule). benchmarks/lineage_queries.py copies a graph the keeper's write path built in the
// embedded store, so Neo4j holds the same graph without the MERGE cost.
// Params: $rows ([{id, props}]).
UNWIND $rows AS row
CREATE (n:Activity:Task)
SET n = row.props, n.id = row.id
