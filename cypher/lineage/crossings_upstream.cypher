// Lineage into a workflow from others: its tasks USED a value that a task of another
// workflow generated. Params: $workflow_id, $limit.
// Returns way, task, entity, other (the other task), other_workflow.
// The workflow's own tasks and values come first, up to DISTINCT: the planner cannot start
// from the other side of it (it once scanned the whole workflow_id index for u and
// hash-joined on e once the store held data).
MATCH (t:Task {workflow_id: $workflow_id})-[:USED]->(e:Entity)
USING INDEX t:Task(workflow_id)
WITH DISTINCT t, e
MATCH (e)-[:WAS_GENERATED_BY]->(u:Task)
WHERE coalesce(u.workflow_id, $workflow_id) <> $workflow_id
RETURN DISTINCT 'upstream' AS way, t.id AS task, e.id AS entity, u.id AS other,
       u.workflow_id AS other_workflow
LIMIT $limit
