"""The PROV data model as tables: record types, their formal arguments, and the graph
relationship type each relation becomes.

One table, :data:`RECORD_KINDS`, drives every reader and writer of PROV documents
(``exports/``) and the mapping of PROV records to the graph (:mod:`prov_model.imported`):

* an element (``entity``, ``activity``, ``agent``) is a node with that general label;
* a relation is an edge from the node of its first formal argument (``src``) to the node of
  its second (``dst``); the other formal arguments (``extra``) are edge properties.

Formal arguments are named as PROV-JSON names them (``prov:activity``, ``prov:time``...);
their local names are the PROV-O properties of the qualified pattern (``prov:entity``,
``prov:atTime`` for times, ``prov:hadPlan`` for plans; see :data:`QUALIFIED_PROPERTY`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from prov_model.vocab import (
    ACTED_ON_BEHALF_OF,
    ACTIVITY,
    AGENT,
    ALTERNATE_OF,
    ENTITY,
    HAD_MEMBER,
    MENTION_OF,
    PROV_NS,
    RDF_NS,
    RDFS_NS,
    SPECIALIZATION_OF,
    USED,
    WAS_ASSOCIATED_WITH,
    WAS_ATTRIBUTED_TO,
    WAS_DERIVED_FROM,
    WAS_ENDED_BY,
    WAS_GENERATED_BY,
    WAS_INFLUENCED_BY,
    WAS_INFORMED_BY,
    WAS_INVALIDATED_BY,
    WAS_STARTED_BY,
    XSD_NS,
)

ANY: Final = ""  # an argument that may name an entity, an activity or an agent
TIME: Final = "time"  # an argument that holds an xsd:dateTime, not an identifier
REF: Final = "ref"  # an argument naming another record (a generation, a usage, a bundle)

ELEMENT_KINDS: Final = ("entity", "activity", "agent")
ELEMENT_LABEL: Final = {"entity": ENTITY, "activity": ACTIVITY, "agent": AGENT}
LABEL_ELEMENT: Final = {label: kind for kind, label in ELEMENT_LABEL.items()}


@dataclass(frozen=True, slots=True)
class Arg:
    """A formal argument: its PROV-JSON name and what it names (a general label, ANY, TIME
    or REF)."""

    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class RecordKind:
    """One PROV record type: ``name`` as PROV-JSON and PROV-N spell it."""

    name: str
    edge: str | None  # relationship type; None for elements
    args: tuple[Arg, ...]  # formal arguments, PROV-N order
    prov_class: str  # the PROV-O class of the record (or of its qualified influence)
    unqualified: str | None = None  # the PROV-O starting-point property (relations)
    qualified: str | None = None  # the PROV-O qualified-pattern property, when there is one
    qualified_object: str | None = None  # property naming dst inside the qualified node

    @property
    def src(self) -> Arg:
        return self.args[0]

    @property
    def dst(self) -> Arg:
        return self.args[1]

    @property
    def extra(self) -> tuple[Arg, ...]:
        return self.args[2:]

    @property
    def is_element(self) -> bool:
        return self.edge is None


def _a(name: str, kind: str) -> Arg:
    return Arg(f"prov:{name}", kind)


RECORD_KINDS: Final[tuple[RecordKind, ...]] = (
    RecordKind("entity", None, (), "Entity"),
    RecordKind("activity", None, (_a("startTime", TIME), _a("endTime", TIME)), "Activity"),
    RecordKind("agent", None, (), "Agent"),
    RecordKind("wasGeneratedBy", WAS_GENERATED_BY,
               (_a("entity", ENTITY), _a("activity", ACTIVITY), _a("time", TIME)),
               "Generation", "wasGeneratedBy", "qualifiedGeneration", "activity"),
    RecordKind("used", USED,
               (_a("activity", ACTIVITY), _a("entity", ENTITY), _a("time", TIME)),
               "Usage", "used", "qualifiedUsage", "entity"),
    RecordKind("wasInformedBy", WAS_INFORMED_BY,
               (_a("informed", ACTIVITY), _a("informant", ACTIVITY)),
               "Communication", "wasInformedBy", "qualifiedCommunication", "activity"),
    RecordKind("wasStartedBy", WAS_STARTED_BY,
               (_a("activity", ACTIVITY), _a("trigger", ENTITY), _a("starter", ACTIVITY),
                _a("time", TIME)),
               "Start", "wasStartedBy", "qualifiedStart", "entity"),
    RecordKind("wasEndedBy", WAS_ENDED_BY,
               (_a("activity", ACTIVITY), _a("trigger", ENTITY), _a("ender", ACTIVITY),
                _a("time", TIME)),
               "End", "wasEndedBy", "qualifiedEnd", "entity"),
    RecordKind("wasInvalidatedBy", WAS_INVALIDATED_BY,
               (_a("entity", ENTITY), _a("activity", ACTIVITY), _a("time", TIME)),
               "Invalidation", "wasInvalidatedBy", "qualifiedInvalidation", "activity"),
    RecordKind("wasDerivedFrom", WAS_DERIVED_FROM,
               (_a("generatedEntity", ENTITY), _a("usedEntity", ENTITY),
                _a("activity", ACTIVITY), _a("generation", REF), _a("usage", REF)),
               "Derivation", "wasDerivedFrom", "qualifiedDerivation", "entity"),
    RecordKind("wasAttributedTo", WAS_ATTRIBUTED_TO,
               (_a("entity", ENTITY), _a("agent", AGENT)),
               "Attribution", "wasAttributedTo", "qualifiedAttribution", "agent"),
    RecordKind("wasAssociatedWith", WAS_ASSOCIATED_WITH,
               (_a("activity", ACTIVITY), _a("agent", AGENT), _a("plan", ENTITY)),
               "Association", "wasAssociatedWith", "qualifiedAssociation", "agent"),
    RecordKind("actedOnBehalfOf", ACTED_ON_BEHALF_OF,
               (_a("delegate", AGENT), _a("responsible", AGENT), _a("activity", ACTIVITY)),
               "Delegation", "actedOnBehalfOf", "qualifiedDelegation", "agent"),
    RecordKind("wasInfluencedBy", WAS_INFLUENCED_BY,
               (_a("influencee", ANY), _a("influencer", ANY)),
               "Influence", "wasInfluencedBy", "qualifiedInfluence", "influencer"),
    RecordKind("alternateOf", ALTERNATE_OF,
               (_a("alternate1", ENTITY), _a("alternate2", ENTITY)), "Entity", "alternateOf"),
    RecordKind("specializationOf", SPECIALIZATION_OF,
               (_a("specificEntity", ENTITY), _a("generalEntity", ENTITY)),
               "Entity", "specializationOf"),
    RecordKind("hadMember", HAD_MEMBER,
               (_a("collection", ENTITY), _a("entity", ENTITY)), "Collection", "hadMember"),
    RecordKind("mentionOf", MENTION_OF,
               (_a("specificEntity", ENTITY), _a("generalEntity", ENTITY),
                _a("bundle", REF)),
               "Entity", "mentionOf"),
)

KIND_BY_NAME: Final = {kind.name: kind for kind in RECORD_KINDS}
KIND_BY_EDGE: Final = {kind.edge: kind for kind in RECORD_KINDS if kind.edge}
RELATION_KINDS: Final = tuple(kind for kind in RECORD_KINDS if not kind.is_element)
# Every relationship type an imported document may put in the graph.
PROV_EDGE_TYPES: Final = tuple(kind.edge for kind in RELATION_KINDS if kind.edge)
# Record kinds in the order documents list them (PROV-JSON, PROV-N).
KIND_ORDER: Final = {kind.name: rank for rank, kind in enumerate(RECORD_KINDS)}
BUNDLE: Final = "bundle"

# PROV-O properties of a qualified influence node that hold the extra arguments
# (the others are prov:<argument local name>).
QUALIFIED_PROPERTY: Final = {
    "prov:time": "prov:atTime",
    "prov:plan": "prov:hadPlan",
    "prov:activity": "prov:hadActivity",
    "prov:generation": "prov:hadGeneration",
    "prov:usage": "prov:hadUsage",
    "prov:starter": "prov:hadActivity",
    "prov:ender": "prov:hadActivity",
}

# --- attribute values --------------------------------------------------------------------

XSD: Final = "xsd:"
PROV_PREFIX: Final = "prov:"
# Namespaces every document may use without declaring them (PROV-JSON and PROV-N rule).
BUILTIN_NAMESPACES: Final = {"prov": PROV_NS, "xsd": XSD_NS, "rdf": RDF_NS, "rdfs": RDFS_NS}

QUALIFIED_NAME_TYPES: Final = frozenset({"prov:QUALIFIED_NAME", "xsd:QName"})
LANG_STRING_TYPES: Final = frozenset({"prov:InternationalizedString", "rdf:langString"})
XSD_DATETIME: Final = "xsd:dateTime"
XSD_STRING: Final = "xsd:string"
# PROV attributes (PROV-DM 5.7.2) and their PROV-O properties.
PROV_ATTRIBUTES: Final = {
    "prov:type": "rdf:type",
    "prov:label": "rdfs:label",
    "prov:location": "prov:atLocation",
    "prov:role": "prov:hadRole",
    "prov:value": "prov:value",
}


def expand_builtin(name: str) -> str:
    """``prov:x`` / ``xsd:x`` / ``rdf:x`` / ``rdfs:x`` as a full IRI; other names unchanged."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in BUILTIN_NAMESPACES:
        return BUILTIN_NAMESPACES[prefix] + local
    return name


def compact_builtin(iri: str) -> str:
    """A full IRI in one of the built-in namespaces as ``prefix:local``; others unchanged."""
    for prefix, namespace in BUILTIN_NAMESPACES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri
