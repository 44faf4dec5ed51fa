// Uniqueness of id on :Task (also the index every MERGE / MATCH by id on :Task uses).
CREATE CONSTRAINT task_id IF NOT EXISTS FOR (n:Task) REQUIRE n.id IS UNIQUE
