// The outgoing edges of one page of :Agent nodes (keyset pagination on the id
// constraint index, see page_agents): every edge is returned with its start node, so paging
// the three general labels returns every edge once. A node without a matching edge gives one
// row with a null type (it still advances the cursor: key).
// Params: $after ('' first), $done, $types (null: all), $limit (nodes per page).
// Returns key (start node id, the cursor), type, dst, props, ordered by key.
MATCH (a:Agent)
WHERE a.id > $after
  AND NOT any(l IN labels(a) WHERE l IN $done)
WITH a
ORDER BY a.id
LIMIT $limit
OPTIONAL MATCH (a)-[r]->(b)
WHERE $types IS NULL OR type(r) IN $types
RETURN a.id AS key, type(r) AS type, b.id AS dst, properties(r) AS props
ORDER BY key
