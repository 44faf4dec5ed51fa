// One breadth-first hop downstream, as edges: every USED / WAS_GENERATED_BY / WAS_INFORMED_BY
// edge arriving at a frontier node (against the PROV arrow), with the neighbour's summary. The
// walk (keeper/lineage/walk.py) runs it once per hop with its own visited set, so a walk
// explores exactly the hops it answers: an index seek per frontier id, no var-length match.
// Params: $ids (frontier node ids), $limit (row cap).
// Returns src (frontier id), id, labels, type, role, summary (a map of summary fields).
UNWIND $ids AS node_id
OPTIONAL MATCH (a:Activity {id: node_id})
OPTIONAL MATCH (e:Entity {id: node_id})
WITH node_id, coalesce(a, e) AS x
WHERE x IS NOT NULL
MATCH (x)<-[r:USED|WAS_GENERATED_BY|WAS_INFORMED_BY]-(n)
RETURN node_id AS src, n.id AS id, labels(n) AS labels, type(r) AS type, r.role AS role,
       n {.activity_id, .status, .workflow_id, .started_at, .ended_at, .hostname, .subtype, .name, .value, .value_type} AS summary
LIMIT $limit
