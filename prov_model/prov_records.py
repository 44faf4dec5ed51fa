"""PROV records as plain data: what every reader produces and every writer consumes.

A :class:`Record` is one PROV statement (an element or a relation, or a bundle), with full
IRIs everywhere: ``id``, the formal arguments, attribute keys and qualified-name values.
Prefixes are a matter of each serialization (:mod:`prov_model.namespaces`).

An attribute is ``(key, value, datatype, lang)``:

* ``datatype is None``: a value as PROV-JSON writes it bare, a Python ``str``, ``int``,
  ``float`` or ``bool``;
* otherwise ``value`` is the lexical form (a ``str``) of a literal of ``datatype``, given
  compact when it is in a built-in namespace (``xsd:int``, ``prov:QUALIFIED_NAME``) and as
  a full IRI otherwise; for qualified names (:data:`prov_terms.QUALIFIED_NAME_TYPES`) the
  lexical form is the full IRI; ``lang`` is the language tag of a language-tagged string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

AttrValue: TypeAlias = str | int | float | bool
# (key IRI, value, datatype or None, language tag or None)
Attr: TypeAlias = tuple[str, AttrValue, str | None, str | None]


@dataclass(slots=True)
class Record:
    """One PROV statement. ``kind`` is a :data:`prov_terms.RECORD_KINDS` name or
    ``"bundle"``; ``args`` maps formal argument names (``prov:activity``) to IRIs, or to the
    lexical ``xsd:dateTime`` of a time argument; ``bundle`` is the IRI of the bundle the
    statement belongs to (``None``: the document itself)."""

    kind: str
    id: str | None
    args: dict[str, str] = field(default_factory=dict)
    attrs: list[Attr] = field(default_factory=list)
    bundle: str | None = None


class ProvSyntaxError(ValueError):
    """A document that is not valid PROV in its format; ``where`` says where (a line, a
    record) when the reader knows."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.detail = message
