// Value flow, consumer side (prov_model/derive.py): for each stored shared entity a task of
// the batch USED, the activities that generated it, after this batch's writes (one row per
// WAS_GENERATED_BY edge, so the fan-out guard counts edges). An entity with more than
// $max_fanout generators links nothing, so its list is not read at all. Params: $ids, $max_fanout.
UNWIND $ids AS id
MATCH (e:Entity {id: id})
WITH e, id, COUNT { (e)-[:WAS_GENERATED_BY]->() } AS n
RETURN id, n, CASE WHEN n <= $max_fanout
  THEN [(e)-[:WAS_GENERATED_BY]->(a) | [a.id, a:Task]] ELSE [] END AS activities
