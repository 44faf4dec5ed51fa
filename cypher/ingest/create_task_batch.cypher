// Create the tasks the probe found absent, each with its part-of edge, the new values it
// used and generated (created with their only edge) and its edges to other entities, in
// one pass over the rows. Nothing is looked up per row: the few nodes the rows point at
// (parents, shared entities; all written before this statement) are looked up once, by
// position in $activities and $entities (each a list of the one node found, or empty);
// a missing one creates no edge, which the store's count of created relationships refuses.
// Rows: {id, props, parent (index into $activities, or null),
//        used_new: [{id, props, edge}], made_new: [{id, props, edge}],
//        uses: [{node (index into $entities), edge}], made: [{node, edge}]}.
WITH [id IN $activities | COLLECT { MATCH (a:Activity {id: id}) RETURN a }] AS activities,
     [id IN $entities | COLLECT { MATCH (e:Entity {id: id}) RETURN e }] AS entities
UNWIND $rows AS row
CREATE (task:Activity:Task {id: row.id})
SET task += row.props
FOREACH (p IN activities[row.parent] |
  CREATE (task)-[:WAS_PART_OF]->(p))
FOREACH (u IN row.used_new |
  CREATE (task)-[r:USED]->(e:Entity {id: u.id}) SET r += u.edge, e += u.props)
FOREACH (g IN row.made_new |
  CREATE (task)<-[r:WAS_GENERATED_BY]-(e:Entity {id: g.id}) SET r += g.edge, e += g.props)
FOREACH (u IN row.uses | FOREACH (e IN entities[u.node] |
  CREATE (task)-[r:USED]->(e) SET r += u.edge))
FOREACH (g IN row.made | FOREACH (e IN entities[g.node] |
  CREATE (task)<-[r:WAS_GENERATED_BY]-(e) SET r += g.edge))
