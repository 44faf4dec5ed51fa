"""Binding arguments to parameter names (``TaskSpec.used``)."""

from __future__ import annotations

import functools

from capture.taskspec import TaskSpec


def scaled(x: int, factor: int = 2, *, offset: int = 0, **extra: int) -> int:
    return x * factor + offset


def test_keyword_only_defaults_are_applied() -> None:
    spec = TaskSpec(scaled)
    assert spec.used((1, 3), {}) == {"x": 1, "factor": 3, "offset": 0}
    assert spec.used((1,), {"offset": 5, "tag": 9}) == {"x": 1, "factor": 2, "offset": 5,
                                                        "tag": 9}


def test_partial_keywords_are_inputs() -> None:
    spec = TaskSpec(functools.partial(scaled, factor=10))
    assert spec.used((4,), {}) == {"x": 4, "factor": 10, "offset": 0}


def test_positional_only_fast_path() -> None:
    spec = TaskSpec(lambda a, b: a + b)
    assert spec.used((1, 2), {}) == {"a": 1, "b": 2}
