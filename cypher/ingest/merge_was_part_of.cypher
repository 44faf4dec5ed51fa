// (task)-[:WAS_PART_OF]->(parent task | workflow), (workflow)-[:WAS_PART_OF]->(parent
// workflow | campaign). Rows: {src, dst, props}. One edge per pair.
UNWIND $rows AS row
MATCH (a:Activity {id: row.src})
MATCH (b:Activity {id: row.dst})
MERGE (a)-[r:WAS_PART_OF]->(b)
SET r += row.props
