// Uniqueness of id on :Person (also the index every MERGE / MATCH by id on :Person uses).
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE
