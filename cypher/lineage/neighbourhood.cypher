// Every edge touching some nodes (an index seek per id, then its edges), for the views.
// Params: $ids, $limit. Returns type, src, dst, role.
UNWIND $ids AS node_id
OPTIONAL MATCH (a:Activity {id: node_id})
OPTIONAL MATCH (e:Entity {id: node_id})
OPTIONAL MATCH (g:Agent {id: node_id})
WITH coalesce(a, e, g) AS x
WHERE x IS NOT NULL
MATCH (x)-[r]-(n)
RETURN DISTINCT type(r) AS type, startNode(r).id AS src, endNode(r).id AS dst, r.role AS role
LIMIT $limit
