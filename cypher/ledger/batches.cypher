// The ledger's batches, of the producers named ($producers null: all).
MATCH (b:ProvgraphBatch)
WHERE $producers IS NULL OR b.producer IN $producers
RETURN b.producer AS producer, b.seq AS seq, b.messages AS messages,
       b.dead_letters AS dead_letters, b.workflows AS workflows, b.campaigns AS campaigns,
       b.last_seq AS last_seq, b.sent_messages AS sent_messages, b.deliveries AS deliveries
