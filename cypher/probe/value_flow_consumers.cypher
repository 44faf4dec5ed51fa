// Value flow, producer side (prov_model/derive.py): for each stored shared entity a task of
// the batch generated, its number of generator edges (the fan-out guard) and, under the
// guard, the activities that USED it, after this batch's writes. Params: $ids, $max_fanout.
UNWIND $ids AS id
MATCH (e:Entity {id: id})
WITH e, id, COUNT { (e)-[:WAS_GENERATED_BY]->() } AS n
RETURN id, n, CASE WHEN n <= $max_fanout
  THEN [(a)-[:USED]->(e) | [a.id, a:Task]] ELSE [] END AS activities
