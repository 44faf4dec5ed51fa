// Lineage out of a workflow into others: a task of another workflow USED a value that a
// task of this workflow generated. Params: $workflow_id, $limit.
// Returns way, task, entity, other (the other task), other_workflow.
// The workflow's own tasks and values come first, up to DISTINCT: the planner cannot start
// from the other side of it (it once scanned the whole workflow_id index for u and
// hash-joined on e once the store held data).
MATCH (t:Task {workflow_id: $workflow_id})<-[:WAS_GENERATED_BY]-(e:Entity)
USING INDEX t:Task(workflow_id)
WITH DISTINCT t, e
MATCH (e)<-[:USED]-(u:Task)
WHERE coalesce(u.workflow_id, $workflow_id) <> $workflow_id
RETURN DISTINCT 'downstream' AS way, t.id AS task, e.id AS entity, u.id AS other,
       u.workflow_id AS other_workflow
LIMIT $limit
