"""The MCP server: the provenance tools of :mod:`.tools` over stdio (the ``mcp`` package's
low-level server, 2.x; the ``[mcp]`` extra).

Each call is checked, answered in a worker thread (a store read may take a moment; the
server keeps answering pings meanwhile) and returned as text (JSON, or the document of an
export) with the JSON also as structured content. A bad argument or a question the store
cannot answer comes back as a tool error with one line; anything unexpected is logged on
stderr (the client's log) and reported as one line too, never as a traceback.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import anyio
import mcp_types as types
import orjson
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

from provgraph.core.errors import ProvgraphError
from provgraph.core.version import __version__
from provgraph.mcp.tools import TOOLS, ProvenanceTools

log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Read-only questions to a W3C PROV provenance store of workflow runs: start with "
    "list_workflows, then workflow_summary, failures, query_tasks; follow lineage with "
    "upstream, downstream and lineage_path (an id may be a task id, a workflow id or a "
    "value such as a file path); export_workflow gives a PROV document.")


def _tool_list() -> list[types.Tool]:
    return [types.Tool(name=t.name, title=t.title, description=t.description,
                       input_schema=t.input_schema,
                       annotations=types.ToolAnnotations(title=t.title, read_only_hint=True,
                                                         destructive_hint=False,
                                                         idempotent_hint=True,
                                                         open_world_hint=False))
            for t in TOOLS.values()]


def one_line(error: BaseException) -> str:
    """An error as one line (its first line; its type when it has no text)."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _error(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)],
                                is_error=True)


def build_server(tools: ProvenanceTools) -> Server[Any]:
    """The MCP server over ``tools`` (not yet running)."""
    listed = _tool_list()

    async def list_tools(ctx: ServerRequestContext[Any],
                         params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listed)

    async def call_tool(ctx: ServerRequestContext[Any],
                        params: types.CallToolRequestParams) -> types.CallToolResult:
        name, arguments = params.name, params.arguments
        try:
            text = await anyio.to_thread.run_sync(tools.rendered, name, arguments)
        except ProvgraphError as exc:
            return _error(one_line(exc))
        except Exception as exc:  # a bug or a store gone away: logged here, one line there
            log.exception("tool %s failed", name)
            return _error(f"internal error in {name}: {type(exc).__name__}: {one_line(exc)}")
        structured = None
        if not TOOLS[name].text:
            answer = orjson.loads(text)
            structured = answer if isinstance(answer, dict) else {"result": answer}
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)],
                                    structured_content=structured)

    return Server("provgraph", version=__version__, title="provgraph provenance",
                  instructions=INSTRUCTIONS, on_list_tools=list_tools,
                  on_call_tool=call_tool)


def serve_stdio(tools: ProvenanceTools) -> None:
    """Serve ``tools`` over stdin/stdout until the client closes stdin."""
    server = build_server(tools)

    async def main() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format="provgraph mcp: %(levelname)s %(message)s")
    anyio.run(main)
