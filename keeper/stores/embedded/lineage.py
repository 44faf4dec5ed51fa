"""The lineage primitives of the embedded store (:mod:`keeper.stores.lineage`) as indexed
SQLite reads: a hop of a walk is one query per 500 frontier ids, by the edges' primary key
(upstream) or their ``edges_in`` index (downstream), joined to the neighbours' rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import orjson

from keeper.stores.embedded.write import chunks, marks
from keeper.stores.lineage import LineageReads, Row, summary
from keeper.stores.records import NodeRecord
from prov_model.entities import CONTENT_ID_PREFIX
from prov_model.vocab import (
    LINEAGE_EDGE_TYPES,
    TASK,
    USED,
    WAS_GENERATED_BY,
    WAS_INFORMED_BY,
    WAS_PART_OF,
    WORKFLOW,
)

T = TypeVar("T")
_TYPES = ",".join(f"'{t}'" for t in LINEAGE_EDGE_TYPES)  # vocabulary constants, not input
_loads = orjson.loads
# An indexed column, or the prop when its value is not a string (then not in the column).
_FLAT_OR_PROPS = "coalesce({0}, json_extract({1}, '$.{2}'))"


def _flat(name: str, table: str = "") -> str:
    return _FLAT_OR_PROPS.format(f"{table}{name}", f"{table}props", name)


class EmbeddedLineage(LineageReads):
    """Mixed into :class:`~keeper.stores.embedded.EmbeddedStore` (``_read``, ``_lock``,
    ``_connection``). Inside :meth:`lineage_session` every read is in one read
    transaction, so a walk sees one state of the database."""

    _read: Callable[..., Any]
    _connection: Callable[[], sqlite3.Connection]
    label_sets: Callable[[str], list[str]]
    nodes_chunked: Callable[[list[str]], dict[str, Any]]

    def lineage_session(self, work: Callable[[LineageReads], T]) -> T:
        def session(conn: sqlite3.Connection) -> T:
            if conn.in_transaction:  # nested: the outer session holds the snapshot
                return work(self)
            conn.execute("BEGIN")
            try:
                return work(self)
            finally:
                conn.execute("COMMIT")

        return self._read(session)

    def lineage_step(self, ids: list[str], way: str, limit: int) -> list[Row]:
        near, far = ("src", "dst") if way == "upstream" else ("dst", "src")
        sql = (f"SELECT e.{near}, e.{far}, n.labels, e.type, e.role, n.props FROM edges e "
               f"JOIN nodes n ON n.id = e.{far} WHERE e.{near} IN ({{}}) "
               f"AND e.type IN ({_TYPES}) LIMIT ?")

        def read(conn: sqlite3.Connection) -> list[Row]:
            rows: list[Row] = []
            for part in chunks(ids):
                for src, other, labels, edge_type, role, props in conn.execute(
                        sql.format(marks(len(part))), [*part, limit - len(rows)]):
                    rows.append({"src": src, "id": other, "labels": _loads(labels),
                                 "type": edge_type, "role": role,
                                 "summary": summary(_loads(props))})
                if len(rows) >= limit:
                    break
            return rows

        return self._read(read)

    def nodes_by_ids(self, ids: Sequence[str]) -> list[NodeRecord]:
        """The node records of ``ids`` that exist, in the order given."""
        found = self.nodes_chunked(list(ids))
        return [found[i] for i in dict.fromkeys(ids) if i in found]

    def neighbourhood(self, ids: list[str], limit: int) -> list[Row]:
        def read(conn: sqlite3.Connection) -> list[Row]:
            seen: dict[tuple[str, str, str, Any], Row] = {}
            for node_id in dict.fromkeys(ids):
                for column in ("src", "dst"):
                    for edge_type, src, dst, role in conn.execute(
                            f"SELECT type, src, dst, role FROM edges WHERE {column} = ?",
                            (node_id,)):
                        key = (edge_type, src, dst, role)
                        seen.setdefault(key, {"type": edge_type, "src": src, "dst": dst,
                                              "role": role})
                        if len(seen) >= limit:
                            return list(seen.values())
            return list(seen.values())

        return self._read(read)

    def _tasks_sql(self, columns: str) -> tuple[str, list[str]]:
        sets = self.label_sets(TASK)
        return (f"SELECT {columns} FROM nodes WHERE workflow_id = ? "
                f"AND labels IN ({marks(len(sets))})", sets)

    def workflow_tasks(self, workflow_id: str, limit: int) -> list[Row]:
        sql, sets = self._tasks_sql("id, props")
        if not sets:
            return []

        def read(conn: sqlite3.Connection) -> list[Row]:
            tasks = conn.execute(sql + " ORDER BY id LIMIT ?",
                                 [workflow_id, *sets, limit]).fetchall()
            informed: dict[str, list[str]] = {}
            for part in chunks([task_id for task_id, _ in tasks]):
                for src, dst in conn.execute(
                        f"SELECT src, dst FROM edges WHERE src IN ({marks(len(part))}) "
                        f"AND type = '{WAS_INFORMED_BY}'", part):
                    informed.setdefault(src, []).append(dst)
            return [{"id": task_id, "summary": summary(_loads(props)),
                     "informed_by": sorted(set(informed.get(task_id, ())))}
                    for task_id, props in tasks]

        return self._read(read)

    def entity_users(self, entity_id: str, limit: int) -> list[Row]:
        def read(conn: sqlite3.Connection) -> list[Row]:
            rows: list[Row] = []
            for edge_type, near, far in ((USED, "dst", "src"), (WAS_GENERATED_BY, "src", "dst")):
                for other, role, labels, props in conn.execute(
                        f"SELECT e.{far}, e.role, n.labels, n.props FROM edges e "
                        f"JOIN nodes n ON n.id = e.{far} WHERE e.{near} = ? AND e.type = ? "
                        f"AND e.{far} <> e.{near} ORDER BY e.{far}, e.key",
                        (entity_id, edge_type)):
                    rows.append({"id": other, "labels": _loads(labels), "type": edge_type,
                                 "role": role, "summary": summary(_loads(props))})
                    if len(rows) >= limit:
                        return rows
            return rows

        return self._read(read)

    def campaign_workflows(self, campaign_id: str, limit: int) -> list[NodeRecord]:
        def read(conn: sqlite3.Connection) -> list[NodeRecord]:
            rows: list[NodeRecord] = []
            for node_id, labels, props in conn.execute(
                    "SELECT DISTINCT n.id, n.labels, n.props FROM edges e "
                    "JOIN nodes n ON n.id = e.src WHERE e.dst = ? AND e.type = ? "
                    "ORDER BY n.id", (campaign_id, WAS_PART_OF)):
                node_labels = _loads(labels)
                if WORKFLOW in node_labels:
                    rows.append({"id": node_id, "labels": node_labels, "props": _loads(props)})
                    if len(rows) >= limit:
                        break
            return rows

        return self._read(read)

    def task_counts(self, workflow_ids: list[str]) -> list[Row]:
        # One GROUP BY per workflow over the indexed columns (a value that is not a
        # string is not in its column: read from the props then, as count_task would).
        sql, sets = self._tasks_sql(
            f"{_flat('activity_id')}, {_flat('status')}, "
            "COUNT(*), MIN(json_extract(props, '$.started_at')), "
            "MAX(json_extract(props, '$.ended_at'))")
        if not sets:
            return []

        def read(conn: sqlite3.Connection) -> list[Row]:
            return [{"workflow_id": workflow_id, "activity_id": activity, "status": status,
                     "count": count, "first_start": first, "last_end": last}
                    for workflow_id in dict.fromkeys(workflow_ids)
                    for activity, status, count, first, last in conn.execute(
                        sql + " GROUP BY 1, 2", [workflow_id, *sets])]

        return self._read(read)

    def activity_links(self, workflow_id: str) -> list[Row]:
        sets = self.label_sets(TASK)
        if not sets:
            return []
        task = f"labels IN ({marks(len(sets))})"
        inside = f"coalesce(d.workflow_id = ? AND d.{task}, 0)"
        sql = (f"SELECT {_flat('activity_id', 's.')}, "
               f"CASE WHEN {inside} THEN "
               f"{_flat('activity_id', 'd.')} END, {inside}, "
               f"COUNT(DISTINCT e.src || char(0) || e.dst) FROM nodes s "
               f"JOIN edges e ON e.src = s.id AND e.type = '{WAS_INFORMED_BY}' "
               f"LEFT JOIN nodes d ON d.id = e.dst "
               f"WHERE s.workflow_id = ? AND s.{task} GROUP BY 1, 2, 3")

        def read(conn: sqlite3.Connection) -> list[Row]:
            return [{"src_activity": src, "dst_activity": dst, "inside": bool(inside),
                     "count": count}
                    for src, dst, inside, count in conn.execute(
                        sql, [workflow_id, *sets, workflow_id, *sets, workflow_id, *sets])]

        return self._read(read)

    def workflow_crossings(self, workflow_id: str, limit: int) -> list[Row]:
        sql, sets = self._tasks_sql("id")
        if not sets:
            return []
        # upstream: task -USED-> e -WAS_GENERATED_BY-> other;
        # downstream: task <-WAS_GENERATED_BY- e <-USED- other.
        ways = (("upstream", "SELECT DISTINCT dst FROM edges WHERE src = ? AND type = ?", USED,
                 "SELECT DISTINCT dst FROM edges WHERE src = ? AND type = ?", WAS_GENERATED_BY),
                ("downstream", "SELECT DISTINCT src FROM edges WHERE dst = ? AND type = ?",
                 WAS_GENERATED_BY, "SELECT DISTINCT src FROM edges WHERE dst = ? AND type = ?",
                 USED))

        def read(conn: sqlite3.Connection) -> list[Row]:
            rows: list[Row] = []
            tasks = [t for (t,) in conn.execute(sql + " ORDER BY id", [workflow_id, *sets])]
            for task_id in tasks:
                for way, first_sql, first, second_sql, second in ways:
                    entities = sorted(e for (e,) in conn.execute(first_sql, (task_id, first))
                                      if e.startswith(CONTENT_ID_PREFIX))
                    for entity in entities:
                        others = sorted(o for (o,) in conn.execute(second_sql,
                                                                   (entity, second)))
                        found = self.nodes_chunked(others)
                        for other in others:
                            node = found.get(other)
                            if node is None or TASK not in node["labels"]:
                                continue
                            other_wf = node["props"].get("workflow_id")
                            if other_wf is None or other_wf == workflow_id:
                                continue
                            rows.append({"way": way, "task": task_id, "entity": entity,
                                         "other": other, "other_workflow": other_wf})
                            if len(rows) >= limit:
                                return rows
            return rows

        return self._read(read)


__all__ = ["EmbeddedLineage"]
