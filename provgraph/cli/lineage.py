"""``provgraph lineage``: what a result was derived from, what a bad input touched, the
path between two nodes, a workflow's DAG, failures and their impact, campaign overviews."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from provgraph.cli.base import Command
from provgraph.cli.stores import open_for_reading
from provgraph.cli.tables import cell, dump_json, plural, table, when
from provgraph.core.config import get_settings
from provgraph.core.errors import CapExceededError

DEPTH_HELP = "hops to follow, 1 to 50 (default %(default)s)"
LIMIT_HELP = "most nodes to answer with; more is an error (default %(default)s)"


def _what(props: dict[str, Any], labels: list[str]) -> str:
    primary = labels[-1] if labels else "?"
    if primary == "Task":
        return str(props.get("activity_id") or "")
    if primary == "Entity":
        value = props.get("value")
        return cell(value, 40) if value is not None else f"({props.get('value_type', '?')})"
    return str(props.get("name") or "")


class LineageCommand(Command):
    name = "lineage"
    help = "lineage queries: upstream, downstream, path, dag, failures, campaign, ..."
    description = ("Ask the PROV graph what a task, value, file or workflow output was "
                   "derived from, what it touched, and how workflows depend on each other. "
                   "Every answer is bounded (a depth, a cap); an ID may also be a value "
                   "such as a file path.")
    examples = """
        provgraph lineage upstream 5f1c2a9e0b7d4c3a.12 --depth 5
        provgraph lineage downstream /data/raw/train.csv --json
        provgraph lineage path MODEL_TASK_ID /data/raw/train.csv
        provgraph lineage dag wf-2026-11-22
        provgraph lineage used-by /data/raw/train.csv
        provgraph lineage failures wf-2026-11-22
        provgraph lineage campaign camp-1
        provgraph lineage links wf-2026-11-22
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        from keeper.lineage.api import DEFAULT_DEPTH, DEFAULT_LIMIT, DEFAULT_PATH_DEPTH

        actions = parser.add_subparsers(dest="lineage_command", metavar="QUESTION",
                                        required=True)
        for way, text in (("upstream", "what ID was derived from"),
                          ("downstream", "everything ID touched")):
            sub = actions.add_parser(way, help=text, description=f"{text[0].upper()}{text[1:]}"
                                     ", nearest first, with each hit's distance and roles.")
            sub.add_argument("id", metavar="ID", help="a node id, or a value (e.g. a file path)")
            sub.add_argument("--depth", type=int, default=DEFAULT_DEPTH, help=DEPTH_HELP)
            sub.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help=LIMIT_HELP)
            sub.add_argument("--json", action="store_true", help="JSON instead of a table")
        path = actions.add_parser("path", help="the shortest lineage path between A and B",
                                  description="The shortest chain of used / wasGeneratedBy / "
                                  "wasInformedBy between two nodes, either way.")
        path.add_argument("a", metavar="A")
        path.add_argument("b", metavar="B")
        path.add_argument("--depth", type=int, default=DEFAULT_PATH_DEPTH, help=DEPTH_HELP)
        path.add_argument("--json", action="store_true", help="JSON instead of a table")
        for name, text in (("dag", "a workflow's tasks in dependency order"),
                           ("failures", "a workflow's failed tasks and what they affected"),
                           ("links", "workflows linked to this one through shared values")):
            sub = actions.add_parser(name, help=text, description=text[0].upper() + text[1:])
            sub.add_argument("workflow_id", metavar="WORKFLOW_ID")
            if name == "failures":
                sub.add_argument("--depth", type=int, default=DEFAULT_DEPTH, help=DEPTH_HELP)
            sub.add_argument("--json", action="store_true", help="JSON instead of a table")
        used = actions.add_parser("used-by", help="tasks that used a value (e.g. a file path)",
                                  description="Tasks that used a value, looked up by the "
                                  "value itself (through its content id), and those that "
                                  "generated it.")
        used.add_argument("value", metavar="VALUE")
        used.add_argument("--json", action="store_true", help="JSON instead of a table")
        campaign = actions.add_parser("campaign", help="a campaign overview",
                                      description="A campaign's workflows, task counts per "
                                      "activity and status, and time span.")
        campaign.add_argument("campaign_id", metavar="CAMPAIGN_ID")
        campaign.add_argument("--json", action="store_true", help="JSON instead of a table")

    def run(self, args: argparse.Namespace) -> int:
        from keeper.lineage import api

        settings = get_settings()
        store = open_for_reading(settings)
        try:
            question = args.lineage_command
            entities = settings.entities
            if question in ("upstream", "downstream"):
                found = api.lineage(store, args.id, question, args.depth, args.limit, entities)
                if found.truncated:
                    raise CapExceededError(found.cap_message().replace(
                        "lower the depth or raise the limit", "lower --depth or raise --limit"))
                return self._walk(found, args.json)
            if question == "path":
                return self._path(api.path(store, args.a, args.b, args.depth,
                                           entities=entities), args)
            if question == "dag":
                return self._dag(api.workflow_dag(store, args.workflow_id), args.json)
            if question == "failures":
                return self._failures(api.impact_of_failures(store, args.workflow_id,
                                                             args.depth), args.json)
            if question == "links":
                return self._links(api.workflow_links(store, args.workflow_id), args.json)
            if question == "used-by":
                return self._used(api.tasks_using(store, args.value, entities=entities),
                                  args.json)
            return self._campaign(api.campaign_summary(store, args.campaign_id), args.json)
        finally:
            store.close()

    # --- answers -----------------------------------------------------------------------------

    @staticmethod
    def _walk(found: Any, as_json: bool) -> int:
        if as_json:
            dump_json(found.as_dict())
            return 0
        start = found.start
        print(f"{found.way} of {start['id']} ({start['labels'][-1]} "
              f"{_what(start['props'], start['labels'])}): {plural(len(found), 'node')} "
              f"within {plural(found.depth, 'hop')}")
        # VIA: the last edge's type and the roles along the path (once, not twice)
        rows = [[hit["distance"], hit["labels"][-1], hit["id"], _what(hit["props"], hit["labels"]),
                 hit["props"].get("status"), hit["props"].get("workflow_id"),
                 " ".join(p for p in (hit["via"]["type"], " > ".join(hit["roles"])) if p)]
                for hit in found]
        if rows:
            table(["DIST", "KIND", "ID", "WHAT", "STATUS", "WORKFLOW", "VIA"], rows)
        return 0

    @staticmethod
    def _path(found: dict[str, Any] | None, args: argparse.Namespace) -> int:
        if found is None:
            print(f"no lineage path of at most {args.depth} hops between {args.a} and {args.b}",
                  file=sys.stderr)
            return 1
        if args.json:
            dump_json(found)
            return 0
        relation = "was derived from" if found["direction"] == "upstream" else "influenced"
        print(f"{found['from']} {relation} {found['to']} in {plural(found['length'], 'hop')}")
        nodes = {n["id"]: n for n in found["nodes"]}
        rows = []
        order = [n["id"] for n in found["nodes"]]
        for step, node_id in enumerate(order):
            node = nodes[node_id]
            edge = found["edges"][step - 1] if step else None
            link = "" if edge is None else f"{edge['type']} {edge['role'] or ''}".strip()
            rows.append([step, link, node["labels"][-1], node_id,
                         _what(node["props"], node["labels"])])
        table(["STEP", "EDGE", "KIND", "ID", "WHAT"], rows)
        return 0

    @staticmethod
    def _dag(dag: dict[str, Any], as_json: bool) -> int:
        if as_json:
            dump_json(dag)
            return 0
        print(f"workflow {dag['workflow_id']}: {plural(len(dag['tasks']), 'task')}, "
              f"{plural(len(dag['edges']), 'dependency')}, in dependency order")
        rows = [[i + 1, t["id"], t.get("activity_id"), t.get("status"), when(t.get("started_at")),
                 ", ".join(t["depends_on"]) or "-",
                 ", ".join(t["external"])] for i, t in enumerate(dag["tasks"])]
        if rows:
            table(["#", "TASK", "ACTIVITY", "STATUS", "STARTED", "DEPENDS ON",
                   "OTHER WORKFLOWS"], rows)
        if dag["cycles"]:
            print(f"on a cycle (placed last): {', '.join(dag['cycles'])}")
        if dag["truncated"]:
            print("(cap hit: more tasks than shown)", file=sys.stderr)
        return 0

    @staticmethod
    def _failures(impact: dict[str, Any], as_json: bool) -> int:
        if as_json:
            dump_json({**impact, "failed": [{"task": f["task"], "affected": f["affected"].as_dict()}
                                            for f in impact["failed"]]})
            return 0
        failed = impact["failed"]
        print(f"workflow {impact['workflow_id']}: {plural(len(failed), 'failed task')}, "
              f"{plural(len(impact['affected_tasks']), 'task')} downstream of a failure")
        rows = [[f["task"]["id"], f["task"].get("activity_id"),
                 sum(1 for h in f["affected"] if h["labels"][-1] == "Task"),
                 sum(1 for h in f["affected"] if h["labels"][-1] == "Entity"),
                 ", ".join(h["id"] for h in f["affected"] if h["labels"][-1] == "Task")[:80]
                 or "-"] for f in failed]
        if rows:
            table(["FAILED TASK", "ACTIVITY", "TASKS AFFECTED", "VALUES AFFECTED",
                   "AFFECTED TASKS"], rows)
        return 0

    @staticmethod
    def _links(links: dict[str, Any], as_json: bool) -> int:
        if as_json:
            dump_json(links)
            return 0
        rows = [[way, w["workflow_id"], len(w["links"]),
                 ", ".join(sorted({link["entity"] for link in w["links"]}))[:70]]
                for way in ("upstream", "downstream") for w in links[way]]
        print(f"workflow {links['workflow_id']}: {plural(len(rows), 'linked workflow')}")
        if rows:
            table(["WAY", "WORKFLOW", "LINKS", "SHARED VALUES"], rows)
        return 0

    @staticmethod
    def _used(found: dict[str, Any], as_json: bool) -> int:
        if as_json:
            dump_json(found)
            return 0
        entity = found["entity"]
        print(f"value {entity['id']} ({_what(entity['props'], entity['labels'])}): used by "
              f"{len(found['used_by'])}, generated by {len(found['generated_by'])}")
        rows = [[way, u["id"], u.get("activity_id") or u.get("name"), u.get("role"),
                 u.get("status"), u.get("workflow_id")]
                for way, key in (("used by", "used_by"), ("generated by", "generated_by"))
                for u in found[key]]
        if rows:
            table(["", "TASK", "ACTIVITY", "ROLE", "STATUS", "WORKFLOW"], rows)
        return 0

    @staticmethod
    def _campaign(summary: dict[str, Any], as_json: bool) -> int:
        if as_json:
            dump_json(summary)
            return 0
        statuses = ", ".join(f"{k} {v}" for k, v in summary["by_status"].items()) or "none"
        workflows = plural(len(summary["workflows"]), "workflow")
        print(f"campaign {summary['campaign_id']}: {workflows}, "
              f"{plural(summary['tasks'], 'task')} ({statuses}), {when(summary['started_at'])} to "
              f"{when(summary['ended_at'])}")
        rows = [[w["workflow_id"], w["name"], w["tasks"], activity,
                 ", ".join(f"{s} {n}" for s, n in counts.items()), when(w["started_at"]),
                 when(w["ended_at"])]
                for w in summary["workflows"]
                for activity, counts in (w["activities"].items() or [("-", {})])]
        if rows:
            table(["WORKFLOW", "NAME", "TASKS", "ACTIVITY", "STATUS", "STARTED", "ENDED"], rows)
        return 0
