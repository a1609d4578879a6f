"""The OpenAI-compatible backend against a small OpenAI-protocol server that streams
from the real local model (the way vLLM / TGI / llama.cpp would)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from openai_server import MODEL, Recorded, openai_server

from ibis_copilot.models.base import CancelToken, GenerationError, GenerationParams
from ibis_copilot.models.openai_backend import OpenAICompatibleGenerator
from ibis_copilot.models.registry import local_generator

MESSAGES = [{"role": "user", "content": "Name three SQL databases."}]


@pytest.fixture(scope="module")
def server() -> Iterator[Recorded]:
    local_generator(MODEL).load()
    with openai_server() as running:
        yield running


def test_chat_streams_what_the_model_generates(
    server: Recorded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAM_MODEL_KEY", "secret-123")
    remote = OpenAICompatibleGenerator(server.base, MODEL, api_key_env="TEAM_MODEL_KEY")
    remote.load()
    params = GenerationParams(max_tokens=12)
    pieces = list(remote.stream_chat(MESSAGES, params, CancelToken()))
    local = "".join(local_generator(MODEL).stream_chat(MESSAGES, params, CancelToken()))
    assert len(pieces) > 1, "streamed in pieces"
    assert "".join(pieces) == local, "greedy decoding gives the local model's exact text"
    assert server.headers[-1]["Authorization"] == "Bearer secret-123"


def test_raw_completion_streams(server: Recorded) -> None:
    remote = OpenAICompatibleGenerator(server.base, MODEL)
    text = "".join(remote.stream("def add(a, b):\n", GenerationParams(max_tokens=8), CancelToken()))
    assert text.strip()
    assert "Authorization" not in server.headers[-1], "no key configured, none sent"


def test_cancel_closes_the_stream(server: Recorded) -> None:
    remote = OpenAICompatibleGenerator(server.base, MODEL)
    cancel = CancelToken()
    received = []
    for piece in remote.stream_chat(MESSAGES, GenerationParams(max_tokens=200), cancel):
        received.append(piece)
        if len(received) == 3:
            cancel.cancel("test")
    assert len(received) == 3


def test_server_errors_and_unreachable_servers(server: Recorded) -> None:
    server.fail_with = 500
    try:
        with pytest.raises(GenerationError, match="answered 500: boom"):
            list(
                OpenAICompatibleGenerator(server.base, MODEL).stream_chat(
                    MESSAGES, GenerationParams(max_tokens=4), CancelToken()
                )
            )
    finally:
        server.fail_with = None
    with pytest.raises(GenerationError, match="does not answer"):
        OpenAICompatibleGenerator("http://127.0.0.1:9/v1", MODEL).load()
