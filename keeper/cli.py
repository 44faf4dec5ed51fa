"""The ``provgraph`` command line.

    provgraph demo                 run the demo workflow on the embedded default
    provgraph services up|down|status
    provgraph replay               send spooled batches to Redis
    provgraph keeper run           consume the hub into the store (--until-idle)

Every command has ``--help``; bad input exits with status 2 and a one-line reason.
"""

from __future__ import annotations

import argparse
import gc
import logging
import signal
import sys
from collections.abc import Callable, Sequence

from capture.errors import ProvgraphError
from capture.settings import get_settings

Handler = Callable[[argparse.Namespace], int]


def _demo(args: argparse.Namespace) -> int:
    from capture import Flowcept
    from keeper import demo

    settings = get_settings()
    print(f"provgraph demo: capture -> {settings.hub.kind} hub -> keeper -> "
          f"{settings.store.kind} store")
    flowcept = demo.run(epochs=args.epochs)  # start_persistence: an in-process keeper
    print(f"workflow {flowcept.current_workflow_id} ({flowcept.workflow_name})")
    for line in demo.summary(flowcept.get_buffer()):
        print(line)
    tasks = Flowcept.db.get_tasks_from_current_workflow()
    print(f"stored tasks (Flowcept.db.get_tasks_from_current_workflow()): {len(tasks)}")
    for task in tasks:
        used = ", ".join(sorted(task.get("used", {})))
        generated = ", ".join(sorted(task.get("generated", {})))
        print(f"  {task['activity_id']:<22} {task.get('status', '?'):<9} "
              f"used [{used}] -> generated [{generated}]")
    evaluated = [t for t in tasks if t["activity_id"] == "evaluate"]
    if evaluated:
        upstream = Flowcept.db.upstream(evaluated[0]["task_id"], depth=10)
        by_id = {t["task_id"]: t["activity_id"] for t in tasks}
        names = sorted({by_id[h["id"]] for h in upstream if h["id"] in by_id})
        print(f"lineage: evaluate was informed by {', '.join(names)} "
              f"(Flowcept.db.upstream, {len(upstream)} nodes)")
    counts = Flowcept.db.store.counts()
    print("graph: " + ", ".join(f"{k}={v}" for k, v in sorted(counts["nodes"].items())))
    if settings.hub.kind == "file":
        print(f"buffer file: {settings.buffer_file.resolve()}")
    if settings.store.kind == "embedded":
        print(f"embedded store: {settings.embedded_store_dir.resolve()}")
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


def _keeper_run(args: argparse.Namespace) -> int:
    from keeper.service import Keeper, KeeperStats
    from keeper.sources.base import open_source
    from keeper.stores.base import open_store

    settings = get_settings()
    source = open_source(settings)
    keeper = Keeper(source, open_store(settings), settings)
    # Everything loaded so far (an embedded store's replayed graph) lives as long as the
    # process: keep it out of every later garbage collection.
    gc.freeze()
    signal.signal(signal.SIGTERM, lambda *_: keeper.stop())
    unit = source.backlog_unit

    def progress(stats: KeeperStats, backlog: int | None) -> None:
        if args.quiet:
            return
        waiting = "?" if backlog is None else str(backlog)
        p50 = stats.latency(0.5)
        lag = "" if p50 is None else f", end-to-store p50 {p50 * 1000:.0f} ms"
        sys.stderr.write(
            f"\rstored {stats.messages} messages ({stats.rate():.0f}/s), "
            f"backlog {waiting} {unit}, dead letters {stats.dead_letters}{lag}   "
        )
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

    keeper = commands.add_parser("keeper", help="the consumer that stores the PROV graph")
    keeper_commands = keeper.add_subparsers(dest="keeper_command", metavar="ACTION",
                                            required=True)
    run = keeper_commands.add_parser("run", help="consume the hub into the store")
    run.add_argument("--until-idle", action="store_true",
                     help="exit once the hub has nothing more to read")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    run.set_defaults(handler=_keeper_run)
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
