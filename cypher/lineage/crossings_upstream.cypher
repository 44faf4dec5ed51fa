// Lineage into a workflow from others: its tasks USED a value that a task of another
// workflow generated. Params: $workflow_id, $limit.
// Returns way, task, entity, other (the other task), other_workflow.
// The hint and the coalesce keep the planner on the seek by workflow: a plain test of
// u.workflow_id let it scan the whole workflow_id index for u and hash-join on e once
// the store held data; coalesce gives it no property predicate on u to scan an index by.
MATCH (t:Task {workflow_id: $workflow_id})-[:USED]->(e:Entity)-[:WAS_GENERATED_BY]->(u:Task)
USING INDEX t:Task(workflow_id)
WHERE coalesce(u.workflow_id, $workflow_id) <> $workflow_id
RETURN DISTINCT 'upstream' AS way, t.id AS task, e.id AS entity, u.id AS other,
       u.workflow_id AS other_workflow
LIMIT $limit
