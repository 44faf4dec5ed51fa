// The producers that sent anything of a workflow or campaign (both null: any).
MATCH (b:ProvgraphBatch)
WHERE ($workflow IS NULL AND $campaign IS NULL)
   OR $workflow IN b.workflows OR $campaign IN b.campaigns
RETURN DISTINCT b.producer AS producer
