"""The check ``provgraph query`` makes before anything runs: a query that writes is refused.

The server runs every user query in a READ transaction anyway (and the store refuses what
its allow-list does not name); this check answers first, with a message that says what in
the query writes, and without opening a connection. It reads the query as Cypher tokens:
string literals, comments and backticked names are skipped, and a keyword used as a
property, label, map key or parameter name (``n.set``, ``{create: 1}``, ``$merge``) is
not a clause.
"""

from __future__ import annotations

import re

WRITE_CLAUSES = frozenset({
    "CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "FOREACH", "LOAD",
    "GRANT", "DENY", "REVOKE", "ALTER", "RENAME", "TERMINATE", "FINISH",
})
# Words in a procedure's name (split at dots and camelCase) that mean it changes something.
WRITE_PROCEDURE_WORDS = frozenset({
    "create", "merge", "delete", "remove", "drop", "set", "add", "clear", "refactor",
    "periodic", "load", "import", "kill", "terminate", "checkpoint", "upgrade", "write",
    "rename", "reset", "stop", "start", "enable", "disable", "cancel", "install", "restore",
    "copy", "await", "trigger", "cypher", "do", "run", "execute",
})
_CAMEL = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def writes_by_name(procedure: str) -> bool:
    """Whether a procedure's name says it writes (or runs other statements)."""
    return any(word.lower() in WRITE_PROCEDURE_WORDS
               for part in procedure.split(".") for word in _CAMEL.findall(part))


_TOKENS = re.compile(
    r"""(?P<skip>//[^\n]*|/\*.*?\*/|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`]|``)*`)"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"""
    r"""|(?P<other>\S)""",
    re.DOTALL,
)


def _words(query: str) -> list[tuple[str, str, str, int]]:
    """(word, previous non-space char, next non-space char, line) of each bare word."""
    found: list[tuple[str, str, str, int]] = []
    for match in _TOKENS.finditer(query):
        word = match.group("word")
        if word is None:
            continue
        before = query[: match.start()].rstrip()[-1:]
        after = query[match.end():].lstrip()[:1]
        found.append((word, before, after, query.count("\n", 0, match.start()) + 1))
    return found


def write_reason(query: str) -> str | None:
    """Why ``query`` would write (``"CREATE at line 1"``), or ``None`` when it only reads."""
    words = _words(query)
    for index, (word, before, after, line) in enumerate(words):
        if before in (".", ":", "$") or after == ":":
            continue
        upper = word.upper()
        if upper in WRITE_CLAUSES and "." not in word:
            if upper == "LOAD" and index + 1 < len(words) and words[index + 1][0].upper() != "CSV":
                continue
            return f"{upper}{' CSV' if upper == 'LOAD' else ''} at line {line}"
        if upper == "IN" and index + 1 < len(words) and words[index + 1][0].upper() in (
                "TRANSACTIONS", "CONCURRENT"):
            return f"CALL {{ ... }} IN TRANSACTIONS at line {line}"
        if upper == "CALL" and index + 1 < len(words):
            name = words[index + 1][0]
            if "." in name and writes_by_name(name):
                return f"a procedure that writes ({name}) at line {line}"
    return None


__all__ = ["write_reason", "writes_by_name"]
