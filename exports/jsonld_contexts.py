"""An import reads only the file it was given: JSON-LD contexts must be inline.

A JSON-LD processor dereferences a context given by reference (``"@context": "<IRI>"``, an
IRI in a context array, ``"@import"`` in a context object, at any depth: a term's scoped
context too): a ``file:`` IRI reads a local file, an ``http:`` one sends a request from the
importing machine. :func:`check_inline` refuses such a document before any JSON-LD processor
sees it, naming the first context by reference. The walk is iterative: a deep document
cannot exhaust the stack here.
"""

from __future__ import annotations

from typing import Any

from prov_model.iri import shown
from prov_model.prov_records import ProvSyntaxError


def check_inline(data: Any) -> None:
    """Raise :class:`ProvSyntaxError` when ``data`` (parsed JSON) names a context by
    reference."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key == "@context":
                    _check_context(item)
                elif key == "@import":
                    _refuse(item)
                stack.append(item)


def _check_context(context: Any) -> None:
    for item in context if isinstance(context, list) else (context,):
        if isinstance(item, str):
            _refuse(item)
        # a context object is walked by check_inline (its @import, its scoped contexts)


def _refuse(reference: Any) -> None:
    raise ProvSyntaxError(f"the context {shown(reference, 200)} is not inline: an import reads "
                          "only the file it was given (put the context in the document)")
