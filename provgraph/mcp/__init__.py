"""``provgraph mcp``: the store's provenance questions as Model Context Protocol tools.

:mod:`.tools` holds the tools (names, input schemas, checked arguments, bounded answers over
one store; no MCP code); :mod:`.server` carries them over stdio with the ``mcp`` package
(the ``provgraph[mcp]`` extra). Read-only: no tool writes.
"""

from __future__ import annotations

from provgraph.mcp.tools import TOOLS, ProvenanceTools, Tool, check_arguments

__all__ = ["TOOLS", "ProvenanceTools", "Tool", "check_arguments"]
