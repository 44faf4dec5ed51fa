"""The records that cross the store boundary, typed.

They stay plain dicts at run time (``Flowcept.db``, the CLI's JSON and the exports hand
them on as they are, and tests outside the repository index them), typed as ``TypedDict``
so a checker sees their fields wherever they travel.
"""

from __future__ import annotations

from typing import Any, TypedDict


class NodeRecord(TypedDict):
    """A node: labels general-first, as in ``prov_model`` (``["Activity", "Task"]``);
    ``props`` without ``id``."""

    id: str
    labels: list[str]
    props: dict[str, Any]


class EdgeRecord(TypedDict):
    """An edge (PROV direction) with its props (``role``, ``time``, ``rid`` ...)."""

    type: str
    src: str
    dst: str
    props: dict[str, Any]


class LineageHit(TypedDict):
    """One node of ``Store.upstream`` / ``downstream``: at its shortest distance."""

    id: str
    labels: list[str]
    distance: int


__all__ = ["EdgeRecord", "LineageHit", "NodeRecord"]
