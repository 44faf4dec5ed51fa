// Uniqueness of id on :Agent (also the index every MERGE / MATCH by id on :Agent uses).
CREATE CONSTRAINT agent_id IF NOT EXISTS FOR (n:Agent) REQUIRE n.id IS UNIQUE
