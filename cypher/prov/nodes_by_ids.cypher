// Nodes by id, through the id constraint index of each general label (a node has at least
// one of Activity, Entity, Agent). Params: $ids. Returns id, labels, props (all properties),
// one row per id that exists.
UNWIND $ids AS node_id
OPTIONAL MATCH (a:Activity {id: node_id})
OPTIONAL MATCH (e:Entity {id: node_id})
OPTIONAL MATCH (g:Agent {id: node_id})
WITH coalesce(a, e, g) AS n
WHERE n IS NOT NULL
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
