// Nodes by id, through the id constraint index of each general label (a node has at least
// one of Activity, Entity, Agent). Params: $ids. Returns ids, labels, props: parallel lists,
// one item per id that exists.
UNWIND $ids AS node_id
OPTIONAL MATCH (a:Activity {id: node_id})
OPTIONAL MATCH (e:Entity {id: node_id})
OPTIONAL MATCH (g:Agent {id: node_id})
WITH coalesce(a, e, g) AS n
WHERE n IS NOT NULL
RETURN collect(n.id) AS ids, collect(labels(n)) AS labels, collect(properties(n)) AS props
