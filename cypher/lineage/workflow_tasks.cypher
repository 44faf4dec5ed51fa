// The tasks of a workflow (range index on Task.workflow_id), by id, with the tasks each
// WAS_INFORMED_BY (declared or derived; in any workflow).
// Params: $workflow_id, $limit. Returns id, summary, informed_by (list of task ids).
MATCH (t:Task {workflow_id: $workflow_id})
WITH t ORDER BY t.id
LIMIT $limit
OPTIONAL MATCH (t)-[:WAS_INFORMED_BY]->(u:Task)
RETURN t.id AS id, t {.activity_id, .status, .workflow_id, .started_at, .ended_at, .hostname, .subtype, .name, .value, .value_type} AS summary, collect(DISTINCT u.id) AS informed_by
