"""``provgraph workflows``: what a store holds, newest first."""

from __future__ import annotations

import argparse

from provgraph.cli.base import Command
from provgraph.cli.stores import describe, open_for_reading
from provgraph.cli.tables import dump_json, plural, table, when
from provgraph.core.config import get_settings


class WorkflowsCommand(Command):
    name = "workflows"
    help = "list the workflows a store holds"
    description = ("The workflows of the configured store, newest first: id, name, status, "
                   "start and end (the ids the other commands take).")
    examples = """
        provgraph workflows
        provgraph workflows --limit 5 --json
        PROVGRAPH_STORE=neo4j provgraph workflows
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--limit", type=int, default=50,
                            help="most workflows to list, newest first (default %(default)s)")
        parser.add_argument("--json", action="store_true", help="JSON instead of a table")

    def run(self, args: argparse.Namespace) -> int:
        settings = get_settings()
        store = open_for_reading(settings)
        try:
            nodes = store.find_nodes("Workflow")
        finally:
            store.close()
        nodes.sort(key=lambda n: -float(n["props"].get("started_at") or 0.0))
        shown = nodes[: max(args.limit, 0)]
        rows = [{"workflow_id": n["id"], "name": n["props"].get("name"),
                 "status": n["props"].get("status"), "started_at": n["props"].get("started_at"),
                 "ended_at": n["props"].get("ended_at")} for n in shown]
        if args.json:
            dump_json(rows)
            return 0
        print(f"{plural(len(nodes), 'workflow')} in {describe(settings)}"
              + (f" ({len(shown)} newest shown)" if len(shown) < len(nodes) else ""))
        if rows:
            table(["WORKFLOW", "NAME", "STATUS", "STARTED", "ENDED"],
                  [[r["workflow_id"], r["name"], r["status"], when(r["started_at"]),
                    when(r["ended_at"])] for r in rows])
        return 0
