// The WAS_INFORMED_BY edges of a workflow's tasks (range index on Task.workflow_id),
// counted per pair of activities: to a task of the same workflow (inside) or of another
// one (inside false, dst_activity null). Each (task, task) pair counts once.
// Params: $workflow_id. Returns src_activity, dst_activity, inside, count.
MATCH (t:Task {workflow_id: $workflow_id})-[:WAS_INFORMED_BY]->(u:Task)
WITH DISTINCT t, u, coalesce(u.workflow_id = $workflow_id, false) AS inside
RETURN t.activity_id AS src_activity, CASE WHEN inside THEN u.activity_id END AS dst_activity,
       inside, count(*) AS count
