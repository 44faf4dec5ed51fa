"""The guide's examples run by the executor: caching, references, object construction,
the decorator's options, the step context, callbacks, force, and the improvements over
Formed (stale-upstream detection)."""

from __future__ import annotations

import fractions
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import colt
import pytest

from provgraph import workflow
from provgraph.workflow import (
    DefaultWorkflowExecutor,
    FilesystemWorkflowCache,
    MemoryWorkflowCache,
    WorkflowCache,
    WorkflowCallback,
    WorkflowExecutionContext,
    WorkflowGraph,
    WorkflowStepArgFlag,
    WorkflowStepError,
)
from tests.provgraph.workflow.conftest import ModuleWriter

RUNS: list[str] = []


def ref(name: str) -> dict[str, str]:
    return {"type": "ref", "ref": name}


def execute(config: dict[str, Any], cache: WorkflowCache, **options: Any
            ) -> WorkflowExecutionContext:
    graph = WorkflowGraph.from_config({"steps": config})
    return DefaultWorkflowExecutor()(graph, cache=cache, start_persistence=False, **options)


def statuses(ctx: WorkflowExecutionContext) -> dict[str, str]:
    return {name: outcome.status for name, outcome in ctx.outcomes.items()}


@workflow.step
def add_two_integers(a: int, b: int) -> int:
    RUNS.append("add_two_integers")
    return a + b


def test_the_basic_example_runs_then_is_served_from_the_cache() -> None:
    cache = MemoryWorkflowCache()
    RUNS.clear()
    first = execute({"result": {"type": "add_two_integers", "a": 1, "b": 2}}, cache)
    assert first.results["result"] == 3 and statuses(first) == {"result": "ran"}
    second = execute({"result": {"type": "add_two_integers", "a": 1, "b": 2}}, cache)
    assert statuses(second) == {"result": "cached"} and second.results["result"] == 3
    assert RUNS == ["add_two_integers"]
    third = execute({"result": {"type": "add_two_integers", "a": 1, "b": 3}}, cache)
    assert statuses(third) == {"result": "ran"} and third.results["result"] == 4


@dataclass
class Dataset:
    train: list[int]
    test: list[int]


@workflow.step
def ex_generate_dataset(size: int) -> Dataset:
    RUNS.append("ex_generate_dataset")
    values = list(range(size))
    return Dataset(values[: size // 2], values[size // 2:])


@workflow.step
def ex_total(values: list[int]) -> int:
    RUNS.append("ex_total")
    return sum(values)


def test_references_and_field_references_through_a_disk_cache(tmp_path: Path) -> None:
    config = {
        "dataset": {"type": "ex_generate_dataset", "size": 6},
        "train": {"type": "ex_total", "values": ref("dataset.train")},
        "whole": {"type": "ex_total", "values": ref("dataset.test")},
    }
    cache = FilesystemWorkflowCache(tmp_path / "cache")
    RUNS.clear()
    ctx = execute(config, cache)
    assert (ctx.results["train"], ctx.results["whole"]) == (3, 12)
    assert (tmp_path / "cache" / ctx.outcomes["dataset"].fingerprint / "result.json").is_file()
    RUNS.clear()
    again = execute(config, cache)
    assert statuses(again) == {"dataset": "cached", "train": "cached", "whole": "cached"}
    assert RUNS == []
    assert not again.outcomes["dataset"].loaded  # nothing needed the value
    assert again.results["dataset"] == Dataset([0, 1, 2], [3, 4, 5])  # the dataclass is back


class AwesomeProcessor:
    def __init__(self, name: str, times: int = 1) -> None:
        self.name = name
        self.times = times


class BaseCallback(colt.Registrable):
    pass


@BaseCallback.register("ex_log")
class LoggingCallback(BaseCallback):
    def __init__(self, prefix: str = "log") -> None:
        self.prefix = prefix


@BaseCallback.register("ex_notify")
class NotificationCallback(BaseCallback):
    pass


@workflow.step
def ex_do_experiment(processor: AwesomeProcessor, callbacks: list[BaseCallback],
                     ratio: Any = None) -> dict[str, Any]:
    return {"greeting": processor.name * processor.times,
            "callbacks": [type(c).__name__ for c in callbacks], "ratio": str(ratio)}


@workflow.step
def ex_shout(text: str) -> str:
    return text.upper()


def test_objects_are_built_from_type_hints_registrables_and_module_paths() -> None:
    ctx = execute({
        "name": {"type": "ex_shout", "text": "alice"},
        "experiment": {
            "type": "ex_do_experiment",
            "processor": {"name": ref("name"), "times": 2},
            "callbacks": [{"type": "ex_log", "prefix": "p"}, {"type": "ex_notify"}],
            "ratio": {"type": "fractions:Fraction", "numerator": 1, "denominator": 3},
        },
    }, MemoryWorkflowCache())
    assert ctx.results["experiment"] == {
        "greeting": "ALICEALICE", "callbacks": ["LoggingCallback", "NotificationCallback"],
        "ratio": str(fractions.Fraction(1, 3))}


@workflow.step(name="ex::ignoring", format="json")
def ex_ignoring(x: int, device: Annotated[str, WorkflowStepArgFlag.IGNORE] = "cpu") -> int:
    RUNS.append(device)
    return x * 10


def test_an_ignored_argument_is_not_part_of_the_fingerprint() -> None:
    cache = MemoryWorkflowCache()
    RUNS.clear()
    first = execute({"r": {"type": "ex::ignoring", "x": 1, "device": "cpu"}}, cache)
    second = execute({"r": {"type": "ex::ignoring", "x": 1, "device": "cuda"}}, cache)
    assert statuses(second) == {"r": "cached"} and RUNS == ["cpu"]
    assert first.outcomes["r"].fingerprint == second.outcomes["r"].fingerprint
    assert second.outcomes["r"].parts.ignored == ["device"]


def test_a_manual_version_replaces_the_source(user_module: ModuleWriter) -> None:
    body = '''
from provgraph import workflow

@workflow.step(version="{version}")
def ex_versioned(x: int) -> int:
    return x {op} 1
'''
    cache = MemoryWorkflowCache()
    config = {"r": {"type": "ex_versioned", "x": 1}}
    user_module("m_versioned", body.format(version="001", op="+"))
    assert execute(config, cache).results["r"] == 2
    user_module("m_versioned", body.format(version="001", op="-"))
    edited = execute(config, cache)
    assert statuses(edited) == {"r": "cached"} and edited.results["r"] == 2
    user_module("m_versioned", body.format(version="002", op="-"))
    bumped = execute(config, cache)
    assert statuses(bumped) == {"r": "ran"} and bumped.results["r"] == 0


@workflow.step(deterministic=False)
def ex_read_sensor(path: str) -> str:
    RUNS.append("ex_read_sensor")
    return Path(path).read_text()


@workflow.step(cacheable=False)
def ex_now_reading(path: str) -> str:
    RUNS.append("ex_now_reading")
    return Path(path).read_text()


@workflow.step
def ex_summarize(reading: str) -> str:
    RUNS.append("ex_summarize")
    return f"{len(reading)} characters"


@pytest.mark.parametrize("source_step", ["ex_read_sensor", "ex_now_reading"])
def test_steps_downstream_of_a_step_not_cached_rerun_only_when_its_value_changed(
        tmp_path: Path, source_step: str) -> None:
    sensor = tmp_path / "sensor.txt"
    sensor.write_text("20.5")
    cache = MemoryWorkflowCache()
    config = {"reading": {"type": source_step, "path": str(sensor)},
              "summary": {"type": "ex_summarize", "reading": ref("reading")}}
    RUNS.clear()
    assert statuses(execute(config, cache)) == {"reading": "ran", "summary": "ran"}
    same = execute(config, cache)  # the sensor still says 20.5
    assert statuses(same) == {"reading": "ran", "summary": "cached"}
    assert same.outcomes["reading"].reason == "not cacheable"
    sensor.write_text("21.75")
    changed = execute(config, cache)
    assert statuses(changed) == {"reading": "ran", "summary": "ran"}
    assert changed.results["summary"] == "5 characters"
    assert [source_step, "ex_summarize", source_step, source_step, "ex_summarize"] == RUNS
    assert len(cache) == 2  # the two summaries: the uncached step stores nothing
    upstream = changed.outcomes["summary"].parts.upstream["reading"]
    assert upstream.by == "content"


@workflow.step
def ex_double(x: int) -> int:
    RUNS.append("ex_double")
    return 2 * x


def test_force_reruns_a_step_and_force_downstream_its_dependents() -> None:
    cache = MemoryWorkflowCache()
    config = {"a": {"type": "ex_double", "x": 1}, "b": {"type": "ex_double", "x": ref("a")},
              "c": {"type": "ex_double", "x": 7}}
    execute(config, cache)
    forced = execute(config, cache, force="a")
    assert statuses(forced) == {"a": "ran", "b": "cached", "c": "cached"}
    assert forced.outcomes["a"].reason == "forced"
    everything_below = execute(config, cache, force=["a"], force_downstream=True)
    assert statuses(everything_below) == {"a": "ran", "b": "ran", "c": "cached"}
    assert statuses(execute(config, cache, force=True)) == {"a": "ran", "b": "ran", "c": "ran"}
    with pytest.raises(workflow.WorkflowError, match="no step 'zz'"):
        execute(config, cache, force="zz")


@workflow.step
def ex_introspect(x: int) -> dict[str, Any]:
    context = workflow.use_step_context()
    assert context is not None
    workflow.use_step_logger().info("working on %s", x)
    workdir = workflow.use_step_workdir()
    (workdir / "scratch.txt").write_text("x")
    return {"name": context.info.name, "fingerprint": context.state.fingerprint,
            "workdir": str(workdir), "status": context.state.status.value}


def test_a_running_step_sees_its_context_logger_and_workdir(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="provgraph.workflow.step"):
        ctx = execute({"probe": {"type": "ex_introspect", "x": 4}}, MemoryWorkflowCache(),
                      workspace=tmp_path / "ws")
    result = ctx.results["probe"]
    assert result["name"] == "probe" and result["status"] == "running"
    assert result["fingerprint"] == ctx.outcomes["probe"].fingerprint
    assert Path(result["workdir"]) == tmp_path / "ws" / result["fingerprint"]
    assert (Path(result["workdir"]) / "scratch.txt").read_text() == "x"
    assert any(r.name == "provgraph.workflow.step.probe" and "working on 4" in r.message
               for r in caplog.records)
    assert workflow.use_step_context() is None
    assert workflow.use_step_logger() is None


class Recorder(WorkflowCallback):
    def __init__(self) -> None:
        self.events: list[str] = []

    def on_execution_start(self, execution_context: WorkflowExecutionContext) -> None:
        self.events.append("execution_start")

    def on_execution_end(self, execution_context: WorkflowExecutionContext) -> None:
        self.events.append(f"execution_end:{execution_context.state.status.value}")

    def on_step_start(self, step_context: Any, execution_context: Any) -> None:
        self.events.append(f"start:{step_context.info.name}")

    def on_step_end(self, step_context: Any, execution_context: Any) -> None:
        self.events.append(f"end:{step_context.info.name}:{step_context.state.status.value}")


@workflow.step
def ex_explode(x: int) -> int:
    raise ValueError(f"bad {x}")


def test_callbacks_see_runs_not_hits_and_a_failure_ends_the_execution() -> None:
    cache = MemoryWorkflowCache()
    config = {"a": {"type": "ex_double", "x": 3}, "b": {"type": "ex_double", "x": ref("a")}}
    execute(config, cache, force=None)
    callback = Recorder()
    execute({**config, "c": {"type": "ex_double", "x": 5}}, cache, callback=callback)
    assert callback.events == ["execution_start", "start:c", "end:c:completed",
                               "execution_end:completed"]
    failing = Recorder()
    with pytest.raises(WorkflowStepError, match="step 'boom' failed: ValueError: bad 1") as err:
        execute({"boom": {"type": "ex_explode", "x": 1}}, cache, callback=failing)
    assert isinstance(err.value.__cause__, ValueError)
    assert failing.events == ["execution_start", "start:boom", "end:boom:failure",
                              "execution_end:failure"]
    assert len(cache) == 3  # a, b and c: the failed step left nothing


class Opaque:
    def __init__(self, items: set[int]) -> None:
        self.items = items


@workflow.step
def ex_opaque(n: int) -> Opaque:
    return Opaque(set(range(n)))


@workflow.step(format="pickle")
def ex_pickled(n: int) -> list[int]:
    return list(range(n))


def test_formats_are_chosen_by_value_or_named(tmp_path: Path) -> None:
    cache = FilesystemWorkflowCache(tmp_path / "cache")
    ctx = execute({"o": {"type": "ex_opaque", "n": 3}, "p": {"type": "ex_pickled", "n": 2},
                   "j": {"type": "ex_double", "x": 2}}, cache)
    found = {name: sorted(p.name for p in (tmp_path / "cache" / o.fingerprint).iterdir())
             for name, o in ctx.outcomes.items()}
    assert found == {"o": ["_COMPLETE.json", "artifact.pkl"],
                     "p": ["_COMPLETE.json", "artifact.pkl"],
                     "j": ["_COMPLETE.json", "result.json"]}
    again = execute({"o": {"type": "ex_opaque", "n": 3}}, cache)
    assert statuses(again) == {"o": "cached"} and again.results["o"].items == {0, 1, 2}


@workflow.step
async def ex_async_square(x: int) -> int:
    context = workflow.use_step_context()
    assert context is not None and context.info.fingerprint == context.state.fingerprint
    return x * x


def test_an_async_step_is_awaited_and_sees_its_fingerprint() -> None:
    cache = MemoryWorkflowCache()
    assert execute({"sq": {"type": "ex_async_square", "x": 7}}, cache).results["sq"] == 49
    assert statuses(execute({"sq": {"type": "ex_async_square", "x": 7}}, cache)) == {
        "sq": "cached"}
