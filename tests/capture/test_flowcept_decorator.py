"""``@flowcept`` with Flowcept's own defaults: ``start_persistence=False``,
``save_workflow=False``, ``check_safe_stops=False``, each overridable, sync and async."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from capture import Flowcept, flowcept, flowcept_task
from capture.controller import Flowcept as Controller
from tests.capture.conftest import read_all, tasks


@flowcept_task(output_names="o1")
def sum_one(i1: int) -> int:
    return i1 + 1


@flowcept_task(output_names="o2")
def mult_two(o1: int) -> int:
    return o1 * 2


def test_start_here_example_buffer_holds_the_tasks_only() -> None:
    # Flowcept's examples/start_here.py, with the import changed.
    @flowcept
    def main() -> None:
        n = 3
        o1 = sum_one(n)
        mult_two(o1)

    main()
    raw_records = Flowcept.read_buffer_file()
    assert len(raw_records) == 2
    assert [r["activity_id"] for r in raw_records] == ["sum_one", "mult_two"]
    assert raw_records[1]["generated"] == {"o2": 8}


def _constructed(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record the keyword arguments every ``Flowcept(...)`` gets."""
    seen: list[dict[str, Any]] = []
    original = Controller.__init__

    def spy(self: Controller, *args: Any, **kwargs: Any) -> None:
        seen.append(kwargs)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Controller, "__init__", spy)
    return seen


def test_defaults_are_flowcepts_and_each_is_overridable(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _constructed(monkeypatch)

    @flowcept
    def plain() -> int:
        return 1

    @flowcept(save_workflow=True, check_safe_stops=True, workflow_name="named")
    def overridden() -> int:
        return 2

    assert plain() == 1 and overridden() == 2
    assert seen[0] == {"workflow_name": "plain", "start_persistence": False,
                       "save_workflow": False, "check_safe_stops": False}
    assert seen[1] == {"workflow_name": "named", "start_persistence": False,
                       "save_workflow": True, "check_safe_stops": True}


def test_save_workflow_override_sends_the_workflow_message() -> None:
    @flowcept(save_workflow=True)
    def main() -> int:
        return sum_one(1)

    assert main() == 2
    messages = read_all()
    assert [m["type"] for m in messages] == ["workflow", "task"]
    assert messages[0]["name"] == "main"
    assert messages[1]["workflow_id"] == messages[0]["workflow_id"]


def test_start_persistence_override_stores_the_tasks() -> None:
    @flowcept(start_persistence=True, check_safe_stops=True)
    def main() -> int:
        return mult_two(sum_one(1))

    assert main() == 4
    stored = Flowcept.db.get_tasks_from_current_workflow()
    assert sorted(t["activity_id"] for t in stored) == ["mult_two", "sum_one"]


def test_async_main_uses_the_same_defaults() -> None:
    @flowcept
    async def main(x: int) -> int:
        await asyncio.sleep(0)
        return sum_one(x)

    assert asyncio.run(main(4)) == 5
    messages = read_all()
    assert [m["type"] for m in messages] == ["task"]
    assert tasks(messages)[0]["used"] == {"i1": 4}


def test_async_main_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _constructed(monkeypatch)

    @flowcept(save_workflow=True)
    async def main() -> int:
        return 7

    assert asyncio.run(main()) == 7
    assert seen[0]["save_workflow"] is True and seen[0]["start_persistence"] is False
    assert [m["type"] for m in read_all()] == ["workflow"]
