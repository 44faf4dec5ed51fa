// Tasks of one workflow, by the indexed Task.workflow_id property (covers nested tasks,
// whose WAS_PART_OF edge points to their parent task), oldest first.
// Params: $workflow_id. Returns id, props (all properties of the task node).
MATCH (t:Task {workflow_id: $workflow_id})
RETURN t.id AS id, properties(t) AS props
ORDER BY t.started_at, t.id
