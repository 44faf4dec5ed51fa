"""PROV documents in: read a document whole, then write it in ONE transaction.

    import_document(store, "paper.json")                      # format from the name
    import_document(store, sys.stdin.buffer, "provn", name="<stdin>")

How memory stays bounded (docs/prov.md, "Importing large documents"): a format that
streams (PROV-JSON from a file) hands on one record at a time; every format's records go
into an :class:`exports.import_spool.ImportSpool`, which holds one chunk of records in
memory and spills the rest to a temporary file. Only once the whole document has been read
and checked is the store touched: the spool gives the graph in pieces, and the store writes
them all in one transaction (``Store.import_chunks``). A document with an error, wherever
it is, leaves the store as it was; importing the same document twice changes nothing; the
graph is the one :meth:`prov_model.imported.ImportBuilder.build` gives for the whole
document.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Protocol, cast

from exports.base import Format, format_for_path, get_format
from exports.import_spool import ITEMS_PER_DELTA, RECORDS_PER_CHUNK, ImportSpool
from prov_model.delta import GraphDelta
from prov_model.imported import ImportBuilder
from prov_model.prov_records import ProvSyntaxError, Record
from prov_model.recapture import Recapture
from provgraph.core.errors import DocumentError

if TYPE_CHECKING:
    from keeper.stores.base import Store

log = logging.getLogger(__name__)

Source = str | os.PathLike[str] | IO[bytes]
_EVERY: int = 4096  # records between two progress reports while reading


@dataclass
class ImportResult:
    """What an import wrote: records read, nodes and edges in the delta."""

    source: str
    format: str
    records: int
    nodes: int
    edges: int
    namespaces: int


@dataclass
class ImportProgress:
    """Where an import is. ``stage`` ``"reading"``: ``done`` bytes of ``total`` (``None``
    when the size is unknown) in read ``passes`` so far (a streaming PROV-JSON read makes
    two); ``"writing"``: ``done`` nodes and relations of ``total``. ``records``: read so
    far."""

    source: str
    stage: str = "reading"
    done: int = 0
    total: int | None = None
    records: int = 0
    passes: int = 1


Progress = Callable[[ImportProgress], None]


class _Collector(Protocol):
    records: int

    def namespace(self, prefix: str, uri: str) -> None: ...

    def add(self, record: Record) -> None: ...


class _Watched:
    """A seekable binary stream that reports the bytes read (the reading bar of a
    streaming format); a seek back to the start is a new pass."""

    def __init__(self, stream: IO[bytes], state: ImportProgress, report: Progress) -> None:
        self._stream = stream
        self._state = state
        self._report = report
        self.name = getattr(stream, "name", None)

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._state.done = self._stream.tell()
        self._report(self._state)
        return data

    def seekable(self) -> bool:
        return self._stream.seekable()

    def tell(self) -> int:
        return self._stream.tell()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self._stream.seek(offset, whence)
        if self._state.done > position:
            self._state.passes += 1
        self._state.done = position
        return position


def _size(stream: IO[bytes]) -> int | None:
    try:
        if not stream.seekable():
            return None
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(here)
        return end - here
    except (OSError, ValueError, AttributeError):
        return None


def _label(source: Source, name: str | None) -> str:
    label = name or (os.fspath(source) if isinstance(source, (str, os.PathLike))
                     else getattr(source, "name", "<stream>"))
    return str(label)


def _format(label: str, format: str | None) -> Format:
    fmt = get_format(format) if format else format_for_path(label)
    if not fmt.can_read:
        raise DocumentError(f"provgraph writes {fmt.name} but cannot read it")
    return fmt


def _read_into(target: _Collector, fmt: Format, source: Source, label: str,
               progress: Progress | None) -> None:
    """Parse ``source`` into ``target``; one line naming the file, the format and the
    first problem when it is not valid."""
    try:
        if isinstance(source, (str, os.PathLike)):
            try:
                handle: IO[bytes] = open(source, "rb")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise DocumentError(f"{label}: cannot open: {exc.strerror or exc}") from None
            with handle:
                _fill(target, fmt, handle, label, progress)
        else:
            _fill(target, fmt, source, label, progress)
    except ProvSyntaxError as exc:
        raise DocumentError(f"{label}: not valid {fmt.description or fmt.name}: "
                            f"{_bounded(exc)}") from None
    except RecursionError:  # a reader of another package walking a deep document
        raise DocumentError(f"{label}: not valid {fmt.description or fmt.name}: nested too "
                            "deep") from None


def _bounded(exc: Exception, limit: int = 300) -> str:
    """An error's text as one line of at most ``limit`` characters: whatever a document
    holds, the line naming its first problem stays short."""
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _fill(target: _Collector, fmt: Format, stream: IO[bytes], label: str,
          progress: Progress | None) -> None:
    state = ImportProgress(label, total=_size(stream))
    if progress is not None and fmt.streams and stream.seekable():
        stream = cast("IO[bytes]", _Watched(stream, state, progress))
    parsed = fmt.read(stream, label)
    for prefix, uri in parsed.namespaces:
        if prefix:
            target.namespace(prefix, uri)
    for record in parsed.records:
        target.add(record)
        if progress is not None and target.records % _EVERY == 0:
            state.records = target.records
            progress(state)
    if progress is not None:
        state.records = target.records
        state.done = state.total or state.done
        progress(state)


def read_document(source: Source, format: str | None = None, name: str | None = None
                  ) -> tuple[ImportBuilder, Format, str]:
    """Parse a document into an :class:`ImportBuilder` (nothing written; the whole
    document in memory: for tests and small documents)."""
    label = _label(source, name)
    fmt = _format(label, format)
    builder = ImportBuilder()
    _read_into(builder, fmt, source, label, None)
    return builder, fmt, label


def import_document(store: Store, source: Source, format: str | None = None, *,
                    name: str | None = None, progress: Progress | None = None,
                    chunk: int = RECORDS_PER_CHUNK) -> ImportResult:
    """Import a PROV document into ``store`` (see the module docstring); ``progress`` is
    called as it is read and written; ``chunk``: records held in memory at a time."""
    label = _label(source, name)
    fmt = _format(label, format)
    with ImportSpool(chunk, min(chunk, ITEMS_PER_DELTA)) as spool:
        _read_into(spool, fmt, source, label, progress)
        counts = spool.finish()
        log.info("import %s (%s): %d records -> %d nodes, %d edges, %d namespaces", label,
                 fmt.name, counts.records, counts.nodes, counts.edges, counts.namespaces)
        deltas = spool.deltas()
        if progress is not None:
            state = ImportProgress(label, "writing", 0, counts.items, counts.records)
            deltas = _reporting(deltas, state, progress)
        # Captured provenance that provgraph exported comes back as the same run (its
        # workflow, tasks, values and agents, by id); the rest is imported PROV. The
        # captured part is written after the import, as the keeper writes a run.
        split = Recapture(_instance_namespace())
        captured: list[GraphDelta] = []
        store.import_chunks(_imported(deltas, split, captured))
        run = GraphDelta([n for part in captured for n in part.nodes] + split.stubs().nodes,
                         [e for part in captured for e in part.edges])
        if run:
            store.write(run)
    return ImportResult(label, fmt.name, counts.records, counts.nodes, counts.edges,
                        counts.namespaces)


def _imported(deltas: Iterator[GraphDelta], split: Recapture, captured: list[GraphDelta]
              ) -> Iterator[GraphDelta]:
    for delta in deltas:
        run, rest = split.nodes_and_edges(delta)
        if run:
            captured.append(run)
        if rest:
            yield rest


def _instance_namespace() -> str:
    from exports.config import ExportSettings
    from provgraph.core.config import get_settings

    try:
        return get_settings().section(ExportSettings).instance_namespace
    except Exception:  # settings without the section (an old installation): the default
        return ExportSettings().instance_namespace


def _reporting(deltas: Iterator[GraphDelta], state: ImportProgress, progress: Progress
               ) -> Iterator[GraphDelta]:
    for delta in deltas:
        yield delta
        state.done += len(delta.nodes) + len(delta.edges)
        progress(state)

