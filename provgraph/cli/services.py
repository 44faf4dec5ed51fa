"""``provgraph services up|down|status``: the local Redis and Neo4j servers."""

from __future__ import annotations

import argparse

from provgraph.cli.base import Command
from provgraph.core.config import get_settings


class ServicesCommand(Command):
    name = "services"
    help = "install/start/stop the local Redis, Redis Cluster and Neo4j servers"
    description = ("Make Redis and Neo4j answer on loopback, installing what is missing "
                   "(up), stop the ones provgraph started (down), or say what runs where "
                   "(status; exit status 3 unless all answer). With --redis-cluster, also a "
                   "local Redis Cluster: three masters and three replicas on "
                   "127.0.0.1:7000-7005 (use it with hub.redis.cluster: true, "
                   "PROVGRAPH_REDIS_CLUSTER=1, PROVGRAPH_REDIS_URL=redis://127.0.0.1:7000).")
    examples = """
        provgraph services up
        provgraph services up --redis-cluster
        provgraph services status
        provgraph services down
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=("up", "down", "status"))
        parser.add_argument("--redis-cluster", action="store_true",
                            help="also the local Redis Cluster (ports 7000-7005)")

    def run(self, args: argparse.Namespace) -> int:
        from provgraph.services import control

        action = {"up": control.up, "down": control.down, "status": control.status}
        statuses = action[args.action](get_settings(), echo=print,
                                       redis_cluster=args.redis_cluster)
        if args.action == "status" and not all(s.running and not s.problem for s in statuses):
            return 3
        return 0
