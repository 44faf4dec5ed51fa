"""The Python API of PROV documents out and in.

    from exports import export, import_document, ExportScope
    export(store, ExportScope.workflow("wf-1"), "json", "wf-1.json")   # or a binary stream
    text = export(store, ExportScope(), "ttl")                          # no ``out``: the bytes
    import_document(store, "paper.provn")                         # format from the name

``import_document`` (:mod:`exports.importer`) reads the whole document before writing
anything, with memory bounded whatever its size, then writes it in ONE transaction: a
document that fails halfway leaves the store as it was; importing the same document twice
changes nothing.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

from exports.base import get_format
from exports.config import ExportSettings
from exports.importer import ImportProgress, ImportResult, import_document, read_document
from exports.source import ExportDocument, ExportScope
from provgraph.core.errors import DocumentError, OutputError
from provgraph.core.files import atomic_open

if TYPE_CHECKING:
    from keeper.stores.base import Store

__all__ = ["ExportScope", "ImportProgress", "ImportResult", "export", "import_document",
           "read_document", "write"]

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
