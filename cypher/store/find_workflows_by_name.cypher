// find_nodes on :Workflow when $where has name: the same as find_workflows but
// the range index on :Workflow(name) finds the candidates.
// Params: $where (map with name), $absent (list of keys), $limit. Returns id, labels, props.
MATCH (n:Workflow)
WHERE n.name = $where.name
  AND all(k IN keys($where) WHERE n[k] = $where[k])
  AND all(k IN $absent WHERE n[k] IS NULL)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
ORDER BY n.started_at, n.id
LIMIT $limit
