"""The format interface: one module per PROV serialization, registered by name.

A :class:`Format` writes a document (:meth:`Format.write`, from an
:class:`exports.source.ExportDocument`) and/or reads one (:meth:`Format.read`, into PROV
records). Formats register themselves by ``name`` when defined and are declared in the
``provgraph.exporters`` entry-point group (``pyproject.toml``), so another package adds a
format the same way; ``aliases`` and ``extensions`` are how users name them.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, ClassVar

from provgraph.core import registry
from provgraph.core.errors import DocumentError
from provgraph.core.registry import Registry

if TYPE_CHECKING:
    from exports.source import ExportDocument
    from prov_model.prov_records import Record


@dataclass
class ParsedDocument:
    """What a reader gives: the document's ``(prefix, namespace)`` bindings and its records
    (an iterator: readers of line-based formats stream)."""

    namespaces: list[tuple[str, str]] = field(default_factory=list)
    records: Iterator[Record] = field(default_factory=lambda: iter(()))


class Format(ABC):  # noqa: B024 - a format implements write, read or both
    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    extensions: ClassVar[tuple[str, ...]] = ()  # ".json"
    description: ClassVar[str] = ""
    media_type: ClassVar[str] = "application/octet-stream"
    binary: ClassVar[bool] = True  # writes bytes (else text)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        FORMATS.register(cls.name, cls)

    @property
    def can_write(self) -> bool:
        return type(self).write is not Format.write

    @property
    def can_read(self) -> bool:
        return type(self).read is not Format.read

    def write(self, document: ExportDocument, out: IO[bytes]) -> None:
        """Serialize ``document`` to ``out`` as it is produced (never all in memory)."""
        raise DocumentError(f"provgraph cannot write {self.name}")

    def read(self, stream: IO[bytes], source: str) -> ParsedDocument:
        """Parse ``stream`` (``source`` names it in errors); raise
        :class:`prov_model.prov_records.ProvSyntaxError` on invalid input."""
        raise DocumentError(f"provgraph cannot read {self.name}")


class Unwritable(DocumentError):
    """One record that a format cannot hold as it is (a name that is not an IRI where the
    format writes IRIs, a character XML cannot hold): the writer leaves that record out and
    says so (:meth:`exports.source.ExportDocument.leave_out`); the rest is written."""


FORMATS: Registry[type[Format]] = Registry("format", registry.EXPORTERS, DocumentError)


def get_format(name: str) -> Format:
    """The format called ``name`` (a name or an alias), or one line naming the known ones."""
    if not isinstance(name, str) or not name:
        raise DocumentError(f"a format must be a non-empty name, got {name!r}")
    wanted = name.lower().lstrip(".")
    for kind in FORMATS.kinds():
        cls = FORMATS.get(kind)
        if wanted == kind or wanted in cls.aliases:
            return cls()
    raise DocumentError(f"unknown format {name!r}; known: {', '.join(known_names())}")


def known_names() -> list[str]:
    return [f"{kind} ({'/'.join(FORMATS.get(kind).aliases)})" if FORMATS.get(kind).aliases
            else kind for kind in FORMATS.kinds()]


def format_for_path(path: str) -> Format:
    """The format a file name's extension names (``.json``, ``.ttl``, ``.provn``...)."""
    lower = path.lower()
    best: tuple[int, type[Format]] | None = None
    for kind in FORMATS.kinds():
        cls = FORMATS.get(kind)
        for ext in cls.extensions:
            if lower.endswith(ext) and (best is None or len(ext) > best[0]):
                best = (len(ext), cls)
    if best is None:
        raise DocumentError(f"{path}: cannot tell the format from the file name; give "
                            f"--format ({', '.join(FORMATS.kinds())})")
    return best[1]()
