// Uniqueness of id on :Activity (also the index every MERGE / MATCH by id on :Activity uses).
CREATE CONSTRAINT activity_id IF NOT EXISTS FOR (n:Activity) REQUIRE n.id IS UNIQUE
