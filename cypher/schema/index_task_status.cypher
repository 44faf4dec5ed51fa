// Range index on :Task(status) for queries filtering on it.
CREATE INDEX task_status IF NOT EXISTS FOR (n:Task) ON (n.status)
