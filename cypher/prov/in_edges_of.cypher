// The incoming edges of the nodes $ids, of $types (null: every type).
// Params: $ids, $types. Returns src, type, dst, props.
UNWIND $ids AS node_id
OPTIONAL MATCH (a:Activity {id: node_id})
OPTIONAL MATCH (e:Entity {id: node_id})
OPTIONAL MATCH (g:Agent {id: node_id})
WITH coalesce(a, e, g) AS n
WHERE n IS NOT NULL
MATCH (n)<-[r]-(m)
WHERE $types IS NULL OR type(r) IN $types
RETURN m.id AS src, type(r) AS type, n.id AS dst, properties(r) AS props
