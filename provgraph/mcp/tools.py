"""The provenance tools ``provgraph mcp`` serves: each a name, a description, an input schema
and an answer over one store, with no MCP code in sight (the server in :mod:`.server` only
carries them over the protocol, so the tools are usable and testable without the extra).

    tools = ProvenanceTools(store, settings)
    tools.call("upstream", {"id": "/data/train.csv", "depth": 3})   # the answer, JSON-able

Every argument is checked against the tool's schema before anything is read (the types, the
bounds the CLI has: a depth of 1 to 50, a limit with a cap, ids that are non-empty strings,
no argument the tool does not know); a bad one raises
:class:`~provgraph.core.errors.ArgumentError` with one line. Every answer is bounded: a
limit on what is listed, and :data:`MAX_ANSWER_BYTES` on what goes back. Nothing here
writes to the store.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from provgraph.core.errors import ArgumentError, CapExceededError, NotFoundError

if TYPE_CHECKING:
    from keeper.stores.base import Store
    from provgraph.core.config import Settings

MAX_DEPTH = 50  # keeper.lineage.walk.MAX_DEPTH, as `provgraph lineage` has it
DEFAULT_DEPTH = 5
DEFAULT_PATH_DEPTH = 20
MAX_LINEAGE_LIMIT = 10_000  # nodes one lineage answer may hold
DEFAULT_LINEAGE_LIMIT = 1000
MAX_LIST = 500  # workflows or tasks one answer may list
MAX_ANSWER_BYTES = 4_000_000  # the JSON of one answer
DEFAULT_EXPORT_BYTES = 1_000_000
MAX_EXPORT_BYTES = 20_000_000
MAX_ID_CHARS = 4096
MAX_FILTER_ITEMS = 32

Answer = Any  # JSON-able: dicts, lists, strings, numbers, None


# --- the arguments: a small JSON schema, checked with one-line errors --------------------------

def _id(description: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS,
            "description": description}


def _int(description: str, default: int, maximum: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": maximum, "default": default,
            "description": description}


def _schema(required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required,
            "additionalProperties": False}


_TYPES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "string": ("a string", lambda v: isinstance(v, str)),
    "integer": ("an integer", lambda v: type(v) is int),
    "object": ("an object", lambda v: isinstance(v, Mapping)),
}


def check_arguments(schema: Mapping[str, Any], arguments: Any) -> dict[str, Any]:
    """``arguments`` checked against ``schema`` (the subset the tools use), with the
    defaults filled in; :class:`ArgumentError` with one line on the first problem."""
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, Mapping):
        raise ArgumentError(f"arguments must be an object, got {type(arguments).__name__}")
    properties: Mapping[str, Any] = schema["properties"]
    unknown = sorted(str(k) for k in arguments if k not in properties)
    if unknown:
        known = ", ".join(properties) or "none"
        raise ArgumentError(f"unknown argument {unknown[0]!r:.80} (known: {known})")
    for name in schema["required"]:
        if name not in arguments:
            raise ArgumentError(f"missing argument {name!r}")
    checked: dict[str, Any] = {}
    for name, spec in properties.items():
        if name not in arguments:
            if "default" in spec:
                default = spec["default"]
                checked[name] = dict(default) if isinstance(default, dict) else default
            continue
        checked[name] = _check_value(name, spec, arguments[name])
    return checked


def _check_value(name: str, spec: Mapping[str, Any], value: Any) -> Any:
    kind, test = _TYPES[spec["type"]]
    if spec["type"] == "integer":
        low, high = spec["minimum"], spec["maximum"]
        if not test(value) or not low <= value <= high:
            raise ArgumentError(f"{name} must be an integer from {low} to {high}, "
                                f"got {_shown(value)}")
        return value
    if not test(value):
        raise ArgumentError(f"{name} must be {kind}, got {_shown(value)}")
    if spec["type"] == "string":
        if "enum" in spec and value not in spec["enum"]:
            raise ArgumentError(f"unknown {name} {_shown(value)}; known: "
                                f"{', '.join(spec['enum'])}")
        if len(value) < spec.get("minLength", 0):
            raise ArgumentError(f"{name} must be a non-empty string")
        if len(value) > spec.get("maxLength", MAX_ID_CHARS):
            raise ArgumentError(f"{name} is longer than {spec.get('maxLength')} characters")
    if spec["type"] == "object":
        if len(value) > spec.get("maxProperties", MAX_FILTER_ITEMS):
            raise ArgumentError(f"{name} has more than {spec.get('maxProperties')} fields")
        for key, item in value.items():
            if not isinstance(key, str) or not key:
                raise ArgumentError(f"{name} keys must be field names, got {_shown(key)}")
            if not isinstance(item, str | int | float | bool) and item is not None:
                raise ArgumentError(f"{name}[{key!r:.40}] must be a string, number, boolean "
                                    f"or null, got {type(item).__name__}")
        return dict(value)
    return value


def _shown(value: Any) -> str:
    """A value in an error line: its repr, cut short, on one line."""
    text = repr(value).replace("\n", " ")
    shown = text if len(text) <= 60 else text[:57] + "..."
    return shown if type(value) in (str, int) else f"{type(value).__name__} {shown}"


# --- the tools ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    description: str
    input_schema: dict[str, Any]
    answer: Callable[[ProvenanceTools, dict[str, Any]], Answer]
    text: bool = False  # the answer is a document (text), not JSON


class ProvenanceTools:
    """The tools over one store (read-only): :meth:`call` checks, answers and bounds."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def call(self, name: str, arguments: Any) -> Answer:
        """The answer of tool ``name`` (JSON-able, or text for a document)."""
        tool = TOOLS.get(name) if isinstance(name, str) else None
        if tool is None:
            raise ArgumentError(f"unknown tool {name!r:.80}; known: {', '.join(TOOLS)}")
        return tool.answer(self, check_arguments(tool.input_schema, arguments))

    def rendered(self, name: str, arguments: Any) -> str:
        """The answer as the text an MCP client receives (JSON unless a document), at most
        :data:`MAX_ANSWER_BYTES`."""
        answer = self.call(name, arguments)
        if TOOLS[name].text:
            return str(answer)
        data = to_json(answer)
        if len(data) > MAX_ANSWER_BYTES:
            raise CapExceededError(f"the answer is {len(data)} bytes, over the "
                                   f"{MAX_ANSWER_BYTES} bytes an answer may have: ask for less "
                                   "(a lower limit or depth)")
        return data.decode()

    # --- answers -----------------------------------------------------------------------------

    def list_workflows(self, args: dict[str, Any]) -> Answer:
        from keeper.stores.lineage import LineageReads
        from prov_model.vocab import WORKFLOW

        where = {"campaign_id": args["campaign_id"]} if "campaign_id" in args else None
        nodes = self.store.find_nodes(WORKFLOW, where)
        nodes.sort(key=lambda n: (_number(n["props"].get("started_at")), n["id"]), reverse=True)
        shown = nodes[:args["limit"]]
        counts: dict[str, dict[str, int]] = {}
        reads = self.store
        if not isinstance(reads, LineageReads):
            raise ArgumentError(f"{type(reads).__name__} does not answer workflow questions")
        for row in reads.task_counts([n["id"] for n in shown]):
            per = counts.setdefault(row["workflow_id"], {})
            status = str(row["status"])
            per[status] = per.get(status, 0) + int(row["count"])
        workflows = []
        for node in shown:
            props, statuses = node["props"], counts.get(node["id"], {})
            workflows.append({
                "workflow_id": node["id"], "name": props.get("name"),
                "status": props.get("status"), "started_at": props.get("started_at"),
                "ended_at": props.get("ended_at"), "campaign_id": props.get("campaign_id"),
                "tasks": sum(statuses.values()), "failures": statuses.get("ERROR", 0),
                "task_statuses": dict(sorted(statuses.items()))})
        return {"workflows": workflows, "total": len(nodes),
                "truncated": len(nodes) > len(shown)}

    def workflow_summary(self, args: dict[str, Any]) -> Answer:
        from exports.report import inputs
        from exports.report.card import build_card

        workflow_id = args["workflow_id"]
        with inputs.open_input(inputs.DB, workflow_id=workflow_id) as data:
            return card_facts(build_card(data, workflow_id))

    def query_tasks(self, args: dict[str, Any]) -> Answer:
        from keeper.query import DBAPI

        tasks = DBAPI(self.store, self.settings).task_query(args["filter"], args["limit"] + 1)
        return {"tasks": tasks[:args["limit"]], "truncated": len(tasks) > args["limit"]}

    def lineage(self, args: dict[str, Any], way: str) -> Answer:
        from keeper.lineage import api

        return api.lineage(self.store, args["id"], way, args["depth"], args["limit"],
                           self.settings.entities).as_dict()

    def path(self, args: dict[str, Any]) -> Answer:
        from keeper.lineage import api

        found = api.path(self.store, args["a"], args["b"], args["depth"],
                         entities=self.settings.entities)
        if found is None:
            raise NotFoundError(f"no lineage path of at most {args['depth']} hops between "
                                f"{args['a']!r:.200} and {args['b']!r:.200}")
        return found

    def failures(self, args: dict[str, Any]) -> Answer:
        from keeper.lineage import api

        impact = api.impact_of_failures(self.store, args["workflow_id"], args["depth"],
                                        args["limit"])
        return {**impact, "failed": [{"task": f["task"], "affected": f["affected"].as_dict()}
                                     for f in impact["failed"]]}

    def export(self, args: dict[str, Any]) -> Answer:
        from exports.api import write
        from exports.base import get_format
        from exports.config import ExportSettings
        from exports.source import ExportDocument, ExportScope
        from prov_model.vocab import TASK, WORKFLOW

        fmt = get_format(args["format"])
        workflow_id = args["workflow_id"]
        node = self.store.get_node(workflow_id)
        if node is not None and WORKFLOW not in node["labels"]:
            raise ArgumentError(f"{workflow_id!r:.200} is a {node['labels'][-1]}, "
                                "not a workflow")
        if node is None and not self.store.find_nodes(TASK, {"workflow_id": workflow_id}, 1):
            raise NotFoundError(f"no workflow {workflow_id!r:.200}")
        document = ExportDocument(self.store, ExportScope.workflow(workflow_id),
                                  self.settings.section(ExportSettings))
        out = CappedBuffer(args["max_bytes"])
        write(document, fmt.name, out)
        return out.getvalue().decode("utf-8", errors="replace")


