// The outgoing edges of the nodes $ids, of $types (null: every type), without their props.
// Params: $ids, $types. Returns rows: one [src, type, dst] per edge, in one row.
UNWIND $ids AS node_id
OPTIONAL MATCH (a:Activity {id: node_id})
OPTIONAL MATCH (e:Entity {id: node_id})
OPTIONAL MATCH (g:Agent {id: node_id})
WITH coalesce(a, e, g) AS n
WHERE n IS NOT NULL
MATCH (n)-[r]->(m)
WHERE $types IS NULL OR type(r) IN $types
RETURN collect([n.id, type(r), m.id]) AS rows
