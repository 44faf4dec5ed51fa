"""The keepers' ledger in Neo4j (:mod:`keeper.ledger`): ``:ProvgraphBatch`` nodes beside
the graph, written by every keeper (a MERGE on the unique batch id: two keepers recording
one batch count a duplicate delivery, never two nodes). These nodes are not PROV: no
lineage read or export matches their label."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neo4j import exceptions as neo4j_errors

import cypher
from keeper.ledger import BatchRecord

if TYPE_CHECKING:
    import neo4j

    from keeper.stores.neo4j.store import Neo4jStore


class Neo4jLedger:
    def __init__(self, store: Neo4jStore) -> None:
        self.store = store

    def record(self, records: list[BatchRecord]) -> None:
        if not records:
            return
        rows = [{"id": r.id, "producer": r.producer, "seq": r.seq, "messages": r.messages,
                 "dead_letters": r.dead_letters, "workflows": list(r.workflows),
                 "campaigns": list(r.campaigns), "last_seq": r.last_seq,
                 "sent_messages": r.sent_messages} for r in records]
        text = cypher.load("ledger/record_batches")

        def write(tx: neo4j.ManagedTransaction) -> None:
            tx.run(text, rows=rows).consume()

        from keeper.stores.neo4j.store import store_error

        for attempt in (1, 2):
            try:
                with self.store._session(write=True) as session:
                    session.execute_write(write)
                return
            except neo4j_errors.ConstraintError as exc:
                # another keeper created the same batch node meanwhile: MERGE again matches
                if attempt == 2:
                    raise store_error(exc, "recording the ledger") from exc
            except Exception as exc:
                raise store_error(exc, "recording the ledger") from exc

    def batches(self, producers: list[str] | None = None) -> list[BatchRecord]:
        rows = self.store._fetch("ledger/batches", {"producers": producers})
        return [BatchRecord(r["producer"], int(r["seq"]), int(r["messages"] or 0),
                            int(r["dead_letters"] or 0), tuple(r["workflows"] or ()),
                            tuple(r["campaigns"] or ()), int(r["last_seq"] or 0),
                            int(r["sent_messages"] or 0), int(r["deliveries"] or 1))
                for r in rows]

    def producers(self, workflow: str | None = None, campaign: str | None = None
                  ) -> list[str]:
        params: dict[str, Any] = {"workflow": workflow, "campaign": campaign}
        return sorted(r["producer"] for r in self.store._fetch("ledger/producers", params))

    def close(self) -> None:
        """The store owns the driver."""
