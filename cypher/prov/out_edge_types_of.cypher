// The relationship types of the outgoing edges of each node of $ids (nodes without any
// are left out). Params: $ids. Returns rows: one [id, types] per node, in one row.
UNWIND $ids AS node_id
OPTIONAL MATCH (a:Activity {id: node_id})
OPTIONAL MATCH (e:Entity {id: node_id})
OPTIONAL MATCH (g:Agent {id: node_id})
WITH coalesce(a, e, g) AS n
WHERE n IS NOT NULL
MATCH (n)-[r]->()
WITH n.id AS id, collect(DISTINCT type(r)) AS types
RETURN collect([id, types]) AS rows
