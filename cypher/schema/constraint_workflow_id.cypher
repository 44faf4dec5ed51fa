// Uniqueness of id on :Workflow (also the index every MERGE / MATCH by id on :Workflow uses).
CREATE CONSTRAINT workflow_id IF NOT EXISTS FOR (n:Workflow) REQUIRE n.id IS UNIQUE
