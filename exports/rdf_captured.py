"""Turtle (and TriG) text of captured provenance, straight from the stored props (the
writers' fast path).

What :class:`prov_model.captured.CaptureMapper` and :class:`exports.rdf_common.Statements`
make together, without the :class:`Record` and term tuples in between: per node kind and
per relationship type, a table of prop -> predicate text, made once per prop with the
writer's :class:`exports.rdf_terms.TermWriter`. The text is byte-identical to the general
path (tests compare the two).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from exports.config import NAME_CACHE
from exports.rdf_common import XSD_DATETIME, Statements, literal
from prov_model.captured import (
    ARG_PROPS,
    EDGE_RELATIONS,
    NODE_ARGS,
    NODE_KINDS,
    PROV_TYPE,
    WAS_PART_OF_IRI,
    CaptureMapper,
)
from prov_model.captured import xsd_datetime as _xsd_datetime
from prov_model.prov_terms import KIND_BY_NAME, PROV_ATTRIBUTES, QUALIFIED_PROPERTY, expand_builtin
from prov_model.vocab import PROV_NS, PROVGRAPH_NS

if TYPE_CHECKING:
    from exports.rdf_terms import TermWriter

_ATTRIBUTE_PROPERTY: Final = {PROV_NS + k[5:]: expand_builtin(v)
                              for k, v in PROV_ATTRIBUTES.items()}
_ELEMENT_CLASS: Final = {"entity": PROV_NS + "Entity", "activity": PROV_NS + "Activity",
                         "agent": PROV_NS + "Agent"}
_ELEMENT_TIMES: Final = {"prov:startTime": PROV_NS + "startedAtTime",
                         "prov:endTime": PROV_NS + "endedAtTime"}
# Activity time props in the order CaptureMapper puts them in a record's args (by prop).
_TIME_PROPS: Final = tuple(sorted(ARG_PROPS.items()))
_SKIP: Final = ""
# (unqualified predicate, qualified predicate, "a <class>", the qualified node's object
# predicate, (formal argument, prop, predicate) of the extra arguments)
_EdgeSpec = tuple[str, str, str, str, tuple[tuple[str, str, str], ...]]


class CapturedTurtle:
    """``node(...)`` / ``edge(...)``: the Turtle blocks of a captured node or edge, as
    :class:`exports.rdf_turtle.TurtleFormat` writes the statements of its record."""

    def __init__(self, terms: TermWriter, statements: Statements, mapper: CaptureMapper,
                 string: Callable[[str], str]) -> None:
        self.terms = terms
        self.statements = statements
        self.mapper = mapper
        self.string = string
        self._refs: dict[str, str] = {}
        self._node_keys: dict[str, dict[str, str]] = {}
        self._node_heads: dict[str, list[str]] = {}
        self._edge_keys: dict[str, dict[str, str]] = {}
        self._edge_specs: dict[str, _EdgeSpec] = {}
        self._dt = terms.iri(XSD_DATETIME)
        self._time_preds = {prop: terms.iri(_ELEMENT_TIMES[arg]) for prop, arg in _TIME_PROPS}
        self._part_of = terms.iri(WAS_PART_OF_IRI)

    def ref(self, node_id: str) -> str:
        """The text of a captured node's IRI as a subject or object."""
        found = self._refs.get(node_id)
        if found is None:
            found = self.terms.term(("i", self.mapper.iri(node_id)))
            if len(self._refs) >= NAME_CACHE:  # bounded: memory must not grow with the export
                self._refs.clear()
            self._refs[node_id] = found
        return found

    def _value(self, value: Any) -> str:
        if type(value) is str:
            return self.string(value)
        return self.terms.term(literal(value, None, None))

    def _pred(self, key: str) -> str:
        return self.terms.iri(_ATTRIBUTE_PROPERTY.get(key, key))

    def _node_key(self, label: str, prop: str) -> str:
        kind, _, label_prop = NODE_KINDS[label]
        target = self.mapper._special(kind, label_prop).get(prop)
        if target is None:
            key = self._pred(PROVGRAPH_NS + prop)
        elif prop in ARG_PROPS and kind == "activity":
            key = _SKIP
        else:
            key = self._pred(target)
        self._node_keys[label][prop] = key
        return key

    def node(self, node_id: str, labels: list[str], props: dict[str, Any],
             part_of: Sequence[str], indent: str) -> str:
        label = labels[-1]
        keys = self._node_keys.get(label)
        if keys is None:
            keys = self._node_keys[label] = {}
            kind, prov_type, _ = NODE_KINDS[label]
            head = [f"a {self.terms.term(('i', _ELEMENT_CLASS[kind]))}"]
            if prov_type is not None:
                head.append(f"{self._pred(PROV_TYPE)} {self.terms.term(('i', prov_type))}")
            self._node_heads[label] = head
        head = self._node_heads[label]
        pairs = [head[0]]
        if NODE_KINDS[label][0] == "activity":
            dt = self._dt
            for prop, _arg in _TIME_PROPS:
                value = props.get(prop)
                if isinstance(value, (int, float)):
                    pairs.append(f'{self._time_preds[prop]} "{_xsd_datetime(value)}"^^{dt}')
        pairs.extend(head[1:])
        value_text = self._value
        for prop in sorted(props):
            key = keys.get(prop)
            if key is None:
                key = self._node_key(label, prop)
            if not key:
                continue
            value = props[prop]
            if type(value) is list:
                pairs.extend(f"{key} {value_text(item)}" for item in value if item is not None)
            else:
                pairs.append(f"{key} {value_text(value)}")
        for whole in part_of:
            pairs.append(f"{self._part_of} {self.ref(whole)}")
        return f"{indent}{self.ref(node_id)} " + f" ;\n{indent}    ".join(pairs) + " .\n"

    def _edge_spec(self, edge_type: str) -> _EdgeSpec:
        kind_name, arg_props, _ = EDGE_RELATIONS[edge_type]
        kind = KIND_BY_NAME[kind_name]
        iri = self.terms.iri
        by_arg = {arg: prop for prop, arg in arg_props.items()}
        extras = tuple((arg.name, by_arg[arg.name], iri(expand_builtin(
            QUALIFIED_PROPERTY.get(arg.name, arg.name)))) for arg in kind.extra
            if arg.name in by_arg)
        spec = (iri(PROV_NS + (kind.unqualified or "")), iri(PROV_NS + (kind.qualified or "")),
                f"a {self.terms.term(('i', PROV_NS + kind.prov_class))}",
                iri(PROV_NS + (kind.qualified_object or "")), extras)
        self._edge_specs[edge_type] = spec
        self._edge_keys[edge_type] = {}
        return spec

    def _edge_key(self, edge_type: str, prop: str) -> str:
        _, arg_props, attr_props = EDGE_RELATIONS[edge_type]
        if prop in arg_props:
            key = _SKIP
        elif prop in attr_props:
            key = self._pred(attr_props[prop])
        else:
            key = self._pred(PROVGRAPH_NS + prop)
        self._edge_keys[edge_type][prop] = key
        return key

    def edge(self, edge_type: str, src: str, dst: str, props: dict[str, Any],
             indent: str) -> str:
        spec = self._edge_specs.get(edge_type) or self._edge_spec(edge_type)
        unqualified, qualified, node_class, object_pred, extras = spec
        subject, target = self.ref(src), self.ref(dst)
        text = f"{indent}{subject} {unqualified} {target} .\n"
        pairs: list[str] = []
        for arg, prop, pred in extras:
            if prop not in props:
                continue
            value = props[prop]
            if arg == "prov:time":
                if isinstance(value, (int, float)):
                    pairs.append(f'{pred} "{_xsd_datetime(value)}"^^{self._dt}')
            elif arg in NODE_ARGS:
                pairs.append(f"{pred} {self.ref(str(value))}")
            else:
                pairs.append(f"{pred} {self.terms.term(('i', str(value)))}")
        keys = self._edge_keys[edge_type]
        attr_props = EDGE_RELATIONS[edge_type][2]
        value_text = self._value
        for prop in sorted(props):
            key = keys.get(prop)
            if key is None:
                key = self._edge_key(edge_type, prop)
            if not key:
                continue
            value = props[prop]
            if type(value) is list and prop not in attr_props:  # several values
                pairs.extend(f"{key} {value_text(item)}" for item in value if item is not None)
            else:
                pairs.append(f"{key} {value_text(value)}")
        if not pairs:
            return text
        node = "_:" + self.statements.blank()[1]
        head = f"{node} {node_class} ;\n{indent}    {object_pred} {target}"
        return (f"{text}{indent}{subject} {qualified} {node} .\n{indent}{head} ;\n{indent}    "
                + f" ;\n{indent}    ".join(pairs) + " .\n")
