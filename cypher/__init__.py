"""Every Cypher statement of provgraph, one named ``.cypher`` file each, and a tiny loader.

    >>> import cypher
    >>> "UNWIND $rows" in cypher.load("ingest/merge_tasks")
    True

A name is the file's path below this package without the suffix: ``schema/...`` (run once,
in any order, idempotent), ``ingest/...`` (``UNWIND $rows`` statements, see README.md for
the row shapes and order) and ``lineage/...`` (read queries). ``prov/import_edges`` is the one
template (:func:`fill`). This package holds text, not logic, and imports nothing from the
project.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SUFFIX = ".cypher"


@functools.cache
def load(name: str) -> str:
    """The text of ``cypher/<name>.cypher`` (cached); ``FileNotFoundError`` if there is none."""
    if not isinstance(name, str) or not name or name.startswith("/") or "\\" in name:
        raise FileNotFoundError(f"no Cypher statement named {name!r}")
    path = (ROOT / f"{name}{SUFFIX}").resolve()
    if ROOT not in path.parents or any(part.startswith(".") for part in Path(name).parts):
        raise FileNotFoundError(f"no Cypher statement named {name!r}")
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        known = ", ".join(names(name.split("/", 1)[0] + "/")) or ", ".join(names())
        raise FileNotFoundError(
            f"no Cypher statement named {name!r} (no file {path}); known: {known}"
        ) from None
    return text.strip() + "\n"


# The one kind of text a template may be filled with: a relationship type, which Cypher
# cannot take as a parameter where the planner needs it static (a MERGE).
_IDENTIFIER = re.compile(r"[A-Z][A-Z0-9_]*")
RELATIONSHIP_TYPE = "__RELATIONSHIP_TYPE__"


def fill(name: str, relationship_type: str) -> str:
    """The template ``name`` with its relationship type filled in. The caller passes a
    member of its whitelist of types; this checks it is a bare upper-case identifier, so
    no other text can ever reach a statement."""
    if not isinstance(relationship_type, str) or not _IDENTIFIER.fullmatch(relationship_type):
        raise ValueError(f"{relationship_type!r} is not a relationship type")
    text = load(name)
    if RELATIONSHIP_TYPE not in text:
        raise ValueError(f"{name!r} is not a template (no {RELATIONSHIP_TYPE})")
    return text.replace(RELATIONSHIP_TYPE, relationship_type)


def names(prefix: str = "") -> list[str]:
    """Names of every statement (sorted), or of those starting with ``prefix`` (``"schema/"``)."""
    return [name for name in _all_names() if name.startswith(prefix)]


@functools.cache
def _all_names() -> tuple[str, ...]:
    found = (
        path.relative_to(ROOT).with_suffix("").as_posix() for path in ROOT.rglob(f"*{SUFFIX}")
    )
    return tuple(sorted(found))


__all__ = ["fill", "load", "names"]
