"""``provgraph export``: a scope of the store as a W3C PROV document."""

from __future__ import annotations

import argparse
import sys
import time

from provgraph.cli.base import Command
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError
from provgraph.core.files import resolve_target
from provgraph.core.registry import EXPORTERS, known_kinds


def formats_help() -> str:
    """The formats installed, by name (entry points: read without importing any writer)."""
    return ", ".join(known_kinds(EXPORTERS))


class Progress:
    """``exporting: N of T nodes, M relations`` on stderr, at most 5 times a second."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.done = 0
        self._last = 0.0

    def __call__(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and now - self._last > 0.2:
            self._last = now
            sys.stderr.write(f"\rexporting: {self.done} records (scope: {self.total} nodes)  ")
            sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write(f"\rexported: {self.done} records (scope: {self.total} nodes)   \n")


class ExportCommand(Command):
    name = "export"
    help = "write a workflow, campaign, lineage or the whole store as a PROV document"
    description = ("Write provenance from the configured store as a W3C PROV document: "
                   "one workflow (its tasks and what they used and generated), one campaign, "
                   "the lineage around a node, or everything, in any format --format lists "
                   "(PROV-JSON by default). The document goes to stdout unless -o names a "
                   "file (the format is then taken from its extension when --format is not "
                   "given).")
    examples = """
        provgraph export --workflow wf-2026-11-22 -o wf.json
        provgraph export --all --format ttl > store.ttl
        provgraph export --around e:3f2a... --up --depth 5 --format provn
        PROVGRAPH_STORE=neo4j provgraph export --campaign camp-1 --format trig -o camp.trig
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--workflow", metavar="ID", help="one workflow run")
        scope.add_argument("--campaign", metavar="ID", help="one campaign")
        scope.add_argument("--around", metavar="NODE", help="the lineage around a node")
        scope.add_argument("--all", action="store_true", help="the whole store")
        parser.add_argument("--up", action="store_true",
                            help="with --around: upstream only (what NODE came from)")
        parser.add_argument("--down", action="store_true",
                            help="with --around: downstream only (what NODE influenced)")
        parser.add_argument("--depth", type=int, default=1, metavar="N",
                            help="with --around: hops to follow (default 1)")
        parser.add_argument("-f", "--format", help=f"{formats_help()} (default json)")
        parser.add_argument("-o", "--output", metavar="FILE", help="write here, not stdout")
        parser.add_argument("--no-progress", action="store_true",
                            help="no progress line on stderr")

    def run(self, args: argparse.Namespace) -> int:
        from exports.api import write
        from exports.base import format_for_path, get_format
        from exports.config import ExportSettings
        from exports.source import ExportDocument, ExportScope
        from keeper.stores.base import open_store

        if (args.up or args.down or args.depth != 1) and not args.around:
            raise ArgumentError("--up, --down and --depth go with --around")
        fmt = (get_format(args.format) if args.format
               else format_for_path(args.output) if args.output else get_format("json"))
        if args.output:
            resolve_target(args.output)  # a bad -o fails before the store is read
        scope = ExportScope.of(workflow_id=args.workflow, campaign_id=args.campaign,
                               around=args.around, up=args.up, down=args.down,
                               depth=args.depth)
        settings = get_settings()
        store = open_store(settings)
        try:
            progress = Progress(0, not args.no_progress and sys.stderr.isatty())
            with ExportDocument(store, scope, settings.section(ExportSettings),
                                progress) as document:
                progress.total = document.total_nodes()
                write(document, fmt.name, args.output if args.output else sys.stdout.buffer)
            progress.finish()
        finally:
            store.close()
        if document.left_out_count:
            print(f"provgraph export: left out {document.left_out_count} record(s) "
                  f"{fmt.description} cannot hold; the first: {document.left_out[0]}",
                  file=sys.stderr)
        if args.output:
            print(f"wrote {scope.describe()} as {fmt.description} to {args.output}",
                  file=sys.stderr)
        return 0
