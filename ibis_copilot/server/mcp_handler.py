"""``/ibis-copilot/mcp``: the MCP tools over streamable HTTP, behind Jupyter's authentication.

The handler authenticates the request as every other endpoint does (a token or the
browser's cookie and XSRF), then hands it to the official SDK's streamable-HTTP transport
through a minimal ASGI bridge. The transport runs stateless and answers JSON (no session,
no server-sent stream): each POST is one JSON-RPC exchange, so nothing lives between
requests and nothing needs stopping with the server. Host and origin checks are
Jupyter's (the SDK's DNS-rebinding check is left off: it would refuse proxied servers).
"""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

import tornado.web
from mcp.server.mcpserver import MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

from ibis_copilot.assistant.service import Assistant
from ibis_copilot.errors import TooLargeError
from ibis_copilot.mcp_server.server import build_server
from ibis_copilot.mcp_server.tools import IbisTools
from ibis_copilot.server.handlers import MAX_BODY_BYTES, BaseHandler

#: Where the web application keeps the one MCP server of this Jupyter server.
SETTINGS_KEY = "ibis_copilot_mcp"
#: Response headers tornado writes itself.
HOP_BY_HOP = {"content-length", "transfer-encoding", "connection"}


def mcp_server_for(settings: dict[str, Any], assistant: Assistant) -> MCPServer:
    """The MCP server over the Assistant's knowledge base, built on first use."""
    server: MCPServer | None = settings.get(SETTINGS_KEY)
    if server is None:
        server = settings[SETTINGS_KEY] = build_server(IbisTools(assistant.knowledge))
    return server


class McpHandler(BaseHandler):
    """``POST /ibis-copilot/mcp``: one MCP exchange per request."""

    _closed: asyncio.Event | None = None

    @tornado.web.authenticated
    async def post(self) -> None:
        await self.bridge()

    @tornado.web.authenticated
    def get(self) -> None:
        """No server-sent stream and no session to end: a stateless server answers 405."""
        raise tornado.web.HTTPError(405, "this MCP endpoint is stateless: POST each message")

    delete = get

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if status_code == 405:
            self.set_header("Allow", "POST")
        super().write_error(status_code, **kwargs)

    def on_connection_close(self) -> None:
        if self._closed is not None:
            self._closed.set()
        super().on_connection_close()

    async def bridge(self) -> None:
        """Run the request through the SDK's transport and write its answer."""
        if len(self.request.body or b"") > MAX_BODY_BYTES:
            raise TooLargeError(f"the body is larger than {MAX_BODY_BYTES} bytes")
        self._closed = asyncio.Event()
        server = mcp_server_for(self.settings, self.assistant)
        manager = StreamableHTTPSessionManager(
            app=server._lowlevel_server,  # the SDK's own Client reaches it so too
            json_response=True,
            stateless=True,
            security_settings=None,
        )
        async with manager.run():
            await manager.handle_request(self._scope(), self._receive(), self._send)
        if not self._finished:
            self.finish()

    def _scope(self) -> dict[str, Any]:
        request = self.request
        host, _, port = request.host.partition(":")
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": request.protocol,
            "path": request.path,
            "raw_path": request.path.encode("latin-1"),
            "query_string": request.query.encode("latin-1"),
            "root_path": "",
            "headers": [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in request.headers.get_all()
            ],
            "client": (request.remote_ip or "", 0),
            "server": (host, int(port) if port.isdigit() else None),
        }

    def _receive(self) -> Any:
        body = self.request.body or b""
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            assert self._closed is not None  # noqa: S101 - set before the bridge starts
            await self._closed.wait()
            return {"type": "http.disconnect"}

        return receive

    async def _send(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.set_status(message["status"])
            self.clear_header("Content-Type")
            for name, value in message.get("headers", []):
                if name.decode("latin-1").lower() not in HOP_BY_HOP:
                    self.add_header(name.decode("latin-1"), value.decode("latin-1"))
        elif message["type"] == "http.response.body":
            self.write(message.get("body", b""))
            if message.get("more_body", False):
                await self.flush()
            else:
                self.finish()
