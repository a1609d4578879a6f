"""Start, watch and restart one model worker process (``models/worker_server.py``).

The worker gets a fresh random bearer token on stdin and keeps that pipe open: when this
process goes away, however it goes, the worker reads end-of-file and exits. A worker that
dies is restarted after a backoff; one that fails to load its model three times in a row,
or ends soon after loading five times in a row, stays down with the reason. A worker that
stops answering ``/health`` is killed (and so restarted). Everything it went through is
kept for ``/status``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

import httpx

from ibis_copilot.models.base import GenerationError
from ibis_copilot.models.openai_backend import http_client
from ibis_copilot.models.worker_server import LOAD_FAILED

#: Loads that may fail in a row before the worker stays down.
MAX_FAILED_LOADS = 3
#: Seconds to wait before restart number n (the last value repeats).
BACKOFF_SECONDS = (0.5, 2.0, 5.0)
#: A worker that ends within this many seconds of being ready has crashed...
CRASH_WINDOW_SECONDS = 60.0
#: ...and one that crashes this many times in a row stays down (no endless reloads).
MAX_CRASHES = 5
#: A worker is killed after this many health checks in a row go unanswered.
HEALTH_FAILURES = 3
HEALTH_INTERVAL_SECONDS = 2.0
HEALTH_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Endpoint:
    """Where a ready worker listens, and the token it wants."""

    base_url: str
    token: str
    info: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def describe_exit(returncode: int) -> str:
    """``returncode`` in words: "killed by SIGKILL", "exited with status 1"."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    if returncode == LOAD_FAILED:
        return "could not load the model"
    return f"exited with status {returncode}"


