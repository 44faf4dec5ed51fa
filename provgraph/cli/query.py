"""``provgraph query 'CYPHER'``: a read-only Cypher query against the Neo4j store."""

from __future__ import annotations

import argparse
from typing import Any

import orjson

from provgraph.cli.base import Command
from provgraph.cli.tables import cell, dump_json, table
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError, QueryError

LINEAGE_COMMANDS = ("provgraph lineage upstream|downstream|path|dag|used-by|failures|"
                    "campaign|links")


def parse_param(text: str) -> tuple[str, Any]:
    """``k=v``: the value as JSON when it parses (``n=3``, ``ids=["a","b"]``), else text."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not key.strip().isidentifier():
        raise ArgumentError(f"--param {text!r}: expected NAME=VALUE (e.g. --param id=t1)")
    try:
        return key.strip(), orjson.loads(value)
    except orjson.JSONDecodeError:
        return key.strip(), value


def _shown(value: Any) -> str:
    if isinstance(value, dict) and {"id", "labels", "props"} <= set(value):
        return f"({':'.join(value['labels'])} {value['id']})"
    if isinstance(value, dict) and {"type", "src", "dst"} <= set(value):
        return f"[{value['src']} -{value['type']}-> {value['dst']}]"
    return cell(value)


class QueryCommand(Command):
    name = "query"
    help = "run a read-only Cypher query on the Neo4j store"
    description = ("Run one Cypher query in a READ transaction and print its rows. A query "
                   "that writes (CREATE, MERGE, SET, DELETE, LOAD CSV, a procedure that "
                   "writes...) is refused before anything runs. Needs the Neo4j store "
                   "(PROVGRAPH_STORE=neo4j).")
    examples = """
        provgraph query 'MATCH (t:Task {status: "ERROR"}) RETURN t.id, t.activity_id LIMIT 10'
        provgraph query 'MATCH (t:Task {workflow_id: $wf}) RETURN count(t) AS n' --param wf=wf-1
        provgraph query 'MATCH (e:Entity {id: $id})<-[u:USED]-(t) RETURN t.id, u.role' \\
            --param id=e:0a1b... --json
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("query", metavar="CYPHER", help="the query (quote it)")
        parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                            help="a query parameter ($NAME); VALUE is JSON or text; repeatable")
        parser.add_argument("--limit", type=int, default=1000,
                            help="most rows to print (default %(default)s)")
        parser.add_argument("--json", action="store_true", help="JSON instead of a table")

    def run(self, args: argparse.Namespace) -> int:
        from provgraph.cli.readonly import write_reason

        if not args.query.strip():
            raise QueryError("the query is empty")
        reason = write_reason(args.query)
        if reason is not None:
            raise QueryError(f"refused: the query writes ({reason}); provgraph query runs "
                             "read-only Cypher, nothing was run")
        params = dict(parse_param(p) for p in args.param)
        if args.limit < 1:
            raise ArgumentError(f"--limit must be at least 1, got {args.limit}")
        settings = get_settings()
        if settings.store.kind != "neo4j":
            raise QueryError(
                f"Cypher needs the Neo4j store (PROVGRAPH_STORE=neo4j); this is the "
                f"{settings.store.kind} store, which answers {LINEAGE_COMMANDS}")
        from keeper.stores.neo4j import Neo4jStore

        store = Neo4jStore.from_settings(settings)
        try:
            rows = store.run_read(args.query, params, limit=args.limit + 1)
        finally:
            store.close()
        capped = len(rows) > args.limit
        rows = rows[: args.limit]
        if args.json:
            dump_json(rows)
        elif rows:
            headers = list(rows[0])
            table(headers, [[_shown(row.get(h)) for h in headers] for row in rows])
        else:
            print("(no rows)")
        if capped:
            import sys

            print(f"(first {args.limit} rows shown: raise --limit for more)", file=sys.stderr)
        return 0
