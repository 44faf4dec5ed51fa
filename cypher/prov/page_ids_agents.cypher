// One page of the ids of :Agent nodes in id order (keyset pagination on the id constraint
// index, no sort). Params: $after ('' first), $limit. Returns ids (one row).
MATCH (n:Agent)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT $limit
RETURN collect(n.id) AS ids
