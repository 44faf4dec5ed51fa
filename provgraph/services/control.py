"""Real Redis and Neo4j servers on loopback for development and tests.

``up`` installs what is missing (``redis-server`` from apt; Neo4j Community 5.26 from Maven
Central, built from ``provgraph/services/neo4j``), starts both bound to 127.0.0.1 with their
state under ``<data_dir>/services/redis/`` and ``<data_dir>/services/neo4j/``, and waits until
they answer. With ``redis_cluster``, ``up`` also starts a local Redis Cluster on ports
7000-7005 (:mod:`provgraph.services.redis_cluster`); ``down`` stops it and ``status`` shows
it whenever it was ever started under the data dir.
A server that already answers is left alone, so ``up`` is idempotent. ``down`` stops only the
processes ``up`` started (their pid files); ``status`` says what runs where. Each prints its
lines through ``echo`` and returns the services' ``ServiceStatus``; failures raise
``ServiceError`` naming the log to read.

    provgraph services up|down|status [--redis-cluster]
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time

from provgraph.core.config import Settings, get_settings
from provgraph.services import neo4j_server, redis_server
from provgraph.services import redis_cluster as cluster_service
from provgraph.services.common import (
    HOST,
    Echo,
    ServiceStatus,
    alive,
    exclusive,
    pid_of,
    terminate,
)

__all__ = ["HOST", "Echo", "ServiceStatus", "down", "kill", "status", "stop", "up"]

logger = logging.getLogger(__name__)
_MODULES = {"neo4j": neo4j_server, "redis": redis_server}


def _log_echo(line: str) -> None:
    logger.info("%s", line)


def up(settings: Settings | None = None, echo: Echo = _log_echo,
       redis_cluster: bool = False) -> list[ServiceStatus]:
    """Make Redis and Neo4j answer on loopback, installing and starting what is missing
    (and, with ``redis_cluster``, the local Redis Cluster)."""
    settings = settings or get_settings()
    with exclusive(settings):
        statuses = [redis_server.up(settings, echo), neo4j_server.up(settings, echo)]
        if redis_cluster:
            statuses.append(cluster_service.up(settings, echo))
        return statuses


def _cluster_known(settings: Settings) -> bool:
    """Whether a local cluster was ever started under this data dir."""
    return cluster_service.node_home(settings, cluster_service.PORTS[0]).is_dir()


def down(settings: Settings | None = None, echo: Echo = _log_echo,
         redis_cluster: bool = False) -> list[ServiceStatus]:
    """Stop the servers that ``up`` started (never one it did not start), the local Redis
    Cluster included; then ``status``."""
    settings = settings or get_settings()
    with exclusive(settings):
        if redis_cluster or _cluster_known(settings):
            cluster_service.down(settings, echo)
        for name in ("neo4j", "redis"):
            _stop(name, settings, echo)
        return status(settings, echo, redis_cluster)


def stop(name: str, settings: Settings | None = None, echo: Echo = _log_echo) -> None:
    """Stop one service we started (``redis`` or ``neo4j``), e.g. to test an outage."""
    settings = settings or get_settings()
    with exclusive(settings):
        _stop(name, settings, echo)


def kill(name: str, settings: Settings | None = None, echo: Echo = _log_echo) -> int | None:
    """SIGKILL one service we started (``redis`` or ``neo4j``): a crash, for fault-injection
    tests. Only the pid in our own pid file is touched; returns it (``None``: not running)."""
    settings = settings or get_settings()
    with exclusive(settings):
        module = _MODULES[name]
        pid = pid_of(module.pid_file(settings), module.MARKER)
        if pid is None:
            echo(f"{name}: nothing of ours is running")
            return None
        echo(f"{name}: killing pid {pid} (SIGKILL)")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        while alive(pid):
            time.sleep(0.02)
        return pid


def _stop(name: str, settings: Settings, echo: Echo) -> None:
    module = _MODULES[name]
    pid_file = module.pid_file(settings)
    pid = pid_of(pid_file, module.MARKER)
    if pid is None:
        echo(f"{name}: nothing of ours is running")
        return
    echo(f"{name}: stopping pid {pid}")
    terminate(pid)
    pid_file.unlink(missing_ok=True)


def status(settings: Settings | None = None, echo: Echo = _log_echo,
           redis_cluster: bool = False) -> list[ServiceStatus]:
    """Each service: running or stopped, where, its pid when ours, and its log (the
    local Redis Cluster when asked for, or when one was started under the data dir)."""
    settings = settings or get_settings()
    statuses = [redis_server.status(settings), neo4j_server.status(settings)]
    if redis_cluster or _cluster_known(settings):
        statuses.append(cluster_service.status(settings))
    for item in statuses:
        echo(item.line())
    return statuses
