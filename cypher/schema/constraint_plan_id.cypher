// Uniqueness of id on :Plan (also the index every MERGE / MATCH by id on :Plan uses).
CREATE CONSTRAINT plan_id IF NOT EXISTS FOR (n:Plan) REQUIRE n.id IS UNIQUE
