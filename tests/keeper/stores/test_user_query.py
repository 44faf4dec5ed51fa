"""The check of user Cypher (no server): what is refused and what reads pass."""

from __future__ import annotations

import pytest

from keeper.stores.neo4j.user_query import check_user_query
from provgraph.core.errors import QueryError


@pytest.mark.parametrize(("query", "reason"), [
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "LOAD CSV"),
    ("load  csv with headers from 'http://10.0.0.1/x' AS r RETURN r", "LOAD CSV"),
    ("LOAD /* hidden */ CSV FROM $url AS l RETURN l", "LOAD CSV"),
    ("MATCH (n) CALL { LOAD CSV FROM 'file:///proc/self/environ' AS l RETURN l } RETURN l",
     "LOAD CSV"),
    ("CALL dbms.listConfig()", "procedure dbms.listConfig"),
    ("CALL `dbms`.`listConfig`() YIELD name RETURN name", "procedure dbms.listConfig"),
    ("MATCH (n) CALL { CALL dbms.listConnections() YIELD connectionId RETURN 1 AS x } "
     "RETURN x", "procedure dbms.listConnections"),
    ("CALL apoc.load.json('file:///etc/passwd')", "procedure apoc.load.json"),
    ("SHOW SETTINGS", "SHOW SETTINGS"),
    ("show transactions yield currentQuery RETURN currentQuery", "SHOW TRANSACTIONS"),
    ("SHOW USERS", "SHOW USERS"),
    ("SHOW CURRENT USER", "SHOW CURRENT"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TERMINATE"),
    ("USE system MATCH (n) RETURN n", "USE"),
    ("GRANT ROLE admin TO bob", "GRANT"),
])
def test_refused(query: str, reason: str) -> None:
    with pytest.raises(QueryError, match="not allowed") as caught:
        check_user_query(query)
    assert reason in str(caught.value)


@pytest.mark.parametrize("query", [
    "MATCH (t:Task) WHERE t.note = 'LOAD CSV FROM file:///etc/passwd' RETURN t",
    'MATCH (t:Task) WHERE t.stderr CONTAINS "CALL dbms.listConfig()" RETURN t',
    "MATCH (t:Task) // LOAD CSV in a comment\nRETURN t",
    "MATCH (t:Task) RETURN t.load, t.call, t.show, t.use",
    "MATCH (show:Task), (use:Task) RETURN show.id, use.id",
    "RETURN {load: 1, call: 2, show: 3} AS m",
    "MATCH (`LOAD CSV`:Task) RETURN `LOAD CSV`",
    "CALL db.labels()",
    "CALL db.schema.visualization()",
    "CALL { MATCH (n) RETURN count(n) AS c } RETURN c",
    "MATCH (t:Task) CALL (t) { MATCH (t)-[:USED]->(e) RETURN count(e) AS used } RETURN used",
    "SHOW INDEXES",
    "SHOW RANGE INDEXES YIELD name RETURN name",
    "SHOW CONSTRAINTS YIELD labelsOrTypes, properties",
    "SHOW ALL CONSTRAINTS",
    "SHOW FUNCTIONS",
])
def test_allowed(query: str) -> None:
    check_user_query(query)
