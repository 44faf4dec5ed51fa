// Upsert :Activity:Workflow nodes. Rows: {id, props}, ids unique within one call.
// Merge rule (prov_model/merge.py, merge_task_props): later non-null props win, except
// when the stored node is terminal (status FINISHED or ERROR) and the row is not (other
// status, or none): then the stored props win and the row only fills the properties the
// node lacks (the FOREACH, with dynamic property keys). A stub row ({}) changes nothing.
// After ON MATCH the status is unchanged exactly when the row was stale, so the WHERE
// finds the same rows.
UNWIND $rows AS row
MERGE (workflow:Workflow {id: row.id})
  ON CREATE SET workflow:Activity, workflow += row.props
  ON MATCH SET workflow += CASE
    WHEN coalesce(workflow.status IN ['FINISHED', 'ERROR'], false)
     AND NOT coalesce(row.props.status IN ['FINISHED', 'ERROR'], false) THEN {}
    ELSE row.props END
WITH workflow, row
WHERE coalesce(workflow.status IN ['FINISHED', 'ERROR'], false)
  AND NOT coalesce(row.props.status IN ['FINISHED', 'ERROR'], false)
FOREACH (k IN [k IN keys(row.props) WHERE workflow[k] IS NULL] | SET workflow[k] = row.props[k])
