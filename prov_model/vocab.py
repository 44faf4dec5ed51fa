"""The PROV vocabulary of provgraph: our Neo4j labels and relationship types, and their PROV terms.

docs/architecture.md ("The PROV graph") is the source of truth. Labels are given
general-first: a task node has the labels ``("Activity", "Task")``; its *primary* (most
specific) label is the last one, and it decides which statement of a store writes it (see
``keeper/stores/neo4j/rows.py``).

Exporters (PROV-JSON, PROV-O) use :data:`LABEL_TO_PROV`, :data:`EDGE_TO_PROV` and the
namespace IRIs below; nothing here does I/O.
"""

from __future__ import annotations

from typing import Final

# --- Node labels -------------------------------------------------------------------------

ACTIVITY: Final = "Activity"
ENTITY: Final = "Entity"
AGENT: Final = "Agent"

TASK: Final = "Task"
WORKFLOW: Final = "Workflow"
CAMPAIGN: Final = "Campaign"
PLAN: Final = "Plan"
PERSON: Final = "Person"
SOFTWARE_AGENT: Final = "SoftwareAgent"
# A namespace of imported PROV documents (id = its IRI, prop ``prefix``): not a PROV node.
NAMESPACE: Final = "Namespace"
NAMESPACE_LABELS: Final = (NAMESPACE,)

# Full label sets, general label first, primary (most specific) label last.
TASK_LABELS: Final = (ACTIVITY, TASK)
WORKFLOW_LABELS: Final = (ACTIVITY, WORKFLOW)
CAMPAIGN_LABELS: Final = (ACTIVITY, CAMPAIGN)
ENTITY_LABELS: Final = (ENTITY,)
PLAN_LABELS: Final = (ENTITY, PLAN)
PERSON_LABELS: Final = (AGENT, PERSON)
SOFTWARE_AGENT_LABELS: Final = (AGENT, SOFTWARE_AGENT)

ALL_LABEL_SETS: Final = (
    TASK_LABELS,
    WORKFLOW_LABELS,
    CAMPAIGN_LABELS,
    ENTITY_LABELS,
    PLAN_LABELS,
    PERSON_LABELS,
    SOFTWARE_AGENT_LABELS,
)

# --- Relationship types ------------------------------------------------------------------

USED: Final = "USED"
WAS_GENERATED_BY: Final = "WAS_GENERATED_BY"
WAS_INFORMED_BY: Final = "WAS_INFORMED_BY"
WAS_ASSOCIATED_WITH: Final = "WAS_ASSOCIATED_WITH"
WAS_PART_OF: Final = "WAS_PART_OF"

EDGE_TYPES: Final = (USED, WAS_GENERATED_BY, WAS_INFORMED_BY, WAS_ASSOCIATED_WITH, WAS_PART_OF)

# The other PROV relations: imported documents (prov_model/prov_terms.py) may hold them.
WAS_STARTED_BY: Final = "WAS_STARTED_BY"
WAS_ENDED_BY: Final = "WAS_ENDED_BY"
WAS_INVALIDATED_BY: Final = "WAS_INVALIDATED_BY"
WAS_DERIVED_FROM: Final = "WAS_DERIVED_FROM"
WAS_ATTRIBUTED_TO: Final = "WAS_ATTRIBUTED_TO"
ACTED_ON_BEHALF_OF: Final = "ACTED_ON_BEHALF_OF"
WAS_INFLUENCED_BY: Final = "WAS_INFLUENCED_BY"
ALTERNATE_OF: Final = "ALTERNATE_OF"
SPECIALIZATION_OF: Final = "SPECIALIZATION_OF"
HAD_MEMBER: Final = "HAD_MEMBER"
MENTION_OF: Final = "MENTION_OF"
PROV_RELATION_TYPES: Final = (
    WAS_STARTED_BY, WAS_ENDED_BY, WAS_INVALIDATED_BY, WAS_DERIVED_FROM, WAS_ATTRIBUTED_TO,
    ACTED_ON_BEHALF_OF, WAS_INFLUENCED_BY, ALTERNATE_OF, SPECIALIZATION_OF, HAD_MEMBER,
    MENTION_OF,
)

# Edge types followed by lineage queries (upstream = along the arrow, downstream = against it).
LINEAGE_EDGE_TYPES: Final = (USED, WAS_GENERATED_BY, WAS_INFORMED_BY)

# --- Namespaces --------------------------------------------------------------------------

