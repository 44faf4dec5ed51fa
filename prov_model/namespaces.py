"""Prefixes for full IRIs: the namespace table a serialization writes, and the splitting of an
IRI into ``prefix:local`` (pure, no I/O).

:class:`PrefixMap` starts from the namespaces a writer knows before it writes anything
(the built-in ones, provgraph's two, those the store recorded on import) and invents a
prefix (``ns1``, ``ns2``...) for any other namespace it meets, splitting the IRI after its
last ``#``, ``/`` or ``:``. Results are cached: a writer asks for the same IRIs many
times. A name that is not an IRI (:mod:`prov_model.iri`) is percent-encoded first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from prov_model.iri import is_iri, percent_encoded

CACHE_MAX = 50_000
_NCNAME = re.compile(r"[A-Za-z_][\w.\-]*\Z")


def split_iri(iri: str) -> tuple[str, str]:
    """``(namespace, local)`` at the last ``#``, ``/`` or ``:`` of ``iri``."""
    cut = max(iri.rfind("#"), iri.rfind("/"), iri.rfind(":"))
    return iri[: cut + 1], iri[cut + 1 :]


class PrefixMap:
    """Prefix -> namespace IRI, with lookups from IRI to ``prefix:local``."""

    def __init__(self, namespaces: Mapping[str, str] | None = None) -> None:
        self.by_prefix: dict[str, str] = {}
        self._by_uri: dict[str, str] = {}
        self._cache: dict[str, str] = {}
        self._counter = 0
        self.used: set[str] = set()  # prefixes that qname() has given out
        # Longest namespaces first, so the most specific one wins.
        self._ordered: list[tuple[str, str]] = []
        for prefix, uri in (namespaces or {}).items():
            self.add(prefix, uri)

    def add(self, prefix: str, uri: str) -> str:
        """Bind ``prefix`` to ``uri`` unless the uri has one already; the prefix used."""
        if uri in self._by_uri:
            return self._by_uri[uri]
        if not prefix or not _NCNAME.match(prefix) or prefix in self.by_prefix:
            prefix = self._fresh()
        self.by_prefix[prefix] = uri
        self._by_uri[uri] = prefix
        self._ordered.append((uri, prefix))
        self._ordered.sort(key=lambda item: -len(item[0]))
        self._cache.clear()
        return prefix

    def _fresh(self) -> str:
        while True:
            self._counter += 1
            candidate = f"ns{self._counter}"
            if candidate not in self.by_prefix:
                return candidate

    def update(self, items: Iterable[tuple[str, str]]) -> None:
        for prefix, uri in items:
            self.add(prefix, uri)

    def prefix_of(self, uri: str) -> str | None:
        return self._by_uri.get(uri)

    def qname(self, iri: str) -> str:
        """``prefix:local`` for ``iri`` (binding a new prefix when no namespace fits)."""
        found = self._cache.get(iri)
        if found is not None:
            return found
        if not is_iri(iri):  # a stored name from before the import checks: no text of a
            iri = percent_encoded(iri)  # name may end its brackets in any format
        for uri, prefix in self._ordered:
            if iri.startswith(uri):
                local = iri[len(uri):]
                if _valid_local(local):
                    found = f"{prefix}:{local}"
                    break
        else:
            namespace, local = split_iri(iri)
            if not namespace or not _valid_local(local):
                namespace, local = iri, ""
            found = f"{self.add('', namespace)}:{local}"
        if len(self._cache) >= CACHE_MAX:  # bounded: a writer's memory must not grow with
            self._cache.clear()            # the document (every IRI passes through here)
        self._cache[iri] = found
        self.used.add(found.partition(":")[0])
        return found

    def expand(self, qname: str, default: str | None = None) -> str | None:
        """The IRI of ``prefix:local`` (or of ``local`` in the default namespace)."""
        prefix, sep, local = qname.partition(":")
        if not sep:
            return None if default is None else default + qname
        uri = self.by_prefix.get(prefix)
        return None if uri is None else uri + local


def _valid_local(local: str) -> bool:
    # PROV-N / PROV-JSON local names: no spaces or brackets; anything else is kept as is.
    return not any(c in local for c in ' <>"{}|^`\\\t\n\r')
