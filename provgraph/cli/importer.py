"""``provgraph import``: put PROV documents into the store."""

from __future__ import annotations

import argparse
import sys

from provgraph.cli.base import Command
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError


class ImportCommand(Command):
    name = "import"
    help = "put PROV documents (any format) into the store"
    description = ("Read W3C PROV documents and put them into the configured store, beside "
                   "captured provenance. Each document is read whole, then written in one "
                   "transaction: a document with an error changes nothing; importing a "
                   "document twice changes nothing. The format comes from the file's "
                   "extension unless --format names it: json (PROV-JSON), jsonld "
                   "(PROV-JSONLD), ttl, nt, trig, rdf-jsonld (PROV-O), provn (PROV-N), "
                   "xml (PROV-XML). '-' reads stdin (then --format is needed). "
                   "--format openlineage reads OpenLineage run events, one per line (the "
                   "client's file transport output): every line is checked first, then "
                   "the events are mapped and written as a keeper writes them (the same "
                   "event twice changes nothing).")
    examples = """
        provgraph import paper.json
        provgraph import --format provn primer.txt
        PROVGRAPH_STORE=neo4j provgraph import run1.ttl run2.ttl
        curl -s https://example.org/prov.jsonld | provgraph import --format jsonld -
        provgraph import --format openlineage lineage-events.jsonl
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="documents to import")
        parser.add_argument("-f", "--format", help="the format of every FILE")

    def run(self, args: argparse.Namespace) -> int:
        from exports.api import import_document
        from keeper.stores.base import open_store

        if "-" in args.files and not args.format:
            raise ArgumentError("reading stdin ('-') needs --format")
        if args.format and args.format.lower() in ("openlineage", "ol"):
            return self._openlineage(args)
        store = open_store(get_settings())
        try:
            for name in args.files:
                source = sys.stdin.buffer if name == "-" else name
                result = import_document(store, source, args.format,
                                         name="<stdin>" if name == "-" else None)
                print(f"imported {result.source} ({result.format}): {result.records} records "
                      f"-> {result.nodes} nodes, {result.edges} edges, "
                      f"{result.namespaces} namespaces")
        finally:
            store.close()
        return 0

    def _openlineage(self, args: argparse.Namespace) -> int:
        from exports.openlineage.importer import import_events
        from exports.openlineage.reader import read_events
        from keeper.stores.base import open_store

        settings = get_settings()
        batches = [read_events(sys.stdin.buffer if name == "-" else name,
                               "<stdin>" if name == "-" else None) for name in args.files]
        store = open_store(settings)
        try:
            for name, events in zip(args.files, batches, strict=True):
                result = import_events(store, events, settings.entities)
                print(f"imported {name} (openlineage): {result.events} events -> "
                      f"{result.nodes} nodes, {result.edges} edges")
        finally:
            store.close()
        return 0
