"""prov_model: pure mapping of capture messages to W3C PROV nodes and edges (no I/O).

Modules: :mod:`~prov_model.vocab` (labels, relationship types, PROV terms),
:mod:`~prov_model.graph` (Node, Edge, GraphDelta), :mod:`~prov_model.entities` (entity
identity), :mod:`~prov_model.tables` (declarative mapping tables),
:mod:`~prov_model.mapping` (map_message, map_batch), :mod:`~prov_model.merge` (the merge
rule for repeated messages), :mod:`~prov_model.rows` (rows per Cypher statement),
:mod:`~prov_model.derive` (value-flow WAS_INFORMED_BY rule).
"""

from prov_model.derive import VALUE_FLOW_MAX_FANOUT, derive_informed_by
from prov_model.entities import canonical_json, content_id, entity_node, plan_node
from prov_model.graph import DeltaBuilder, Edge, GraphDelta, Node, Props, PropValue, Scalar
from prov_model.mapping import map_batch, map_into, map_message
from prov_model.merge import is_stale, is_terminal, merge_task_props
from prov_model.rows import INGEST_ORDER, chunked, statement_rows

__all__ = [
    "INGEST_ORDER",
    "VALUE_FLOW_MAX_FANOUT",
    "DeltaBuilder",
    "Edge",
    "GraphDelta",
    "Node",
    "PropValue",
    "Props",
    "Scalar",
    "canonical_json",
    "chunked",
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
    "statement_rows",
]
