"""A real Jupyter server with this extension in a subprocess, for tests and benchmarks.

Tests that need the server in its own process (a kernel-side client talking to it, or
latency measured from outside) use :func:`jupyter_server`; the benchmarks import it from
here (``benchmarks/bench_generation.py`` puts this folder on ``sys.path``). Tests of the
endpoints themselves use pytest-jupyter's in-process server instead (``jp_fetch``).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from local_http import free_port

#: How much of the server's log a failure shows.
LOG_TAIL_CHARS = 4000


class ServerProcessError(RuntimeError):
    """The server did not start, or did not get ready in time; the message has its log."""


@dataclass(frozen=True)
class RunningServer:
    """A started server: its base URL (ending in ``/``), token and log file."""

    url: str
    token: str
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def get_json(self, path: str, timeout: float = 5) -> Any:
        """GET ``path`` (relative to the base URL) and decode the JSON answer."""
        response = httpx.get(f"{self.url}{path}", headers=self.headers, timeout=timeout)
        response.raise_for_status()
        return response.json()

    def log_tail(self) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return text[-LOG_TAIL_CHARS:]

    def wait_until(self, ready: Callable[[], object], what: str, timeout: float) -> None:
        """Poll until ``ready()`` is true; fail with the log if the server dies or the time
        runs out (a bound against hanging, not a timing requirement)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise ServerProcessError(
                    f"the Jupyter server exited with {self.process.returncode} while waiting "
                    f"for {what}; its log ends with:\n{self.log_tail()}"
                )
            try:
                if ready():
                    return
            except (httpx.HTTPError, ValueError, KeyError):
                pass  # not answering yet
            if time.monotonic() > deadline:
                raise ServerProcessError(
                    f"gave up after {timeout:g} s waiting for {what}; "
                    f"the server's log ends with:\n{self.log_tail()}"
                )
            time.sleep(0.25)

    def wait_for_model(self, timeout: float = 300) -> None:
        """Wait until the extension's chat model is loaded (``/ibis-copilot/status``)."""

        def loaded() -> bool:
            model = self.get_json("ibis-copilot/status")["model"]
            if model["state"] == "error":
                raise ServerProcessError(f"the server's model failed to load: {model}")
            return bool(model["state"] == "ready")

        self.wait_until(loaded, "the model to load", timeout)


@contextmanager
def jupyter_server(
    root_dir: Path,
    env: Mapping[str, str] | None = None,
    *,
    args: Sequence[str] = (),
    start_timeout: float = 120,
) -> Iterator[RunningServer]:
    """Start ``python -m jupyter_server`` on a free loopback port with a fresh token,
    ``root_dir`` as its notebook directory and ``env`` added to this process's
    environment (``args``: more command-line options); yield once ``/api/status``
    answers; stop it (terminate, then kill).

    The server's output goes to ``root_dir/jupyter-server.log``; a server that exits or
    does not answer in ``start_timeout`` seconds raises with the end of that log.
    """
    port, token = free_port(), secrets.token_hex(16)
    log = root_dir / "jupyter-server.log"
    command = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        "--ServerApp.allow_root=True",
        f"--ServerApp.root_dir={root_dir}",
        *args,
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env={**os.environ, **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = RunningServer(f"http://127.0.0.1:{port}/", token, log, process)
    try:
        server.wait_until(lambda: server.get_json("api/status"), "/api/status", start_timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
