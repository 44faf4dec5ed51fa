"""The Python API of PROV documents out and in.

    from exports import export, import_document, ExportScope
    export(store, ExportScope.workflow("wf-1"), "json", "wf-1.json")   # or a binary stream
    text = export(store, ExportScope(), "ttl")                          # no ``out``: the bytes
    import_document(store, "paper.provn")                         # format from the name

``import_document`` reads the whole document before writing anything, then writes it in ONE
transaction (Neo4j) or one atomic write (embedded): a document that fails halfway leaves
the store as it was; importing the same document twice changes nothing.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from exports.base import Format, format_for_path, get_format
from exports.config import ExportSettings
from exports.source import ExportDocument, ExportScope
from prov_model.delta import GraphDelta
from prov_model.imported import ImportBuilder
from prov_model.prov_records import ProvSyntaxError
from prov_model.recapture import recapture
from provgraph.core.errors import DocumentError, OutputError
from provgraph.core.files import atomic_open

if TYPE_CHECKING:
    from keeper.stores.base import Store

Target = str | os.PathLike[str] | IO[bytes] | None


def _settings() -> ExportSettings:
    from provgraph.core.config import get_settings

    try:
        return get_settings().section(ExportSettings)
    except Exception:  # settings without the section (an old installation): defaults
        return ExportSettings()


def export(store: Store, scope: ExportScope | None = None, format: str = "json",
           out: Target = None, *, settings: ExportSettings | None = None,
           progress: Callable[[int], None] | None = None) -> bytes | None:
    """Write ``scope`` of ``store`` as ``format`` to ``out`` (a path or a binary stream);
    with no ``out``, return the document's bytes."""
    with ExportDocument(store, scope or ExportScope(), settings or _settings(),
                        progress) as document:
        return write(document, format, out)


def write(document: ExportDocument, format: str, out: Target = None) -> bytes | None:
    """Write a prepared :class:`ExportDocument` (see :func:`export`)."""
    fmt = get_format(format)
    if not fmt.can_write:
        raise DocumentError(f"provgraph reads {fmt.name} but cannot write it")
    if out is None:
        buffer = io.BytesIO()
        fmt.write(document, buffer)
        return buffer.getvalue()
    if isinstance(out, (str, os.PathLike)):
        with atomic_open(out) as handle:  # a failed export leaves no half-written file
            fmt.write(document, handle)
        return None
    try:
        fmt.write(document, out)
        out.flush()  # a full disk shows here, not at exit
    except BrokenPipeError:
        raise  # the reader went away (``| head``): the command line's to handle
    except OSError as exc:
        name = getattr(out, "name", None)
        where = "<stdout>" if name in ("<stdout>", 1) else str(name or "the output stream")
        raise OutputError(f"cannot write {where}: {exc.strerror or exc}", stream=True) from None
    return None


@dataclass
class ImportResult:
    """What an import wrote: records read, nodes and edges in the delta."""

    source: str
    format: str
    records: int
    nodes: int
    edges: int
    namespaces: int


def read_document(source: str | os.PathLike[str] | IO[bytes], format: str | None = None,
                  name: str | None = None) -> tuple[ImportBuilder, Format, str]:
    """Parse a document into an :class:`ImportBuilder` (nothing written)."""
    label = name or (os.fspath(source) if isinstance(source, (str, os.PathLike))
                     else getattr(source, "name", "<stream>"))
    label = str(label)
    fmt = get_format(format) if format else format_for_path(label)
    if not fmt.can_read:
        raise DocumentError(f"provgraph writes {fmt.name} but cannot read it")
    builder = ImportBuilder()
    try:
        if isinstance(source, (str, os.PathLike)):
            try:
                handle: IO[bytes] = open(source, "rb")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise DocumentError(f"{label}: cannot open: {exc.strerror or exc}") from None
            with handle:
                _fill(builder, fmt, handle, label)
        else:
            _fill(builder, fmt, source, label)
    except ProvSyntaxError as exc:
        raise DocumentError(f"{label}: not valid {fmt.description or fmt.name}: "
                            f"{_bounded(exc)}") from None
    except RecursionError:  # a reader of another package walking a deep document
        raise DocumentError(f"{label}: not valid {fmt.description or fmt.name}: nested too "
                            "deep") from None
    return builder, fmt, label


def _bounded(exc: Exception, limit: int = 300) -> str:
    """An error's text as one line of at most ``limit`` characters: whatever a document
    holds, the line naming its first problem stays short."""
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _fill(builder: ImportBuilder, fmt: Format, stream: IO[bytes], label: str) -> None:
    parsed = fmt.read(stream, label)
    for prefix, uri in parsed.namespaces:
        if prefix:
            builder.namespace(prefix, uri)
    for record in parsed.records:
        builder.add(record)


def import_document(store: Store, source: str | os.PathLike[str] | IO[bytes],
                    format: str | None = None, *, name: str | None = None) -> ImportResult:
    """Import a PROV document into ``store`` (see the module docstring)."""
    builder, fmt, label = read_document(source, format, name)
    try:
        delta = builder.build()
    except ProvSyntaxError as exc:
        raise DocumentError(f"{label}: not valid {fmt.description or fmt.name}: "
                            f"{_bounded(exc)}") from None
    # Captured provenance that provgraph exported comes back as the same run (its
    # workflow, tasks, values and agents, by id); the rest is imported PROV.
    captured, delta = recapture(delta, _settings().instance_namespace)
    store.import_graph(delta)
    if captured.nodes:
        store.write(captured)
    delta = GraphDelta([*delta.nodes, *captured.nodes], [*delta.edges, *captured.edges])
    namespaces = sum(1 for node in delta.nodes if node.labels == ("Namespace",))
    return ImportResult(label, fmt.name, builder.records, len(delta.nodes) - namespaces,
                        len(delta.edges), namespaces)