class CappedBuffer(io.BytesIO):
    """A byte buffer that refuses to grow past ``cap`` (one line naming the cap)."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.cap:
            raise CapExceededError(f"the document is over max_bytes ({self.cap} bytes): raise "
                                   f"max_bytes (at most {MAX_EXPORT_BYTES}) or use "
                                   "`provgraph export -o FILE`")
        return super().write(data)


def _number(value: Any) -> float:
    """A sort key for a time: newest first puts the runs without one last."""
    return float(value) if isinstance(value, int | float) else float("-inf")


def to_json(answer: Answer) -> bytes:
    """The JSON of an answer (anything that is not JSON, e.g. a set, as its text)."""
    return orjson.dumps(answer, default=str, option=orjson.OPT_NON_STR_KEYS)


def card_facts(card: Any) -> dict[str, Any]:
    """The facts of a provenance card (:class:`exports.report.card.WorkflowCard`) as JSON:
    what the card's markdown shows, without its tasks."""
    return {
        "workflow_id": card.workflow_id, "name": card.name, "campaign_id": card.campaign_id,
        "subtype": card.subtype, "status": card.status, "status_note": card.status_note,
        "started_at": card.started_at, "ended_at": card.ended_at,
        "duration_s": card.duration, "end_note": card.end_note, "user": card.user,
        "hosts": dict(card.hosts), "python": card.python, "platform": card.platform,
        "provgraph_version": card.provgraph_version, "git": card.git, "args": card.args,
        "tasks": len(card.tasks), "statuses": dict(card.statuses),
        "activities": [{
            "activity_id": a.activity_id, "count": a.count, "statuses": dict(a.statuses),
            "durations": None if a.durations is None else vars(a.durations),
            "first_start": a.first_start, "last_end": a.last_end, "subtypes": a.subtypes,
            "code": a.code, "hosts": a.hosts} for a in card.activities],
        "artifacts": [vars(a) for a in card.artifacts],
        "raw_data": dict(card.raw_data), "raw_data_bytes": card.raw_data_bytes,
        "outputs": [{**vars(o), "via": dict(o.via)} for o in card.outputs],
        "final_tasks": card.final_total,
        "failures": [{**vars(f), "affected": dict(f.affected)} for f in card.failures],
        "failures_total": card.failures_total,
        "activity_edges": [{"from": a, "to": b, "tasks": n}
                           for (a, b), n in card.activity_edges.items()],
        "nesting": [{"parent": a, "child": b, "tasks": n} for (a, b), n in card.nesting.items()],
        "completeness": card.completeness, "source": card.source,
    }


