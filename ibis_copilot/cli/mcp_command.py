"""``mcp``: ibis-copilot's docs, API, SQL and checker as an MCP server over stdio."""

from __future__ import annotations

import argparse
from typing import Any

from ibis_copilot.cli.common import CommandError, settings


def cmd_mcp(_args: argparse.Namespace) -> None:
    """Serve the MCP tools over stdin/stdout (started by an agent, not typed by hand)."""
    try:
        from ibis_copilot.mcp_server.stdio import serve_stdio
    except ImportError as error:
        raise CommandError(
            f"the MCP server needs the server extra ({error.name} is missing): "
            'pip install "ibis-copilot[server]"'
        ) from None
    serve_stdio(settings())


def add_parsers(commands: Any) -> None:
    parser = commands.add_parser(
        "mcp",
        help="serve the docs search, the Ibis API, SQL and the checker to MCP agents (stdio)",
        description=(
            "A Model Context Protocol server over stdio with the tools search_ibis_docs, "
            "ibis_api, compile_to_sql, check_ibis_code, diagnose_ibis_error and "
            "backend_support. Configure your agent to start `ibis-copilot mcp`; inside "
            "JupyterLab the same tools are served at <base_url>/ibis-copilot/mcp."
        ),
    )
    parser.set_defaults(handler=cmd_mcp)
