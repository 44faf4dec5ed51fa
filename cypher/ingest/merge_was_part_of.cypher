// (task)-[:WAS_PART_OF]->(parent task | workflow), (workflow)-[:WAS_PART_OF]->(parent
// workflow | campaign). Rows: {src, dst, props}; props are empty. One edge per pair.
UNWIND $rows AS row
MATCH (a:Activity {id: row.src})
MATCH (b:Activity {id: row.dst})
MERGE (a)-[:WAS_PART_OF]->(b)
