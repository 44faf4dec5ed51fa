"""The merge rules of the embedded store, as pure functions over a node's or edge's stored
state and what a write brings (the same rules as the Neo4j ingest statements,
``cypher/ingest``):

* tasks, workflows, campaigns and usage-local entities: :func:`prov_model.merge_task_props`;
* shared entities (``e:...``), plans and agents: written on creation only (their props
  derive from their id), a later write only adds labels;
* labels: the union, general-first order kept;
* edges: later props win (``SET r += props``);
* imported PROV nodes (:func:`import_node`): labels added, props set, ``declared`` a
  union, a ``Namespace`` node kept as first written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from math import isfinite
from typing import Any

from prov_model.entities import CONTENT_ID_PREFIX
from prov_model.merge import merge_task_props
from prov_model.vocab import ENTITY, NAMESPACE, PERSON, PLAN, SOFTWARE_AGENT
from provgraph.core.errors import StoreError

CREATE_ONLY_LABELS = frozenset({PLAN, PERSON, SOFTWARE_AGENT})
_PLAIN = frozenset({str, int, float, bool, type(None)})
_FAST = frozenset({str, int, bool, type(None)})
_SCALAR = (str, int, float)  # bool is an int

Labels = tuple[str, ...]
Props = dict[str, Any]
NodeState = tuple[Labels, Props]


def checked(props: Mapping[str, Any], owner: Callable[[], str]) -> Mapping[str, Any]:
    """``props`` if every value is what Neo4j can store (a scalar or a list of scalars),
    with tuples as lists and without non-finite floats (JSON has none); else
    :class:`StoreError` naming ``owner()`` (the embedded store takes what the Neo4j store
    takes, no more). The hot path: every value a plain scalar, nothing copied."""
    for value in props.values():
        kind = type(value)
        if kind is float:
            if value - value != 0.0:  # inf - inf and nan - nan are nan
                break
        elif kind not in _FAST:
            break
    else:
        return props
    fixed: dict[str, Any] | None = None
    for key, value in props.items():
        if type(value) is float and not isfinite(value):
            fixed = fixed or dict(props)
            del fixed[key]
            continue
        if type(value) in _PLAIN or isinstance(value, _SCALAR):
            continue
        if isinstance(value, (list, tuple)) and all(isinstance(x, _SCALAR) for x in value):
            if type(value) is not list:
                fixed = fixed or dict(props)
                fixed[key] = list(value)
            continue
        raise StoreError(f"{owner()}: property {key!r} must be a scalar or a list of scalars, "
                         f"got {type(value).__name__}")
    return props if fixed is None else fixed


def own(props: Mapping[str, Any]) -> Props:
    """``props`` without its ``None`` items (a null is "no such property", as in Neo4j);
    ``props`` itself when it has none (callers never change what they are given)."""
    if type(props) is dict and not any(v is None for v in props.values()):
        return props
    return {k: v for k, v in props.items() if v is not None}


def create_only(node_id: str, primary: Labels) -> bool:
    """Whether the props of a node written with this primary label (``labels[-1:]``) are
    written on creation only (the Neo4j ingest statement for that label says so)."""
    return bool(primary) and (primary[0] in CREATE_ONLY_LABELS or (
        primary[0] == ENTITY and node_id.startswith(CONTENT_ID_PREFIX)))


def union(old: Labels, new: Iterable[str]) -> Labels:
    extra = tuple(x for x in new if x not in old)
    return old + extra if extra else old


def merge_node(node_id: str, old: NodeState | None, labels: Labels, props: Mapping[str, Any]
               ) -> NodeState | None:
    """The node's state after writing ``labels`` and ``props`` over ``old`` (``None``: a
    new node), or ``None`` when nothing changes."""
    if old is None:
        return labels, own(props)
    old_labels, old_props = old
    new_labels = union(old_labels, labels) if labels != old_labels else old_labels
    new_props = old_props
    if props and props != old_props and not create_only(node_id, labels[-1:]):
        merged = merge_task_props(old_props, own(props))
        if merged != old_props:
            new_props = merged
    if new_labels is old_labels and new_props is old_props:
        return None
    return new_labels, new_props


def merge_node_state(old: NodeState | None, labels: Labels, props: Mapping[str, Any],
                     node_id: str) -> NodeState | None:
    """:func:`merge_node` with the arguments in :func:`import_node`'s order."""
    return merge_node(node_id, old, labels, props)


def import_node(old: NodeState | None, labels: Labels, props: Mapping[str, Any],
                node_id: str = "") -> NodeState | None:
    """The state of a node of an imported PROV document after the import, or ``None``
    when nothing changes."""
    if old is None:
        return labels, own(props)
    old_labels, old_props = old
    if NAMESPACE in old_labels:
        return None
    new_labels = union(old_labels, labels)
    new_props = {**old_props, **own(props)}
    declared = {*(old_props.get("declared") or ()), *(props.get("declared") or ())}
    if declared:
        new_props["declared"] = sorted(declared)
    if new_labels is old_labels and new_props == old_props:
        return None
    return new_labels, new_props


def edge_key(props: Mapping[str, Any]) -> tuple[str, str | None]:
    """``(key, role)`` of an edge: imported PROV relations are told apart by their record
    hash ``rid``, captured ones by ``role``; a pair holds one edge per type and key."""
    role = props.get("role")
    key = props.get("rid") or role
    return (key if isinstance(key, str) else "", role if isinstance(role, str) else None)


def merge_edge(old: Props | None, props: Mapping[str, Any]) -> Props | None:
    """The edge's props after the write (later props win), or ``None`` when unchanged."""
    if old is None:
        return own(props)
    changes = {k: v for k, v in props.items()
               if v is not None and (k not in old or old[k] != v)}
    if not changes:
        return None
    return {**old, **changes}
