"""Captured provenance read back from a PROV document: the inverse of
:mod:`prov_model.captured` (pure, no I/O).

A document that provgraph exported from captured provenance names its captured nodes
under the instance namespace (``pgid:t1``) and types them with provgraph's vocabulary
(``provgraph:Task``, ``provgraph:status``...). Imported as any other document, such a run
would become generic PROV elements (``Activity`` nodes keyed by IRI, roles as attributes),
and no command would find its workflow. :func:`recapture` takes those records back to
the captured representation instead: the same ids, labels, properties (activity label,
times, status, attributes) and edges (``USED``/``WAS_GENERATED_BY`` with their role and
time, ``WAS_INFORMED_BY``, ``WAS_ASSOCIATED_WITH`` with its plan, ``WAS_PART_OF`` from
``provone:wasPartOf``), so the copy is the same run and exports the same document.
Everything else (other namespaces, bundles, identified relations) stays imported PROV.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from prov_model.captured import (
    ENTITY_VALUE_PROP,
    NODE_KINDS,
    PROV_LABEL,
    PROV_ROLE,
    PROV_TYPE,
    PROV_VALUE,
    WAS_PART_OF_IRI,
)
from prov_model.delta import Edge, GraphDelta, Node, Props
from prov_model.imported import BUNDLE_PROP, DECLARED, IRI, PROV_ID, decode_attrs
from prov_model.vocab import (
    CAMPAIGN_LABELS,
    ENTITY_LABELS,
    PERSON_LABELS,
    PLAN_LABELS,
    PROV_NS,
    PROVGRAPH_NS,
    SOFTWARE_AGENT_LABELS,
    TASK_LABELS,
    USED,
    WAS_ASSOCIATED_WITH,
    WAS_GENERATED_BY,
    WAS_INFORMED_BY,
    WAS_PART_OF,
    WORKFLOW_LABELS,
)

# prov:type -> the captured node's labels
_LABELS_BY_TYPE: dict[str, tuple[str, ...]] = {
    PROVGRAPH_NS + "Task": TASK_LABELS,
    PROVGRAPH_NS + "Workflow": WORKFLOW_LABELS,
    PROVGRAPH_NS + "Campaign": CAMPAIGN_LABELS,
    PROV_NS + "Plan": PLAN_LABELS,
    PROV_NS + "Person": PERSON_LABELS,
    PROV_NS + "SoftwareAgent": SOFTWARE_AGENT_LABELS,
}
# the labels of a captured stub, by the general label a relation gave the imported node
_STUB_LABELS: dict[str, tuple[str, ...]] = {
    "Activity": TASK_LABELS, "Entity": ENTITY_LABELS, "Agent": PERSON_LABELS}
# captured props that are lists, even of one item (an exported list is several values)
LIST_PROPS = frozenset({"tags", "dependencies", "dependents", "interceptor_ids"})
_EDGES = frozenset({USED, WAS_GENERATED_BY, WAS_INFORMED_BY, WAS_ASSOCIATED_WITH})
# Props the import adds that are not the run's (the node's IRI, its declared kinds, the
# lexical times; the epoch times are the captured ones).
_IMPORT_PROPS = frozenset({IRI, DECLARED, "prov_startTime", "prov_endTime", "prov_time",
                           "prov_plan"})


def recapture(delta: GraphDelta, namespace: str) -> tuple[GraphDelta, GraphDelta]:
    """``(captured, rest)``: the captured nodes and edges of an imported ``delta`` whose
    IRIs are under ``namespace``, and everything else as it was."""
    captured = GraphDelta([], [])
    rest = GraphDelta([], [])
    ids: dict[str, str] = {}  # imported node id -> captured id
    wholes: dict[str, tuple[str, ...]] = {}  # what captured nodes are part of -> labels
    for node in delta.nodes:
        found = _node(node, namespace)
        if found is None:
            rest.nodes.append(node)
            continue
        ids[node.id] = found[0].id
        captured.nodes.append(found[0])
        captured.edges.extend(Edge(WAS_PART_OF, found[0].id, whole, {}) for whole in found[1])
        for whole in found[1]:
            wholes.setdefault(whole, _whole_labels(found[0].props, whole))
    # What the run is part of but the document holds no element of (a campaign, the
    # parent of a scoped workflow): a stub node, as the keeper makes from the message.
    for whole, labels in sorted(wholes.items()):
        if whole not in set(ids.values()):
            captured.nodes.append(Node(whole, labels, {}))
    for edge in delta.edges:
        src, dst = ids.get(edge.src), ids.get(edge.dst)
        if (src is None or dst is None or edge.type not in _EDGES
                or PROV_ID in edge.props or BUNDLE_PROP in edge.props):
            rest.edges.append(Edge(edge.type, src or edge.src, dst or edge.dst, edge.props))
            continue
        captured.edges.append(Edge(edge.type, src, dst, _edge_props(edge.props, namespace)))
    return captured, rest


def _whole_labels(part: Mapping[str, Any], whole: str) -> tuple[str, ...]:
    if part.get("campaign_id") == whole and part.get("workflow_id") != whole:
        return CAMPAIGN_LABELS
    if whole in (part.get("workflow_id"), part.get("parent_workflow_id")):
        return WORKFLOW_LABELS
    return TASK_LABELS


def local_id(iri: str, namespace: str) -> str | None:
    """The captured id an instance IRI names, else ``None``."""
    return unquote(iri[len(namespace):]) if iri.startswith(namespace) else None


def _node(node: Node, namespace: str) -> tuple[Node, list[str]] | None:
    props = node.props
    iri = props.get(IRI)
    if not isinstance(iri, str) or BUNDLE_PROP in props:
        return None
    node_id = local_id(iri, namespace)
    if node_id is None:
        return None
    attrs = decode_attrs(props)
    types = [str(value) for key, value, _dt, _lang in attrs if key == PROV_TYPE]
    labels = next((_LABELS_BY_TYPE[t] for t in types if t in _LABELS_BY_TYPE), None)
    declared = props.get(DECLARED)
    if declared is None:
        # Only named by a relation (an informant in another workflow, outside the
        # scope exported): a stub, as the keeper has for what a message names.
        stub = next((_STUB_LABELS[label] for label in reversed(node.labels)
                     if label in _STUB_LABELS), None)
        return (Node(node_id, stub, {}), []) if stub and not types else None
    if labels is None:
        if declared != ["entity"]:
            return None  # a node of the namespace that is not one captured provgraph wrote
        labels = ENTITY_LABELS
    label_prop = NODE_KINDS[labels[-1]][2]
    out: dict[str, Any] = {}
    part_of: list[str] = []
    for key, raw, datatype, _lang in attrs:
        if key == PROV_TYPE:
            continue
        value = native(raw, datatype)
        if key == PROV_LABEL and label_prop is not None:
            out[label_prop] = value
        elif key == PROV_VALUE and labels == ENTITY_LABELS:
            out[ENTITY_VALUE_PROP] = value
        elif key == WAS_PART_OF_IRI:
            whole = local_id(str(value), namespace)
            if whole is not None:
                part_of.append(whole)
        elif key.startswith(PROVGRAPH_NS):
            _add(out, key[len(PROVGRAPH_NS):], value)
        else:
            return None  # an attribute captured provenance never has: keep it imported
    for prop in ("started_at", "ended_at"):
        if prop in props:
            out[prop] = props[prop]
    return Node(node_id, labels, out), part_of


_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = frozenset(_XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "unsignedInt", "unsignedLong", "negativeInteger", "nonPositiveInteger"))
_FLOATS = frozenset(_XSD + t for t in ("double", "float", "decimal"))


def native(value: Any, datatype: str | None) -> Any:
    """A typed literal (as RDF formats carry numbers and booleans) as the Python value
    the captured property held."""
    if datatype is None or not isinstance(value, str):
        return value
    full = datatype if "://" in datatype else _XSD + datatype.partition(":")[2] \
        if datatype.startswith("xsd:") else datatype
    try:
        if full in _INTEGERS:
            return int(value)
        if full in _FLOATS:
            return float(value)
    except ValueError:
        return value
    if full == _XSD + "boolean":
        return value in ("true", "1")
    return value


def _add(props: dict[str, Any], prop: str, value: Any) -> None:
    if prop in LIST_PROPS:
        props.setdefault(prop, []).append(value)
    elif prop in props:  # a list exported as several values
        held = props[prop]
        props[prop] = [*held, value] if isinstance(held, list) else [held, value]
    else:
        props[prop] = value


def _edge_props(props: Mapping[str, Any], namespace: str) -> Props:
    out: dict[str, Any] = {}
    for key, raw, datatype, _lang in decode_attrs(props):
        value = native(raw, datatype)
        if key == PROV_ROLE:
            out["role"] = value
        elif key.startswith(PROVGRAPH_NS):
            _add(out, key[len(PROVGRAPH_NS):], value)
    if "time" in props:
        out["time"] = props["time"]
    plan = props.get("prov_plan")
    if isinstance(plan, str):
        out["plan"] = local_id(plan, namespace) or plan
    return out


__all__ = ["LIST_PROPS", "local_id", "native", "recapture"]
