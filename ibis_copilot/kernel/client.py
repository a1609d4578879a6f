"""The kernel's way to the assistant: find the Jupyter server and call its endpoints.

Discovery: ``IBIS_COPILOT_URL`` / ``IBIS_COPILOT_TOKEN``, else the newest running server in
Jupyter's runtime files. Only text is sent; nothing from the server side is imported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from jupyter_core.paths import jupyter_runtime_dir

from ibis_copilot.errors import CopilotError, UnavailableError
from ibis_copilot.kernel.kernel_settings import KernelSettings

NO_SERVER = (
    "no ibis-copilot server is reachable: start JupyterLab (`jupyter lab`) with "
    "ibis-copilot installed, or set IBIS_COPILOT_URL and IBIS_COPILOT_TOKEN"
)


class ServerUnavailableError(UnavailableError):
    """No server answers; the message says how to start one."""


class AssistantError(CopilotError):
    """The server answered with an error (its message, one line)."""


@dataclass(frozen=True)
class ServerInfo:
    """Where the Jupyter server is, and its token."""

    url: str
    token: str = ""


def _alive(pid: object) -> bool:
    if not isinstance(pid, int):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def discover(
    environ: Mapping[str, str] | None = None, runtime_dir: Path | None = None
) -> ServerInfo | None:
    """The server to talk to, or None when none is known."""
    settings = KernelSettings.from_env(environ)
    if settings.server_url:
        return ServerInfo(settings.server_url, settings.server_token)
    directory = runtime_dir or Path(jupyter_runtime_dir())
    files = sorted(directory.glob("jpserver-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for file in files:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if data.get("url") and _alive(data.get("pid")):
            return ServerInfo(str(data["url"]), str(data.get("token", "")))
    return None


class AssistantClient:
    """Streams events from ``/ibis-copilot/<endpoint>``."""

    def __init__(self, server: ServerInfo, timeout: float = 300.0) -> None:
        self.server = server
        self.timeout = timeout

    @classmethod
    def find(cls) -> AssistantClient:
        server = discover()
        if server is None:
            raise ServerUnavailableError(NO_SERVER)
        return cls(server)

    def url(self, endpoint: str) -> str:
        return f"{self.server.url.rstrip('/')}/ibis-copilot/{endpoint}"

    def stream(self, endpoint: str, body: dict[str, Any]) -> Generator[dict[str, Any]]:
        """NDJSON events of one request; closing the iterator closes the connection."""
        headers = {"Authorization": f"token {self.server.token}"} if self.server.token else {}
        try:
            with httpx.stream(
                "POST", self.url(endpoint), json=body, headers=headers, timeout=self.timeout
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise AssistantError(_error_message(response))
                for line in response.iter_lines():
                    if line.strip():
                        yield json.loads(line)
        except httpx.ConnectError:
            raise ServerUnavailableError(f"{NO_SERVER} (tried {self.server.url})") from None
        except httpx.HTTPError as error:
            raise AssistantError(f"the request failed: {error}") from None


def _error_message(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return f"the server answered {response.status_code}"
