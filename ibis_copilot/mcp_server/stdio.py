"""``ibis-copilot mcp``: the MCP server over stdin/stdout, for agents that start it."""

from __future__ import annotations

import logging
import threading

import anyio

from ibis_copilot.errors import CopilotError
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.mcp_server.server import build_server
from ibis_copilot.mcp_server.tools import IbisTools
from ibis_copilot.settings import IbisCopilot

log = logging.getLogger(__name__)


def warm(tools: IbisTools) -> None:
    """Read the installed API and open the index now, so that the first calls are fast."""
    tools.api.load()
    if tools.knowledge.exists():
        try:
            tools.knowledge.search("ibis", 1)
        except CopilotError as error:  # the tool call will say it again, with its message
            log.warning("ibis-copilot mcp: the docs cannot be searched: %s", error)


def serve_stdio(settings: IbisCopilot) -> None:
    """Serve the tools over stdio until the client closes the connection."""
    logging.basicConfig(level=logging.WARNING)  # stderr: stdout carries the protocol
    tools = IbisTools(KnowledgeBase.from_settings(settings))
    threading.Thread(target=warm, args=(tools,), name="ibis-copilot-mcp-warm", daemon=True).start()
    anyio.run(build_server(tools).run_stdio_async)
