"""The HTTP side of provgraph's errors: which status each :class:`ProvgraphError` answers
with, and the one-line JSON body every error has (never a traceback)."""

from __future__ import annotations

from provgraph.core.errors import (
    ArgumentError,
    CapExceededError,
    DocumentError,
    NotFoundError,
    ProvgraphError,
    StoreUnavailableError,
)


class RequestError(ProvgraphError):
    """A request the server refuses before it reads the store (status given)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def status_of(exc: ProvgraphError) -> int:
    """The HTTP status a provgraph error answers with."""
    if isinstance(exc, RequestError):
        return exc.status
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, (ArgumentError, DocumentError)):
        return 400
    if isinstance(exc, CapExceededError):
        return 422
    if isinstance(exc, StoreUnavailableError):
        return 503
    return 500


def one_line(exc: BaseException | str, limit: int = 500) -> str:
    """The error's message on one line, at most ``limit`` characters (a message quotes
    user input: a huge or multi-line id must not come back whole)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["RequestError", "one_line", "status_of"]
