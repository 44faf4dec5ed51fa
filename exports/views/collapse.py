"""Collapsing for the static pictures (SVG, DOT), by the rule the HTML page applies:
three or more tasks of one activity become one node with a count (loop iterations, a step
run many times), and the values that touch only one such group, in one role, become a
group of their own. The focus node is never collapsed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exports.views.model import TIMES

GROUP_MIN = 3



@dataclass
class Picture:
    """Nodes (view node dicts, groups with ``count`` > 1) and edges between them."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)


def collapse(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], focus: str) -> Picture:
    by_id = {n["id"]: n for n in nodes}
    member: dict[str, str] = {}
    groups: dict[str, dict[str, Any]] = {}
    by_activity: dict[str, list[str]] = {}
    for n in nodes:
        if n["type"] == "Task" and n.get("group") and n["id"] != focus:
            by_activity.setdefault(str(n["group"]), []).append(n["id"])
    for activity, ids in sorted(by_activity.items()):
        if len(ids) >= GROUP_MIN:
            gid = f"group:{activity}"
            groups[gid] = _group(gid, activity, "activity", [by_id[i] for i in ids])
            member.update(dict.fromkeys(ids, gid))
    touching: dict[str, set[tuple[str, str, str]]] = {}
    for e in edges:
        for here, there in ((e["s"], e["t"]), (e["t"], e["s"])):
            if by_id.get(here, {}).get("kind") == "entity":
                touching.setdefault(here, set()).add(
                    (member.get(there, there), e["type"], e.get("role") or ""))
    by_role: dict[tuple[str, str, str], list[str]] = {}
    for entity, keys in touching.items():
        if entity != focus and len(keys) == 1:
            key = next(iter(keys))
            if key[0] in groups:
                by_role.setdefault(key, []).append(entity)
    for key, ids in sorted(by_role.items()):
        if len(ids) >= GROUP_MIN:
            gid = f"{key[0]}|{key[1]}|{key[2]}"
            groups[gid] = _group(gid, key[2] or key[1].lower(), "entity", [by_id[i] for i in ids])
            member.update(dict.fromkeys(ids, gid))
    picture = Picture()
    placed: set[str] = set()
    for n in nodes:
        rep = member.get(n["id"], n["id"])
        if rep not in placed:
            placed.add(rep)
            picture.nodes.append(groups.get(rep, n))
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for e in edges:
        a, b = member.get(e["s"], e["s"]), member.get(e["t"], e["t"])
        if a == b:
            continue
        key = (a, b, e["type"])
        if key in seen:
            seen[key]["count"] += 1
        else:
            seen[key] = {"s": a, "t": b, "type": e["type"], "role": e.get("role"), "count": 1}
    picture.edges = list(seen.values())
    return picture


def _group(gid: str, label: str, kind: str, members: list[dict[str, Any]]) -> dict[str, Any]:
    failed = sum(1 for m in members if m.get("failed"))
    text = f"{label} {TIMES}{len(members)}" + (f" ({failed} failed)" if failed else "")
    return {"id": gid, "kind": kind, "type": members[0]["type"], "label": text,
            "failed": failed > 0, "count": len(members), "status": None,
            "outside": sum(int(m.get("outside") or 0) for m in members)}


def node_text(node: dict[str, Any]) -> str:
    """A node's text in a picture, as the page writes it: a failed task marked ``✗``, and
    ``(+N)`` for N lineage neighbours left out of the view."""
    text = ("✗ " if node.get("failed") and node.get("count", 1) == 1 else "") + node["label"]
    outside = node.get("outside") or 0
    return f"{text}  (+{outside})" if outside else text


__all__ = ["GROUP_MIN", "Picture", "collapse", "node_text"]
