"""A store with two workflows linked by a shared value (one still running, with
script-bearing names and values), and `provgraph serve` started on a free port over it,
as a user starts it (a subprocess reading the settings from its environment)."""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from keeper.stores.base import Store
from keeper.stores.embedded import EmbeddedStore
from prov_model import map_batch
from provgraph.core.config import get_settings, load_settings

RAW = "/data/raw/measurements.csv"
DATASET = "the loaded dataset, long enough to be shared"
HOSTILE = '<img src=x onerror="window.__pwned=1">'
HOSTILE_VALUE = "<script>window.__pwned=1</script> and long enough to be shared"
WF_PREP, WF_TRAIN = "wf-prep", "wf-train"
EPOCHS = 12


def task(task_id: str, workflow: str, activity: str, start: float, **fields: Any
         ) -> dict[str, Any]:
    return {"type": "task", "task_id": task_id, "workflow_id": workflow, "activity_id": activity,
            "status": "FINISHED", "started_at": start, "ended_at": start + 1, "user": "alice",
            **fields}


def weights(i: int) -> str:
    return f"model weights after epoch {i} (long value)"


def messages() -> list[dict[str, Any]]:
    out = [{"type": "workflow", "workflow_id": WF_PREP, "name": "prep", "started_at": 1.0,
            "user": "alice"},
           {"type": "workflow", "workflow_id": WF_TRAIN, "name": HOSTILE, "started_at": 5.0,
            "user": "alice"},
           task("load", WF_PREP, "load", 1.0, used={"path": RAW}, generated={"dataset": DATASET}),
           {"type": "control", "event": "workflow_end", "workflow_id": WF_PREP,
            "ended_at": 3.0, "status": "FINISHED"}]
    for i in range(EPOCHS):
        out.append(task(f"epoch-{i}", WF_TRAIN, "epoch", 5.0 + i,
                        used={"data": DATASET, "i": i}, generated={"weights": weights(i)},
                        status="ERROR" if i == 7 else "FINISHED",
                        stderr="ValueError: loss is NaN" if i == 7 else None))
    out.append(task("evaluate", WF_TRAIN, HOSTILE, 20.0, used={"weights": weights(EPOCHS - 1)},
                    generated={"note": HOSTILE_VALUE}))
    return out


def late_task(n: int) -> dict[str, Any]:
    """A task the running workflow gains while the page is open."""
    return task(f"late-{n}", WF_TRAIN, "publish", 30.0 + n, used={"note": HOSTILE_VALUE})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    store: Store
    process: subprocess.Popen[bytes]
    token: str = ""

    def get(self, path: str, token: str | None = None, host: str | None = None,
            method: str = "GET") -> tuple[int, Any]:
        """``(status, JSON body)`` of one request."""
        request = urllib.request.Request(self.url + path, method=method)
        given = self.token if token is None else token
        if given:
            request.add_header("Authorization", f"Bearer {given}")
        if host:
            request.add_header("Host", host)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
                status = response.status
                kind = response.headers.get("content-type", "")
        except urllib.error.HTTPError as exc:
            body, status, kind = exc.read(), exc.code, exc.headers.get("content-type", "")
        return status, json.loads(body) if kind.startswith("application/json") else body

    def ok(self, path: str) -> Any:
        status, body = self.get(path)
        assert status == 200, (path, status, body)
        return body


def start_server(env: dict[str, str], *args: str, host: str = "127.0.0.1",
                 token: str = "") -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    command = [sys.executable, "-m", "provgraph.cli", "serve", "--host", host,
               "--port", str(port), *(["--token", token] if token else []), *args]
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            out = process.stdout.read().decode() if process.stdout else ""
            raise AssertionError(f"provgraph serve exited {process.returncode}: {out}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return url, process
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError("provgraph serve did not listen within 60 s") from None
            time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("serve-data")
    settings = load_settings(environ={"PROVGRAPH_DATA_DIR": str(data)})
    store = EmbeddedStore(settings.embedded_store_dir)
    store.write(map_batch(messages()))
    url, process = start_server({"PROVGRAPH_DATA_DIR": str(data),
                                 "PROVGRAPH_STORE": "embedded"})
    yield Server(url, store, process)
    stop(process)
    store.close()


@pytest.fixture(scope="module")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from keeper.stores.neo4j import Neo4jStore

    store = Neo4jStore.from_settings(copy.deepcopy(get_settings()))
    store.clear()
    store.write(map_batch(messages()))
    data = tmp_path_factory.mktemp("serve-neo4j")
    url, process = start_server({"PROVGRAPH_DATA_DIR": str(data), "PROVGRAPH_STORE": "neo4j"})
    yield Server(url, store, process)
    stop(process)
    store.clear()
    store.close()


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.integration)])
def server(request: pytest.FixtureRequest) -> Server:
    server: Server = request.getfixturevalue(f"{request.param}_server")
    return server
