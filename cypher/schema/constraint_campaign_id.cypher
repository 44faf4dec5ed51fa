// Uniqueness of id on :Campaign (also the index every MERGE / MATCH by id on :Campaign uses).
CREATE CONSTRAINT campaign_id IF NOT EXISTS FOR (n:Campaign) REQUIRE n.id IS UNIQUE
