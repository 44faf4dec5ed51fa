"""OpenLineage run events posted to a running ``provgraph serve`` by the real
openlineage-python client (its HTTP transport, configured as for Marquez), stored by a
keeper: the lineage of the pipeline's last dataset reaches its first job. Bad events get a
400 with one line and nothing of their request is stored."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.transport.http import HttpConfig, HttpTransport

from keeper.lineage.api import upstream
from keeper.stores.base import Store, open_store
from provgraph.core.config import get_settings, load_settings
from tests.exports.openlineage.test_pipeline import emit_pipeline
from tests.provgraph.serve.conftest import start_server, stop


def post(url: str, body: bytes, kind: str = "application/json") -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": kind})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def keeper_until_idle(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "provgraph.cli", "keeper", "run", "-q",
                           "--until-idle"], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stderr


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.integration)])
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


def test_the_real_client_posts_a_pipeline_that_a_keeper_stores(store_kind: str,
                                                                tmp_path: Path) -> None:
    env = {"PROVGRAPH_DATA_DIR": str(tmp_path / "data"), "PROVGRAPH_STORE": store_kind,
           "PROVGRAPH_HUB": "file"}
    settings = load_settings(environ={**os.environ, **env})
    if store_kind == "neo4j":
        settings.store.neo4j = copy.deepcopy(get_settings().store.neo4j)
        open_store(settings).clear()
    url, process = start_server(env)
    try:
        client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=url, timeout=30)))
        ids = emit_pipeline(client, tmp_path)
        emit_pipeline(client, tmp_path)  # a second pipeline run: other run ids, same datasets

        status, answer = post(f"{url}/api/v1/lineage", b'{"eventType": "START"}')
        assert status == 400 and answer["error"].count("\n") == 0
        assert "event 0:" in answer["error"]
        status, answer = post(f"{url}/api/v1/lineage/batch", b"[]", kind="text/plain")
        assert status == 415
        status, answer = post(f"{url}/api/workflows", b"{}")
        assert status == 405
    finally:
        stop(process)
    keeper_until_idle(env)

    store: Store = open_store(settings)
    try:
        answer = upstream(store, ids["sales"], depth=10)
        reached = set(answer.ids())
        assert {ids["load"], ids["transform"], ids["extract"]} <= reached
        load = store.get_node(ids["load"])
        assert load is not None and load["props"]["status"] == "ERROR"
        assert "analytics.sales is locked" in load["props"]["stderr"]
        runs = store.find_nodes("Task", {"activity_id": "extract"})
        assert len(runs) == 2  # two pipeline runs, each stored once (6 events each)
    finally:
        if store_kind == "neo4j":
            store.clear()
        store.close()
