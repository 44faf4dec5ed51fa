"""What an export reads: a scope of the store as a stream of PROV records, in a fixed order.

:class:`ExportScope` says what to export (one workflow, one campaign, the lineage around a node,
or everything); :class:`ExportDocument` resolves it against a store and yields, per
:class:`Container` (the document, then each bundle by IRI), one section per PROV record
kind in :data:`prov_model.prov_terms.RECORD_KINDS` order, each sorted by node id (elements)
or by source, type, target and key (relations). Both stores give the same records in the
same order, so two exports of the same data are byte-identical.

Memory: the ids of the scope are held (sorted lists of strings); records are read from the
store ``chunk`` at a time and handed on at once, so a writer never holds the document.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from exports.config import ExportSettings
from keeper.stores.base import check_depth
from prov_model import imported
from prov_model.captured import EDGE_RELATIONS, NODE_KINDS, CaptureMapper
from prov_model.iri import is_iri, shown
from prov_model.namespaces import PrefixMap
from prov_model.prov_records import Record
from prov_model.prov_terms import BUILTIN_NAMESPACES, KIND_BY_NAME, RELATION_KINDS
from prov_model.vocab import (
    ACTIVITY,
    AGENT,
    ENTITY,
    PROVGRAPH_NS,
    PROVONE_NS,
    USED,
    WAS_ASSOCIATED_WITH,
    WAS_GENERATED_BY,
    WAS_PART_OF,
)
from provgraph.core.errors import ArgumentError, StoreError

if TYPE_CHECKING:
    from keeper.stores.base import Store

log = logging.getLogger(__name__)
LEFT_OUT_KEPT = 20  # the records named in full; beyond, only counted

SCOPES = ("workflow", "campaign", "around", "all")
_SECTION_LABELS = (("entity", ENTITY), ("activity", ACTIVITY), ("agent", AGENT))


@dataclass(frozen=True)
class ExportScope:
    """What to export: ``kind`` in :data:`SCOPES`; ``id`` for workflow, campaign and
    around; ``up`` / ``down`` and ``depth`` for around."""

    kind: str = "all"
    id: str | None = None
    up: bool = True
    down: bool = True
    depth: int = 1

    def __post_init__(self) -> None:
        if self.kind not in SCOPES:
            raise ArgumentError(f"scope must be one of {', '.join(SCOPES)}, got {self.kind!r}")
        if self.kind != "all" and not (isinstance(self.id, str) and self.id):
            raise ArgumentError(f"a {self.kind} scope needs a node id")
        if self.kind == "around":
            check_depth(self.depth)
            if not (self.up or self.down):
                raise ArgumentError("an around scope needs up, down or both")

    @classmethod
    def workflow(cls, workflow_id: str) -> ExportScope:
        return cls("workflow", workflow_id)

    @classmethod
    def campaign(cls, campaign_id: str) -> ExportScope:
        return cls("campaign", campaign_id)

    @classmethod
    def around(cls, node_id: str, depth: int = 1, up: bool = True, down: bool = True
               ) -> ExportScope:
        return cls("around", node_id, up, down, depth)

    @classmethod
    def of(cls, *, workflow_id: str | None = None, campaign_id: str | None = None,
           around: str | None = None, up: bool = False, down: bool = False,
           depth: int = 1) -> ExportScope:
        """The scope one of ``workflow_id``, ``campaign_id``, ``around`` names (none: the
        whole store). ``up``/``down`` (neither: both ways) and ``depth`` go with ``around``.
        The one place the CLI and ``Flowcept.db.export`` turn their options into a scope."""
        given = [name for name, value in (("workflow_id", workflow_id),
                                          ("campaign_id", campaign_id), ("around", around))
                 if value is not None]
        if len(given) > 1:
            raise ArgumentError(f"give {' or '.join(given)}, not both")
        if around is None and (up or down or depth != 1):
            raise ArgumentError("up, down and depth go with around")
        if workflow_id is not None:
            return cls.workflow(workflow_id)
        if campaign_id is not None:
            return cls.campaign(campaign_id)
        if around is not None:
            both = not (up or down)
            return cls.around(around, depth, up=both or up, down=both or down)
        return cls()

    def describe(self) -> str:
        if self.kind == "all":
            return "the whole store"
        if self.kind == "around":
            ways = "+".join(w for w, on in (("up", self.up), ("down", self.down)) if on)
            return f"lineage around {self.id!r} ({ways}, depth {self.depth})"
        return f"{self.kind} {self.id!r}"


@dataclass
class Container:
    """The document (``bundle is None``) or one bundle, with its node ids per label."""

    bundle: str | None
    ids: dict[str, list[str]]  # general label -> sorted ids

    def all_ids(self) -> list[str]:
        return sorted({i for ids in self.ids.values() for i in ids})


Progress = Callable[[int], None]
# Captured provenance as the store gives it (see ExportDocument.raw_sections):
# (node id, labels, props, ids of the wholes it is part of) and (type, src, dst, props).
CapturedNode = tuple[str, list[str], dict[str, Any], Sequence[str]]
CapturedEdge = tuple[str, str, str, dict[str, Any]]
Item = Record | CapturedNode | CapturedEdge


class ExportDocument:
    """A scope of ``store`` as PROV records (see the module docstring)."""

    def __init__(self, store: Store, scope: ExportScope, settings: ExportSettings | None = None,
                 progress: Progress | None = None) -> None:
        self.store = store
        self.scope = scope
        self.settings = settings or ExportSettings()
        self.progress = progress or (lambda n: None)
        self.mapper = CaptureMapper(self.settings.instance_namespace)
        self.prefixes = PrefixMap({**BUILTIN_NAMESPACES, "provgraph": PROVGRAPH_NS,
                                   "provone": PROVONE_NS})
        self.prefixes.add(self.settings.instance_prefix, self.settings.instance_namespace)
        # A namespace that is not an IRI (a store from before the import checks) is never
        # declared: its names are written in full, percent-encoded (prov_model.iri).
        self.prefixes.update((p, uri) for p, uri in store.namespaces() if is_iri(uri))
        self._containers = self._resolve()
        self._part_of: dict[str, list[str]] = {}
        self._declared_bundles: set[str] = set()
        self.records_written = 0
        self.left_out: list[str] = []  # the first records a format could not hold, named
        self.left_out_count = 0
        self._refuse: Callable[[Item], str | None] | None = None

    @contextlib.contextmanager
    def refusing(self, problem: Callable[[Item], str | None]) -> Iterator[None]:
        """While the block runs, :meth:`raw_sections` (and :meth:`sections`) leave out each
        item for which ``problem`` gives a reason (a format that cannot hold it)."""
        self._refuse = problem
        try:
            yield
        finally:
            self._refuse = None

    def leave_out(self, item: Item, reason: str) -> None:
        """Note that the writer left ``item`` out: its format cannot hold it as it is."""
        self.left_out_count += 1
        if len(self.left_out) < LEFT_OUT_KEPT:
            named = f"{describe(item)}: {reason}"
            self.left_out.append(named)
            log.warning("left out %s", named)

    # --- scope resolution ----------------------------------------------------------------

    def _resolve(self) -> list[Container]:
        ids = self._scope_ids()
        bundle_of = self._bundles_of(ids)
        by_bundle: dict[str, dict[str, list[str]]] = {}
        top: dict[str, list[str]] = {}
        for label, found in ids.items():
            for node_id in found:
                bundle = bundle_of.get(node_id)
                if bundle is not None:
                    by_bundle.setdefault(bundle, {}).setdefault(label, []).append(node_id)
                else:
                    top.setdefault(label, []).append(node_id)
        containers = [Container(None, {k: sorted(v) for k, v in top.items()})]
        containers.extend(Container(b, {k: sorted(v) for k, v in by_bundle[b].items()})
                          for b in sorted(by_bundle))
        return containers

    def _bundles_of(self, ids: dict[str, set[str] | list[str]]) -> dict[str, str]:
        """node id -> the bundle it belongs to, as the store's ``bundle`` prop says (an id
        is never parsed: a captured id may hold anything). Only an element of a bundle has
        a space in its id (``<bundle IRI> <IRI>``, :func:`prov_model.imported.node_id`; an
        IRI holds none), so only the props of such ids are read: a store without bundles or
        spaced ids costs nothing here."""
        spaced = sorted({i for found in ids.values() for i in found if " " in i})
        bundle_of: dict[str, str] = {}
        for start in range(0, len(spaced), self.settings.chunk):
            for node in self.store.nodes_by_ids(spaced[start:start + self.settings.chunk]):
                bundle = node["props"].get(imported.BUNDLE_PROP)
                if isinstance(bundle, str) and imported.is_imported(node["props"]):
                    bundle_of[node["id"]] = bundle
        return bundle_of

    def _scope_ids(self) -> dict[str, set[str] | list[str]]:
        store, scope = self.store, self.scope
        if scope.kind == "all":
            return {label: store.label_ids(label) for _, label in _SECTION_LABELS}
        root = scope.id or ""
        if scope.kind == "around":
            node = store.get_node(root)
            if node is None:
                raise StoreError(f"no node {root!r} in the store")
            hits = [{"id": root, "labels": node["labels"]}]
            if scope.up:
                hits += store.upstream(root, scope.depth)
            if scope.down:
                hits += store.downstream(root, scope.depth)
            out: dict[str, set[str] | list[str]] = {label: set() for _, label in _SECTION_LABELS}
            for hit in hits:
                for _, label in _SECTION_LABELS:
                    if label in hit["labels"]:
                        out[label].add(hit["id"])  # type: ignore[union-attr]
            self._edge_filter = _within(set().union(*out.values()))
            return out
        closure = store.part_of_closure(root)
        if not closure:
            raise StoreError(f"no {scope.kind} {root!r} in the store")
        entities: set[str] = set()
        agents: set[str] = set()
        for start in range(0, len(closure), self.settings.chunk):
            chunk = closure[start:start + self.settings.chunk]
            # Only associations carry a prop the scope needs (the plan): the other reads
            # leave props out.
            entities.update(dst for _, _, dst in store.edge_ends(chunk, (USED,)))
            for edge in store.out_edges_of(chunk, (WAS_ASSOCIATED_WITH,)):
                agents.add(edge["dst"])
                plan = edge["props"].get("plan")
                if isinstance(plan, str):
                    entities.add(plan)
            entities.update(src for _, src, _ in store.edge_ends(chunk, (WAS_GENERATED_BY,),
                                                                 "in"))
        members = set(closure)
        self._edge_filter = _workflow_edges(members, members | entities | agents)
        return {ACTIVITY: closure, ENTITY: entities, AGENT: agents}

    _edge_filter: Callable[[dict[str, Any]], bool] = staticmethod(lambda edge: True)

    # --- records ---------------------------------------------------------------------------

    def document(self) -> Container:
        """The document's own container (nodes outside bundles)."""
        return self._containers[0]

    def bundles(self) -> list[Container]:
        """The bundles, by IRI: those holding nodes of the scope, and the (empty) bundles
        declared in the document's sections. Ask after reading the document's sections."""
        found = {c.bundle: c for c in self._containers[1:] if c.bundle is not None}
        for bundle in self._declared_bundles - set(found):
            found[bundle] = Container(bundle, {})
        return [found[b] for b in sorted(found)]

    def sections(self, container: Container) -> Iterator[tuple[str, Iterator[Record]]]:
        """``(record kind, records)`` for each kind, in RECORD_KINDS order (maybe empty)."""
        for kind, items in self.raw_sections(container):
            if KIND_BY_NAME[kind].is_element:
                yield kind, self._node_records(kind, items)
            else:
                yield kind, self._edge_records(kind, items)

    def raw_sections(self, container: Container) -> Iterator[tuple[str, Iterator[Item]]]:
        """As :meth:`sections`, but captured provenance comes as the store gave it: a
        :data:`CapturedNode` in element sections, a :data:`CapturedEdge` in relation
        sections (both already of the section's kind), beside the :class:`Record` of
        imported PROV. A writer with a fast path for captured nodes encodes them straight
        from their props (:mod:`exports.provjson_captured`); :meth:`sections` maps them."""
        for kind, items in self._raw_sections(container):
            yield kind, items if self._refuse is None else self._refused(items, self._refuse)

    def _refused(self, items: Iterator[Item], problem: Callable[[Item], str | None]
                 ) -> Iterator[Item]:
        for item in items:
            reason = problem(item)
            if reason is None:
                yield item
            else:
                self.leave_out(item, reason)

    def _raw_sections(self, container: Container) -> Iterator[tuple[str, Iterator[Item]]]:
        if container.bundle is None and not self._part_of:
            self._part_of = self._collect_part_of(container.ids.get(ACTIVITY, []))
        for kind, label in _SECTION_LABELS:
            yield kind, self._elements(kind, container.ids.get(label, []))
        sources = container.all_ids()
        # One pass for which nodes have edges of which type: each relation section then
        # reads the edges of those nodes only.
        by_type: dict[str, set[str]] = {}
        for start in range(0, len(sources), self.settings.chunk):
            for edge_type, found in self.store.out_edge_types(
                    sources[start:start + self.settings.chunk]).items():
                by_type.setdefault(edge_type, set()).update(found)
        for relation in RELATION_KINDS:
            if relation.edge and relation.edge in by_type:
                yield relation.name, self._relations(relation.edge, sorted(by_type[relation.edge]))

    def _node_records(self, kind: str, items: Iterator[Item]) -> Iterator[Record]:
        node_record = self.mapper.node_record
        for item in items:
            if isinstance(item, Record):
                yield item
            else:
                record = node_record(*cast(CapturedNode, item))
                if record is not None:
                    yield record

    def _edge_records(self, kind: str, items: Iterator[Item]) -> Iterator[Record]:
        edge_record = self.mapper.edge_record
        for item in items:
            if isinstance(item, Record):
                yield item
            else:
                record = edge_record(*cast(CapturedEdge, item))
                if record is not None:
                    yield record

    def _collect_part_of(self, activities: Sequence[str]) -> dict[str, list[str]]:
        part_of: dict[str, list[str]] = {}
        for start in range(0, len(activities), self.settings.chunk):
            for _, src, dst in self.store.edge_ends(
                    activities[start:start + self.settings.chunk], (WAS_PART_OF,)):
                part_of.setdefault(src, []).append(dst)
        return part_of

    def _elements(self, kind: str, ids: Sequence[str]) -> Iterator[Item]:
        chunk = self.settings.chunk
        part_of = self._part_of
        no_parts: tuple[str, ...] = ()
        for start in range(0, len(ids), chunk):
            batch = self.store.nodes_by_ids(ids[start:start + chunk])
            for node in batch:
                props = node["props"]
                if "iri" in props:  # imported.is_imported, inlined (hot loop)
                    if kind == "entity" and imported.is_bundle(props):
                        self._declared_bundles.add(node["id"])
                    for record in imported.element_records(node["id"], props):
                        if record.kind == kind:
                            yield record
                else:
                    labels = node["labels"]
                    spec = NODE_KINDS.get(labels[-1]) if labels else None
                    if spec is not None and spec[0] == kind:
                        node_id = node["id"]
                        yield node_id, labels, props, part_of.get(node_id, no_parts)
            self.records_written += len(batch)
            self.progress(len(batch))

    def _relations(self, edge_type: str, sources: Sequence[str]) -> Iterator[Item]:
        chunk = self.settings.chunk
        keep = self._edge_filter
        captured = edge_type in EDGE_RELATIONS
        for start in range(0, len(sources), chunk):
            edges = self.store.out_edges_of(sources[start:start + chunk], (edge_type,))
            for edge in edges:
                if not keep(edge):
                    continue
                props = edge["props"]
                if imported.is_imported_edge(props):
                    yield imported.relation_record(edge_type, edge["src"], edge["dst"], props)
                elif captured:
                    yield edge_type, edge["src"], edge["dst"], props
            self.progress(len(edges))

    def total_nodes(self) -> int:
        return sum(len(ids) for c in self._containers for ids in c.ids.values())


def describe(item: Item) -> str:
    """A record (or a captured node or edge) in a few words, bounded: for messages."""
    if isinstance(item, Record):
        if item.id is not None:
            return f"{item.kind} {shown(item.id)}"
        ends = list(item.args.values())[:2]
        return f"{item.kind}({', '.join(shown(e, 40) for e in ends)})"
    if len(item) == 4 and isinstance(item[1], list):
        return f"node {shown(item[0])}"
    return f"{item[0]} edge {shown(item[1], 40)} -> {shown(item[2], 40)}"


def _within(nodes: set[str]) -> Callable[[dict[str, Any]], bool]:
    return lambda edge: edge["dst"] in nodes


def _workflow_edges(members: set[str], nodes: set[str]) -> Callable[[dict[str, Any]], bool]:
    # Edges of the workflow's activities (their informants may lie outside), and edges
    # between nodes of the scope.
    return lambda edge: edge["src"] in members or edge["dst"] in nodes
