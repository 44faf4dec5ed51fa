// Edges touching one node: $direction 'out' (the node is the start), 'in' (the end) or
// 'both'; of $types (null: every type).
// Params: $id, $direction, $types. Returns type, src, dst, props, ordered by type, src, dst.
OPTIONAL MATCH (a:Activity {id: $id})
OPTIONAL MATCH (e:Entity {id: $id})
OPTIONAL MATCH (g:Agent {id: $id})
WITH coalesce(a, e, g) AS n
WHERE n IS NOT NULL
MATCH (n)-[r]-()
WHERE ($types IS NULL OR type(r) IN $types)
  AND ($direction = 'both'
       OR ($direction = 'out' AND startNode(r) = n)
       OR ($direction = 'in' AND endNode(r) = n))
WITH DISTINCT r
RETURN type(r) AS type, startNode(r).id AS src, endNode(r).id AS dst, properties(r) AS props
ORDER BY type, src, dst
