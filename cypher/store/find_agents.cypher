// :Agent nodes whose properties equal every item of $where and lack every key of
// $absent, ordered by started_at (nodes without it last) then id, at most $limit.
// Params: $where (map), $absent (list of keys), $limit. Returns id, labels, props.
MATCH (n:Agent)
WHERE all(k IN keys($where) WHERE n[k] = $where[k])
  AND all(k IN $absent WHERE n[k] IS NULL)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
ORDER BY n.started_at, n.id
LIMIT $limit
