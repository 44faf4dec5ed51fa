// Uniqueness of id (<producer>.<sequence>) on :ProvgraphBatch, the keepers' ledger of stored batches.
CREATE CONSTRAINT provgraph_batch_id IF NOT EXISTS FOR (n:ProvgraphBatch) REQUIRE n.id IS UNIQUE
