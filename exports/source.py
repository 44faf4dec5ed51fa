"""What an export reads: a scope of the store as a stream of PROV records, in a fixed order.

:class:`ExportScope` says what to export (one workflow, one campaign, the lineage around a node,
or everything); :class:`ExportDocument` resolves it against a store and yields, per
:class:`Container` (the document, then each bundle by IRI), one section per PROV record
kind in :data:`prov_model.prov_terms.RECORD_KINDS` order, each sorted by node id (elements)
or by source, type, target and key (relations). Both stores give the same records in the
same order, so two exports of the same data are byte-identical.

Memory: flat in the size of the scope. The ids are read from the store in keyset pages
(:class:`keeper.stores.scope.ScopeIds`: the embedded store keeps a workflow's scope in a
temporary table of its database), then the records of each page by id, ``chunk`` at a time,
handed on at once: neither the ids nor the records of a whole workflow are ever held, and a
writer never holds the document. Only the lineage around a node (bounded by the walk's cap)
is held.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from exports.config import ExportSettings
from keeper.lineage.around import Around, around
from keeper.lineage.walk import MAX_LIMIT
from keeper.stores.base import EdgeRecord, check_depth
from keeper.stores.scope import HeldScope, LabelScope, ScopeIds
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
    WAS_PART_OF,
)
from provgraph.core.errors import ArgumentError, CapExceededError, NotFoundError, StoreError

if TYPE_CHECKING:
    from keeper.stores.protocols import ScopedReads

SCOPES = ("workflow", "campaign", "around", "all")
_SECTION_LABELS = (("entity", ENTITY), ("activity", ACTIVITY), ("agent", AGENT))

log = logging.getLogger(__name__)
LEFT_OUT_KEPT = 20  # the records named in full; beyond, only counted


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
    """The document (``bundle is None``) or one bundle: the ids of the scope outside every
    bundle, or those of the bundle (``"<bundle> <local id>"``), read in pages."""

    bundle: str | None


Progress = Callable[[int], None]
# Captured provenance as the store gives it (see ExportDocument.raw_sections):
# (node id, labels, props, ids of the wholes it is part of) and (type, src, dst, props).
CapturedNode = tuple[str, list[str], dict[str, Any], Sequence[str]]
CapturedEdge = tuple[str, str, str, dict[str, Any]]
Item = Record | CapturedNode | CapturedEdge


class ExportDocument:
    """A scope of ``store`` as PROV records (see the module docstring)."""

    def __init__(self, store: ScopedReads, scope: ExportScope,
                 settings: ExportSettings | None = None, progress: Progress | None = None
                 ) -> None:
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
        self._edge_rule = _ALL
        self._scope = self._resolve()
        self._bundles: list[str] | None = None
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

    def _resolve(self) -> ScopeIds:
        store, scope = self.store, self.scope
        if scope.kind == "all":
            return LabelScope(store)
        root = scope.id or ""
        if scope.kind == "around":
            found = around_scope(store, root, scope.depth, scope.up, scope.down)
            labels = found.labels()
            labels.update((n["id"], n["labels"]) for n in store.nodes_by_ids(found.agents))
            self._edge_rule = _WITHIN
            return HeldScope({label: [i for i in found.ids() if label in labels.get(i, ())]
                              for _, label in _SECTION_LABELS})
        held = store.part_of_scope(root)
        if held is None:
            raise StoreError(f"no {scope.kind} {root!r} in the store")
        self._edge_rule = _WORKFLOW
        return held

    def _bundles_of(self, page: list[str]) -> dict[str, str]:
        """node id -> the bundle it belongs to, as the store's ``bundle`` prop says (an id
        is never parsed: a captured id may hold anything). Only an element of a bundle has
        a space in its id (``<bundle IRI> <IRI>``, :func:`prov_model.imported.node_id`; an
        IRI holds none), so only the props of such ids are read: a page without spaced ids
        costs nothing here."""
        spaced = [i for i in page if " " in i]
        bundle_of: dict[str, str] = {}
        if spaced:
            for node in self.store.nodes_by_ids(spaced):
                bundle = node["props"].get(imported.BUNDLE_PROP)
                if isinstance(bundle, str) and imported.is_imported(node["props"]):
                    bundle_of[node["id"]] = bundle
        return bundle_of

    def _find_bundles(self) -> list[str]:
        """The bundles holding nodes of the scope: one pass over the pages of ids, keeping
        only the bundle names."""
        found: set[str] = set()
        for _, label in _SECTION_LABELS:
            for page in self._pages(label, ""):
                found.update(self._bundles_of(page).values())
        return sorted(found)

    def _pages(self, label: str, after: str) -> Iterator[list[str]]:
        limit = self.settings.chunk
        while True:
            page = self._scope.page(label, after, limit)
            if page:
                yield page
            if len(page) < limit:
                return
            after = page[-1]

    def _ids(self, container: Container, label: str) -> Iterator[list[str]]:
        """The ids of ``label`` in ``container``, in id order, a chunk at a time."""
        if container.bundle is None:
            for page in self._pages(label, ""):
                members = self._bundles_of(page)
                kept = [i for i in page if i not in members]
                if kept:
                    yield kept
            return
        prefix = container.bundle + " "
        for page in self._pages(label, prefix):
            members = self._bundles_of(page)
            kept = [i for i in page
                    if i.startswith(prefix) and members.get(i) == container.bundle]
            if kept:
                yield kept
            if not page[-1].startswith(prefix):
                return

    def _sources(self, container: Container) -> Iterator[list[str]]:
        """Every id of ``container`` (any label), in id order, each once, in chunks."""
        merged = heapq.merge(*(itertools.chain.from_iterable(self._ids(container, label))
                               for _, label in _SECTION_LABELS))
        chunk: list[str] = []
        last = None
        for node_id in merged:
            if node_id != last:
                chunk.append(node_id)
                last = node_id
                if len(chunk) >= self.settings.chunk:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk

    def close(self) -> None:
        """Release what the scope holds in the store (a temporary table). Idempotent."""
        self._scope.close()

    def __enter__(self) -> ExportDocument:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- records ---------------------------------------------------------------------------

    def document(self) -> Container:
        """The document's own container (nodes outside bundles)."""
        return Container(None)

    def bundles(self) -> list[Container]:
        """The bundles, by IRI: those holding nodes of the scope, and the (empty) bundles
        declared in the document's sections. Ask after reading the document's sections."""
        if self._bundles is None:
            self._bundles = self._find_bundles()
        return [Container(b) for b in sorted({*self._bundles, *self._declared_bundles})]

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
        for kind, label in _SECTION_LABELS:
            yield kind, self._elements(kind, self._ids(container, label),
                                       container.bundle is None and label == ACTIVITY)
        # One pass for which edge types leave the container's nodes: each relation section
        # then pages through the nodes again, reading the edges of its type only.
        present: set[str] = set()
        for chunk in self._sources(container):
            present.update(self.store.out_edge_types(chunk))
        for relation in RELATION_KINDS:
            if relation.edge and relation.edge in present:
                yield relation.name, self._relations(relation.edge, self._sources(container))

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

    def _parts(self, activities: Sequence[str]) -> dict[str, list[str]]:
        """Activity -> the wholes it is part of, for one chunk of activities."""
        part_of: dict[str, list[str]] = {}
        for _, src, dst in self.store.edge_ends(activities, (WAS_PART_OF,)):
            part_of.setdefault(src, []).append(dst)
        return part_of

    def _elements(self, kind: str, chunks: Iterator[list[str]], with_parts: bool
                  ) -> Iterator[Item]:
        no_parts: tuple[str, ...] = ()
        for ids in chunks:
            batch = self.store.nodes_by_ids(ids)
            part_of = self._parts(ids) if with_parts else {}
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

    def _kept(self, edges: list[EdgeRecord]) -> list[EdgeRecord]:
        """The edges the scope keeps: all of them for the whole store; those into the scope
        around a node; for a workflow, the edges of its activities (their informants may lie
        outside) and the edges between nodes of the scope."""
        if self._edge_rule == _ALL or not edges:
            return edges
        ends = {edge["dst"] for edge in edges}
        if self._edge_rule == _WORKFLOW:
            ends.update(edge["src"] for edge in edges)
        inside = self._scope.labels_of(sorted(ends))
        if self._edge_rule == _WITHIN:
            return [edge for edge in edges if edge["dst"] in inside]
        return [edge for edge in edges
                if ACTIVITY in inside.get(edge["src"], ()) or edge["dst"] in inside]

    def _relations(self, edge_type: str, chunks: Iterator[list[str]]) -> Iterator[Item]:
        captured = edge_type in EDGE_RELATIONS
        for ids in chunks:
            edges = self.store.out_edges_of(ids, (edge_type,))
            for edge in self._kept(edges):
                props = edge["props"]
                if imported.is_imported_edge(props):
                    yield imported.relation_record(edge_type, edge["src"], edge["dst"], props)
                elif captured:
                    yield edge_type, edge["src"], edge["dst"], props
            self.progress(len(edges))

    def total_nodes(self) -> int:
        return self._scope.count()


def around_scope(store: ScopedReads, root: str, depth: int, up: bool = True, down: bool = True
                 ) -> Around:
    """The lineage around ``root`` as the one engine gives it (:mod:`keeper.lineage.around`,
    the scope of ``viz --around`` too), without a cap short of the engine's own."""
    try:
        found = around(store, root, depth, up, down, MAX_LIMIT)
    except NotFoundError as exc:
        raise StoreError(f"no node {root!r} in the store") from exc
    if found.truncated:
        raise CapExceededError(next(w.cap_message() for w in found.walks() if w.truncated))
    return found


_ALL, _WITHIN, _WORKFLOW = "all", "within", "workflow"  # which edges a scope keeps


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