PROV_NS: Final = "http://www.w3.org/ns/prov#"
PROVONE_NS: Final = "http://purl.dataone.org/provone/2015/01/15/ontology#"
RDF_NS: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS: Final = "http://www.w3.org/2000/01/rdf-schema#"
XSD_NS: Final = "http://www.w3.org/2001/XMLSchema#"
PROVGRAPH_NS: Final = "https://provgraph.dev/ns#"

NAMESPACES: Final = {
    "prov": PROV_NS,
    "provone": PROVONE_NS,
    "rdf": RDF_NS,
    "rdfs": RDFS_NS,
    "xsd": XSD_NS,
    "provgraph": PROVGRAPH_NS,
}

# --- PROV terms (prefixed names) ---------------------------------------------------------

PROV_ACTIVITY: Final = "prov:Activity"
PROV_ENTITY: Final = "prov:Entity"
PROV_AGENT: Final = "prov:Agent"
PROV_PLAN: Final = "prov:Plan"
PROV_PERSON: Final = "prov:Person"
PROV_SOFTWARE_AGENT: Final = "prov:SoftwareAgent"
PROV_USED: Final = "prov:used"
PROV_WAS_GENERATED_BY: Final = "prov:wasGeneratedBy"
PROV_WAS_INFORMED_BY: Final = "prov:wasInformedBy"
PROV_WAS_ASSOCIATED_WITH: Final = "prov:wasAssociatedWith"
PROV_HAD_PLAN: Final = "prov:hadPlan"
PROV_HAD_ROLE: Final = "prov:hadRole"
PROV_AT_TIME: Final = "prov:atTime"
PROV_STARTED_AT_TIME: Final = "prov:startedAtTime"
PROV_ENDED_AT_TIME: Final = "prov:endedAtTime"
PROV_QUALIFIED_USAGE: Final = "prov:qualifiedUsage"
PROV_QUALIFIED_GENERATION: Final = "prov:qualifiedGeneration"
PROV_QUALIFIED_ASSOCIATION: Final = "prov:qualifiedAssociation"
PROV_VALUE: Final = "prov:value"
PROV_TYPE: Final = "prov:type"
PROV_LABEL: Final = "prov:label"
PROVONE_WAS_PART_OF: Final = "provone:wasPartOf"
# provgraph's own subclasses of prov:Activity (PROV has no task/workflow/campaign terms).
PROVGRAPH_TASK: Final = "provgraph:Task"
PROVGRAPH_WORKFLOW: Final = "provgraph:Workflow"
PROVGRAPH_CAMPAIGN: Final = "provgraph:Campaign"

# Primary label -> (PROV class, extra prov:type or None).
LABEL_TO_PROV: Final[dict[str, tuple[str, str | None]]] = {
    TASK: (PROV_ACTIVITY, PROVGRAPH_TASK),
    WORKFLOW: (PROV_ACTIVITY, PROVGRAPH_WORKFLOW),
    CAMPAIGN: (PROV_ACTIVITY, PROVGRAPH_CAMPAIGN),
    ENTITY: (PROV_ENTITY, None),
    PLAN: (PROV_ENTITY, PROV_PLAN),
    PERSON: (PROV_AGENT, PROV_PERSON),
    SOFTWARE_AGENT: (PROV_AGENT, PROV_SOFTWARE_AGENT),
}

# Relationship type -> PROV relation. Qualifiers: USED/WAS_GENERATED_BY carry ``role``
# (prov:hadRole) and ``time`` (prov:atTime); WAS_ASSOCIATED_WITH carries ``plan`` (prov:hadPlan).
EDGE_TO_PROV: Final[dict[str, str]] = {
    USED: PROV_USED,
    WAS_GENERATED_BY: PROV_WAS_GENERATED_BY,
    WAS_INFORMED_BY: PROV_WAS_INFORMED_BY,
    WAS_ASSOCIATED_WITH: PROV_WAS_ASSOCIATED_WITH,
    WAS_PART_OF: PROVONE_WAS_PART_OF,
}

# Edge property -> PROV qualifier term.
EDGE_PROP_TO_PROV: Final[dict[str, str]] = {
    "role": PROV_HAD_ROLE,
    "time": PROV_AT_TIME,
    "plan": PROV_HAD_PLAN,
}


def primary_label(labels: tuple[str, ...]) -> str:
    """The most specific label of a label set (the last one)."""
    return labels[-1]


def prov_class(labels: tuple[str, ...]) -> str:
    """The PROV class (``prov:Activity``, ``prov:Entity``, ``prov:Agent``) of a label set."""
    return LABEL_TO_PROV[labels[-1]][0]
