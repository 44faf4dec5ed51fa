"""The content of a provenance card: one workflow run, summarized (renderers draw it).

The sections of Flowcept's workflow card (the workflow, its start, end and duration, the
infrastructure, status counts, activities, artifacts, aggregated telemetry), and what it
lacks: the lineage of the final outputs, the failed tasks with what they affected, and
the code version of each activity. A task with missing fields is counted where it can
be and left out where it cannot; nothing here raises on odd records.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from exports.report import lineage as lineage_api
from exports.report.flow import Flow, task_flow
from exports.report.inputs import ReportInput
from exports.report.telemetry import TelemetrySummary, summarize
from exports.report.values import Stats, duration, json_size, number, short, stats, text, type_name
from prov_model.vocab import ENTITY, TASK
from provgraph.core import wire
from provgraph.core.version import __version__

MAX_FINAL_GROUPS = 8  # final-output lineages shown (one per activity, latest first)
MAX_FAILURES = 10
MAX_NAMES = 6  # inputs / outputs named per lineage line


@dataclass
class Activity:
    activity_id: str
    count: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    durations: Stats | None = None
    first_start: float | None = None
    last_end: float | None = None
    subtypes: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)  # module.qualname @hash of each version
    hosts: list[str] = field(default_factory=list)


@dataclass
class Artifact:
    activity_id: str
    role: str
    value_type: str
    count: int
    total_bytes: int
    max_bytes: int
    example: str


@dataclass
class OutputLineage:
    activity_id: str
    task_id: str
    final_tasks: int  # final tasks of this activity (the latest one is traced)
    outputs: list[str]
    inputs: list[str]  # values it derives from that no task of the run generated
    via: Counter[str]  # upstream tasks by activity
    upstream_nodes: int


@dataclass
class Failure:
    task_id: str
    activity_id: str
    error: str
    ended_at: float | None
    parent: str | None
    raised_through: list[str]  # activities of the enclosing tasks that failed with it
    affected: Counter[str]  # downstream tasks by activity
    affected_values: int


@dataclass
class WorkflowCard:
    workflow_id: str
    name: str
    campaign_id: str | None
    subtype: str | None
    status: str
    status_note: str
    started_at: float | None
    ended_at: float | None
    end_note: str
    user: str | None
    hosts: Counter[str]
    hosts_unknown: int  # tasks that record no host (lightweight tasks, loop iterations)
    python: str | None
    platform: str | None
    provgraph_version: str | None
    git: dict[str, Any] | None
    args: dict[str, Any]
    statuses: Counter[str]
    activities: list[Activity]
    artifacts: list[Artifact]
    raw_data: Counter[str]  # media type -> count of tasks with raw data
    raw_data_bytes: int
    telemetry: TelemetrySummary
    outputs: list[OutputLineage]
    final_total: int
    failures: list[Failure]
    failures_total: int
    activity_edges: Counter[tuple[str, str]]
    nesting: Counter[tuple[str, str]]  # (parent activity, child activity) -> child tasks
    tasks: list[dict[str, Any]]
    source: str
    completeness: str | None = None  # provgraph verify's line, when the store keeps a ledger
    generated_at: float = field(default_factory=time.time)
    generator: str = f"provgraph {__version__}"

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.ended_at is None or self.ended_at < self.started_at:
            return None
        return self.ended_at - self.started_at


def build_card(data: ReportInput, workflow_id: str) -> WorkflowCard:
    workflow = data.workflows.get(workflow_id) or {"workflow_id": workflow_id}
    tasks = data.tasks_of(workflow_id)
    flow = task_flow(tasks, data.settings.entities)
    activity_of = {str(t.get("task_id")): _activity(t) for t in tasks}
    by_id = {str(t.get("task_id")): t for t in tasks}
    started, ended, end_note = _bounds(workflow, tasks)
    status, status_note = _status(workflow, tasks)
    found = workflow.get("machine_info")
    machine: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    hosts = Counter(h for h in (text(t.get("hostname")) for t in tasks) if h)
    if not hosts and text(workflow.get("hostname")):
        hosts[str(workflow["hostname"])] = 0
    failures = [t for t in tasks if t.get("status") == wire.ERROR]
    finals = flow.final_tasks(tasks)
    raw = [t.get(wire.DATA_REF) for t in tasks if isinstance(t.get(wire.DATA_REF), Mapping)]
    return WorkflowCard(
        workflow_id=workflow_id,
        name=text(workflow.get("name")) or _common_name(tasks) or workflow_id,
        campaign_id=text(workflow.get("campaign_id")) or _common(tasks, "campaign_id"),
        subtype=text(workflow.get("subtype")),
        status=status,
        status_note=status_note,
        started_at=started,
        ended_at=ended,
        end_note=end_note,
        user=text(workflow.get("user")) or text(workflow.get("login_name")),
        hosts=hosts,
        hosts_unknown=sum(1 for t in tasks if not text(t.get("hostname"))) if hosts else 0,
        python=text(machine.get("python_version")),
        platform=text(machine.get("platform")),
        provgraph_version=text(workflow.get("flowcept_version")),
        git=workflow["code_repository"] if isinstance(workflow.get("code_repository"),
                                                      dict) else None,
        args=workflow["used"] if isinstance(workflow.get("used"), dict) else {},
        statuses=Counter(text(t.get("status")) or "UNKNOWN" for t in tasks),
        activities=_activities(tasks),
        artifacts=_artifacts(tasks),
        raw_data=Counter(text(r.get("media_type")) or wire.DEFAULT_MEDIA_TYPE for r in raw
                         if isinstance(r, Mapping)),
        raw_data_bytes=int(sum(number(r.get("size_bytes")) or 0 for r in raw
                               if isinstance(r, Mapping))),
        telemetry=summarize(tasks),
        outputs=_output_lineage(data, flow, finals, activity_of),
        final_total=len(finals),
        failures=[_failure(data, t, activity_of, by_id) for t in failures[:MAX_FAILURES]],
        failures_total=len(failures),
        activity_edges=_ordered(flow.activity_edges(activity_of), activity_of, tasks),
        nesting=Counter((activity_of[p], activity_of[str(t.get("task_id"))]) for t in tasks
                        for p in (text(t.get("parent_task_id")),) if p in activity_of),
        tasks=tasks,
        source=data.where,
        completeness=_completeness(data, workflow_id),
    )


def _completeness(data: ReportInput, workflow_id: str) -> str | None:
    """``provgraph verify --workflow``'s line, from the store's own ledger (Neo4j)."""
    ledger = getattr(data.graph, "ledger", None) if data.mode == "db" else None
    if not callable(ledger):
        return None
    from keeper.ledger import verify
    from provgraph.core.errors import ProvgraphError

    try:
        answer = verify(ledger(), workflow=workflow_id)
    except ProvgraphError:
        return None
    return answer.line() if answer.producers else None


def _ordered(edges: Counter[tuple[str, str]], activity_of: Mapping[str, str],
             tasks: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """The edges in the order their activities first ran."""
    rank: dict[str, int] = {}
    for task in tasks:
        rank.setdefault(activity_of[str(task.get("task_id"))], len(rank))
    return Counter(dict(sorted(edges.items(), key=lambda e: (rank.get(e[0][0], 0),
                                                             rank.get(e[0][1], 0)))))


def _activity(task: Mapping[str, Any]) -> str:
    return text(task.get("activity_id")) or "(no activity_id)"


def _common(tasks: list[dict[str, Any]], key: str) -> str | None:
    found = {t.get(key) for t in tasks if text(t.get(key))}
    return str(found.pop()) if len(found) == 1 else None


def _common_name(tasks: list[dict[str, Any]]) -> str | None:
    return _common(tasks, "workflow_name")


def _bounds(workflow: Mapping[str, Any], tasks: list[dict[str, Any]]
            ) -> tuple[float | None, float | None, str]:
    starts = [v for t in tasks for v in (number(t.get("started_at")),) if v is not None]
    ends = [v for t in tasks for v in (number(t.get("ended_at")),) if v is not None]
    start = number(workflow.get("started_at"))
    if start is None and (starts or ends):
        start = min(starts or ends)
    end = number(workflow.get("ended_at"))
    if end is not None:
        return start, end, "recorded when the run stopped"
    if ends:
        return start, max(ends), "no end of run recorded: the last task's end"
    return start, None, "no end recorded"


def _status(workflow: Mapping[str, Any], tasks: list[dict[str, Any]]) -> tuple[str, str]:
    status = text(workflow.get("status"))
    failed = sum(1 for t in tasks if t.get("status") == wire.ERROR)
    if status in wire.TERMINAL_STATUSES:
        note = text(workflow.get("stderr")) or ""
        if status == wire.FINISHED and failed:
            note = f"{failed} task(s) failed inside it"
        return str(status), note
    if failed:
        return wire.ERROR, f"no end of run recorded; {failed} task(s) failed"
    return status or "UNKNOWN", "no end of run recorded"


def _activities(tasks: list[dict[str, Any]]) -> list[Activity]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for task in tasks:
        groups[_activity(task)].append(task)
    out = []
    for name, members in groups.items():
        starts = [s for s in (number(t.get("started_at")) for t in members) if s is not None]
        ends = [e for e in (number(t.get("ended_at")) for t in members) if e is not None]
        out.append(Activity(
            activity_id=name,
            count=len(members),
            statuses=Counter(text(t.get("status")) or "UNKNOWN" for t in members),
            durations=stats(d for d in (duration(t) for t in members) if d is not None),
            first_start=min(starts) if starts else None,
            last_end=max(ends) if ends else None,
            subtypes=sorted({s for s in (text(t.get("subtype")) for t in members) if s}),
            code=sorted({c for c in (_code(t) for t in members) if c}),
            hosts=sorted({h for h in (text(t.get("hostname")) for t in members) if h}),
        ))
    return sorted(out, key=lambda a: (a.first_start is None, a.first_start or 0.0,
                                      a.last_end or 0.0, a.activity_id))


def _code(task: Mapping[str, Any]) -> str | None:
    code = task.get("code")
    if not isinstance(code, Mapping) or not text(code.get("qualname")):
        return None
    name = ".".join(p for p in (text(code.get("module")), text(code.get("qualname"))) if p)
    source_hash = text(code.get("source_hash"))
    return f"{name} @{source_hash[:12]}" if source_hash else name


def _artifacts(tasks: list[dict[str, Any]]) -> list[Artifact]:
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for task in tasks:
        generated = task.get("generated")
        if isinstance(generated, Mapping):
            for role, value in generated.items():
                groups[(_activity(task), str(role))].append(value)
    out = []
    for (activity, role), values in groups.items():
        sizes = [json_size(v) for v in values]
        types = Counter(type_name(v) for v in values)
        out.append(Artifact(activity, role, "/".join(t for t, _ in types.most_common()),
                            len(values), sum(sizes), max(sizes), short(values[-1], 40)))
    return sorted(out, key=lambda a: (-a.total_bytes, a.activity_id, a.role))


def _output_lineage(data: ReportInput, flow: Flow, finals: list[Any],
                    activity_of: Mapping[str, str]) -> list[OutputLineage]:
    latest: dict[str, Mapping[str, Any]] = {}
    counts: Counter[str] = Counter()
    for task in finals:
        name = _activity(task)
        counts[name] += 1
        if name not in latest or (number(task.get("ended_at")) or 0) >= (
                number(latest[name].get("ended_at")) or 0):
            latest[name] = task
    chosen = sorted(latest.values(), key=lambda t: -(number(t.get("ended_at")) or 0))
    out = []
    for task in chosen[:MAX_FINAL_GROUPS]:
        task_id = str(task.get("task_id"))
        hits = lineage_api.lineage(data.graph, task_id, lineage_api.UP)
        via: Counter[str] = Counter()
        inputs: list[str] = []
        for hit in hits:
            labels = hit.get("labels") or ()
            if TASK in labels:
                via[activity_of.get(hit["id"], "(another workflow)")] += 1
            elif ENTITY in labels and hit["id"] not in flow.produced_by:
                named = flow.values.get(hit["id"])
                if named is not None and len(inputs) < MAX_NAMES:
                    inputs.append(f"{named[0]} = {short(named[1], 40)}")
        generated = task.get("generated")
        outputs = [f"{role} = {short(value, 40)}" for role, value in
                   list(generated.items())[:MAX_NAMES]] if isinstance(generated, Mapping) else []
        out.append(OutputLineage(_activity(task), task_id, counts[_activity(task)], outputs,
                                 inputs, via, len(hits)))
    return out


def _failure(data: ReportInput, task: Mapping[str, Any], activity_of: Mapping[str, str],
             by_id: Mapping[str, Mapping[str, Any]]) -> Failure:
    task_id = str(task.get("task_id"))
    raised: list[str] = []
    parent = by_id.get(str(task.get("parent_task_id")))
    while parent is not None and parent.get("status") == wire.ERROR and len(raised) < 20:
        raised.append(_activity(parent))
        parent = by_id.get(str(parent.get("parent_task_id")))
    hits = lineage_api.lineage(data.graph, task_id, lineage_api.DOWN)
    affected: Counter[str] = Counter()
    values = 0
    for hit in hits:
        labels = hit.get("labels") or ()
        if TASK in labels:
            affected[activity_of.get(hit["id"], "(another workflow)")] += 1
        elif ENTITY in labels:
            values += 1
    error = task.get("stderr")
    message = error if isinstance(error, str) else (short(error, 200) if error else "")
    first_line = next((line.strip() for line in message.splitlines() if line.strip()), "")
    return Failure(task_id, _activity(task), short(first_line or "(no error message)", 160),
                   number(task.get("ended_at")), text(task.get("parent_task_id")),
                   raised, affected, values)
