// One breadth-first step upstream: the direct USED / WAS_GENERATED_BY / WAS_INFORMED_BY
// successors of the frontier nodes. For exact-depth traversal without the 20-hop cap, the
// caller loops $depth times, keeping a visited set (distance = step number).
// Params: $ids (frontier node ids). Returns distinct id, labels.
UNWIND $ids AS node_id
OPTIONAL MATCH (a:Activity {id: node_id})
OPTIONAL MATCH (e:Entity {id: node_id})
WITH coalesce(a, e) AS x
WHERE x IS NOT NULL
MATCH (x)-[:USED|WAS_GENERATED_BY|WAS_INFORMED_BY]->(n)
RETURN DISTINCT n.id AS id, labels(n) AS labels
