"""The model worker under a real Jupyter server in a subprocess: ``/status`` tells what
happened to it, and no worker outlives the server, however the server ends."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from jupyter_server_process import RunningServer, jupyter_server

pytestmark = pytest.mark.slow

#: A bound against hanging, not a timing requirement.
EXIT_WAIT_SECONDS = 30


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (an exited one nobody reaped yet is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pid: int) -> bool:
    deadline = time.monotonic() + EXIT_WAIT_SECONDS
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not running(pid)


def worker_of(server: RunningServer) -> dict[str, Any]:
    server.wait_for_model()
    worker: dict[str, Any] = server.get_json("ibis-copilot/status")["model"]["worker"]
    return worker


def test_status_reports_a_killed_worker_and_sigterm_leaves_no_orphan(tmp_path: Path) -> None:
    with jupyter_server(tmp_path) as server:
        first = worker_of(server)
        assert first["state"] == "ready"
        assert running(first["pid"])
        assert os.getpgid(first["pid"]) != os.getpgid(server.process.pid)
        os.kill(first["pid"], signal.SIGKILL)

        def restarted() -> bool:
            worker = server.get_json("ibis-copilot/status")["model"]["worker"]
            return bool(worker["restarts"] == 1 and worker["state"] == "ready")

        server.wait_until(restarted, "the worker to restart", timeout=300)
        status = server.get_json("ibis-copilot/status")["model"]
        assert status["state"] == "ready"
        assert status["worker"]["last_exit"]["what"] == "killed by SIGKILL"
        assert status["worker"]["last_exit"]["pid"] == first["pid"]
        second = status["worker"]["pid"]
        assert running(second)
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=EXIT_WAIT_SECONDS)
    assert wait_gone(second), "the worker outlived the server"


def test_a_killed_server_leaves_no_orphan_and_a_restarted_one_answers(tmp_path: Path) -> None:
    with jupyter_server(tmp_path) as server:
        pid = worker_of(server)["pid"]
        server.process.kill()
        server.process.wait(timeout=EXIT_WAIT_SECONDS)
    assert wait_gone(pid), "the worker outlived the server"
    with jupyter_server(tmp_path) as server:
        worker = worker_of(server)
        assert worker["pid"] != pid
        assert worker["restarts"] == 0
        response = httpx.post(
            f"{server.url}ibis-copilot/chat",
            json={"messages": [{"role": "user", "content": "Say hello."}], "stream": False},
            headers=server.headers,
            timeout=300,
        )
        assert response.status_code == 200
        assert response.json()["answer"].strip()
