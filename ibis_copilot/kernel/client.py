"""The kernel's way to the assistant: find the Jupyter server and call its endpoints.

Discovery: ``IBIS_COPILOT_URL`` / ``IBIS_COPILOT_TOKEN``, else the newest running server in
Jupyter's runtime files. Only text and schemas are sent; nothing from the server side is
imported. A stream read on one thread can be cancelled from another (:class:`StreamCancel`):
its connection is closed, so the server stops generating.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import socket
import threading
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


class StreamCancel:
    """Cancels a stream from any thread: the connection is shut down at once, even while a
    read waits on it, so the reading thread ends and the server cancels. (Before the
    server's first answer there is no connection to shut down yet: the stream then ends
    as soon as that answer comes.)"""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self.reason: str | None = None

    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called (a method: it changes on another thread)."""
        return self.reason is not None

    def cancel(self, reason: str = "stopped") -> None:
        """Stop the stream (the first reason given is kept)."""
        with self._lock:
            if self.reason is None:
                self.reason = reason
            sock, self._socket = self._socket, None
        _shut_down(sock)

    def attach(self, response: httpx.Response) -> None:
        """The stream's connection is open (a cancel that came first closes it now)."""
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        with self._lock:
            if self.reason is None:
                self._socket = sock if isinstance(sock, socket.socket) else None
                return
        _shut_down(sock if isinstance(sock, socket.socket) else None)

    def detach(self) -> None:
        """The stream has ended; there is nothing left to close."""
        with self._lock:
            self._socket = None


def _shut_down(sock: socket.socket | None) -> None:
    if sock is None:
        return
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)  # wakes a read waiting in another thread


@functools.cache
def http_client() -> httpx.Client:
    """The one HTTP client of the kernel's requests (making one costs ~20 ms, mostly its
    TLS context). No connection is kept alive, so one that a cancel shut down is never
    handed to the next request; httpx clients may be shared across threads."""
    return httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))


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

    def stream(
        self, endpoint: str, body: dict[str, Any], cancel: StreamCancel | None = None
    ) -> Generator[dict[str, Any]]:
        """NDJSON events of one request; closing the iterator closes the connection, and
        so does ``cancel`` (from any thread): the events then end without an error."""
        headers = {"Authorization": f"token {self.server.token}"} if self.server.token else {}
        cancel = cancel or StreamCancel()
        if cancel.cancelled():
            return
        try:
            with http_client().stream(
                "POST", self.url(endpoint), json=body, headers=headers, timeout=self.timeout
            ) as response:
                cancel.attach(response)
                if response.status_code >= 400:
                    response.read()
                    raise AssistantError(_error_message(response))
                for line in response.iter_lines():
                    if cancel.cancelled():
                        return
                    if line.strip():
                        yield json.loads(line)
        except httpx.ConnectError:
            if cancel.cancelled():
                return
            raise ServerUnavailableError(f"{NO_SERVER} (tried {self.server.url})") from None
        except httpx.HTTPError as error:
            if cancel.cancelled():
                return  # our own shutdown of the connection
            raise AssistantError(f"the request failed: {error}") from None
        finally:
            cancel.detach()


def _error_message(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return f"the server answered {response.status_code}"
