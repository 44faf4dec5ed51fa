// Imported PROV elements (prov_model/imported.py). Rows: {id, labels, props}, ids unique.
// A node is found by id under any general label (three constraint-index seeks, never a
// scan), so an element that is already a captured task, or an entity that a later
// document declares an agent, stays one node. It gets the row's labels (dynamic labels)
// and props; `declared` (the PROV kinds declared) becomes the union of both lists.
UNWIND $rows AS row
OPTIONAL MATCH (a:Activity {id: row.id})
OPTIONAL MATCH (e:Entity {id: row.id})
OPTIONAL MATCH (g:Agent {id: row.id})
WITH row, coalesce(a, e, g) AS found
CALL (row, found) {
  WITH row, found WHERE found IS NULL
  CREATE (n:$(row.labels) {id: row.id})
  SET n += row.props
  RETURN n
UNION
  WITH row, found WHERE found IS NOT NULL
  WITH row, found, coalesce(found.declared, []) AS before
  SET found:$(row.labels)
  SET found += row.props
  SET found.declared = before + [k IN coalesce(row.props.declared, []) WHERE NOT k IN before]
  RETURN found AS n
}
WITH n WHERE size(n.declared) = 0
REMOVE n.declared
