// Range index on :Task(activity_id) for queries filtering on it.
CREATE INDEX task_activity_id IF NOT EXISTS FOR (n:Task) ON (n.activity_id)