def _close_pipes(process: subprocess.Popen[bytes]) -> None:
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with contextlib.suppress(BrokenPipeError):
                pipe.close()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class WorkerSupervisor:
    """One model worker process: started on demand, restarted when it dies."""

    def __init__(
        self,
        model: str,
        device: str = "cpu",
        *,
        load_timeout: float = 600.0,
        role: str = "chat",
        memory_limit_mb: int = 0,
    ) -> None:
        self.model = model
        self.device = device
        self.memory_limit_mb = memory_limit_mb
        self.role = role
        self.load_timeout = load_timeout
        self._condition = threading.Condition()
        self._process: subprocess.Popen[bytes] | None = None
        self._endpoint: Endpoint | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._state = "not started"
        self._failed_loads = 0
        self._crashes = 0
        self._restarts = 0
        self._last_exit: dict[str, Any] | None = None
        self._down_reason = ""

    # -- what callers use ---------------------------------------------------------------

    def start(self) -> None:
        """Start the worker in the background (idempotent)."""
        with self._condition:
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(
                    target=self._supervise, name=f"ibis-copilot-{self.role}-worker", daemon=True
                )
                self._thread.start()

    def endpoint(self, timeout: float | None = None) -> Endpoint:
        """The ready worker (started if need be), waiting while it loads or restarts.

        Raises GenerationError when it is down for good, stopped, or not ready in time.
        """
        self.start()
        deadline = time.monotonic() + (self.load_timeout if timeout is None else timeout)
        with self._condition:
            while self._endpoint is None or self._exited():
                if self._state == "down":
                    raise GenerationError(f"the model worker is down: {self._down_reason}")
                if self._stopped:
                    raise GenerationError("the model worker was stopped")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise GenerationError(f"the model worker is not ready ({self._state})")
                self._condition.wait(min(remaining, 0.25))  # an exit is noticed in time
            return self._endpoint

    def _exited(self) -> bool:
        """The worker died and its watcher has not caught up yet."""
        return self._process is not None and self._process.poll() is not None

    def failure(self, wait: float = 0.5) -> str | None:
        """How the worker ended, if a broken request was its end (None: it still runs)."""
        process = self._process
        if process is None:
            return "the model worker is not running"
        try:
            returncode = process.wait(wait)
        except subprocess.TimeoutExpired:
            return None
        return f"the model worker ended ({describe_exit(returncode)}); it is restarting"

    def kill(self) -> None:
        """Kill the worker now (a hung one); the supervisor restarts it."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def status(self) -> dict[str, Any]:
        """State, pid, restarts and the last exit (what happened, when) for ``/status``."""
        with self._condition:
            status: dict[str, Any] = {
                "state": self._state,
                "pid": self.pid,
                "restarts": self._restarts,
                "failed_loads": self._failed_loads,
                "crashes": self._crashes,
            }
            if self._last_exit is not None:
                status["last_exit"] = self._last_exit
            if self._state == "down":
                status["reason"] = self._down_reason
            return status

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker (terminate, then kill) and do not restart it."""
        with self._condition:
            self._stopped = True
            self._endpoint = None
            self._state = "stopped"
            self._condition.notify_all()
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if process is not None:
            _close_pipes(process)

    # -- the supervising thread ---------------------------------------------------------

    def _supervise(self) -> None:
        while not self._stopped:
            started = self._launch()
            if started is not None:
                self._failed_loads = 0
                ready_at = time.monotonic()
                self._watch(started)
                quick = time.monotonic() - ready_at < CRASH_WINDOW_SECONDS
                self._crashes = self._crashes + 1 if quick else 0
            if self.stopped:  # during the launch or the watch
                return
            if self._crashes >= MAX_CRASHES:
                what = (self._last_exit or {}).get("what", "")
                self._down_reason = (
                    f"it ended {self._crashes} times in a row within "
                    f"{CRASH_WINDOW_SECONDS:g} s of loading (last: {what})"
                )
            if self._failed_loads >= MAX_FAILED_LOADS or self._crashes >= MAX_CRASHES:
                self._set_state("down")
                return
            attempt = max(self._failed_loads, self._crashes - 1)
            delay = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)]
            self._set_state("restarting")
            with self._condition:
                self._restarts += 1
                self._condition.wait_for(lambda: self._stopped, delay)

    def _set_state(self, state: str) -> None:
        with self._condition:
            if not self._stopped:
                self._state = state
            self._condition.notify_all()

    def _launch(self) -> subprocess.Popen[bytes] | None:
        """Start a worker and wait for its ready line; None (and the reason kept) if the
        model did not load."""
        token = secrets.token_urlsafe(32)
        self._set_state("loading")
        command = [sys.executable, "-m", "ibis_copilot.models.worker_server"]
        command += ["--model", self.model, "--device", self.device]
        command += ["--memory-limit-mb", str(self.memory_limit_mb)]
        # No progress bars: /status reports the load, the server's log stays readable.
        environment = {**os.environ, "TQDM_DISABLE": "1"}
        process = subprocess.Popen(  # noqa: S603 - our own module, with the settings' model
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
            env=environment,
        )
        with self._condition:
            self._process = process
            if self._stopped:  # stop() ran while we were starting it
                process.kill()
        stdin, stdout = process.stdin, process.stdout
        if stdin is None or stdout is None:
            raise GenerationError("the worker process has no pipes")
        with contextlib.suppress(BrokenPipeError):  # if it already died, its exit tells
            stdin.write(f"{token}\n".encode())
            stdin.flush()
        ready = self._read_ready(process, stdout)
        if "port" in ready:
            endpoint = Endpoint(f"http://127.0.0.1:{ready['port']}", token, ready)
            with self._condition:
                if not self._stopped:
                    self._endpoint, self._state = endpoint, "ready"
                self._condition.notify_all()
            return process
        self._failed_loads += 1
        if process.poll() is None:
            process.kill()
        returncode = process.wait()
        reason = ready.get("error") or describe_exit(returncode)
        self._down_reason = str(reason)
        self._record_exit(process, returncode, f"failed to start: {reason}")
        return None

    def _read_ready(self, process: subprocess.Popen[bytes], stdout: IO[bytes]) -> dict[str, Any]:
        """The worker's one JSON line (``{"port"...}`` or ``{"error"}``), within the load
        timeout; ``{}`` when it exited or went past it without one."""
        lines: list[bytes] = []
        reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.load_timeout)
        if not lines or not lines[0].strip():
            if reader.is_alive():
                process.kill()
                return {"error": f"the model did not load within {self.load_timeout:g} s"}
            return {}
        try:
            ready: dict[str, Any] = json.loads(lines[0])
        except json.JSONDecodeError:
            return {"error": f"the worker wrote {lines[0][:200]!r} instead of its ready line"}
        return ready

    def _watch(self, process: subprocess.Popen[bytes]) -> None:
        """Until the worker exits: check its health; kill it when it stops answering."""
        endpoint = self._endpoint
        misses = 0
        killed_for = ""
        http = http_client(HEALTH_TIMEOUT_SECONDS)  # one client: no setup per check
        while True:
            try:
                returncode = process.wait(HEALTH_INTERVAL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                pass
            if self._stopped or endpoint is None:
                continue
            try:
                http.get(f"{endpoint.base_url}/health", headers=endpoint.headers).raise_for_status()
                misses = 0
            except httpx.HTTPError:
                misses += 1
                if misses >= HEALTH_FAILURES:
                    killed_for = f"stopped answering for {misses} health checks; killed"
                    process.kill()
        http.close()
        with self._condition:
            self._endpoint = None
            self._condition.notify_all()
        if not self._stopped:
            self._record_exit(process, returncode, killed_for or describe_exit(returncode))

    def _record_exit(self, process: subprocess.Popen[bytes], returncode: int, what: str) -> None:
        with self._condition:
            self._last_exit = {
                "pid": process.pid,
                "returncode": returncode,
                "what": what,
                "at": _now(),
            }
        _close_pipes(process)


def worker_model_status(model: dict[str, Any], worker: dict[str, Any]) -> dict[str, Any]:
    """The model's status fields given its worker's: a worker that is down is an error
    with its reason; one restarting after a ready model is "restarting"."""
    fields: dict[str, Any] = {"worker": worker}
    if worker["state"] == "down":
        fields.update(state="error", message=f"the model worker is down: {worker['reason']}")
    elif worker["state"] in ("restarting", "loading") and model["state"] == "ready":
        fields["state"] = "restarting"
    return fields
