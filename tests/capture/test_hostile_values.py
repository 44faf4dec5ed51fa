"""Capture never raises into user code: hostile arguments and results are recorded
(or stood in for), the user's result and exception come through unchanged, and values
above the size cap are summarized instead of copied."""

from __future__ import annotations

import asyncio
import hashlib
import tracemalloc
from typing import Any

import numpy as np
import orjson
import pytest

from capture import Flowcept, flowcept_task, lightweight_flowcept_task
from capture.serialize import dumps
from provgraph.core.config import Settings
from tests.capture.conftest import read_all, tasks


class RaisingProperty:
    @property
    def to_flowcept_dict(self) -> Any:
        raise RuntimeError("property exploded")


class RaisingGetattr:
    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"no {name} for you")


class RaisingRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr exploded")


class RaisingStr:
    def __str__(self) -> str:
        raise RuntimeError("str exploded")

    def __hash__(self) -> int:
        return 1


def hostile_values() -> dict[str, Any]:
    return {
        "to_flowcept_dict property": RaisingProperty(),
        "__getattr__": RaisingGetattr(),
        "set of raising __repr__": {RaisingRepr(), RaisingRepr()},
        "dict key raising __str__": {RaisingStr(): 1},
        "int of 5001 digits": 7 * 10**5000 + 7,
    }


HOSTILE = list(hostile_values())


class UserError(ValueError):
    pass


@pytest.mark.parametrize("case", HOSTILE)
@pytest.mark.parametrize("where", ["argument", "result"])
def test_hostile_value_after_a_normal_return_is_recorded_and_never_raises(
    case: str, where: str
) -> None:
    value = hostile_values()[case]

    @flowcept_task
    def f(x):
        return x if where == "result" else 1

    with Flowcept(workflow_name="hostile"):
        returned = f(value)
    assert returned is value if where == "result" else returned == 1
    [task] = tasks(read_all(), activity_id="f")
    assert task["status"] == "FINISHED"
    recorded = task["generated"] if where == "result" else task["used"]["x"]
    assert recorded  # a stand-in (a returned dict is the generated dict itself)


@pytest.mark.parametrize("case", HOSTILE)
def test_the_users_exception_comes_through_unchanged(case: str) -> None:
    original = UserError("bad input")

    @flowcept_task
    def f(x):
        raise original

    with Flowcept(workflow_name="hostile-error"), pytest.raises(UserError) as caught:
        f(hostile_values()[case])
    assert caught.value is original
    [task] = tasks(read_all(), activity_id="f")
    assert task["status"] == "ERROR"
    assert task["stderr"] == "bad input"


def test_an_exception_whose_str_raises_is_reraised_and_recorded_by_type() -> None:
    class Opaque(Exception):
        def __str__(self) -> str:
            raise RuntimeError("str exploded")

    original = Opaque()

    @flowcept_task
    def f():
        raise original

    with Flowcept(workflow_name="opaque"), pytest.raises(Opaque) as caught:
        f()
    assert caught.value is original
    [task] = tasks(read_all(), activity_id="f")
    assert task["stderr"] == "Opaque"


@pytest.mark.parametrize("case", HOSTILE)
def test_async_and_lightweight_tasks_survive_hostile_values(case: str) -> None:
    @flowcept_task
    async def af(x):
        return x

    @lightweight_flowcept_task
    def lf(x):
        return x

    value = hostile_values()[case]
    with Flowcept(workflow_name="hostile-async"):
        assert asyncio.run(af(value)) is value
        assert lf(value) is value
    messages = read_all()
    assert len(tasks(messages, activity_id="af")) == 1
    assert len(tasks(messages, activity_id="lf")) == 1


def test_hostile_values_encode_to_stand_ins() -> None:
    decoded = orjson.loads(dumps({"used": hostile_values()}))["used"]
    assert decoded["to_flowcept_dict property"].startswith("RaisingProperty_instance_id_")
    assert decoded["__getattr__"].startswith("RaisingGetattr_instance_id_")
    assert all(v.startswith("RaisingRepr_instance_id_") for v in decoded["set of raising __repr__"])
    [key] = decoded["dict key raising __str__"]
    assert key.startswith("RaisingStr_instance_id_")
    assert int(decoded["int of 5001 digits"], 16) == 7 * 10**5000 + 7  # exact, as hex


# --- the size cap ----------------------------------------------------------------------------


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def capture_one(value: Any) -> dict[str, Any]:
    @flowcept_task(output_names="out")
    def echo(x):
        return x

    with Flowcept(workflow_name="cap"):
        assert echo(value) is value
    [task] = tasks(read_all(), activity_id="echo")
    return task


def test_a_large_numpy_array_is_summarized_without_copying_it() -> None:
    array = np.arange(2 * 1024 * 1024, dtype=np.float64).reshape(1024, 2048)  # 16 MiB
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        encoded = dumps({"type": "task", "used": {"x": array}})
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert len(encoded) < 1000
    assert peak < 1024 * 1024  # the JSON of the array would be ~40 MiB
    task = capture_one(array)
    summary = task["used"]["x"]
    assert summary == {"summary_of": "ndarray", "dtype": "float64", "shape": [1024, 2048],
                       "size_bytes": array.nbytes, "sha256": sha(array.tobytes())}
    assert task["generated"]["out"] == summary  # same value, same summary: same entity


def test_a_non_contiguous_array_is_hashed_by_its_content() -> None:
    big = np.arange(512 * 1024, dtype=np.int64).reshape(1024, 512)
    view = big[:, ::2]
    assert not view.flags.c_contiguous
    summary = orjson.loads(dumps({"used": {"x": view}}))["used"]["x"]
    assert summary["shape"] == [1024, 256]
    assert summary["sha256"] == sha(np.ascontiguousarray(view).tobytes())


@pytest.mark.parametrize(("value", "kind", "length"), [
    ("é" * 300_000, "str", 300_000),
    (list(range(100_000)), "list", 100_000),
    ({f"k{i}": i for i in range(30_000)}, "dict", 30_000),
])
def test_large_strings_lists_and_dicts_are_summarized(value: Any, kind: str, length: int
                                                      ) -> None:
    task = capture_one(value)
    summary = task["used"]["x"]
    assert summary["summary_of"] == kind
    assert summary["length"] == length
    assert summary["size_bytes"] == len(orjson.dumps(value))
    expected = sha(value.encode()) if isinstance(value, str) else sha(orjson.dumps(value))
    assert summary["sha256"] == expected
    if kind != "dict":  # a returned dict is the generated dict: its items are the values
        assert task["generated"]["out"] == summary


def test_large_bytes_get_their_size_and_hash_small_bytes_their_size() -> None:
    big = b"\x01" * (300 * 1024)
    decoded = orjson.loads(dumps({"used": {"big": big, "small": b"abc"}}))["used"]
    assert decoded["big"] == {"summary_of": "bytes", "size_bytes": len(big), "sha256": sha(big)}
    assert decoded["small"] == "bytes:3"


def test_small_values_and_small_arrays_are_recorded_whole() -> None:
    task = capture_one({"a": np.arange(4), "b": np.float32(1.5), "c": "x" * 1000})
    assert task["used"]["x"] == {"a": [0, 1, 2, 3], "b": 1.5, "c": "x" * 1000}


def test_the_cap_is_a_setting(settings: Settings) -> None:
    from capture import recorder

    settings.instrumentation.max_value_bytes = 100
    recorder.configure(settings)
    task = capture_one("y" * 200)
    assert task["used"]["x"]["summary_of"] == "str"
    settings.instrumentation.max_value_bytes = 0  # no cap
    recorder.configure(settings)
    huge = "z" * 400_000
    assert capture_one(huge)["used"]["x"] == huge


def test_a_returned_dict_is_not_changed_by_the_summary() -> None:
    result = {"big": "b" * 300_000, "small": 1}

    @flowcept_task
    def f() -> dict[str, Any]:
        return result

    with Flowcept(workflow_name="no-mutation"):
        assert f() is result
    assert result["big"] == "b" * 300_000
    [task] = tasks(read_all(), activity_id="f")
    assert task["generated"]["big"]["summary_of"] == "str"
    assert task["generated"]["small"] == 1

