// Uniqueness of id on :Entity (also the index every MERGE / MATCH by id on :Entity uses).
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE
