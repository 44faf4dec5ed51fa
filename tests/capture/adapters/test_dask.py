"""The dask interceptor on a real LocalCluster with 2 worker processes."""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import Any

import numpy
import pytest
from distributed import Client

from capture import Flowcept, FlowceptDaskWorkerAdapter, flowcept_task, recorder
from capture.adapters.dask.worker import PLUGIN_NAME
from provgraph.core.config import Settings
from tests.capture.conftest import read_all, tasks
from tests.keeper.conftest import installed, neo4j_settings


def inc(x: int, step: int = 1) -> int:
    return x + step


def add(a: int, b: int) -> int:
    return a + b


def keys_of(d: dict[str, int], *, scale: int = 1) -> list[str]:
    return sorted(d)


def boom(x: int) -> int:
    raise ValueError(f"boom {x}")


def big(n: int) -> Any:
    return numpy.zeros(n)


def total(values: Any) -> float:
    return float(values.sum())


@flowcept_task(output_names="half")
def halve(x: int) -> float:
    return x / 2


def uses_decorated(x: int) -> float:
    return halve(x)


def by_task(messages: list[dict[str, Any]], task_id: str) -> list[dict[str, Any]]:
    return [m for m in messages if m.get("type") == "task" and m.get("task_id") == task_id]


def final(messages: list[dict[str, Any]], task_id: str) -> dict[str, Any]:
    [message] = [m for m in by_task(messages, task_id) if m["status"] != "RUNNING"]
    return message


def workers(client: Client) -> set[str]:
    return set(client.scheduler_info()["workers"])


def test_submit_records_running_then_finished(dask_client: Client) -> None:
    with Flowcept("dask", dask_client=dask_client, workflow_name="submit",
                  campaign_id="camp-dask", start_persistence=False) as flowcept:
        future = dask_client.submit(inc, 41)
        assert future.result() == 42
    messages = read_all()
    running, finished = by_task(messages, future.key)
    assert running["status"] == "RUNNING"
    assert finished["status"] == "FINISHED"
    for message in (running, finished):
        assert message["workflow_id"] == flowcept.current_workflow_id
        assert message["campaign_id"] == "camp-dask"
        assert message["activity_id"] == "inc"
        assert message["used"] == {"x": 41, "step": 1}
        assert message["address"] in workers(dask_client)
        assert message["adapter_id"] == "dask"
        assert message["hostname"]
    assert finished["generated"] == {"arg_0": 42}
    assert finished["started_at"] <= finished["ended_at"]
    assert "generated" not in running
    [workflow] = [m for m in messages if m["type"] == "workflow" and "name" in m]
    assert workflow["name"] == "submit"


def test_map_keyword_and_dict_arguments(dask_client: Client) -> None:
    with Flowcept("dask", dask_client=dask_client, start_persistence=False):
        mapped = dask_client.map(inc, [1, 2, 3], step=10)
        upstream = dask_client.submit(inc, 6)
        named = dask_client.submit(keys_of, {"x": 1, "y": upstream}, scale=3)
        assert dask_client.gather(mapped) == [11, 12, 13]
        assert named.result() == ["x", "y"]
    messages = read_all()
    assert sorted(final(messages, f.key)["used"]["x"] for f in mapped) == [1, 2, 3]
    assert all(final(messages, f.key)["used"]["step"] == 10 for f in mapped)
    used = final(messages, named.key)["used"]
    assert used == {"d": {"x": 1, "y": 7}, "scale": 3}  # the future inside the dict resolved
    assert final(messages, named.key)["dependencies"] == [upstream.key]
    assert final(messages, named.key)["generated"] == {"arg_0": ["x", "y"]}


class Scale:
    def __init__(self, factor: int) -> None:
        self.factor = factor

    def __call__(self, x: int) -> int:
        return x * self.factor


def test_partials_and_callable_objects(dask_client: Client) -> None:
    with Flowcept("dask", dask_client=dask_client, start_persistence=False):
        partial = dask_client.map(functools.partial(inc, step=3), [1, 2])
        scaled = dask_client.submit(Scale(4), 5)
        assert dask_client.gather(partial) == [4, 5] and scaled.result() == 20
    messages = read_all()
    assert [final(messages, f.key)["used"] for f in partial] == [{"x": 1, "step": 3},
                                                                 {"x": 2, "step": 3}]
    assert {final(messages, f.key)["activity_id"] for f in partial} == {"inc"}
    assert final(messages, scaled.key)["used"] == {"x": 5}
    assert final(messages, scaled.key)["generated"] == {"arg_0": 20}


def test_error_task_keeps_exception_and_traceback(dask_client: Client) -> None:
    with Flowcept("dask", dask_client=dask_client, start_persistence=False):
        future = dask_client.submit(boom, 3)
        with pytest.raises(ValueError, match="boom 3"):
            future.result()
    failed = final(read_all(), future.key)
    assert failed["status"] == "ERROR"
    assert failed["used"] == {"x": 3}
    assert failed["stderr"].startswith("Traceback (most recent call last):")
    assert "in boom" in failed["stderr"]
    assert failed["stderr"].endswith("ValueError: boom 3")
    assert "generated" not in failed


def test_start_and_stop_form_and_lineage_in_the_store(dask_client: Client) -> None:
    flowcept = Flowcept(interceptors=["dask"], dask_client=dask_client, workflow_name="chain")
    flowcept.start()
    first = dask_client.submit(inc, 1)
    middle = dask_client.submit(inc, first)
    last = dask_client.submit(add, middle, dask_client.submit(inc, middle))
    assert last.result() == 7
    flowcept.stop()
    upstream = {n["id"] for n in Flowcept.db.upstream(last.key, depth=10)}
    assert {first.key, middle.key} <= upstream
    downstream = {n["id"] for n in Flowcept.db.downstream(first.key, depth=10)}
    assert last.key in downstream
    stored = Flowcept.db.task_query({"task_id": last.key})
    assert stored[0]["status"] == "FINISHED"
    assert stored[0]["workflow_id"] == flowcept.current_workflow_id


def test_thousand_tasks_nothing_lost(dask_client: Client) -> None:
    with Flowcept("dask", dask_client=dask_client, start_persistence=False) as flowcept:
        futures = dask_client.map(inc, range(1000))
        assert sum(dask_client.gather(futures)) == sum(range(1, 1001))
    messages = tasks(read_all())
    expected = {f.key for f in futures}
    assert {m["task_id"] for m in messages if m["status"] == "FINISHED"} == expected
    assert {m["task_id"] for m in messages if m["status"] == "RUNNING"} == expected
    assert len(messages) == 2000
    assert {m["workflow_id"] for m in messages} == {flowcept.current_workflow_id}
    assert {m["address"] for m in messages} == workers(dask_client)  # both processes


def test_big_values_are_described_and_shared(dask_client: Client) -> None:
    with Flowcept("dask", dask_client=dask_client, start_persistence=False):
        array = dask_client.submit(big, 200_000)  # 1.6 MB, over max_value_bytes
        summed = dask_client.submit(total, array)
        assert summed.result() == 0.0
    messages = read_all()
    produced = final(messages, array.key)["generated"]["arg_0"]
    assert produced.startswith("<") and array.key in produced and "bytes" in produced
    assert final(messages, summed.key)["used"] == {"values": produced}


def test_decorated_functions_inside_tasks_join_the_workflow(dask_client: Client) -> None:
    with Flowcept("dask", dask_client=dask_client, start_persistence=False) as flowcept:
        assert dask_client.submit(uses_decorated, 8).result() == 4
    inner = tasks(read_all(), activity_id="halve")
    assert [m["generated"] for m in inner] == [{"half": 4.0}]
    assert inner[0]["workflow_id"] == flowcept.current_workflow_id


def test_telemetry_when_enabled(dask_client: Client, settings: Settings) -> None:
    settings.instrumentation.telemetry.enabled = True
    recorder.configure(settings)
    with Flowcept("dask", dask_client=dask_client, start_persistence=False):
        future = dask_client.submit(inc, 5)
        future.result()
    message = final(read_all(), future.key)
    for snapshot in (message["telemetry_at_start"], message["telemetry_at_end"]):
        assert {"cpu", "memory", "process"} <= set(snapshot)
    workers_pids = set(dask_client.run(os.getpid).values())
    assert message["telemetry_at_end"]["process"]["pid"] in workers_pids  # taken on the worker


def test_user_registered_plugin_is_put_back(dask_client: Client) -> None:
    dask_client.register_plugin(FlowceptDaskWorkerAdapter())
    try:
        with Flowcept("dask", dask_client=dask_client, start_persistence=False) as flowcept:
            future = dask_client.submit(inc, 100)
            future.result()
        assert final(read_all(), future.key)["workflow_id"] == flowcept.current_workflow_id
        plugins = dask_client.run(lambda dask_worker: type(
            dask_worker.plugins.get(PLUGIN_NAME)).__name__)
        assert set(plugins.values()) == {"FlowceptDaskWorkerAdapter"}
        contexts = dask_client.run(
            lambda dask_worker: dask_worker.plugins[PLUGIN_NAME].worker_context)
        assert set(contexts.values()) == {None}  # the user's plugin, without the run's workflow
    finally:
        dask_client.unregister_worker_plugin(PLUGIN_NAME)


def test_plugin_removed_after_stop(dask_client: Client) -> None:
    with Flowcept("dask", dask_client=dask_client, start_persistence=False):
        dask_client.submit(inc, 1).result()
    assert not any(dask_client.run(lambda dask_worker: PLUGIN_NAME in dask_worker.plugins)
                   .values())


def test_without_a_dask_client_a_clear_error(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR), Flowcept("dask", start_persistence=False):
        pass
    assert "dask_client=client" in caplog.text
    with caplog.at_level(logging.ERROR), Flowcept("dask", dask_client="tcp://x:1",
                                                  start_persistence=False):
        pass
    assert "dask_client must be a distributed.Client, got str" in caplog.text


def test_workers_record_into_the_clients_data_dir(dask_client: Client, settings: Settings,
                                                  tmp_path: Path) -> None:
    assert Path(settings.buffer_file).is_relative_to(tmp_path)
    with Flowcept("dask", dask_client=dask_client, start_persistence=False):
        future = dask_client.submit(inc, 2)
        future.result()
    assert final(read_all(), future.key)["generated"] == {"arg_0": 3}


@pytest.mark.integration
def test_workers_produce_into_redis_and_lineage_in_neo4j(dask_client: Client, tmp_path: Path,
                                                         stream: str) -> None:
    with installed(neo4j_settings(tmp_path / "data", stream)):
        with Flowcept("dask", dask_client=dask_client, workflow_name="redis-neo4j") as flowcept:
            first = dask_client.submit(inc, 10)
            second = dask_client.submit(inc, first, step=2)
            last = dask_client.submit(add, first, second)
            assert last.result() == 24
        stored = Flowcept.db.task_query({"workflow_id": flowcept.current_workflow_id})
        assert {t["task_id"] for t in stored} == {first.key, second.key, last.key}
        assert {t["address"] for t in stored} <= workers(dask_client)  # produced by them
        upstream = {n["id"] for n in Flowcept.db.upstream(last.key, depth=10)}
        assert {first.key, second.key} <= upstream
        [stored] = Flowcept.db.task_query({"task_id": second.key})
        assert stored["used"] == {"x": 11, "step": 2}
        assert stored["status"] == "FINISHED"
