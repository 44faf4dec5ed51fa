"""The ``serve`` settings section: where ``provgraph serve`` listens and the token it asks
for (``PROVGRAPH_SERVE_TOKEN``); ``--host``, ``--port`` and ``--token`` override them."""

from __future__ import annotations

from dataclasses import dataclass

from provgraph.core.config import section


@section("serve", env={"PROVGRAPH_SERVE_TOKEN": "token"})
@dataclass
class ServeSettings:
    host: str = "127.0.0.1"
    port: int = 8765
    token: str = ""
