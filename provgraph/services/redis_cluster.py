"""A local Redis Cluster on loopback: three masters and three replicas, ports 7000-7005.

Built from the system's ``redis-server`` (installed from apt when missing), one process
per node with its state in ``<data_dir>/services/redis-cluster/<port>/`` (its
``nodes.conf``, append-only file, pid file and log). ``up`` starts the nodes that are not
running and, the first time, joins them into a cluster (``redis-cli --cluster create
... --cluster-replicas 1``); a cluster that answers ``cluster_state:ok`` is left alone, so
``up`` is idempotent, and nodes restarted later find their cluster again in their
``nodes.conf``. ``cluster-node-timeout`` is short (2 s) so a killed master's replica takes
over within seconds.

A managed cluster (ElastiCache, Memorystore, Redis Enterprise...) needs none of this:
point ``hub.redis.url`` at any one of its nodes and set ``hub.redis.cluster: true``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from provgraph.core.config import Settings
from provgraph.core.errors import ServiceError
from provgraph.services.common import (
    HOST,
    POLL_S,
    Echo,
    ServiceStatus,
    alive,
    pid_of,
    service_home,
    terminate,
)
from provgraph.services.redis_server import MARKER, ensure_installed

PORTS = tuple(range(7000, 7006))
NODE_TIMEOUT_MS = 2000


def node_home(settings: Settings, port: int) -> Path:
    return service_home(settings, "redis-cluster") / str(port)


def pid_file(settings: Settings, port: int) -> Path:
    return node_home(settings, port) / "redis.pid"


def log_file(settings: Settings, port: int | None = None) -> Path:
    if port is None:
        return service_home(settings, "redis-cluster") / "create.log"
    return node_home(settings, port) / "redis.log"


def _client(port: int) -> Any:
    return redis.Redis(host=HOST, port=port, socket_connect_timeout=1.0, socket_timeout=2.0,
                       retry=Retry(NoBackoff(), 0))


def node_info(port: int) -> dict[str, str] | None:
    """``CLUSTER INFO`` of the node on ``port`` (None: nothing answers there)."""
    client = _client(port)
    try:
        raw = client.execute_command("CLUSTER INFO")
    except redis.RedisError:
        return None
    finally:
        client.close()
    if isinstance(raw, dict):  # redis-py parses the reply itself
        return {str(k): v.decode() if isinstance(v, bytes) else str(v) for k, v in raw.items()}
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def status(settings: Settings) -> ServiceStatus:
    infos = {port: node_info(port) for port in PORTS}
    up_nodes = [p for p, info in infos.items() if info is not None]
    pids = [pid_of(pid_file(settings, p), MARKER) for p in PORTS]
    ours = [p for p in pids if p is not None]
    problem = ""
    if up_nodes and len(up_nodes) < len(PORTS):
        problem = f"nodes down: {', '.join(str(p) for p in PORTS if infos[p] is None)}"
    states = {info.get("cluster_state", "disabled") for info in infos.values() if info is not None}
    if up_nodes and states != {"ok"}:
        problem = "; ".join(filter(None, [problem, f"cluster_state {'/'.join(sorted(states))}"]))
    return ServiceStatus(
        "redis-cluster", bool(up_nodes), bool(ours) and len(ours) == len(up_nodes),
        f"{HOST}:{PORTS[0]}-{PORTS[-1]}", ours[0] if ours else None, log_file(settings),
        problem)


def up(settings: Settings, echo: Echo) -> ServiceStatus:
    """Start the missing nodes and, the first time, create the cluster; wait for ``ok``."""
    current = status(settings)
    if current.running and not current.problem:
        echo(current.line("already"))
        return current
    binary = ensure_installed(settings, echo)
    for port in PORTS:
        if node_info(port) is None:
            _start_node(settings, binary, port)
    if all(int((node_info(p) or {}).get("cluster_known_nodes", "1")) <= 1 for p in PORTS):
        _create(settings)
    deadline = time.monotonic() + settings.services.start_timeout_s
    while (current := status(settings)).problem or not current.running:
        if time.monotonic() > deadline:
            raise ServiceError(f"the Redis Cluster did not become ok ({current.problem}); "
                               f"see {node_home(settings, PORTS[0]).parent}")
        time.sleep(POLL_S)
    echo(current.line("started,"))
    return current


def _start_node(settings: Settings, binary: str, port: int) -> None:
    home = node_home(settings, port)
    home.mkdir(parents=True, exist_ok=True)
    lines = [
        f"bind {HOST}", f"port {port}", "protected-mode yes", "daemonize yes",
        "cluster-enabled yes", f"cluster-config-file {home / 'nodes.conf'}",
        f"cluster-node-timeout {NODE_TIMEOUT_MS}", "appendonly yes",
        f'pidfile "{pid_file(settings, port)}"', f'logfile "{log_file(settings, port)}"',
        f'dir "{home}"',
    ]
    conf = home / "redis.conf"
    conf.write_text("\n".join(lines) + "\n")
    with log_file(settings, port).open("ab") as out:
        result = subprocess.run([binary, str(conf)], stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise ServiceError(f"redis-server on port {port} failed to start; see "
                           f"{log_file(settings, port)}")
    deadline = time.monotonic() + settings.services.start_timeout_s
    while node_info(port) is None:
        if time.monotonic() > deadline:
            raise ServiceError(f"redis-server on port {port} did not answer; see "
                               f"{log_file(settings, port)}")
        time.sleep(POLL_S / 5)


def _create(settings: Settings) -> None:
    """Join the six fresh nodes: three masters, each with a replica."""
    nodes = [f"{HOST}:{port}" for port in PORTS]
    log = log_file(settings)
    with log.open("ab") as out:
        result = subprocess.run(
            ["redis-cli", "--cluster", "create", *nodes, "--cluster-replicas", "1",
             "--cluster-yes"], stdout=out, stderr=subprocess.STDOUT, timeout=120)
    if result.returncode != 0:
        raise ServiceError(f"redis-cli --cluster create failed; see {log}")


def down(settings: Settings, echo: Echo) -> None:
    """Stop the nodes we started (their pid files); their state stays for the next ``up``."""
    stopped = 0
    for port in PORTS:
        pid = pid_of(pid_file(settings, port), MARKER)
        if pid is not None:
            terminate(pid)
            stopped += 1
    echo(f"redis-cluster: stopped {stopped} nodes" if stopped
         else "redis-cluster: nothing of ours is running")


def node_pid(settings: Settings, port: int) -> int | None:
    return pid_of(pid_file(settings, port), MARKER)


def kill_node(settings: Settings, port: int) -> int | None:
    """SIGKILL the node on ``port`` (ours only), for failover tests; returns its pid."""
    pid = node_pid(settings, port)
    if pid is None:
        return None
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    while alive(pid):
        time.sleep(0.02)
    return pid


def master_of(port: int, key: str) -> int:
    """The port of the master serving ``key``'s slot now, asked of the node on ``port``."""
    client = _client(port)
    try:
        slot = int(client.execute_command("CLUSTER KEYSLOT", key))
        for start, end, master, *_ in client.execute_command("CLUSTER SLOTS"):
            if int(start) <= slot <= int(end):
                return int(master[1])
    finally:
        client.close()
    raise ServiceError(f"no master serves the slot of {key!r}")
