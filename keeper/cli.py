"""The ``provgraph`` command line.

    provgraph demo                 run the demo workflow on the embedded default
    provgraph services up|down|status
    provgraph replay               send spooled batches to Redis

Every command has ``--help``; bad input exits with status 2 and a one-line reason.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from capture.errors import ProvgraphError
from capture.settings import get_settings

Handler = Callable[[argparse.Namespace], int]


def _demo(args: argparse.Namespace) -> int:
    from capture import Flowcept
    from keeper import demo

    settings = get_settings()
    flowcept = demo.run(epochs=args.epochs, start_persistence=False)
    messages = flowcept.get_buffer()
    print(f"provgraph demo: workflow {flowcept.current_workflow_id}")
    for line in demo.summary(messages):
        print(line)
    if settings.hub.kind == "file":
        print(f"buffer file: {settings.buffer_file.resolve()}")
        print(f"read it back: Flowcept.read_buffer_file({str(settings.buffer_file)!r})")
    del Flowcept
    return 0


def _services(args: argparse.Namespace) -> int:
    from keeper import services

    action = {"up": services.up, "down": services.down, "status": services.status}[args.action]
    action(get_settings(), echo=print)
    return 0


def _replay(args: argparse.Namespace) -> int:
    from capture.hubs.redis_stream import RedisHub

    hub = RedisHub.from_settings(get_settings())
    pending = hub.spool.count()
    print(f"spooled batches waiting: {pending}")
    sent = hub.replay()
    hub.close()
    print(f"replayed {sent} batches to {hub.stream}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provgraph",
        description="Workflow provenance: capture, stream, keep as a W3C PROV graph, query.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at debug level")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser("demo", help="run the demo workflow on the embedded default")
    demo.add_argument("--epochs", type=int, default=3, help="training epochs (default 3)")
    demo.set_defaults(handler=_demo)

    services = commands.add_parser(
        "services", help="install/start/stop the local Redis and Neo4j servers"
    )
    services.add_argument("action", choices=("up", "down", "status"))
    services.set_defaults(handler=_services)

    replay = commands.add_parser("replay", help="send batches spooled during a Redis outage")
    replay.set_defaults(handler=_replay)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler: Handler = args.handler
    try:
        return handler(args)
    except ProvgraphError as exc:
        print(f"provgraph {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
