// Lineage out of a workflow into others: a task of another workflow USED a value that a
// task of this workflow generated. Params: $workflow_id, $limit.
// Returns way, task, entity, other (the other task), other_workflow.
MATCH (t:Task {workflow_id: $workflow_id})<-[:WAS_GENERATED_BY]-(e:Entity)<-[:USED]-(u:Task)
WHERE u.workflow_id IS NOT NULL AND u.workflow_id <> $workflow_id
RETURN DISTINCT 'downstream' AS way, t.id AS task, e.id AS entity, u.id AS other,
       u.workflow_id AS other_workflow
LIMIT $limit
