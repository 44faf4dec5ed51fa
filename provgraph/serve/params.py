"""Query parameters read and bounded before anything reaches the store: a missing,
malformed or out-of-range value is a 400 with one line naming the parameter."""

from __future__ import annotations

from collections.abc import Mapping

from provgraph.serve.errors import RequestError

MAX_ID_BYTES = 4096  # the longest id the mapping stores (prov_model/keys.py)
MAX_QUERY_CHARS = 512
MAX_DEPTH = 20
MAX_LIMIT = 10_000
MAX_PAGE = 500


def text(params: Mapping[str, str], name: str, default: str | None = None,
         max_bytes: int = MAX_ID_BYTES) -> str:
    """A non-empty text parameter (``default`` when absent; required when it is None)."""
    value = params.get(name)
    if value is None or value == "":
        if default is not None:
            return default
        raise RequestError(f"the parameter {name!r} is required")
    if len(value.encode("utf-8", "surrogatepass")) > max_bytes:
        raise RequestError(f"the parameter {name!r} is over {max_bytes} bytes")
    if "\x00" in value:
        raise RequestError(f"the parameter {name!r} holds a NUL character")
    return value


def integer(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """An integer parameter from ``low`` to ``high``."""
    value = params.get(name)
    if value is None or value == "":
        return default
    if not (value.isascii() and value.lstrip("-").isdigit() and len(value) <= 12):
        raise RequestError(f"the parameter {name!r} must be an integer from {low} to {high}")
    number = int(value)
    if not low <= number <= high:
        raise RequestError(f"the parameter {name!r} must be from {low} to {high}, got {number}")
    return number


def choice(params: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]
           ) -> str:
    value = params.get(name) or default
    if value not in allowed:
        raise RequestError(f"the parameter {name!r} must be one of {', '.join(allowed)}")
    return value


__all__ = ["MAX_DEPTH", "MAX_LIMIT", "MAX_PAGE", "choice", "integer", "text"]
