// Lineage into a workflow from others: its tasks USED a value that a task of another
// workflow generated. Params: $workflow_id, $limit.
// Returns way, task, entity, other (the other task), other_workflow.
MATCH (t:Task {workflow_id: $workflow_id})-[:USED]->(e:Entity)-[:WAS_GENERATED_BY]->(u:Task)
WHERE u.workflow_id IS NOT NULL AND u.workflow_id <> $workflow_id
RETURN DISTINCT 'upstream' AS way, t.id AS task, e.id AS entity, u.id AS other,
       u.workflow_id AS other_workflow
LIMIT $limit
