// Imported PROV relations (prov_model/prov_graph.py). Rows: {src, dst, type, props};
// props.rid (the record's hash) is the edge's identity: MERGE on (type, rid), so the same
// record imported twice is one edge and two records between the same nodes are two.
// Endpoints are found by id under any general label (index seeks); the node statement of
// the same transaction wrote them. type is a PROV relationship type of prov_model.vocab.
UNWIND $rows AS row
OPTIONAL MATCH (a1:Activity {id: row.src})
OPTIONAL MATCH (e1:Entity {id: row.src})
OPTIONAL MATCH (g1:Agent {id: row.src})
OPTIONAL MATCH (a2:Activity {id: row.dst})
OPTIONAL MATCH (e2:Entity {id: row.dst})
OPTIONAL MATCH (g2:Agent {id: row.dst})
WITH row, coalesce(a1, e1, g1) AS src, coalesce(a2, e2, g2) AS dst
MERGE (src)-[r:$(row.type) {rid: row.props.rid}]->(dst)
SET r += row.props
RETURN count(r) AS written
