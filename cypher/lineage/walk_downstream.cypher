// A whole downstream walk of at most 10 hops in one read: every USED / WAS_GENERATED_BY /
// WAS_INFORMED_BY edge arriving at a node within 9 hops of the start (against the PROV arrows),
// with the neighbour's summary. The walk (keeper/lineage/walk.py) serves each hop from
// these rows with its own visited set. The var-length part is planned as a pruning
// (breadth-first, DISTINCT) expand from the start's index seek: each node once, not each
// path. Cypher takes no parameter as a var-length bound: 9 is the most hops before the
// last of a depth-10 walk; a walk of a smaller depth reads a superset and serves its hops.
// Params: $id (start node id), $limit (row cap: a caller that gets $limit rows falls back
// to one read per hop).
// Returns src, id, labels, type, role, summary (as lineage/downstream_edges).
OPTIONAL MATCH (a:Activity {id: $id})
OPTIONAL MATCH (e:Entity {id: $id})
WITH coalesce(a, e) AS x
WHERE x IS NOT NULL
MATCH (x)<-[:USED|WAS_GENERATED_BY|WAS_INFORMED_BY*0..9]-(m)
WITH DISTINCT m
MATCH (m)<-[r:USED|WAS_GENERATED_BY|WAS_INFORMED_BY]-(n)
RETURN m.id AS src, n.id AS id, labels(n) AS labels, type(r) AS type, r.role AS role,
       n {.activity_id, .status, .workflow_id, .started_at, .ended_at, .hostname, .subtype, .name, .value, .value_type} AS summary
LIMIT $limit
