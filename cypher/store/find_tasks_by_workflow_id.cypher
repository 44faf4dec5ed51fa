// find_nodes on :Task when $where has workflow_id: the same as find_tasks but
// the range index on :Task(workflow_id) finds the candidates.
// Params: $where (map with workflow_id), $absent (list of keys), $limit. Returns id, labels, props.
MATCH (n:Task)
WHERE n.workflow_id = $where.workflow_id
  AND all(k IN keys($where) WHERE n[k] = $where[k])
  AND all(k IN $absent WHERE n[k] IS NULL)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
ORDER BY n.started_at, n.id
LIMIT $limit
