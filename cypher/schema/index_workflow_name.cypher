// Range index on :Workflow(name) for queries filtering on it.
CREATE INDEX workflow_name IF NOT EXISTS FOR (n:Workflow) ON (n.name)
