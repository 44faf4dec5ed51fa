"""``provgraph import``: put PROV documents into the store."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, TextIO

from provgraph.cli.base import Command
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError

if TYPE_CHECKING:
    from exports.importer import ImportProgress


class ImportBar:
    """``importing F: reading [####      ] 40% of 210 MB, 120000 records`` on stderr, at
    most 5 times a second, then ``writing`` the same way; erased when the import ends."""

    WIDTH = 24

    def __init__(self, out: TextIO, enabled: bool) -> None:
        self.out = out
        self.enabled = enabled
        self._last = 0.0
        self._shown = 0

    def __call__(self, state: ImportProgress) -> None:
        now = time.monotonic()
        if not self.enabled or now - self._last < 0.2:
            return
        self._last = now
        self._show(render(state))

    def _show(self, text: str) -> None:
        self.out.write("\r" + text.ljust(self._shown))
        self.out.flush()
        self._shown = len(text)

    def finish(self) -> None:
        if self.enabled and self._shown:
            self.out.write("\r" + " " * self._shown + "\r")
            self.out.flush()
            self._shown = 0


def render(state: ImportProgress) -> str:
    """One line of the bar (no newline)."""
    name = state.source if len(state.source) <= 40 else "..." + state.source[-37:]
    head = f"importing {name}: {state.stage}"
    if state.stage == "reading" and state.passes > 1:
        head += f" (pass {state.passes})"
    if state.total:
        share = min(1.0, state.done / state.total)
        filled = int(share * ImportBar.WIDTH)
        head += f" [{'#' * filled}{' ' * (ImportBar.WIDTH - filled)}] {share:4.0%}"
        if state.stage == "reading":
            head += f" of {state.total / 1e6:.1f} MB"
        else:
            head += f" of {state.total} nodes and relations"
    elif state.stage == "reading":
        head += f" {state.done / 1e6:.1f} MB"
    return f"{head}, {state.records} records"


class ImportCommand(Command):
    name = "import"
    help = "put PROV documents (any format) into the store"
    description = ("Read W3C PROV documents and put them into the configured store, beside "
                   "captured provenance. Each document is read whole (a PROV-JSON file a "
                   "record at a time, memory bounded whatever its size), then written in one "
                   "transaction: a document with an error changes nothing; importing a "
                   "document twice changes nothing. A progress bar goes to stderr when it "
                   "is a terminal. The format comes from the file's "
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
        parser.add_argument("--no-progress", action="store_true",
                            help="no progress bar on stderr")

    def run(self, args: argparse.Namespace) -> int:
        from exports.api import import_document
        from keeper.stores.base import open_store

        if "-" in args.files and not args.format:
            raise ArgumentError("reading stdin ('-') needs --format")
        if args.format and args.format.lower() in ("openlineage", "ol"):
            return self._openlineage(args)
        store = open_store(get_settings())
        bar = ImportBar(sys.stderr, not args.no_progress and sys.stderr.isatty())
        try:
            for name in args.files:
                source = sys.stdin.buffer if name == "-" else name
                try:
                    result = import_document(store, source, args.format,
                                             name="<stdin>" if name == "-" else None,
                                             progress=bar)
                finally:
                    bar.finish()
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
