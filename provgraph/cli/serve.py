"""``provgraph serve``: the live lineage explorer and its JSON API."""

from __future__ import annotations

import argparse
import sys

from provgraph.cli.base import Command
from provgraph.core.config import get_settings


class ServeCommand(Command):
    name = "serve"
    help = "browse the store in a web browser: a live lineage explorer and a JSON API"
    description = ("Serve the explorer (workflows newest first, a workflow's activity "
                   "overview, drill down to tasks and values, expand lineage one level at a "
                   "time across workflows, live updates of running workflows) and the JSON "
                   "API it uses (GET /api lists the endpoints), read-only, over the "
                   "configured store. Loopback only unless a token is given.")
    examples = """
        provgraph serve
        provgraph serve --port 9000
        PROVGRAPH_STORE=neo4j provgraph serve
        provgraph serve --host 0.0.0.0 --token "$PROVGRAPH_SERVE_TOKEN"
        curl -s 'http://127.0.0.1:8765/api/upstream?id=/data/raw/train.csv&depth=10'
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--host", help="address to bind (default: settings serve.host, "
                                           "127.0.0.1); anything but loopback needs --token")
        parser.add_argument("--port", type=int, help="port (default: settings serve.port, 8765)")
        parser.add_argument("--token", help="a token every request must carry (16+ characters; "
                                            "default: PROVGRAPH_SERVE_TOKEN)")

    def run(self, args: argparse.Namespace) -> int:
        from provgraph.serve import ServeOptions, guard_for, serve
        from provgraph.serve.config import ServeSettings

        settings = get_settings()
        section = settings.section(ServeSettings)
        options = ServeOptions(host=args.host or section.host,
                               port=section.port if args.port is None else args.port,
                               token=args.token if args.token is not None else section.token)
        guard_for(options)  # a bad bind fails before the store is opened
        where = f"http://{options.host}:{options.port}/"
        print(f"serve: the {settings.store.kind} store on {where} (Ctrl-C stops)",
              file=sys.stderr, flush=True)
        serve(settings, options)
        return 0
