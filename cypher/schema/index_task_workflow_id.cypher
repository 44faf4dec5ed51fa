// Range index on :Task(workflow_id) for queries filtering on it.
CREATE INDEX task_workflow_id IF NOT EXISTS FOR (n:Task) ON (n.workflow_id)
