// Node records by id (those that exist): an index seek per id on each general label.
// Params: $ids. Returns id, labels, props (every property).
UNWIND $ids AS node_id
OPTIONAL MATCH (a:Activity {id: node_id})
OPTIONAL MATCH (e:Entity {id: node_id})
OPTIONAL MATCH (g:Agent {id: node_id})
WITH coalesce(a, e, g) AS n
WHERE n IS NOT NULL
RETURN DISTINCT n.id AS id, labels(n) AS labels, properties(n) AS props
