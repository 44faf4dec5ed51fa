// find_nodes on :Task when $where has status: the same as find_tasks but
// the range index on :Task(status) finds the candidates.
// Params: $where (map with status), $absent (list of keys), $limit. Returns id, labels, props.
MATCH (n:Task)
WHERE n.status = $where.status
  AND all(k IN keys($where) WHERE n[k] = $where[k])
  AND all(k IN $absent WHERE n[k] IS NULL)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
ORDER BY n.started_at, n.id
LIMIT $limit
