"""Shared fixtures. Every test runs with its own data directory and Jupyter paths."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server",)

SNAPSHOT_DIR = Path(__file__).parent / "snapshots"


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Never read or write the developer's own ibis-copilot data or Jupyter config."""
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    os.environ["IBIS_COPILOT_DATA_DIR"] = str(home / "ibis-copilot-data")
    os.environ["JUPYTER_CONFIG_DIR"] = str(home / "jupyter-config")
    os.environ["JUPYTER_DATA_DIR"] = str(home / "jupyter-data")
    os.environ["IPYTHONDIR"] = str(home / "ipython")
    try:
        yield home
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def snapshot(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Compare text with ``tests/snapshots/<name>``; UPDATE_SNAPSHOTS=1 rewrites them.

    A missing snapshot fails the test (it is never written silently).
    """

    def check(text: str, name: str) -> None:
        path = SNAPSHOT_DIR / name
        if os.environ.get("UPDATE_SNAPSHOTS") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text + "\n", encoding="utf-8")
            return
        assert path.exists(), f"missing snapshot {path}; run with UPDATE_SNAPSHOTS=1"
        assert text + "\n" == path.read_text(encoding="utf-8")

    return check
