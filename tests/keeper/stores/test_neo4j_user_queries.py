"""User queries cannot read the server's files, fetch URLs or see its configuration:
refused by ``run_read`` before anything runs, and refused by the server that
``provgraph services`` configures even when a query reaches it directly."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import neo4j
import pytest

from keeper.stores.neo4j import Neo4jStore
from provgraph.core.config import get_settings, load_settings
from provgraph.core.errors import QueryError

pytestmark = pytest.mark.integration

FILE_READS = [
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "LOAD CSV FROM 'file:///proc/self/environ' AS line RETURN line",
]


@pytest.fixture(scope="module")
def store() -> Iterator[Neo4jStore]:
    settings = copy.deepcopy(get_settings())
    opened = Neo4jStore.open(settings.store.neo4j, create_schema=False)
    yield opened
    opened.close()


@pytest.mark.parametrize("query", [
    *FILE_READS,
    "LOAD CSV FROM 'http://127.0.0.1:7474/' AS line RETURN line",
    "CALL dbms.listConfig() YIELD name, value RETURN name, value",
    "SHOW SETTINGS YIELD name, value RETURN name, value",
    "SHOW TRANSACTIONS YIELD currentQuery RETURN currentQuery",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
])
def test_run_read_refuses_before_running(store: Neo4jStore, query: str) -> None:
    with pytest.raises(QueryError, match="not allowed in user queries"):
        store.run_read(query)


def test_run_read_still_answers_reads_and_schema_questions(store: Neo4jStore) -> None:
    assert store.run_read("RETURN 'LOAD CSV' AS text") == [{"text": "LOAD CSV"}]
    assert isinstance(store.run_read("CALL db.labels() YIELD label RETURN label"), list)
    assert store.run_read("SHOW CONSTRAINTS YIELD name RETURN name")


@pytest.mark.parametrize("query", [
    *FILE_READS,
    "LOAD CSV FROM 'file:///import-dir-file.csv' AS line RETURN line",
    "LOAD CSV FROM 'http://127.0.0.1:7474/' AS line RETURN line",
])
def test_the_server_refuses_file_urls_and_fetches(query: str) -> None:
    """The second lock: a client that skips run_read (any Bolt client) is refused too."""
    cfg = load_settings().store.neo4j  # the server `make services` configured
    with neo4j.GraphDatabase.driver(cfg.uri, auth=(cfg.user, cfg.password)) as driver, \
            pytest.raises(neo4j.exceptions.ClientError) as caught:
        driver.execute_query(query, routing_=neo4j.RoutingControl.READ)
    assert caught.value.code == "Neo.ClientError.Statement.ExternalResourceFailed"
    message = str(caught.value.message)
    assert ("allow_csv_import_from_file_urls" in message) or ("blocked" in message)
