// Uniqueness of id on :SoftwareAgent (also the index every MERGE / MATCH by id on :SoftwareAgent uses).
CREATE CONSTRAINT software_agent_id IF NOT EXISTS FOR (n:SoftwareAgent) REQUIRE n.id IS UNIQUE
