// Imported PROV relations of one type (prov_model), the template of every type: keeper
// fills __RELATIONSHIP_TYPE__ with a member of the PROV vocabulary's whitelist of
// relationship types (cypher.fill checks it is a bare identifier). Rows: {src, dst, props};
// props.rid (the record's hash) is the edge's identity: MERGE on it, so the same record
// imported twice is one edge and two records between the same nodes are two. Endpoints are
// found by id under any general label (index seeks); the node statement of the same
// transaction wrote them. A static type per statement: Neo4j 5.26 plans a MERGE with a
// dynamic relationship type as a scan of every relationship.
UNWIND $rows AS row
OPTIONAL MATCH (a1:Activity {id: row.src})
OPTIONAL MATCH (e1:Entity {id: row.src})
OPTIONAL MATCH (g1:Agent {id: row.src})
OPTIONAL MATCH (a2:Activity {id: row.dst})
OPTIONAL MATCH (e2:Entity {id: row.dst})
OPTIONAL MATCH (g2:Agent {id: row.dst})
WITH row, coalesce(a1, e1, g1) AS src, coalesce(a2, e2, g2) AS dst
MERGE (src)-[r:__RELATIONSHIP_TYPE__ {rid: row.props.rid}]->(dst)
SET r += row.props
