"""``provgraph serve``: a live lineage explorer and the JSON API it uses, over the
configured store (embedded or Neo4j), read-only.

    provgraph serve                                  # http://127.0.0.1:8765/
    provgraph serve --host 0.0.0.0 --token "$(openssl rand -hex 24)"

Modules: :mod:`~provgraph.serve.app` (routes), :mod:`~provgraph.serve.answers` and
:mod:`~provgraph.serve.overview` (the answers, over :mod:`keeper.lineage`),
:mod:`~provgraph.serve.security` (token, request bounds, headers),
:mod:`~provgraph.serve.server` (bind checks, uvicorn), ``assets/`` (the page). Starlette and
uvicorn come with the ``serve`` extra; importing this package needs neither.
"""

from __future__ import annotations

from provgraph.serve.server import ServeOptions, guard_for, serve

__all__ = ["ServeOptions", "guard_for", "serve"]
