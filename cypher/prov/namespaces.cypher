// Every :Namespace node (imported PROV documents' namespaces), by IRI.
// Returns id (the namespace IRI), prefix.
MATCH (n:Namespace)
RETURN n.id AS id, n.prefix AS prefix
ORDER BY n.id
