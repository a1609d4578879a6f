"""Settings: the CLI and the server read the same Jupyter config files, then the
environment, then defaults; ``ibis-copilot config`` says where each value came from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from knowledge_helpers import DOCS

from ibis_copilot.cli import main
from ibis_copilot.knowledge.embeddings import resolve_model_path
from ibis_copilot.settings import ENVIRONMENT, IbisCopilot, load_settings


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"ibis_copilot": True}}}


def write_config(config_dir: Path, **values: str) -> Path:
    path = config_dir / "jupyter_server_config.py"
    lines = [f"c.IbisCopilot.{name} = {value!r}" for name, value in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def configured(jp_environ, jp_config_dir, tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A config file that names the packaged embedding model by its directory (another
    setting value, the same weights) and its own data directory."""
    values = {
        "embedding_model": resolve_model_path("all-MiniLM-L6-v2"),
        "data_dir": str(tmp_path / "configured-data"),
        "load_model": "first-use",
    }
    write_config(jp_config_dir, **values)
    return values


async def test_a_config_file_setting_reaches_both_index_and_the_server(  # type: ignore[no-untyped-def]
    configured, jp_fetch, capsys
) -> None:
    """The bug this guards: `index` used to ignore c.IbisCopilot.* and embed with the
    default model, and the server then refused to search the index it built."""
    model_dir, data_dir = configured["embedding_model"], Path(configured["data_dir"])
    assert main(["index", "--no-package", "--docs", str(DOCS), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sources"], "the index reports what it read"
    assert (data_dir / "index").is_dir(), "index used the data_dir from the file"

    status = json.loads((await jp_fetch("ibis-copilot", "status")).body)
    assert status["data_dir"] == str(data_dir)
    assert status["index"]["embedding_model"] == model_dir
    assert status["index"]["state"] == "ready", status["index"]
    response = await jp_fetch(
        "ibis-copilot", "search", method="POST", body=json.dumps({"query": "rank rows", "k": 2})
    )
    assert json.loads(response.body)["results"], "the server searches what index built"


def test_config_shows_each_value_and_where_it_came_from(
    jp_environ, jp_config_dir, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    path = write_config(jp_config_dir, chat_model="from-the-file")
    monkeypatch.setenv("IBIS_COPILOT_CHAT_MODEL", "from-the-environment")
    monkeypatch.setenv("IBIS_COPILOT_COMPLETION_MODEL", "completion-from-the-environment")
    assert main(["config", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    rows = {row["name"]: row for row in shown["settings"]}
    assert str(path) in shown["files"]
    assert rows["chat_model"] == {"name": "chat_model", "value": "from-the-file", "from": str(path)}
    assert rows["completion_model"]["value"] == "completion-from-the-environment"
    assert rows["completion_model"]["from"] == "$IBIS_COPILOT_COMPLETION_MODEL"
    assert rows["max_queue"] == {"name": "max_queue", "value": 16, "from": "default"}


def test_environment_variables_are_read_when_settings_are_made(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Not once at import time: a variable set later still counts."""
    monkeypatch.setenv("IBIS_COPILOT_MODEL_BACKEND", "openai")
    monkeypatch.setenv("IBIS_COPILOT_OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings = load_settings().settings
    assert settings.model_backend == "openai"
    assert settings.openai_base_url == "http://127.0.0.1:9/v1"


def test_every_environment_variable_is_named_in_its_settings_help() -> None:
    traits = IbisCopilot.class_traits(config=True)
    for name, variable in ENVIRONMENT.items():
        assert variable in str(traits[name].help), name


def test_an_invalid_value_in_a_config_file_is_one_line(jp_environ, jp_config_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    write_config(jp_config_dir, model_backend="carrier-pigeon")
    assert main(["config"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("ibis-copilot: ")
    assert "model_backend" in error
    assert len(error.strip().splitlines()) == 1
