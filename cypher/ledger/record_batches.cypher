// The keepers' ledger: one node per stored stream entry; a redelivered entry counts one more delivery.
UNWIND $rows AS row
MERGE (b:ProvgraphBatch {id: row.id})
ON CREATE SET b.producer = row.producer, b.seq = row.seq, b.messages = row.messages,
              b.dead_letters = row.dead_letters, b.workflows = row.workflows,
              b.campaigns = row.campaigns, b.last_seq = row.last_seq,
              b.sent_messages = row.sent_messages, b.deliveries = 1
ON MATCH SET b.deliveries = b.deliveries + 1
