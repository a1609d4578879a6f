"""Shared fixtures. Every test runs with its own data directory and Jupyter paths.

Helpers that tests import live beside this file: ``copilot_http`` (the extension's
endpoints through ``jp_fetch``), ``scripted_generator`` (a model with a given answer),
``jupyter_server_process`` (a real server in a subprocess), ``cli_runner`` (the command in
process) and ``local_http``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_runner import Cli, cli_runner

from ibis_copilot.assistant.conversations import ConversationStore
from ibis_copilot.assistant.service import Assistant
from ibis_copilot.knowledge.api_source import ApiSource
from ibis_copilot.knowledge.chunks import Chunk
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.models.base import Generator
from ibis_copilot.models.scheduler import Scheduler
from ibis_copilot.settings import IbisCopilot

pytest_plugins = ("pytest_jupyter.jupyter_server",)

SNAPSHOT_DIR = Path(__file__).parent / "snapshots"


@pytest.fixture(scope="session")
def installed_api() -> dict[str, Chunk]:
    """The installed Ibis API's chunks by path, read once per run (it takes seconds)."""
    chunks = list(ApiSource().chunks())
    paths = [chunk.path for chunk in chunks]
    assert len(paths) == len(set(paths)), "one chunk per object"
    return {chunk.path: chunk for chunk in chunks}


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


# --- the server extension in pytest-jupyter's in-process server --------------------------


@pytest.fixture
def copilot_config() -> dict[str, Any]:
    """``c.IbisCopilot`` settings of the test's Jupyter server; a module overrides this
    fixture to try other settings (the defaults load the real small CPU model)."""
    return {}


@pytest.fixture
def jp_server_config(copilot_config: dict[str, Any]) -> dict[str, Any]:
    """pytest-jupyter's server, with this extension enabled. Its model runs in the test
    process (loaded once for all tests) unless ``copilot_config`` asks for a worker
    process: the worker has its own tests (``test_model_worker*.py``)."""
    return {
        "ServerApp": {"jpserver_extensions": {"ibis_copilot": True}},
        "IbisCopilot": {"model_process": "server", **copilot_config},
    }


@pytest.fixture
def assistant(jp_serverapp):  # type: ignore[no-untyped-def]
    """The Assistant the server extension built (handlers and status share it)."""
    return jp_serverapp.web_app.settings["ibis_copilot"]


# --- the CLI, in process -----------------------------------------------------------------


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run ``ibis-copilot ARGS`` in this process: ``cli("sql", "-", stdin=code)``."""
    return cli_runner(capsys, monkeypatch)


@pytest.fixture
def make_assistant(tmp_path: Path) -> Iterator[Callable[..., Assistant]]:
    """``make_assistant(generator, knowledge=None)``: the real Assistant around a given
    (scripted) model; without ``knowledge``, an index that was never built."""
    made: list[Assistant] = []

    def make(generator: Generator, knowledge: KnowledgeBase | None = None) -> Assistant:
        scheduler = Scheduler(generator)
        assistant = Assistant(
            IbisCopilot(data_dir=str(tmp_path)),
            knowledge or KnowledgeBase(tmp_path / "never-built"),
            scheduler,
            scheduler,
            ConversationStore(tmp_path / "conversations"),
            None,
        )
        made.append(assistant)
        return assistant

    yield make
    for assistant in made:
        assistant.stop()
