"""``provgraph viz``: a lineage view as a self-contained HTML page, SVG or DOT."""

from __future__ import annotations

import argparse
import sys

from provgraph.cli.base import Command
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError
from provgraph.core.files import resolve_target


class VizCommand(Command):
    name = "viz"
    help = "draw a workflow or the lineage around a node (HTML, SVG, DOT)"
    description = ("Write a view of the PROV graph. .html: one self-contained page that "
                   "opens offline, focused on one node (one level up and down), expanding on "
                   "click, repeated activities collapsed with counts, search, failed tasks "
                   "marked, attributes in a side panel. .svg and .dot: static pictures "
                   "(Graphviz renders the SVG when installed, else provgraph's own layout).")
    examples = """
        provgraph viz --workflow wf-2026-11-22 -o run.html
        provgraph viz --around 5f1c2a9e0b7d4c3a.12 --depth 3 -o around.svg
        provgraph viz --around /data/raw/train.csv -o train-csv.html
        provgraph viz --workflow wf-2026-11-22 -o run.dot && dot -Tpdf run.dot -o run.pdf
        provgraph viz --install-js
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        from exports.views.scope import DEFAULT_LIMIT

        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--workflow", metavar="ID", help="draw this workflow")
        scope.add_argument("--around", metavar="NODE",
                           help="draw the lineage around a node id or a value (a file path)")
        parser.add_argument("--depth", type=int, default=3,
                            help="with --around: hops up and down, 1 to 50 (default 3)")
        parser.add_argument("-o", "--output", metavar="FILE",
                            help="FILE.html, FILE.svg or FILE.dot")
        parser.add_argument("--focus", metavar="NODE",
                            help="with --workflow: the node the page opens on (default: the "
                                 "last task, a failed one first)")
        parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                            help="most nodes in a view; more is an error (default %(default)s)")
        parser.add_argument("--layout", choices=("auto", "graphviz", "builtin"), default="auto",
                            help="SVG layout: Graphviz when installed (auto), or the built-in one")
        parser.add_argument("--title", help="the page's title")
        parser.add_argument("--install-js", action="store_true",
                            help="install the page's JavaScript libraries (npm) into the user "
                                 "cache and exit")

    def run(self, args: argparse.Namespace) -> int:
        if args.install_js:
            from exports.views.jsassets import install

            print(f"installed into {install()}")
            return 0
        if args.workflow is None and args.around is None:
            raise ArgumentError("say what to draw: --workflow ID or --around NODE")
        if args.output is None:
            raise ArgumentError("say where to write: -o FILE.html|.svg|.dot")
        if args.focus is not None and args.workflow is None:
            raise ArgumentError("--focus goes with --workflow (with --around, NODE is the focus)")
        from exports.views import view_format, write_view
        from keeper.stores.base import open_store

        view_format(args.output)  # a bad suffix fails before the store is opened
        resolve_target(args.output)  # and so does a missing directory
        settings = get_settings()
        store = open_store(settings)
        what = f"workflow {args.workflow}" if args.workflow else f"around {args.around}"
        print(f"viz: reading {what} from the {settings.store.kind} store ...", file=sys.stderr)
        try:
            done = write_view(store, args.output, workflow=args.workflow, around=args.around,
                              depth=args.depth, limit=args.limit, focus=args.focus,
                              title=args.title, layout=args.layout)
        finally:
            store.close()
        for note in done["notes"]:
            print(f"viz: {note}", file=sys.stderr)
        print(f"wrote {done['path']}: {done['nodes']} nodes, {done['edges']} edges, "
              f"{done['bytes'] / 1024:.0f} KiB in {done['seconds']:.2f} s")
        return 0
