// Which of these entity ids are stored already (the write path CREATEs the others, and
// derives value flow for new entities from the delta alone). Params: $ids.
UNWIND $ids AS id
MATCH (e:Entity {id: id})
RETURN e.id AS id
