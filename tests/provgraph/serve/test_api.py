"""The JSON API over the real stores, through HTTP to a `provgraph serve` the test
started: its answers are keeper/lineage's; hostile input gets a 4xx with one line; the
guard refuses what it must."""

from __future__ import annotations

import urllib.parse
from typing import Any

import orjson
import pytest

from keeper.lineage import api as lineage
from provgraph.core.errors import ArgumentError
from provgraph.serve import ServeOptions, guard_for
from tests.provgraph.serve.conftest import (
    EPOCHS,
    HOSTILE,
    RAW,
    WF_PREP,
    WF_TRAIN,
    Server,
    start_server,
    stop,
)


def q(**params: Any) -> str:
    return urllib.parse.urlencode(params)


def plain(value: Any) -> Any:
    """As JSON gives it back (tuples become lists)."""
    return orjson.loads(orjson.dumps(value))


@pytest.mark.parametrize("way", ["upstream", "downstream"])
@pytest.mark.parametrize(("ref", "depth", "limit"), [
    ("evaluate", 10, 1000), ("load", 3, 1000), (RAW, 10, 1000), ("epoch-3", 10, 4)])
def test_lineage_answers_are_keeper_lineages(server: Server, way: str, ref: str, depth: int,
                                             limit: int) -> None:
    answer = server.ok(f"/api/{way}?" + q(id=ref, depth=depth, limit=limit))
    expected = plain(lineage.lineage(server.store, ref, way, depth, limit).as_dict())
    views = answer.pop("views")
    assert answer == expected
    assert set(views) == {expected["start"]["id"], *(h["id"] for h in expected["hits"])}
    assert "truncated" in answer and "complete_depth" in answer


def test_lineage_crosses_workflows_and_expand_is_two_one_level_walks(server: Server) -> None:
    up = server.ok("/api/upstream?" + q(id="evaluate", depth=10))
    assert "load" in {hit["id"] for hit in up["hits"]}  # wf-train -> wf-prep
    both = server.ok("/api/expand?" + q(id="load"))
    for way in ("upstream", "downstream"):
        both[way].pop("views")
        assert both[way] == plain(lineage.lineage(server.store, "load", way, 1, 200).as_dict())


def test_path_equals_keeper_lineage(server: Server) -> None:
    answer = server.ok("/api/path?" + urllib.parse.urlencode({"from": "evaluate", "to": RAW}))
    found = answer["path"]
    found.pop("views")
    assert found == plain(lineage.path(server.store, "evaluate", RAW))
    assert found["direction"] == "upstream" and found["length"] == 3


def test_workflows_newest_first_with_counts(server: Server) -> None:
    answer = server.ok("/api/workflows")
    rows = answer["workflows"]
    assert [w["id"] for w in rows] == [WF_TRAIN, WF_PREP]
    train = rows[0]
    assert train["tasks"] == EPOCHS + 1 and train["failures"] == 1
    assert train["state"] == "RUNNING" and train["name"] == HOSTILE
    assert rows[1]["state"] == "FINISHED"
    assert [w["id"] for w in server.ok("/api/workflows?q=PREP")["workflows"]] == [WF_PREP]


def test_workflow_overview_is_one_node_per_activity(server: Server) -> None:
    ov = server.ok("/api/workflow?" + q(id=WF_TRAIN))
    by_name = {a["name"]: a for a in ov["activities"]}
    assert set(by_name) == {"epoch", HOSTILE}
    assert by_name["epoch"]["tasks"] == EPOCHS
    assert by_name["epoch"]["statuses"] == {"ERROR": 1, "FINISHED": EPOCHS - 1}
    assert {"src": HOSTILE, "dst": "epoch", "count": 1} in ov["edges"]
    assert ov["informed_by_outside"] == EPOCHS  # every epoch used what wf-prep's load made
    tasks = server.ok("/api/tasks?" + q(id=WF_TRAIN, activity="epoch", limit=5))
    assert len(tasks["tasks"]) == 5 and tasks["truncated"]
    assert [t["id"] for t in tasks["tasks"]] == [f"epoch-{i}" for i in range(5)]


def test_node_search_and_export(server: Server) -> None:
    node = server.ok("/api/node?" + q(id=RAW))["node"]
    assert node["kind"] == "entity" and node["attrs"]["value"] == RAW
    found = server.ok("/api/search?" + q(q="epoch", workflow=WF_TRAIN, limit=3))
    assert len(found["results"]) == 3 and found["truncated"]
    assert server.ok("/api/search?" + q(q=RAW))["results"][0]["id"] == node["id"]
    for fmt in (f["name"] for f in server.ok("/api/formats")["formats"]):
        status, body = server.get("/api/export?" + q(scope="workflow", id=WF_PREP, format=fmt))
        text = body if isinstance(body, bytes) else orjson.dumps(body)
        assert status == 200 and b"load" in text, fmt
    for fmt in ("json", "ttl", "nt"):  # PROV-N and PROV-XML refuse these names (prov package)
        status, body = server.get("/api/export?" + q(scope="workflow", id=WF_TRAIN, format=fmt))
        text = body if isinstance(body, bytes) else orjson.dumps(body)
        assert status == 200 and b"epoch-3" in text, fmt
    status, body = server.get("/api/export?" + q(scope="around", id="load", format="json"))
    assert status == 200 and body["activity"]


HOSTILE_REQUESTS = [
    ("/api/node?" + q(id="x" * 5000), 400), ("/api/node?" + q(id="no\x00de"), 400),
    ("/api/node", 400), ("/api/node?" + q(id="missing"), 404),
    ("/api/upstream?" + q(id="load", depth="99"), 400),
    ("/api/upstream?" + q(id="load", depth="-1"), 400),
    ("/api/upstream?" + q(id="load", depth="1e9"), 400),
    ("/api/upstream?" + q(id="load", limit="0"), 400),
    ("/api/workflows?" + q(limit="abc"), 400), ("/api/workflow?" + q(id="load"), 400),
    ("/api/workflow?" + q(id="<script>"), 404),
    ("/api/search?" + q(q="y" * 600), 400),
    ("/api/export?" + q(scope="all", id="x"), 400),
    ("/api/export?" + q(scope="workflow", id=WF_PREP, format="exe"), 400),
    ("/api/upstream?" + q(id="' OR 1=1 //", depth=2), 404),
    ("/api/nothing-here", 404), ("/static/../../etc/passwd", 404),
    ("/api/node?id=" + "z" * 9000, 414),
]


@pytest.mark.parametrize(("path", "status"), HOSTILE_REQUESTS)
def test_hostile_input_gets_a_4xx_with_one_line(server: Server, path: str, status: int) -> None:
    got, body = server.get(path)
    assert got == status, (path, got, body)
    assert isinstance(body, dict) and body["status"] == status
    message = body["error"]
    assert "\n" not in message and "Traceback" not in message and len(message) <= 500


def test_read_only_and_loopback_host_only(embedded_server: Server) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert embedded_server.get("/api/workflows", method=method)[0] == 405
    status, body = embedded_server.get("/api/workflows", host="attacker.example:80")
    assert status == 403 and "loopback" in body["error"]
    status, _ = embedded_server.get("/api/workflows", host="localhost:1")
    assert status == 200
    status, page = embedded_server.get("/")
    assert status == 200 and b"explorer.js" in page


def test_a_non_loopback_bind_needs_a_token_on_every_request(embedded_server: Server,
                                                            tmp_path: Any) -> None:
    with pytest.raises(ArgumentError, match="token"):
        guard_for(ServeOptions(host="0.0.0.0"))
    token = "t0ken-for-the-serve-test-1234"
    data = str(embedded_server.store.directory.parent)  # type: ignore[attr-defined]
    url, process = start_server({"PROVGRAPH_DATA_DIR": data, "PROVGRAPH_STORE": "embedded"},
                                host="0.0.0.0", token=token)
    try:
        served = Server(url, embedded_server.store, process)
        for path in ("/", "/api/workflows", "/static/explorer.js", "/api/health"):
            status, body = served.get(path, token="")
            assert status == 401 and "token" in body["error"], path
            assert served.get(path, token="wrong-token-wrong-token")[0] == 401
            assert served.get(path, token=token)[0] == 200, path
    finally:
        stop(process)
