"""What an IRI and a language tag may hold: the checks an import applies to every name a
document gives, and the writers apply again before writing (pure, no I/O).

An IRI (RFC 3987) never holds a space, a control character or one of ``<>"{}|^`\\``: those
are the characters that end an IRI in Turtle, N-Triples, TriG, PROV-N and the XML
attributes PROV-XML writes, so an IRI holding one could close its brackets and add
statements of its own. A language tag is BCP 47 in the shape Turtle's ``LANGTAG`` and
``xml:lang`` accept: letters, then ``-`` and letters or digits (1 to 8 each).

On output, a name that is not an IRI (from a store written before these checks, or a
captured attribute name) is percent-encoded (:func:`percent_encoded`), as RFC 3987 maps an
IRI to a URI.

Values reported in errors are shortened (:func:`shown`): an error line stays one bounded
line whatever the document holds.
"""

from __future__ import annotations

import re
from typing import Final

# Not in an IRI: C0 controls, space, DEL, C1 controls, the delimiters RFC 3987 leaves out,
# and the non-characters (U+FFFE, U+FFFF) XML cannot hold.
_NOT_IRI: Final = re.compile('[\x00-\x20\x7f-\x9f<>"{}|^`\\\\\ufffe\uffff]')
_LANG: Final = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*\Z")
SHOWN_MAX: Final = 60


def shown(value: object, limit: int = SHOWN_MAX) -> str:
    """``repr(value)``, cut to about ``limit`` characters (an error names, never dumps)."""
    if isinstance(value, (list, dict)):  # never the repr of a large or deep value
        return f"{type(value).__name__} of {len(value)} items"
    text = repr(value) if not isinstance(value, str) else repr(value[: limit + 1])
    return text if len(text) <= limit else text[: limit - 3] + "..."


def iri_problem(iri: str) -> str | None:
    """Why ``iri`` is not an IRI provgraph keeps, or ``None`` when it is one."""
    if not iri:
        return "an empty IRI"
    bad = _NOT_IRI.search(iri)
    if bad is None:
        return None
    return f"IRI {shown(iri)} holds {bad.group()!r}, which an IRI cannot hold"


def lang_problem(tag: str) -> str | None:
    """Why ``tag`` is not a well-formed BCP 47 language tag, or ``None``."""
    if _LANG.match(tag):
        return None
    return f"language tag {shown(tag)} is not a BCP 47 tag"


def percent_encoded(iri: str) -> str:
    """``iri`` with each character an IRI cannot hold percent-encoded (its UTF-8 bytes), as
    RFC 3987 maps an IRI to a URI: the text can no longer end the IRI early."""
    return _NOT_IRI.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), iri)


def is_iri(iri: str) -> bool:
    return bool(iri) and _NOT_IRI.search(iri) is None


def is_lang(tag: str) -> bool:
    return _LANG.match(tag) is not None
