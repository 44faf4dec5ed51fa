"""``provgraph replay``: send the batches spooled during a Redis outage."""

from __future__ import annotations

import argparse

from provgraph.cli.base import Command
from provgraph.core.config import get_settings


class ReplayCommand(Command):
    name = "replay"
    help = "send batches spooled during a Redis outage"
    description = ("Send the batches that producers spooled to disk while Redis was down, "
                   "in order, skipping those that already reached the stream.")
    examples = """
        PROVGRAPH_HUB=redis provgraph replay
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        pass

    def run(self, args: argparse.Namespace) -> int:
        from capture.hubs.redis_cluster import RedisClusterHub
        from capture.hubs.redis_stream import RedisHub

        hub = RedisHub.from_settings(get_settings())  # the cluster hub when hub.redis.cluster
        assert isinstance(hub, RedisHub | RedisClusterHub)
        pending = hub.spool.count()
        print(f"spooled batches waiting: {pending}")
        sent = hub.replay()
        hub.close()
        where = hub.stream if isinstance(hub, RedisHub) else ", ".join(hub.streams)
        print(f"replayed {sent} batches to {where}")
        return 0
