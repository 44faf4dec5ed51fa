// One page of :Activity nodes in id order (keyset pagination on the id constraint index):
// ids above $after, having any of $labels (null: all), having none of $done (general labels
// already paged, so a node is never returned twice), at most $limit.
// Params: $after ('' first), $labels, $done, $limit. Returns id, labels, props, ordered by id.
MATCH (n:Activity)
WHERE n.id > $after
  AND ($labels IS NULL OR any(l IN labels(n) WHERE l IN $labels))
  AND NOT any(l IN labels(n) WHERE l IN $done)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
ORDER BY n.id
LIMIT $limit
