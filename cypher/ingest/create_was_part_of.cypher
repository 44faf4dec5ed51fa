// (task)-[:WAS_PART_OF]->(parent task | workflow) where the task is new in this write.
// Rows: {src, dst, props}; props are empty.
UNWIND $rows AS row
MATCH (a:Activity {id: row.src})
MATCH (b:Activity {id: row.dst})
CREATE (a)-[:WAS_PART_OF]->(b)
