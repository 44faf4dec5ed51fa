// The workflows that are part of a campaign (index seek on the campaign, then its
// incoming WAS_PART_OF edges). Params: $id, $limit. Returns id, labels, props.
MATCH (c:Campaign {id: $id})<-[:WAS_PART_OF]-(w:Workflow)
RETURN DISTINCT w.id AS id, labels(w) AS labels, properties(w) AS props
ORDER BY id
LIMIT $limit
