"""``provgraph store``: maintenance of the embedded store (a consistent backup)."""

from __future__ import annotations

import argparse

from provgraph.cli.base import Command
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError


class StoreCommand(Command):
    name = "store"
    help = "maintain the embedded store (backup)"
    description = ("Maintenance of the embedded store (one SQLite database under the data "
                   "directory). `backup PATH` writes a consistent copy while a keeper keeps "
                   "writing (SQLite's online backup), as one self-contained file.")
    examples = """
        provgraph store backup /backups/provgraph-$(date +%F).db
        provgraph store backup /backups/
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        backup = actions.add_parser("backup", help="a consistent copy of the store's database")
        backup.add_argument("path", help="the copy's file, or a directory for graph.db")

    def run(self, args: argparse.Namespace) -> int:
        from keeper.stores.embedded import EmbeddedStore

        settings = get_settings()
        if settings.store.kind != "embedded":
            raise ArgumentError(f"the store is {settings.store.kind!r}: back up Neo4j with its "
                                "own tools (neo4j-admin database dump)")
        store = EmbeddedStore(settings.embedded_store_dir)
        try:
            out = store.backup(args.path)
        finally:
            store.close()
        print(f"backed up {store.path} to {out}")
        return 0
