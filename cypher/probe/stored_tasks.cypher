// Which of these task ids are stored already (the write path CREATEs the others).
// Params: $ids (task ids). One index seek per id.
UNWIND $ids AS id
MATCH (t:Task {id: id})
RETURN t.id AS id
