// Delete every relationship, 20000 per inner transaction (run in an implicit transaction:
// session.run, not execute_write). Run before clear_nodes so that no node deletion has to
// detach a million relationships at once. No parameters, no result.
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS
