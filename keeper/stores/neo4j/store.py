"""The Neo4j store: the PROV graph in a real Neo4j 5.26 server, over Bolt.

Writing: one delta is ONE managed write transaction (``session.execute_write``, which the
driver retries on transient errors such as deadlocks): a probe of what is stored, then the
statements of :mod:`.plan` (CREATE what the probe proves new, MERGE the rest), each over
its rows in chunks of ``batch_size`` (parameter ``$rows``), then the value-flow edges of
:mod:`.value_flow`. A delta written twice takes the MERGE path the second time and changes
nothing, and a transaction retried after a lost commit acknowledgement is harmless.

Reading: see :mod:`keeper.stores.neo4j.reads` (every read runs in a READ session).

Errors: a server that cannot be reached (refused connection, lost session, a commit whose
outcome is unknown, transient server errors, the authentication rate limit) raises
:class:`provgraph.core.errors.StoreUnavailableError`, which the keeper retries; anything else raises
:class:`provgraph.core.errors.StoreError` naming the statement.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import neo4j
from neo4j import exceptions as neo4j_errors
from neo4j.graph import Node as GraphNode
from neo4j.graph import Path as GraphPath
from neo4j.graph import Relationship as GraphRelationship

import cypher
from keeper.stores.base import Store
from keeper.stores.neo4j import plan, value_flow
from keeper.stores.neo4j.lineage import Neo4jLineage
from keeper.stores.neo4j.prov import Neo4jProv, run_work
from keeper.stores.neo4j.reads import Neo4jReads, Row, node_record, ordered_labels
from keeper.stores.neo4j.rows import EDGE_STATEMENTS, chunked
from keeper.stores.neo4j.user_query import check_user_query
from prov_model.vocab import WAS_INFORMED_BY
from provgraph.core.errors import ProvgraphError, QueryError, StoreError, StoreUnavailableError

if TYPE_CHECKING:
    from keeper.stores.config import Neo4jSettings
    from prov_model import GraphDelta
    from provgraph.core.config import Settings

MERGE_INFORMED_BY = EDGE_STATEMENTS[WAS_INFORMED_BY]

# Server error codes that mean "not now, retry later" although they are not TransientErrors.
_UNAVAILABLE_CODES = frozenset({
    "Neo.ClientError.Security.AuthenticationRateLimit",
    "Neo.ClientError.Cluster.NotALeader",
    "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
})
# Transient for Neo4j, but the same transaction would fail again: the keeper splits it.
_TOO_BIG_CODES = frozenset({
    "Neo.TransientError.General.TransactionMemoryLimit",
    "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
    "Neo.TransientError.General.OutOfMemoryError",
})
_UNAVAILABLE_ERRORS = (
    neo4j_errors.ServiceUnavailable,  # refused / lost connection (and routing variants)
    neo4j_errors.SessionExpired,
    neo4j_errors.IncompleteCommit,  # outcome unknown: retrying the idempotent write is safe
    neo4j_errors.ConnectionAcquisitionTimeoutError,
    neo4j_errors.TransientError,  # DatabaseUnavailable, deadlocks after the driver's retries
    ConnectionError,
    TimeoutError,
)
T = TypeVar("T")
_SCHEMA_RACE = "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists"


def store_error(exc: BaseException, what: str) -> StoreError:
    """The :class:`StoreError` (or :class:`StoreUnavailableError`) for a driver error."""
    if isinstance(exc, StoreError):
        return exc
    code = getattr(exc, "code", None) or ""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if code in _TOO_BIG_CODES:
        return StoreError(f"neo4j {what}: the transaction is too large ({code}: {message})")
    if isinstance(exc, _UNAVAILABLE_ERRORS) or code in _UNAVAILABLE_CODES:
        return StoreUnavailableError(f"neo4j unavailable during {what}: {message}")
    if isinstance(exc, neo4j_errors.AuthError):
        return StoreError(f"neo4j refused the credentials during {what}: {message}")
    detail = f"{code}: {message}" if code else f"{type(exc).__name__}: {message}"
    return StoreError(f"neo4j {what} failed: {detail}")


@dataclass
class WriteStats:
    """What the writes of one store instance took (benchmarks, the keeper's stats)."""

    writes: int = 0
    attempts: int = 0  # transaction function runs: the driver re-runs it on transient errors
    merge_fallbacks: int = 0  # writes redone with MERGE after a concurrent create

    @property
    def transient_retries(self) -> int:
        return self.attempts - self.writes - self.merge_fallbacks


class Neo4jStore(Neo4jProv, Neo4jLineage, Neo4jReads, Store):
    """The PROV graph in Neo4j (see the module docstring and :mod:`keeper.stores.base`)."""

    kind: ClassVar[str] = "neo4j"
    def __init__(self, driver: neo4j.Driver, database: str = "neo4j",
                 batch_size: int = 2000) -> None:
        self._driver: neo4j.Driver | None = driver
        self.database = database
        self.batch_size = batch_size
        self.write_stats = WriteStats()

    # --- opening -----------------------------------------------------------------------------

    @classmethod
    def from_settings(cls, settings: Settings) -> Neo4jStore:
        return cls.open(settings.store.neo4j)

    @classmethod
    def open(cls, config: Neo4jSettings, *, create_schema: bool = True) -> Neo4jStore:
        """Connect to ``config.uri``, check that the server answers, create the schema."""
        try:
            driver = neo4j.GraphDatabase.driver(
                config.uri,
                auth=(config.user, config.password),
                notifications_min_severity="OFF",
                connection_timeout=10.0,
                # The driver's own retries (backoff growing to ~16 s) only delay the keeper's,
                # which back off up to keeper.retry_max_s and say the store is down: short.
                max_transaction_retry_time=2.0,
            )
        except (ValueError, neo4j_errors.ConfigurationError) as exc:
            raise StoreError(f"bad neo4j settings (uri {config.uri!r}): {exc}") from exc
        store = cls(driver, config.database, config.batch_size)
        try:
            driver.verify_connectivity()
            if create_schema:
                store.create_schema()
        except Exception as exc:
            store.close()
            raise store_error(exc, f"connecting to {config.uri}") from exc
        return store

    def create_schema(self) -> None:
        """Run every ``cypher/schema/*`` statement (idempotent: ``IF NOT EXISTS``)."""
        for name in cypher.names("schema/"):
            try:
                with self._session(write=True) as session:
                    session.run(cypher.load(name)).consume()
            except neo4j_errors.Neo4jError as exc:
                if exc.code != _SCHEMA_RACE:  # another process created it at the same time
                    raise store_error(exc, f"statement {name}") from exc
            except Exception as exc:
                raise store_error(exc, f"statement {name}") from exc

    # --- writing -----------------------------------------------------------------------------

    def write(self, delta: GraphDelta) -> None:
        if not delta:
            return
        self.write_stats.writes += 1
        try:
            self._write(delta, probe=True)
        except neo4j_errors.ConstraintError:
            # A task or entity the probe found absent was created meanwhile by another
            # transaction (another keeper): write it all again through the MERGE statements.
            self.write_stats.merge_fallbacks += 1
            self._write(delta, probe=False)

    def _write(self, delta: GraphDelta, probe: bool) -> None:
        """One write transaction (see :mod:`.plan` and :mod:`.value_flow`)."""
        current = ["opening the write transaction"]

        def run(tx: neo4j.ManagedTransaction, name: str, rows: list[Row],
                params: dict[str, Any] | None = None) -> None:
            current[0] = f"statement {name}"
            text = cypher.load(name)
            for chunk in chunked(rows, self.batch_size):
                counters = tx.run(text, params or {}, rows=chunk).consume().counters
                expected = plan.expected_creates(name, chunk)
                if expected and expected != (counters.nodes_created,
                                             counters.relationships_created):
                    raise StoreError(
                        f"neo4j statement {name}: created {counters.nodes_created} nodes and "
                        f"{counters.relationships_created} relationships of {expected[0]} and "
                        f"{expected[1]}: an endpoint is missing; nothing of this write is "
                        "stored")

        def fetch(tx: neo4j.ManagedTransaction, name: str, params: dict[str, Any]
                  ) -> list[Row]:
            current[0] = f"statement {name}"
            return [record.data() for record in tx.run(cypher.load(name), params)]

        def run_all(tx: neo4j.ManagedTransaction) -> None:
            self.write_stats.attempts += 1  # more than writes: the driver retried
            stored: plan.Stored | None = None
            if probe:
                task_ids, entity_ids = plan.probe_ids(delta)
                stored = plan.Stored(
                    {row["id"] for row in fetch(tx, plan.PROBE_TASKS, {"ids": task_ids})}
                    if task_ids else set(),
                    {row["id"] for row in fetch(tx, plan.PROBE_ENTITIES, {"ids": entity_ids})}
                    if entity_ids else set(),
                )
            for statement in plan.statements(delta, stored):
                run(tx, statement.name, statement.rows, statement.params)
            derived = value_flow.derived_rows(
                delta, stored.entities if stored is not None else None,
                lambda name, params: fetch(tx, name, params))
            if derived:
                run(tx, MERGE_INFORMED_BY, derived)
            current[0] = "commit"

        try:
            with self._session(write=True) as session:
                session.execute_write(run_all)
        except neo4j_errors.ConstraintError as exc:
            if probe:
                raise
            raise store_error(exc, current[0]) from exc
        except Exception as exc:
            raise store_error(exc, current[0]) from exc

    def _run_write(self, work: list[tuple[str, list[Row]]]) -> None:
        """``(statement text, rows)`` pairs in ONE write transaction (PROV import)."""
        try:
            with self._session(write=True) as session:
                run_work(session, work)
        except Exception as exc:
            raise store_error(exc, "PROV import") from exc

    # --- reading primitives (see reads.py) ---------------------------------------------------

    def _fetch(self, name: str, params: dict[str, Any]) -> list[Row]:
        text = cypher.load(name)

        def read(tx: neo4j.ManagedTransaction) -> list[Row]:
            return [record.data() for record in tx.run(text, params)]

        try:
            with self._session() as session:
                return session.execute_read(read)
        except Exception as exc:
            raise store_error(exc, f"statement {name}") from exc

    def _fetch_plain(self, name: str, params: dict[str, Any]) -> list[Row]:
        """As :meth:`_fetch`, for statements returning only values, lists and maps (no
        nodes, relationships or paths): the rows as the driver decoded them, without
        ``Record.data()``'s recursive walk (which cost more than the decoding itself on the
        PROV export's reads of many props)."""
        text = cypher.load(name)

        def read(tx: neo4j.ManagedTransaction) -> list[Row]:
            return [dict(record.items()) for record in tx.run(text, params)]

        try:
            with self._session() as session:
                return session.execute_read(read)
        except Exception as exc:
            raise store_error(exc, f"statement {name}") from exc

    def _stream(self, name: str, params: dict[str, Any]) -> Iterator[Row]:
        text = cypher.load(name)
        try:
            with self._session() as session:
                for record in session.run(text, params):
                    yield record.data()
        except GeneratorExit:
            raise
        except Exception as exc:
            raise store_error(exc, f"statement {name}") from exc

    def _read_work(self, work: Callable[[Callable[[str, dict[str, Any]], list[Row]]], T],
                   timeout_s: float | None = None) -> T:
        """``work(run)`` in ONE read transaction, ``run(name, params)`` giving the rows of a
        named statement (lineage walks: one snapshot, no set-up per hop)."""
        current = ["opening the read transaction"]

        @neo4j.unit_of_work(timeout=timeout_s)
        def read(tx: neo4j.ManagedTransaction) -> T:
            def run(name: str, params: dict[str, Any]) -> list[Row]:
                current[0] = f"statement {name}"
                return [record.data() for record in tx.run(cypher.load(name), params)]

            return work(run)

        try:
            with self._session() as session:
                return session.execute_read(read)
        except ProvgraphError:
            raise  # the work's own answer (a cap hit), not a driver failure
        except Exception as exc:
            raise store_error(exc, current[0]) from exc

    # --- user queries ------------------------------------------------------------------------

    def run_read(self, query: str, params: Mapping[str, Any] | None = None, *,
                 limit: int = 10_000, timeout_s: float | None = 60.0) -> list[dict[str, Any]]:
        """Run a user's Cypher query in a READ-only transaction; at most ``limit`` rows.

        Nodes come back as node records, relationships as edge records, paths as
        ``{"nodes": [...], "edges": [...]}``, temporal values as ISO text. A query that tries
        to write, that reads what user queries may not (``LOAD CSV``, procedures outside an
        allow-list, administration commands: :mod:`keeper.stores.neo4j.user_query`, checked
        before anything runs), or that the server rejects (syntax, unknown function...),
        raises :class:`QueryError`; an unreachable server :class:`StoreUnavailableError`.
        """
        if not isinstance(query, str) or not query.strip():
            raise QueryError("the query must be a non-empty Cypher string")
        check_user_query(query)
        if not isinstance(limit, int) or limit < 0:
            raise QueryError(f"limit must be a non-negative int, got {limit!r}")

        @neo4j.unit_of_work(timeout=timeout_s)
        def read(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = []
            result = tx.run(query, dict(params or {}))
            for record in result:
                if len(rows) >= limit:
                    break
                rows.append({key: _plain(value) for key, value in record.items()})
            return rows

        try:
            with self._session() as session:
                return session.execute_read(read)
        except neo4j_errors.ClientError as exc:
            if exc.code in _UNAVAILABLE_CODES or isinstance(exc, neo4j_errors.AuthError):
                raise store_error(exc, "a user query") from exc
            raise QueryError(f"query rejected: {exc.code}: {exc.message}") from exc
        except Exception as exc:
            raise store_error(exc, "a user query") from exc

    # --- lifecycle ---------------------------------------------------------------------------

    def alive(self) -> bool:
        if self._driver is None:
            return False
        try:
            self._driver.verify_connectivity()
        except Exception:
            return False
        return True

    def clear(self) -> None:
        """Delete every edge, then every node, in batches (the schema stays)."""
        for name in ("store/clear_edges", "store/clear_nodes"):
            try:
                with self._session(write=True) as session:
                    session.run(cypher.load(name)).consume()  # implicit: IN TRANSACTIONS
            except Exception as exc:
                raise store_error(exc, f"statement {name}") from exc

    def ledger(self) -> Any:
        """The keepers' ledger of stored batches, beside the graph (:mod:`keeper.ledger`)."""
        from keeper.stores.neo4j.ledger import Neo4jLedger

        return Neo4jLedger(self)

    def close(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._driver is None else "open"
        return f"<Neo4jStore database={self.database!r} {state}>"

    def _session(self, write: bool = False) -> neo4j.Session:
        if self._driver is None:
            raise StoreError("the neo4j store is closed")
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        return self._driver.session(database=self.database, default_access_mode=mode)


def _plain(value: Any) -> Any:
    """A query result value as plain JSON-able data (graph objects as store records)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, GraphNode):
        return node_record({"id": value.get("id"), "labels": list(value.labels),
                            "props": dict(value.items())})
    if isinstance(value, GraphRelationship):
        return _edge_record(value)
    if isinstance(value, GraphPath):
        return {"nodes": [_plain(node) for node in value.nodes],
                "edges": [_edge_record(rel) for rel in value.relationships]}
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)) and not hasattr(value, "srid"):
        return [_plain(item) for item in value]
    if hasattr(value, "srid"):  # neo4j.spatial points
        return {"srid": value.srid, "coordinates": list(value)}
    if hasattr(value, "iso_format"):  # neo4j.time Date, Time, DateTime, Duration
        return value.iso_format()
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return str(value)


def _edge_record(rel: Any) -> dict[str, Any]:
    start, end = rel.start_node, rel.end_node
    return {"type": rel.type, "src": start.get("id") if start is not None else None,
            "dst": end.get("id") if end is not None else None, "props": dict(rel.items())}


__all__ = ["Neo4jStore", "ordered_labels", "store_error"]
