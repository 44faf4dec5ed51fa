// Delete every node (and any relationship left), 20000 per inner transaction (implicit
// transaction only). The schema (constraints, indexes) is kept. No parameters, no result.
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS
