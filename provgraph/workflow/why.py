"""Why a step ran again: which part of its fingerprint changed, read from the graph.

Every step task carries its fingerprint's parts (``custom_metadata.workflow_step``, see
:mod:`provgraph.workflow.record`). :func:`explain_last` compares the last recorded run of a
step with the run before it; :func:`explain_next` compares what a config would run now
with the last recorded run. Both answer with an :class:`Explanation`: a verdict and the
changes (the source, a helper, the version, which argument, which upstream).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any

from provgraph.workflow import record as prov
from provgraph.workflow.errors import WorkflowError
from provgraph.workflow.fingerprint import RUNTIME_TOKEN

_SHOWN = 8


@dataclasses.dataclass(frozen=True)
class Explanation:
    step: str
    verdict: str
    changes: tuple[str, ...] = ()
    task_id: str | None = None
    compared_to: str | None = None

    def lines(self) -> list[str]:
        return [self.verdict, *(f"  - {change}" for change in self.changes)]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def step_parts(task: Mapping[str, Any]) -> dict[str, Any]:
    """The fingerprint parts recorded on a step task."""
    metadata = task.get("custom_metadata") or {}
    parts = metadata.get(prov.METADATA_KEY) if isinstance(metadata, Mapping) else None
    return dict(parts) if isinstance(parts, Mapping) else {}


def recorded_runs(db: Any, step: str, config: str | None = None) -> list[dict[str, Any]]:
    """Step tasks of ``step`` that finished, oldest first (of ``config`` when any are)."""
    tasks = [t for t in db.task_query({"activity_id": step, "subtype": prov.STEP_SUBTYPE})
             if t.get("status") == "FINISHED" and step_parts(t).get("fingerprint")]
    tasks.sort(key=lambda t: (t.get("started_at") or 0.0, t.get("ended_at") or 0.0))
    if config is not None:
        same = [t for t in tasks if step_parts(t).get("config") == config]
        if same:
            return same
    return tasks


def _short(value: Any) -> str:
    return str(value)[:_SHOWN] if value else "none"


def _value(parts: Mapping[str, Any], key: str) -> str:
    values = parts.get("arg_values") or {}
    if key in values:
        import orjson

        return orjson.dumps(values[key]).decode()
    return "(a value too large to show)"


def _when(task: Mapping[str, Any]) -> str:
    started = task.get("started_at")
    if not isinstance(started, int | float):
        return "an earlier run"
    return datetime.datetime.fromtimestamp(started).strftime("%Y-%m-%d %H:%M:%S")


def _describe(task: Mapping[str, Any]) -> str:
    hit = step_parts(task).get("reason") == prov.HIT
    return (f"the run of {_when(task)} (task {task.get('task_id')}"
            + (", served from the cache)" if hit else ")"))


def changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What differs between two recorded fingerprints' parts, in words."""
    found: list[str] = []
    if old.get("version") != new.get("version"):
        found.append(f"version changed: {old.get('version')!r} -> {new.get('version')!r}")
    elif old.get("code") != new.get("code"):
        if old.get("source") != new.get("source"):
            found.append(f"the source of the step function changed (normalized source "
                         f"{_short(old.get('source'))} -> {_short(new.get('source'))})")
        old_helpers, new_helpers = old.get("helpers") or {}, new.get("helpers") or {}
        for name in sorted({*old_helpers, *new_helpers}):
            if name not in old_helpers:
                found.append(f"it now reaches helper {name}")
            elif name not in new_helpers:
                found.append(f"it no longer reaches helper {name}")
            elif old_helpers[name] != new_helpers[name]:
                found.append(f"helper {name} changed")
        if len(found) == 0:
            found.append(f"the code changed ({_short(old.get('code'))} -> "
                         f"{_short(new.get('code'))})")
    old_args, new_args = old.get("args") or {}, new.get("args") or {}
    for key in [*new_args, *(k for k in old_args if k not in new_args)]:
        if key not in old_args:
            found.append(f"argument {key!r} was added: {_value(new, key)}")
        elif key not in new_args:
            found.append(f"argument {key!r} was removed (it was {_value(old, key)})")
        elif old_args[key] != new_args[key]:
            found.append(f"argument {key!r} changed: {_value(old, key)} -> {_value(new, key)}")
    old_up, new_up = old.get("upstream") or {}, new.get("upstream") or {}
    for key in [*new_up, *(k for k in old_up if k not in new_up)]:
        before, after = old_up.get(key), new_up.get(key)
        if after is not None and after.get("token") == RUNTIME_TOKEN:
            continue  # not known before it runs
        if before is None and after is not None:
            found.append(f"argument {key!r} now uses upstream {after.get('step')!r}")
        elif after is None and before is not None:
            found.append(f"argument {key!r} no longer uses upstream {before.get('step')!r}")
        elif before is not None and after is not None and \
                before.get("token") != after.get("token"):
            name = after.get("step")
            if after.get("by") == "content":
                found.append(f"upstream {name!r} (argument {key!r}, not cached) produced a "
                             f"different value: {before.get('token')} -> {after.get('token')}")
            else:
                found.append(f"upstream {name!r} (argument {key!r}) changed: its fingerprint "
                             f"{_short(before.get('token'))} -> {_short(after.get('token'))}")
    if old.get("format") != new.get("format"):
        found.append(f"format changed: {old.get('format')!r} -> {new.get('format')!r}")
    return found


def explain_last(step: str, runs: list[dict[str, Any]]) -> Explanation:
    """Why the last recorded run of ``step`` ran (or was served from the cache)."""
    if not runs:
        raise WorkflowError(f"no recorded run of step {step!r} in the provenance graph")
    last = runs[-1]
    parts = step_parts(last)
    label = f"step {step!r} ({parts.get('type')})"
    when = _when(last)
    task_id = last.get("task_id")
    reason = parts.get("reason")
    if reason == prov.HIT:
        source = parts.get("served_from")
        return Explanation(step, f"{label} was served from the cache at {when}: the value "
                           f"of task {source or 'unknown'} (fingerprint "
                           f"{_short(parts.get('fingerprint'))})", (), task_id, source)
    previous = next((t for t in reversed(runs[:-1])), None)
    if previous is None:
        return Explanation(step, f"{label} ran at {when} for the first time (no earlier run "
                           "is recorded)", (), task_id)
    before = step_parts(previous)
    found = tuple(changes(before, parts))
    against = _describe(previous)
    if reason == prov.NOT_CACHEABLE:
        verdict = (f"{label} ran at {when} because it is not cacheable "
                   f"(deterministic={parts.get('deterministic')}, "
                   f"cacheable={parts.get('cacheable')}): it runs every time")
        if before.get("content_id") != parts.get("content_id"):
            found = (*found, f"its result changed since {against}: "
                             f"{before.get('content_id')} -> {parts.get('content_id')}")
    elif reason == prov.FORCED:
        verdict = f"{label} ran at {when} because it was forced (--force)"
    elif before.get("fingerprint") == parts.get("fingerprint"):
        verdict = (f"{label} ran again at {when} with the fingerprint of {against}: the "
                   "cache held no complete entry for it (removed, or that run did not finish "
                   "writing it)")
    else:
        verdict = f"{label} ran again at {when}: its fingerprint changed since {against}"
    return Explanation(step, verdict, found, task_id, previous.get("task_id"))


def explain_next(step: str, current: Mapping[str, Any] | None, state: str, note: str,
                 runs: list[dict[str, Any]]) -> Explanation:
    """Why a run of the config now would run ``step`` or serve it from the cache.

    ``current``: the step's fingerprint parts now (``None`` when they depend on a value
    known only at run time); ``state``: the :mod:`~provgraph.workflow.visualize` mark.
    """
    from provgraph.workflow import visualize

    last = runs[-1] if runs else None
    before = step_parts(last) if last is not None else {}
    label = f"step {step!r}" + (f" ({current.get('type') or before.get('type')})"
                                if current and (current.get("type") or before.get("type"))
                                else "")
    against = _describe(last) if last else ""
    found = tuple(changes(before, current)) if (current and before) else ()
    if state == visualize.CACHED:
        return Explanation(step, f"{label} will be served from the cache (fingerprint "
                           f"{_short(current.get('fingerprint') if current else None)})",
                           found, None, last.get("task_id") if last else None)
    if state == visualize.ALWAYS:
        verdict = f"{label} will run: it is not cacheable, it runs every time"
    elif state == visualize.RUNTIME:
        verdict = f"{label}: whether it runs is decided when it runs ({note})"
    elif state == visualize.FORCED:
        verdict = f"{label} will run: it is forced"
    elif last is None:
        verdict = f"{label} will run: no earlier run is recorded"
    elif current and before.get("fingerprint") == current.get("fingerprint"):
        verdict = (f"{label} will run: its fingerprint is the one of {against}, but the "
                   "cache holds no complete entry for it")
    else:
        verdict = f"{label} will run: its fingerprint changed since {against}"
    return Explanation(step, verdict, found, None, last.get("task_id") if last else None)
