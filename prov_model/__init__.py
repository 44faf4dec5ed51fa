"""prov_model: pure mapping of capture messages to W3C PROV nodes and edges (no I/O).

Modules: :mod:`~prov_model.vocab` (labels, relationship types, PROV terms),
:mod:`~prov_model.delta` (Node, Edge, GraphDelta), :mod:`~prov_model.entities` (entity
identity), :mod:`~prov_model.tables` (declarative mapping tables),
:mod:`~prov_model.mapping` (map_message, map_batch), :mod:`~prov_model.merge` (the merge
rule for repeated messages), :mod:`~prov_model.derive` (the value-flow WAS_INFORMED_BY rule
and its candidates, for every store), :mod:`~prov_model.inverse` (stored nodes back to
messages), :mod:`~prov_model.config` (the ``entities`` settings section).

It imports only the core (``provgraph``) and the standard library: no capture, no store,
no Cypher.
"""

from prov_model.delta import DeltaBuilder, Edge, GraphDelta, Node, Props, PropValue, Scalar
from prov_model.derive import VALUE_FLOW_MAX_FANOUT, derive_informed_by, value_flow_candidates
from prov_model.entities import canonical_json, content_id, entity_node, plan_node
from prov_model.mapping import map_batch, map_into, map_message
from prov_model.merge import is_stale, is_terminal, merge_task_props

__all__ = [
    "VALUE_FLOW_MAX_FANOUT",
    "DeltaBuilder",
    "Edge",
    "GraphDelta",
    "Node",
    "PropValue",
    "Props",
    "Scalar",
    "canonical_json",
    "content_id",
    "derive_informed_by",
    "entity_node",
    "is_stale",
    "is_terminal",
    "map_batch",
    "map_into",
    "map_message",
    "merge_task_props",
    "plan_node",
    "value_flow_candidates",
]
