"""The ``provgraph`` command line: one module per command group (see :mod:`.base`).

    provgraph demo                     run the demo workflow on the embedded default
    provgraph keeper run [--until-idle] consume the hub into the store
    provgraph lineage upstream|downstream|path|dag|used-by|failures|campaign|links
    provgraph query 'CYPHER'           read-only Cypher on the Neo4j store
    provgraph viz --workflow ID -o F   a lineage view (.html, .svg, .dot)
    provgraph services up|down|status  the local Redis and Neo4j servers
    provgraph replay                   send batches spooled during a Redis outage
    provgraph report --workflow ID     the provenance card (or --type provenance_report: PDF)
    provgraph mcp                      the provenance tools for an assistant (MCP, stdio)

Every command has ``--help`` with examples; bad input exits with status 2 and a one-line
reason.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from provgraph.cli.base import COMMANDS, Command, epilog
from provgraph.core.errors import NotFoundError, OutputError, ProvgraphError
from provgraph.core.shadowing import shadowing_message
from provgraph.core.version import __version__

__all__ = ["Command", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provgraph",
        description="Workflow provenance: capture, stream, keep as a W3C PROV graph, query.",
        epilog=epilog("""
            provgraph demo
            PROVGRAPH_HUB=redis PROVGRAPH_STORE=neo4j provgraph keeper run --until-idle
            provgraph lineage upstream TASK_ID --depth 5
            provgraph viz --workflow WORKFLOW_ID -o run.html
            provgraph services up
        """),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at debug level")
    parser.add_argument("--version", action="version", version=f"provgraph {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS.kinds():
        command = COMMANDS.get(name)()
        sub = commands.add_parser(
            name, help=command.help, description=command.description or command.help,
            epilog=epilog(command.examples), formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.configure(sub)
        sub.set_defaults(command_object=command)
    return parser


def _drop_stdout() -> None:
    # What is still buffered for a stdout that cannot be written would fail again when the
    # interpreter flushes it at exit (a second error after the one line): send it nowhere.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    command: Command = args.command_object
    try:
        return command.run(args)
    except ProvgraphError as exc:
        print(f"provgraph {args.command}: {_where(exc)}", file=sys.stderr)
        if isinstance(exc, OutputError) and exc.stream:
            _drop_stdout()
        return 2
    except KeyboardInterrupt:
        return 130
    except ImportError as exc:
        hint = shadowing_message(exc.name or "")
        if hint is None:
            raise
        print(f"provgraph {args.command}: {hint}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader left (``provgraph demo | head``): stop quietly, as git does, and keep
        # the interpreter's last flush from failing on the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


def _where(exc: ProvgraphError) -> str:
    """The message, with the store it looked in when something was not found there."""
    text = str(exc)
    if not isinstance(exc, NotFoundError) or " store at " in text:
        return text
    from provgraph.cli.stores import describe
    from provgraph.core.config import get_settings

    return f"{text} in {describe(get_settings())}"
