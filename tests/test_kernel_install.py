"""The base install is the kernel side only; the server side is the ``server`` extra.

Kernels often run in another environment than the Jupyter server (JupyterHub, conda
kernels): ``pip install ibis-copilot`` there must bring the magics and the error hook
without torch, the models or the knowledge base, and the server extension the wheel
enables must not break a Jupyter server that lacks the extra.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import ibis_copilot

ROOT = Path(__file__).parents[1]

#: Distributions of the server extra (or pulled only by it) that a kernel must not get.
SERVER_ONLY = (
    "torch",
    "transformers",
    "sentence-transformers",
    "chromadb",
    "accelerate",
    "gguf",
    "griffe",
    "jupyter-server",
)

KERNEL_SCRIPT = """
import json
import sys

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import ibis_copilot

shell = InteractiveShell.instance()
shell.run_line_magic("colors", "nocolor")
shell.run_line_magic("load_ext", "ibis_copilot")
assert shell.run_cell(
    "import ibis\\nt = ibis.table({'a': 'int64', 'amount': 'float64'}, name='t')"
).success

with capture_output() as sql:
    shell.run_cell_magic("ibis_sql", "", "t.filter(t.a > 1)")
with capture_output() as failure:
    failed = not shell.run_cell("t.amout").success
    shell.ibis_copilot_errors.wait()

light = ("jupyter_server", "tornado", "torch", "transformers", "sentence_transformers",
         "chromadb", "ibis_copilot.server", "ibis_copilot.knowledge", "ibis_copilot.models",
         "ibis_copilot.assistant")
print(json.dumps({
    "package": ibis_copilot.__file__,
    "sql": sql.stdout + "".join(o.data.get("text/markdown", "") for o in sql.outputs),
    "failed": failed,
    "hook": "\\n".join([failure.stdout, *(o.data.get("text/plain", "") for o in failure.outputs)]),
    "heavy_modules": sorted(m for m in sys.modules if m.startswith(light)),
}))
"""


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that points at the project's venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
        and not key.startswith("IBIS_COPILOT_")
    }
    return {**env, **extra}


def run(args: Sequence[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(arg) for arg in args], capture_output=True, text=True, check=False, **kwargs
    )


def failed(what: str, result: subprocess.CompletedProcess[str]) -> str:
    return f"{what} (exit {result.returncode}):\n{(result.stdout + result.stderr)[-4000:]}"


class RecordingLog:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def _record(self, level: str, message: str, *args: object) -> None:
        self.calls.append((level, message % args))

    def warning(self, message: str, *args: object) -> None:
        self._record("warning", message, *args)

    def info(self, message: str, *args: object) -> None:
        self._record("info", message, *args)

    def error(self, message: str, *args: object) -> None:
        self._record("error", message, *args)


class FakeServerApp:
    """Only a log: reaching for ``web_app`` or ``config`` would raise AttributeError."""

    def __init__(self) -> None:
        self.log = RecordingLog()


def test_without_the_server_extra_the_extension_logs_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "chromadb", None)  # as if not installed
    app = FakeServerApp()
    ibis_copilot._load_jupyter_server_extension(app)
    ibis_copilot._unload_jupyter_server_extension(app)
    assert len(app.log.calls) == 1, app.log.calls
    level, message = app.log.calls[0]
    assert level == "warning"
    assert "\n" not in message
    assert "chromadb" in message
    assert 'pip install "ibis-copilot[server]"' in message


def test_the_dev_environment_has_the_whole_server_extra() -> None:
    # A misspelt module name here would switch the server extension off everywhere.
    assert ibis_copilot._missing_server_modules() == []


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_base_wheel_gives_a_kernel_without_the_server_side(tmp_path: Path) -> None:
    wheel_dir = tmp_path / "wheel"
    # The labextension is already built: hatch-jupyter-builder skips npm (skip-if-exists).
    pip_wheel = ("pip", "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir")
    build = run([sys.executable, "-m", *pip_wheel, wheel_dir, ROOT], timeout=600)
    assert build.returncode == 0, failed("building the wheel failed", build)
    (wheel,) = wheel_dir.glob("ibis_copilot-*.whl")

    venv = tmp_path / "kernel-venv"
    made = run([sys.executable, "-m", "venv", venv], timeout=300, env=clean_env())
    assert made.returncode == 0, failed("python -m venv failed", made)
    python = venv / "bin" / "python"

    # Should a base dependency ever need a server-only package, pip stops at once with a
    # conflict naming it, instead of downloading torch and the models.
    forbid = tmp_path / "no-server-packages.txt"
    forbid.write_text("".join(f"{name}<0\n" for name in SERVER_ONLY), encoding="utf-8")
    install = run(
        [python, "-m", "pip", "install", "--disable-pip-version-check", "-c", forbid, wheel],
        timeout=1500,
        env=clean_env(),
    )
    if install.returncode != 0:
        pytest.fail(
            failed(
                "pip install of the base wheel into a bare venv failed: either a base "
                f"dependency needs one of {', '.join(SERVER_ONLY)} (look for the conflict), "
                "or the package index cannot be reached",
                install,
            )
        )

    listed = run([python, "-m", "pip", "list", "--format=json"], timeout=120, env=clean_env())
    assert listed.returncode == 0, failed("pip list failed", listed)
    installed = {re.sub(r"[-_.]+", "-", p["name"]).lower() for p in json.loads(listed.stdout)}
    assert "ibis-copilot" in installed
    assert installed.isdisjoint(SERVER_ONLY), sorted(installed & set(SERVER_ONLY))

    script = tmp_path / "kernel_session.py"
    script.write_text(KERNEL_SCRIPT, encoding="utf-8")
    session = run(
        [python, script],
        cwd=tmp_path,  # not the checkout: the installed wheel is what runs
        timeout=300,
        env=clean_env(
            IBIS_COPILOT_EXPLAIN_BUDGET="0",  # rules only: never look for a server
            JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),  # and no server to find
        ),
    )
    assert session.returncode == 0, failed("the kernel session failed", session)
    seen = json.loads(session.stdout.splitlines()[-1])

    assert Path(seen["package"]).is_relative_to(venv)
    assert "```sql" in seen["sql"]
    assert re.search(r'FROM "t" AS "t0"\s+WHERE\s+"t0"\."a" > 1', seen["sql"]), seen["sql"]
    assert seen["failed"]
    assert "AttributeError" in seen["hook"]
    assert "`amout` is not a column; did you mean `amount`?" in seen["hook"], seen["hook"]
    assert "ibis-copilot fix (rules, checked" in seen["hook"], seen["hook"]
    assert seen["heavy_modules"] == []
