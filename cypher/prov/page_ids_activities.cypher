// One page of the ids of :Activity nodes in id order (keyset pagination on the id constraint
// index, no sort). Params: $after ('' first), $limit. Returns id.
MATCH (n:Activity)
WHERE n.id > $after
RETURN n.id AS id
ORDER BY n.id
LIMIT $limit
