"""The local model as seen from the Jupyter server: a Generator over a worker process.

Streaming goes through the OpenAI-compatible client (``models/openai_backend.py``), the
same path as a remote model server; the prompt's chat template and token counts come from
the worker's own tokenizer (``/apply-template``, ``/tokenize``), so prompts are trimmed
exactly as in process. No weights are loaded here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import httpx

from ibis_copilot.models.base import CancelToken, GenerationError, GenerationParams, Message
from ibis_copilot.models.fim import FORMATS, FimFormat
from ibis_copilot.models.openai_backend import OpenAICompatibleGenerator, http_client
from ibis_copilot.models.supervisor import Endpoint, WorkerSupervisor

#: Seconds a tokenizer call to the worker may take.
TOKENIZER_TIMEOUT = 30.0
#: Token counts remembered (the same tokenizer for the worker's life, and after restarts).
COUNTS_KEPT = 256


class WorkerGenerator:
    """Generates in a supervised worker process; ``load()`` waits until it is ready."""

    def __init__(self, supervisor: WorkerSupervisor, timeout: float = 120.0) -> None:
        self.supervisor = supervisor
        self.name = supervisor.model
        self.timeout = timeout
        self.context_length = 2048
        #: One client for every request to the worker, from every thread.
        self.http = http_client()
        self._counts: OrderedDict[str, int] = OrderedDict()  # text -> tokens, newest last
        self._lock = threading.Lock()

    @property
    def fim_format(self) -> FimFormat | None:
        name = self._endpoint().info.get("fim")
        return next((fim for fim in FORMATS if fim.name == name), None)

    def load(self) -> None:
        """Start the worker if need be and wait until its model is loaded."""
        self._endpoint()

    def render_chat(self, messages: list[Message]) -> str:
        answer = self._call("/apply-template", {"messages": messages})
        prompt = str(answer["prompt"])
        self._remember_count(prompt, int(answer["count"]))
        return prompt

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text``, asked of the worker once per text (each call is a round
        trip before the first token: the system prompt and a rendered prompt are
        counted again and again)."""
        with self._lock:
            if text in self._counts:
                self._counts.move_to_end(text)
                return self._counts[text]
        count = int(self._call("/tokenize", {"prompt": text})["count"])
        self._remember_count(text, count)
        return count

    def _remember_count(self, text: str, count: int) -> None:
        with self._lock:
            self._counts[text] = count
            if len(self._counts) > COUNTS_KEPT:
                self._counts.popitem(last=False)

    def stream_chat(
        self, messages: list[Message], params: GenerationParams, cancel: CancelToken
    ) -> Iterator[str]:
        client = self._client()
        return self._guarded(client.stream_chat(messages, params, cancel))

    def stream(self, prompt: str, params: GenerationParams, cancel: CancelToken) -> Iterator[str]:
        client = self._client()
        return self._guarded(client.stream(prompt, params, cancel))

    def _endpoint(self) -> Endpoint:
        endpoint = self.supervisor.endpoint()
        self.context_length = int(endpoint.info.get("context_length") or self.context_length)
        return endpoint

    def _client(self) -> OpenAICompatibleGenerator:
        endpoint = self._endpoint()
        return OpenAICompatibleGenerator(
            f"{endpoint.base_url}/v1",
            self.name,
            context_length=self.context_length,
            timeout=self.timeout,
            api_key=endpoint.token,
            own_worker=True,
            http=self.http,
        )

    def _guarded(self, pieces: Iterator[str]) -> Iterator[str]:
        """The pieces; a broken stream says what happened to the worker."""
        try:
            yield from pieces
        except GenerationError as error:
            ended = self.supervisor.failure()
            if ended is None:
                raise
            raise GenerationError(f"{ended} ({error})") from error

    def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        endpoint = self._endpoint()
        try:
            response = self.http.post(
                f"{endpoint.base_url}{path}",
                json=body,
                headers=endpoint.headers,
                timeout=TOKENIZER_TIMEOUT,
            )
            response.raise_for_status()
            answer: dict[str, Any] = response.json()
        except httpx.HTTPError as error:
            ended = self.supervisor.failure() or "the model worker failed"
            raise GenerationError(f"{ended} ({error})") from error
        return answer
