// Upstream lineage of one node (what it was derived from): follows USED, WAS_GENERATED_BY
// and WAS_INFORMED_BY along their direction, breadth first (ANY SHORTEST), at most $depth
// hops. A var-length bound cannot be a parameter, so the pattern has a fixed cap of 20
// hops and $depth (1..20) filters the shortest distance.
// Params: $id (an Activity or Entity id), $depth. Returns one row per reached node:
// id, labels, distance (hops on a shortest path), ordered by distance then id.
OPTIONAL MATCH (a:Activity {id: $id})
OPTIONAL MATCH (e:Entity {id: $id})
WITH coalesce(a, e) AS start
WHERE start IS NOT NULL
MATCH p = ANY SHORTEST (start)-[:USED|WAS_GENERATED_BY|WAS_INFORMED_BY]->{1,20}(n)
WHERE length(p) <= $depth
RETURN n.id AS id, labels(n) AS labels, length(p) AS distance
ORDER BY distance, id
