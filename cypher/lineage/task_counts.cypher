// Tasks per (workflow, activity, status) of some workflows (index seeks on
// Task.workflow_id), with the first start and last end.
// Params: $workflow_ids. Returns workflow_id, activity_id, status, count, first_start, last_end.
UNWIND $workflow_ids AS workflow_id
MATCH (t:Task {workflow_id: workflow_id})
RETURN workflow_id, t.activity_id AS activity_id, t.status AS status, count(*) AS count,
       min(t.started_at) AS first_start, max(t.ended_at) AS last_end
