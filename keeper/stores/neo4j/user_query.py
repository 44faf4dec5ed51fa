"""What a user's Cypher query may do, checked before it reaches the server.

A READ transaction already refuses writes, but not everything that reads is harmless:
``LOAD CSV FROM 'file:///etc/passwd'`` reads the server's files (and ``http://`` URLs
make the server fetch for the user), procedures such as ``dbms.listConfig`` and commands
such as ``SHOW SETTINGS`` / ``SHOW TRANSACTIONS`` show the server's configuration and
other clients' queries, and ``TERMINATE TRANSACTIONS`` runs even in a READ transaction.
:func:`check_user_query` refuses, with a :class:`QueryError` naming what:

* ``LOAD CSV`` (anywhere, subqueries included);
* ``CALL <procedure>`` unless the procedure is in :data:`ALLOWED_PROCEDURES` (schema
  introspection); ``CALL { ... }`` and ``CALL (x) { ... }`` subqueries are fine;
* the administration commands ``SHOW ...`` (except indexes, constraints, functions and
  procedures), ``TERMINATE``, ``USE``, ``GRANT``, ``DENY``, ``REVOKE``, ``ALTER``.

The check reads tokens outside string literals and comments (a backtick-quoted name is a
name, never a keyword), so ``WHERE n.note = 'LOAD CSV'`` is a plain read. The server is
configured to refuse file URLs too (``provgraph services``): this is the second lock.
"""

from __future__ import annotations

import re

from provgraph.core.errors import QueryError

ALLOWED_PROCEDURES = frozenset({
    "db.labels",
    "db.relationshipTypes",
    "db.propertyKeys",
    "db.schema.visualization",
    "db.schema.nodeTypeProperties",
    "db.schema.relTypeProperties",
    "dbms.components",
})
_SHOWABLE = frozenset({"INDEX", "INDEXES", "CONSTRAINT", "CONSTRAINTS", "FUNCTION",
                       "FUNCTIONS", "PROCEDURE", "PROCEDURES"})
# Words between SHOW and what it shows: SHOW ALL RANGE INDEXES, SHOW NODE KEY CONSTRAINTS...
_SHOW_MODIFIERS = frozenset({"ALL", "RANGE", "TEXT", "POINT", "LOOKUP", "FULLTEXT", "VECTOR",
                             "UNIQUE", "UNIQUENESS", "EXIST", "EXISTENCE", "EXISTS", "KEY",
                             "NODE", "RELATIONSHIP", "REL", "PROPERTY", "TYPE", "BUILT",
                             "IN", "USER", "DEFINED", "BTREE"})
_REFUSED_COMMANDS = frozenset({"TERMINATE", "USE", "GRANT", "DENY", "REVOKE", "ALTER"})

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<line_comment>//[^\n]*)
  | (?P<block_comment>/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^'\\]|\\.)*(?:'|\Z)|"(?:[^"\\]|\\.)*(?:"|\Z))
  | (?P<quoted>`(?:[^`]|``)*(?:`|\Z))
  | (?P<word>[^\W\d]\w*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

Token = tuple[str, str]  # (kind: word | name | string | other, text)


def tokens(query: str) -> list[Token]:
    """The query's tokens outside comments; a backtick-quoted name becomes a ``name``."""
    out: list[Token] = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        text = match.group()
        if kind in ("space", "line_comment", "block_comment"):
            continue
        if kind == "quoted":
            out.append(("name", text[1:-1].replace("``", "`")))
        else:
            out.append((kind, text))
    return out


def _keyword(items: list[Token], index: int) -> str | None:
    """The upper-cased word at ``index`` when it stands where a keyword can (not a
    property, label, parameter or map key)."""
    kind, text = items[index]
    if kind != "word":
        return None
    if index and items[index - 1] in (("other", "."), ("other", ":"), ("other", "$")):
        return None
    if index + 1 < len(items) and items[index + 1] == ("other", ":"):
        return None
    return text.upper()


def _followed_by_word(items: list[Token], index: int) -> bool:
    return index + 1 < len(items) and items[index + 1][0] in ("word", "name", "string")


def _procedure(items: list[Token], index: int) -> str | None:
    """The dotted procedure name after the CALL at ``index`` (``None``: a subquery)."""
    parts: list[str] = []
    position = index + 1
    while position < len(items) and items[position][0] in ("word", "name"):
        parts.append(items[position][1])
        if position + 1 < len(items) and items[position + 1] == ("other", "."):
            position += 2
        else:
            break
    return ".".join(parts) if parts else None


def check_user_query(query: str) -> None:
    """Raise :class:`QueryError` when ``query`` does what user queries may not."""
    items = tokens(query)
    for index in range(len(items)):
        word = _keyword(items, index)
        if word is None:
            continue
        if word == "LOAD" and index + 1 < len(items) and items[index + 1][1].upper() == "CSV":
            raise QueryError("LOAD CSV is not allowed in user queries: it reads files and "
                             "URLs on the server")
        if word == "CALL":
            name = _procedure(items, index)
            if name is not None and name not in ALLOWED_PROCEDURES:
                raise QueryError(
                    f"procedure {name} is not allowed in user queries (allowed: "
                    f"{', '.join(sorted(ALLOWED_PROCEDURES))})")
        elif word == "SHOW" and _followed_by_word(items, index):
            shown = index + 1
            while shown < len(items) and items[shown][1].upper() in _SHOW_MODIFIERS:
                shown += 1
            what = items[shown][1].upper() if shown < len(items) else ""
            if what not in _SHOWABLE:
                raise QueryError(
                    f"SHOW {what or '...'} is not allowed in user queries (SHOW INDEXES, "
                    "CONSTRAINTS, FUNCTIONS and PROCEDURES are)")
        elif word in _REFUSED_COMMANDS and _followed_by_word(items, index):
            raise QueryError(f"{word} is not allowed in user queries: queries read the "
                             "configured database and change nothing")
