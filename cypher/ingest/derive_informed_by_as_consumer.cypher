// Value-flow WAS_INFORMED_BY, consumer side (prov_model/derive.py): each task of the batch
// that USED an entity is linked to every task that generated it.
// Rows: {id} (task ids). An entity with more than 1000 generators (a constant many tasks
// return) links nothing (VALUE_FLOW_MAX_FANOUT in prov_model/derive.py; keep them equal).
UNWIND $rows AS row
MATCH (t:Task {id: row.id})-[:USED]->(e:Entity)
WHERE COUNT { (e)-[:WAS_GENERATED_BY]->() } <= 1000
MATCH (e)-[:WAS_GENERATED_BY]->(p:Task)
WHERE p <> t
MERGE (t)-[r:WAS_INFORMED_BY]->(p)
SET r.derived = true
