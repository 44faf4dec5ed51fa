// The activities that used or generated one entity (id-constraint index seek, then its
// edges). Params: $id, $limit. Returns id, labels, type, role, summary.
MATCH (e:Entity {id: $id})
CALL {
  WITH e
  MATCH (e)<-[r:USED]-(n)
  RETURN n, r
  UNION ALL
  WITH e
  MATCH (e)-[r:WAS_GENERATED_BY]->(n)
  RETURN n, r
}
WITH n, r
WHERE n <> e
RETURN n.id AS id, labels(n) AS labels, type(r) AS type, r.role AS role, n {.activity_id, .status, .workflow_id, .started_at, .ended_at, .hostname, .subtype, .name, .value, .value_type} AS summary
LIMIT $limit
