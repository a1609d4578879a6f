"""Check proposed code in a separate process that has only the schemas.

A fix is called *checked* only when the check process built an Ibis expression from it and
compiled that to SQL, within a timeout. The user's kernel never runs model-written code.
Each check has a process of its own, used once; the next one is started (and imports Ibis)
while the current check runs, so a check does not wait for Ibis to import.
"""

from __future__ import annotations

import atexit
import json
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from typing import Any

from ibis_copilot.expressions.namespace import TableSpecs

DEFAULT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class CheckResult:
    """Whether the code passed; ``reason`` says why not, in one line."""

    checked: bool
    reason: str = ""
    sql: str | None = None
    assertion: bool | None = None


class _SpareProcess:
    """One check process started ahead of need, Ibis already imported, waiting for its
    request on stdin; each check uses a process once, then a new spare is started.

    The first check of a process starts cold (nothing runs until something is checked);
    a spare left over exits when its stdin closes, at the latest when this process ends.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spare: tuple[subprocess.Popen[str], tempfile.TemporaryDirectory[str]] | None
        self._spare = None
        atexit.register(self.discard)

    def take(self) -> tuple[subprocess.Popen[str], tempfile.TemporaryDirectory[str]]:
        """The spare when it is alive, else a new process; a new spare starts either way."""
        with self._lock:
            taken, self._spare = self._spare, _start_process()
        if taken is not None and taken[0].poll() is None:
            return taken
        if taken is not None:
            taken[1].cleanup()
        return _start_process()

    def discard(self) -> None:
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare[0].kill()
            spare[0].communicate()
            spare[1].cleanup()


def _start_process() -> tuple[subprocess.Popen[str], tempfile.TemporaryDirectory[str]]:
    scratch = tempfile.TemporaryDirectory(prefix="ibis-copilot-check-")
    process = subprocess.Popen(
        [sys.executable, "-I", "-m", "ibis_copilot.repair.check_worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=scratch.name,
    )
    return process, scratch


_processes = _SpareProcess()


def _run_worker(request: dict[str, Any], timeout: float) -> dict[str, Any]:
    process, scratch = _processes.take()
    try:
        stdout, stderr = process.communicate(json.dumps(request), timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return {"ok": False, "stage": "timeout", "message": f"took longer than {timeout:g} s"}
    finally:
        scratch.cleanup()
    try:
        answer: dict[str, Any] = json.loads(stdout)
    except ValueError:
        last = (stderr.strip().splitlines() or ["no answer"])[-1]
        return {"ok": False, "stage": "crash", "message": last}
    return answer


def _result(answer: dict[str, Any]) -> CheckResult:
    if answer.get("ok"):
        return CheckResult(True, sql=answer.get("sql"), assertion=answer.get("assertion"))
    stage, kind, message = answer.get("stage", ""), answer.get("error_type", ""), answer["message"]
    detail = f"{kind}: {message}" if kind else message
    return CheckResult(False, f"{stage}: {detail}" if stage else detail)


def check_code(
    code: str,
    tables: TableSpecs,
    *,
    start_line: int = 1,
    dialect: str = "duckdb",
    assertion: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> CheckResult:
    """Run ``code`` (from ``start_line``) against unbound tables with ``tables``' schemas."""
    request = {
        "mode": "python",
        "code": code,
        "tables": tables,
        "start_line": start_line,
        "dialect": dialect,
        "assertion": assertion,
    }
    return _result(_run_worker(request, timeout))


def first_that_checks(
    codes: list[str],
    tables: TableSpecs,
    *,
    start_line: int = 1,
    dialect: str = "duckdb",
    timeout: float = DEFAULT_TIMEOUT_S,
) -> tuple[int, CheckResult]:
    """Check ``codes`` in order in one process: the index of the first that passes and its
    result, or -1 and the first code's failure."""
    request = {
        "mode": "first",
        "codes": codes,
        "tables": tables,
        "start_line": start_line,
        "dialect": dialect,
    }
    answer = _run_worker(request, timeout)
    return int(answer.get("index", -1)), _result(answer)


def check_each(
    codes: list[str],
    tables: TableSpecs,
    *,
    dialect: str = "duckdb",
    timeout: float = DEFAULT_TIMEOUT_S,
) -> list[CheckResult]:
    """Check every one of ``codes`` in one process (each from a fresh namespace): one
    result per code, in order. A batch that times out or crashes fails every code."""
    request = {"mode": "each", "codes": codes, "tables": tables, "dialect": dialect}
    answer = _run_worker(request, timeout)
    if "answers" not in answer:
        return [_result(answer)] * len(codes)
    return [_result(one) for one in answer["answers"]]


def check_sql_binds(
    sql: str, tables: TableSpecs, timeout: float = DEFAULT_TIMEOUT_S
) -> CheckResult:
    """Whether DuckDB can bind ``sql`` (``EXPLAIN``) against empty tables of these schemas."""
    return _result(_run_worker({"mode": "sql", "sql": sql, "tables": tables}, timeout))
