// Lineage out of a workflow into others: a task of another workflow USED a value that a
// task of this workflow generated. Params: $workflow_id, $limit.
// Returns way, task, entity, other (the other task), other_workflow.
// The hint and the coalesce keep the planner on the seek by workflow: a plain test of
// u.workflow_id let it scan the whole workflow_id index for u and hash-join on e once
// the store held data; coalesce gives it no property predicate on u to scan an index by.
MATCH (t:Task {workflow_id: $workflow_id})<-[:WAS_GENERATED_BY]-(e:Entity)<-[:USED]-(u:Task)
USING INDEX t:Task(workflow_id)
WHERE coalesce(u.workflow_id, $workflow_id) <> $workflow_id
RETURN DISTINCT 'downstream' AS way, t.id AS task, e.id AS entity, u.id AS other,
       u.workflow_id AS other_workflow
LIMIT $limit
