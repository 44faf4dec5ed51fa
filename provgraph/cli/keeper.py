"""``provgraph keeper run``: consume the hub into the store."""

from __future__ import annotations

import argparse
import gc
import signal
import sys
import threading
from typing import TYPE_CHECKING

from provgraph.cli.base import Command
from provgraph.core.config import Settings, get_settings
from provgraph.core.errors import StoreUnavailableError

if TYPE_CHECKING:
    from keeper.stores.base import Store


class KeeperCommand(Command):
    name = "keeper"
    help = "the consumer that stores the PROV graph"
    description = ("Read the hub the settings name, map every message to W3C PROV and "
                   "write it to the store, exactly once.")
    examples = """
        provgraph keeper run
        PROVGRAPH_HUB=redis PROVGRAPH_STORE=neo4j provgraph keeper run --until-idle
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="keeper_command", metavar="ACTION", required=True)
        run = actions.add_parser(
            "run", help="consume the hub into the store",
            description="Consume until Ctrl-C or SIGTERM (which finish the batch in hand), "
                        "or with --until-idle until the hub has nothing more to read. A Redis "
                        "or Neo4j outage is waited out (backoff, reconnect, go on).",
        )
        run.add_argument("--until-idle", action="store_true",
                         help="exit once nothing is unread and nothing pending (the progress "
                              "line says what it waits for)")
        run.add_argument("-q", "--quiet", action="store_true", help="no progress line")

    def run(self, args: argparse.Namespace) -> int:
        from keeper.loop import Keeper, KeeperStats
        from keeper.sources.base import open_source

        settings = get_settings()
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        store = _open_store(settings, stopping)
        if store is None:
            print("stored 0 messages in 0 writes; 0 dead letters")
            return 0
        source = open_source(settings)
        keeper = Keeper(source, store, settings)
        # Everything loaded so far (an embedded store's replayed graph) lives as long as the
        # process: keep it out of every later garbage collection.
        gc.freeze()
        signal.signal(signal.SIGTERM, lambda *_: keeper.stop())
        unit = source.backlog_unit
        width = [0]

        def progress(stats: KeeperStats, backlog: int | None) -> None:
            if args.quiet:
                return
            waiting = "?" if backlog is None else str(backlog)
            p50 = stats.latency(0.5)
            lag = "" if p50 is None else f", end-to-store p50 {p50 * 1000:.0f} ms"
            reason = f"; waiting for {stats.waiting_for}" if stats.waiting_for else ""
            line = (f"stored {stats.messages} messages ({stats.rate():.0f}/s), "
                    f"backlog {waiting} {unit}, dead letters {stats.dead_letters}{lag}{reason}")
            sys.stderr.write("\r" + line.ljust(width[0]))
            width[0] = len(line)
            sys.stderr.flush()

        print(f"keeper: {settings.hub.kind} hub -> {settings.store.kind} store"
              f"{' (until idle)' if args.until_idle else ''}; Ctrl-C or SIGTERM to stop",
              file=sys.stderr)
        try:
            stats = keeper.run(until_idle=args.until_idle, progress=progress)
        except KeyboardInterrupt:
            keeper.stop()
            stats = keeper.stats
        finally:
            source.close()
            keeper.store.close()
        if not args.quiet:
            sys.stderr.write("\n")
        print(f"stored {stats.messages} messages in {stats.writes} writes; "
              f"{stats.dead_letters} dead letters")
        return 0


def _open_store(settings: Settings, stopping: threading.Event) -> Store | None:
    """The store, waiting with backoff while it is unavailable (a keeper started during
    an outage waits for the end of it); ``None`` when SIGTERM came meanwhile."""
    from keeper.stores.base import open_store

    delay, cfg = settings.keeper.retry_initial_s, settings.keeper
    while True:
        try:
            return open_store(settings)
        except KeyboardInterrupt:
            return None
        except StoreUnavailableError as exc:
            if delay == cfg.retry_initial_s:
                print(f"keeper: waiting for the {settings.store.kind} store: {exc}",
                      file=sys.stderr)
            if stopping.wait(delay):
                return None
            delay = min(delay * 2, cfg.retry_max_s)
