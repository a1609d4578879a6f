"""A throwaway PostgreSQL server for tests and benchmarks.

:func:`postgres_server` runs Debian's binaries (``/usr/lib/postgresql/<version>/bin``):
``initdb`` a cluster in a temporary directory with trust authentication, start it on a
free loopback port with its unix socket in that directory, yield how to connect, then stop
it and delete everything. ``initdb`` refuses to run as root, so under root the server runs
as the ``postgres`` OS user (``runuser``), which then owns the temporary directory.

:func:`unavailable_reason` says in one line why no server can be started here (a test
skips with it); ``make test-setup`` installs the binaries where apt-get can.
The benchmarks import this module from here (they put this folder on ``sys.path``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from local_http import free_port

BIN_GLOB = "/usr/lib/postgresql/*/bin"
OS_USER = "postgres"
#: How much of the server's log an error shows.
LOG_TAIL_CHARS = 3000
START_TIMEOUT_S = 60


class PostgresServerError(RuntimeError):
    """The server could not be initialised or started; the message has its log."""


@dataclass(frozen=True)
class PostgresParams:
    """How to reach a running server (trust authentication: no password)."""

    host: str
    port: int
    user: str
    database: str
    socket_dir: Path

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    def connect_kwargs(self) -> dict[str, object]:
        """Keyword arguments of ``ibis.postgres.connect``."""
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "database": self.database,
        }


def find_bin_dir() -> Path | None:
    """The newest installed ``.../bin`` that holds ``initdb`` and ``pg_ctl``."""
    found = [
        path
        for path in Path("/").glob(BIN_GLOB.lstrip("/"))
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file()
    ]

    def version(path: Path) -> tuple[int, ...]:
        parts = path.parent.name.split(".")
        return tuple(int(part) for part in parts if part.isdigit())

    return max(found, key=version) if found else None


def _running_as_root() -> bool:
    return os.geteuid() == 0


def unavailable_reason() -> str | None:
    """Why :func:`postgres_server` cannot work here, or None when it can."""
    if find_bin_dir() is None:
        return (
            f"no PostgreSQL server binaries under {BIN_GLOB} "
            "(install Debian's `postgresql` package; `make test-setup` does)"
        )
    if _running_as_root():
        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            return f"running as root and there is no '{OS_USER}' OS user to run the server as"
        if shutil.which("runuser") is None:
            return "running as root and `runuser` is missing"
    try:
        import psycopg  # noqa: F401 - the driver ibis's postgres backend needs
    except ImportError:
        return "psycopg is not installed: pip install 'psycopg[binary]>=3.2'"
    return None


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", OS_USER, "--", *command] if _running_as_root() else command


def _run(command: list[str], log: Path, what: str) -> None:
    completed = subprocess.run(
        _as_server_user(command), capture_output=True, text=True, check=False, timeout=120
    )
    if completed.returncode != 0:
        tail = log.read_text(errors="replace")[-LOG_TAIL_CHARS:] if log.is_file() else ""
        output = (completed.stdout + completed.stderr)[-LOG_TAIL_CHARS:]
        raise PostgresServerError(f"{what} failed ({completed.returncode}):\n{output}\n{tail}")


@contextmanager
def postgres_server(database: str = "postgres") -> Iterator[PostgresParams]:
    """Start a fresh server (``database`` exists in it); stop and delete it at the end.

    Raises PostgresServerError with the server's log when it cannot start; call
    :func:`unavailable_reason` first to skip cleanly where it cannot work at all.
    """
    reason = unavailable_reason()
    if reason is not None:
        raise PostgresServerError(reason)
    bin_dir = find_bin_dir()
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="ibis-copilot-pg-"))
    data, log = root / "data", root / "server.log"
    if _running_as_root():
        account = pwd.getpwnam(OS_USER)
        os.chown(root, account.pw_uid, account.pw_gid)
    port = free_port()
    started = False
    try:
        _run(
            [
                str(bin_dir / "initdb"),
                "--pgdata",
                str(data),
                "--username",
                OS_USER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
            ],
            log,
            "initdb",
        )
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        started = True  # from here on, always try to stop it
        _run(
            [
                str(bin_dir / "pg_ctl"),
                "--pgdata",
                str(data),
                "--log",
                str(log),
                "--options",
                options,
                "--wait",
                "--timeout",
                str(START_TIMEOUT_S),
                "start",
            ],
            log,
            "pg_ctl start",
        )
        if database != "postgres":
            _run(
                [
                    str(bin_dir / "createdb"),
                    "-h",
                    str(root),
                    "-p",
                    str(port),
                    "-U",
                    OS_USER,
                    database,
                ],
                log,
                "createdb",
            )
        yield PostgresParams("127.0.0.1", port, OS_USER, database, root)
    finally:
        if started:
            subprocess.run(
                _as_server_user(
                    [
                        str(bin_dir / "pg_ctl"),
                        "--pgdata",
                        str(data),
                        "--mode",
                        "immediate",
                        "--wait",
                        "stop",
                    ]
                ),
                capture_output=True,
                check=False,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)
