"""Generation by an OpenAI-compatible server (vLLM, TGI, llama.cpp server, Ollama).

This is how a team outgrows one machine: the model runs on a shared GPU server and every
Jupyter server talks to it. The API key comes from an environment variable, never a file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx

from ibis_copilot.models.base import CancelToken, GenerationError, GenerationParams, Message
from ibis_copilot.models.fim import FimFormat

CHARS_PER_TOKEN = 4  # estimate when no local tokenizer is configured


def http_client(timeout: float | None = None) -> httpx.Client:
    """A client to share between requests and threads. Building one costs ~20 ms (its
    TLS context), which a client per request adds to every first token. Connections are
    not kept open between requests, so a client nobody closes leaves no socket behind."""
    return httpx.Client(timeout=timeout, limits=httpx.Limits(max_keepalive_connections=0))


class OpenAICompatibleGenerator:
    """Streams from ``<base_url>/chat/completions`` and ``<base_url>/completions``."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env: str = "OPENAI_API_KEY",
        context_length: int = 4096,
        timeout: float = 120.0,
        *,
        api_key: str | None = None,
        own_worker: bool = False,
        http: httpx.Client | None = None,
    ) -> None:
        """``api_key`` wins over ``api_key_env``. For the project's ``own_worker``, each
        request carries vLLM's ``priority`` (0 for urgent generations, 1 otherwise) and a
        completion's ``member_names``. Requests go through ``http``, or a client of this
        generator's own (see ``http_client``)."""
        self.http = http or http_client()
        self.base_url = base_url.rstrip("/")
        self.name = model
        self.api_key_env = api_key_env
        self.api_key = api_key
        self.own_worker = own_worker
        self.context_length = context_length
        self.timeout = timeout

    @property
    def fim_format(self) -> FimFormat | None:
        """Unknown for a remote model: completion falls back to a chat prompt."""
        return None

    def _headers(self) -> dict[str, str]:
        key = self.api_key or os.environ.get(self.api_key_env)
        return {"Authorization": f"Bearer {key}"} if key else {}

    def load(self) -> None:
        """Check that the server answers (``GET /models``)."""
        try:
            response = self.http.get(f"{self.base_url}/models", headers=self._headers(), timeout=10)
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise GenerationError(
                f"the model server at {self.base_url} does not answer: {error}"
            ) from error

    def render_chat(self, messages: list[Message]) -> str:
        """The server applies the chat template; this text is only for counting tokens."""
        return "\n\n".join(f"{m['role']}: {m['content']}" for m in messages)

    def count_tokens(self, text: str) -> int:
        """An estimate: the server's tokenizer is not available here."""
        return max(1, len(text) // CHARS_PER_TOKEN)

    def stream_chat(
        self, messages: list[Message], params: GenerationParams, cancel: CancelToken
    ) -> Iterator[str]:
        body = {"model": self.name, "messages": messages, **self._options(params)}
        for event in self._events("chat/completions", body, cancel):
            delta = event["choices"][0].get("delta", {}) if event.get("choices") else {}
            if delta.get("content"):
                yield str(delta["content"])

    def stream(self, prompt: str, params: GenerationParams, cancel: CancelToken) -> Iterator[str]:
        body = {"model": self.name, "prompt": prompt, **self._options(params)}
        for event in self._events("completions", body, cancel):
            choices = event.get("choices") or [{}]
            if choices[0].get("text"):
                yield str(choices[0]["text"])

    def _options(self, params: GenerationParams) -> dict[str, Any]:
        options: dict[str, Any] = {
            "stream": True,
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
        }
        if params.stop:
            options["stop"] = list(params.stop)
        if self.own_worker:
            options["priority"] = 0 if params.urgent else 1
            if params.member_names is not None:
                options["member_names"] = params.member_names.to_json()
        return options

    def _events(
        self, path: str, body: dict[str, Any], cancel: CancelToken
    ) -> Iterator[dict[str, Any]]:
        """Server-sent events of a streamed response, until ``[DONE]`` or cancel; a stream
        that ends without ``[DONE]`` was cut off (the server died): an error."""
        try:
            with self.http.stream(
                "POST",
                f"{self.base_url}/{path}",
                json=body,
                headers=self._headers(),
                timeout=self.timeout,
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise GenerationError(
                        f"the model server answered {response.status_code}: {response.text[:200]}"
                    )
                for line in response.iter_lines():
                    if cancel.cancelled:
                        return
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    event = json.loads(data)
                    if isinstance(event, dict) and "error" in event:
                        message = (event["error"] or {}).get("message", "unknown error")
                        raise GenerationError(f"the model server failed: {message}")
                    yield event
                raise GenerationError("the model server closed the stream before it was done")
        except httpx.HTTPError as error:
            raise GenerationError(f"the model server at {self.base_url} failed: {error}") from error
        except json.JSONDecodeError as error:
            raise GenerationError(f"the model server sent malformed data: {error}") from error
