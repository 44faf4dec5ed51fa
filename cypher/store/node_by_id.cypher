// One node by id, through the id constraint index of each general label (every node has
// exactly one of Activity, Entity, Agent). Optional filters for find_nodes by id:
// $label (null: any) must be one of its labels, its properties must equal every item of
// $where ({} for none) and it must lack every key of $absent ([] for none).
// Params: $id, $label, $where, $absent. Returns id, labels, props (all properties).
OPTIONAL MATCH (a:Activity {id: $id})
OPTIONAL MATCH (e:Entity {id: $id})
OPTIONAL MATCH (g:Agent {id: $id})
WITH coalesce(a, e, g) AS n
WHERE n IS NOT NULL
  AND ($label IS NULL OR $label IN labels(n))
  AND all(k IN keys($where) WHERE n[k] = $where[k])
  AND all(k IN $absent WHERE n[k] IS NULL)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
