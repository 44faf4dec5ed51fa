"""``provgraph mcp``: the provenance tools over the Model Context Protocol (stdio)."""

from __future__ import annotations

import argparse
import sys
import textwrap

from provgraph.cli.base import Command
from provgraph.core.config import Settings, get_settings
from provgraph.core.errors import CapabilityMissingError, StoreError

CLIENT_CONFIG = """\
{
  "mcpServers": {
    "provgraph": {
      "command": "provgraph",
      "args": ["mcp"],
      "env": {"PROVGRAPH_DATA_DIR": "/path/to/provgraph-data"}
    }
  }
}"""


def _check_store(settings: Settings) -> None:
    """Refuse, in one line, to serve an embedded store that is not there (opening one
    would create it: the server writes nothing)."""
    if settings.store.kind != "embedded":
        return
    found = settings.embedded_store_dir / "graph.db"
    if not found.is_file():
        raise StoreError(f"no embedded store at {settings.embedded_store_dir} (set "
                         "PROVGRAPH_DATA_DIR to the data dir a workflow wrote, or run "
                         "`provgraph demo` first)")


class McpCommand(Command):
    name = "mcp"
    help = "serve the provenance tools to an assistant over MCP (stdio)"
    description = textwrap.fill(
        "Run a Model Context Protocol server on stdin/stdout whose tools answer questions "
        "about the configured store, read-only: list_workflows, workflow_summary, "
        "query_tasks, upstream, downstream, lineage_path, failures, export_workflow. Every "
        "argument is checked and bounded as the CLI's are; a bad one is a tool error of one "
        "line. An MCP client starts the server as a subprocess; its configuration (Claude "
        "Desktop's claude_desktop_config.json; VS Code's mcp.json has the same entry under "
        "\"servers\") names the command and the store:", 88) + "\n\n" + CLIENT_CONFIG + (
        "\n\nNeeds the mcp extra: pip install 'provgraph[mcp]'.")
    examples = """
        provgraph mcp
        PROVGRAPH_DATA_DIR=~/runs/provgraph-data provgraph mcp
        PROVGRAPH_STORE=neo4j provgraph mcp
        provgraph mcp --list-tools
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--list-tools", action="store_true",
                            help="print the tools and their arguments, then exit")

    def run(self, args: argparse.Namespace) -> int:
        from provgraph.mcp.tools import TOOLS, ProvenanceTools

        if args.list_tools:
            for tool in TOOLS.values():
                schema = tool.input_schema
                names = [f"{n}" if n in schema["required"] else f"[{n}]"
                         for n in schema["properties"]]
                print(f"{tool.name}({', '.join(names)}): {tool.description}")
            return 0
        try:
            from provgraph.mcp.server import serve_stdio
        except ImportError as exc:
            raise CapabilityMissingError(
                f"provgraph mcp needs the mcp package ({exc.name or exc}): "
                "pip install 'provgraph[mcp]'") from exc
        from keeper.stores.base import open_store

        settings = get_settings()
        _check_store(settings)
        store = open_store(settings)
        try:
            print(f"provgraph mcp: serving the {settings.store.kind} store over stdio",
                  file=sys.stderr)
            serve_stdio(ProvenanceTools(store, settings))
        finally:
            store.close()
        return 0
