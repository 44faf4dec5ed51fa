// benchmarks/keeper_ingest.py only: the ingest benchmark's graph shape written with plain
// CREATEs in one statement per batch (no probe, no merge rule, no value flow), the ceiling
// the keeper's write path is compared with. Rows: {id, props, workflow, plan, shared,
// local, epoch, out, result}.
UNWIND $rows AS row
MATCH (w:Workflow {id: row.workflow}), (d:Entity {id: row.shared})
CREATE (t:Activity:Task {id: row.id})
SET t += row.props
CREATE (t)-[:WAS_PART_OF]->(w)
CREATE (t)-[:USED {role: 'data', time: row.props.started_at}]->(d)
CREATE (t)-[:USED {role: 'epoch', time: row.props.started_at}]
       ->(:Entity {id: row.local, value: row.epoch})
CREATE (:Entity {id: row.out, value: row.result})
       -[:WAS_GENERATED_BY {role: 'arg_0', time: row.props.ended_at}]->(t)