def _formats() -> list[str]:
    from provgraph.core.registry import EXPORTERS, known_kinds

    return known_kinds(EXPORTERS)


_LIMIT = _int("most nodes to answer with; a walk that reaches it says truncated",
              DEFAULT_LINEAGE_LIMIT, MAX_LINEAGE_LIMIT)
_DEPTH = _int("hops to follow", DEFAULT_DEPTH, MAX_DEPTH)
_NODE = ("a node id (task, workflow, entity), or a value such as a file path or URI "
         "(found through its content id)")


def _tools() -> dict[str, Tool]:
    lineage_text = ("nearest first: each hit with its distance, kind, summary, the edge it "
                    "was reached by and the roles on the way; bounded by depth and limit")
    tools = [
        Tool("list_workflows", "List workflows",
             "The workflow runs in the store, newest first: id, name, status, start and end, "
             "campaign, task count and failed tasks (status ERROR).",
             _schema([], limit=_int("most workflows to list", 20, MAX_LIST),
                     campaign_id=_id("only the workflows of this campaign")),
             ProvenanceTools.list_workflows),
        Tool("workflow_summary", "Summarize a workflow",
             "The facts of a workflow's provenance card: status, times, user and hosts, "
             "task counts by status and activity, artifacts, the lineage of the final "
             "outputs, the failed tasks with what they affected, code versions.",
             _schema(["workflow_id"], workflow_id=_id("the workflow's id")),
             ProvenanceTools.workflow_summary),
        Tool("query_tasks", "Find tasks",
             "Tasks (Flowcept task dicts) whose fields equal every item of filter, in start "
             "order, e.g. {\"workflow_id\": \"...\", \"status\": \"ERROR\"} or "
             "{\"activity_id\": \"train\", \"used.epochs\": 10} (dotted names reach into "
             "used/generated).",
             _schema([], filter={"type": "object", "maxProperties": MAX_FILTER_ITEMS,
                                 "default": {}, "description": "field -> value (string, "
                                 "number, boolean or null); {} for every task",
                                 "additionalProperties": {"type": ["string", "number",
                                                                   "boolean", "null"]}},
                     limit=_int("most tasks to answer with", 50, MAX_LIST)),
             ProvenanceTools.query_tasks),
        Tool("upstream", "Upstream lineage",
             f"What a task, value or file was derived from, {lineage_text}.",
             _schema(["id"], id=_id(_NODE), depth=_DEPTH, limit=_LIMIT),
             lambda tools, args: tools.lineage(args, "upstream")),
        Tool("downstream", "Downstream lineage",
             f"Everything a task, value or file touched, {lineage_text}.",
             _schema(["id"], id=_id(_NODE), depth=_DEPTH, limit=_LIMIT),
             lambda tools, args: tools.lineage(args, "downstream")),
        Tool("lineage_path", "Path between two nodes",
             "The shortest chain of used / wasGeneratedBy / wasInformedBy between a and b, "
             "either way (direction says which is upstream of which).",
             _schema(["a", "b"], a=_id(_NODE), b=_id(_NODE),
                     depth=_int("most hops", DEFAULT_PATH_DEPTH, MAX_DEPTH)),
             ProvenanceTools.path),
        Tool("failures", "Failures and their impact",
             "A workflow's failed tasks (status ERROR) and, for each, what it affected "
             "downstream; affected_tasks lists every task downstream of a failure.",
             _schema(["workflow_id"], workflow_id=_id("the workflow's id"), depth=_DEPTH,
                     limit=_int("most failed tasks, and most nodes per failure's walk",
                                DEFAULT_LINEAGE_LIMIT, MAX_LINEAGE_LIMIT)),
             ProvenanceTools.failures),
        Tool("export_workflow", "Export a workflow",
             "A workflow as a document in a format (PROV-JSON by default; PROV-O Turtle, "
             "PROV-N, OpenLineage run events, ...), as text, at most max_bytes.",
             _schema(["workflow_id"], workflow_id=_id("the workflow's id"),
                     format={"type": "string", "enum": _formats(), "default": "json",
                             "description": "the document's format"},
                     max_bytes=_int("most bytes of the document", DEFAULT_EXPORT_BYTES,
                                    MAX_EXPORT_BYTES)),
             ProvenanceTools.export, text=True),
    ]
    return {tool.name: tool for tool in tools}


TOOLS: dict[str, Tool] = _tools()
