"""HTTP handlers: thin translators between HTTP and plain Python, JSON errors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from tornado.ioloop import IOLoop
from tornado.iostream import StreamClosedError

from ibis_copilot.assistant.chat import InvalidChatError, PreparedChat
from ibis_copilot.assistant.complete import CompletionRequest, InvalidCompletionError, clean
from ibis_copilot.assistant.conversations import InvalidConversationError
from ibis_copilot.assistant.explain import ErrorReport, InvalidExplainError
from ibis_copilot.assistant.model_sql import InvalidSqlRequestError, SqlRequest
from ibis_copilot.knowledge.embeddings import EmbeddingModelError
from ibis_copilot.knowledge.retrieval import (
    EmptyIndexError,
    IndexModelMismatchError,
    InvalidQueryError,
)
from ibis_copilot.knowledge.store import StoreError
from ibis_copilot.models.base import (
    CancelToken,
    GenerationError,
    GenerationParams,
    Generator,
    stop_at,
)
from ibis_copilot.models.scheduler import Priority, QueueFullError, Scheduler, Ticket, Work
from ibis_copilot.server.services import Services
from ibis_copilot.status import collect_status

API_PREFIX = "ibis-copilot"
MAX_BODY_BYTES = 256 * 1024

#: Domain errors and the HTTP status each one answers with.
ERROR_STATUS: dict[type[Exception], int] = {
    InvalidQueryError: 400,
    InvalidChatError: 400,
    InvalidCompletionError: 400,
    InvalidExplainError: 400,
    InvalidSqlRequestError: 400,
    InvalidConversationError: 400,
    QueueFullError: 429,
    EmptyIndexError: 503,
    IndexModelMismatchError: 503,
    StoreError: 503,
    EmbeddingModelError: 503,
    GenerationError: 503,
}


def _status_for(error: BaseException) -> int | None:
    return next((code for kind, code in ERROR_STATUS.items() if isinstance(error, kind)), None)


def error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"error": {"type": error_type, "message": message}}


class BaseHandler(APIHandler):
    """Every error leaves as ``{"error": {"type": ..., "message": ...}}``; never a trace."""

    def initialize(self, services: Services) -> None:
        self.services = services

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        message = HTTPStatus(status_code).phrase
        error_type = message.replace(" ", "")
        if exc_info is not None:
            error = exc_info[1]
            if isinstance(error, tornado.web.HTTPError):
                message = error.log_message or message
            elif _status_for(error) is not None:
                error_type, message = type(error).__name__, str(error)
            else:
                error_type = "InternalError"
            if isinstance(error, QueueFullError):
                self.set_header("Retry-After", str(error.retry_after))
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(error_body(error_type, message)))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if value is not None and _status_for(value) is not None:
            self.log.warning("%s %s: %s", self.request.method, self.request.path, value)
        else:
            super().log_exception(typ, value, tb)

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        code = _status_for(exc_info[1]) if exc_info is not None else None
        super().send_error(code or status_code, **kwargs)

    def json_body(self) -> dict[str, Any]:
        """The request's JSON object, or a 4xx saying what is wrong with it."""
        if len(self.request.body or b"") > MAX_BODY_BYTES:
            raise tornado.web.HTTPError(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        try:
            body = json.loads(self.request.body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise tornado.web.HTTPError(400, f"the body is not valid JSON: {error}") from None
        if not isinstance(body, dict):
            raise tornado.web.HTTPError(400, "the body must be a JSON object")
        return body


def optional_string(body: dict[str, Any], name: str) -> str:
    value = body.get(name) or ""
    if not isinstance(value, str):
        raise tornado.web.HTTPError(400, f"'{name}' must be a string")
    return value


class StatusHandler(BaseHandler):
    """``GET /ibis-copilot/status``: versions, data directory, model and index state."""

    @tornado.web.authenticated
    async def get(self) -> None:
        index = await IOLoop.current().run_in_executor(None, self.services.knowledge.status)
        status = collect_status(self.services.data_dir, index)
        status["model"] = {
            **self.services.scheduler.model_state,
            "waiting": self.services.scheduler.waiting(),
        }
        self.finish(json.dumps(status))


class SearchHandler(BaseHandler):
    """``POST /ibis-copilot/search {query, k}``: cited results from the knowledge base."""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        query, k = body.get("query"), body.get("k", 5)
        if not isinstance(query, str):
            raise tornado.web.HTTPError(400, "'query' must be a string")
        results = await IOLoop.current().run_in_executor(
            None, self.services.knowledge.search, query, k
        )
        self.finish(json.dumps({"results": [result.to_dict() for result in results]}))


def raw_prompt(prompt: str, params: GenerationParams) -> Work:
    """Work that continues ``prompt``, ending at the first of ``params.stop``."""

    def work(generator: Generator, cancel: CancelToken) -> Iterator[str]:
        return stop_at(generator.stream(prompt, params, cancel), params.stop, cancel)

    return work


class StreamingHandler(BaseHandler):
    """Streams a generation as NDJSON; a disconnect cancels it."""

    ticket: Ticket | None = None

    @staticmethod
    def require_model(scheduler: Scheduler) -> Scheduler:
        """The scheduler, unless its model failed to load (then a 503 with the reason)."""
        if scheduler.model_state["state"] == "error":
            raise GenerationError(f"the model is unavailable: {scheduler.model_state['message']}")
        return scheduler

    async def generate(
        self,
        scheduler: Scheduler,
        work: Work,
        priority: Priority,
        stream: bool,
        key: str | None = None,
    ) -> str | None:
        """All the text, once generated (streamed as it comes when ``stream``).

        Failures before the first piece answer 503 (or 429 when the queue is full);
        later ones end the stream with an error event. None when the client went away
        or an error event was sent.
        """
        ticket = self.ticket = scheduler.submit(work, priority, key)
        self.started = time.perf_counter()
        self.first_token_ms: float | None = None
        pieces: list[str] = []
        if stream:
            self.set_header("Content-Type", "application/x-ndjson")
        try:
            async for piece in ticket:
                if self.first_token_ms is None:
                    self.first_token_ms = (time.perf_counter() - self.started) * 1000
                pieces.append(piece)
                if stream:
                    self.write(json.dumps({"type": "token", "text": piece}) + "\n")
                    await self.flush()
        except GenerationError as error:
            if not stream or not pieces:
                raise
            event = {"type": "error", **error_body(type(error).__name__, str(error))}
            self.finish(json.dumps(event) + "\n")
            return None
        except StreamClosedError:
            ticket.cancel("client disconnected")
            return None
        return "".join(pieces)

    async def finish_done(
        self, stream: bool, done: dict[str, Any], workflow: str, prompt: str, answer: str
    ) -> None:
        """Log the interaction when enabled, then send the closing event (or the answer).

        Token counts already in ``done["usage"]`` are logged as they are, not counted again.
        """
        log = self.services.interactions
        if log is not None:
            total_ms = (time.perf_counter() - self.started) * 1000
            generator = self.ticket.generator if self.ticket else self.services.scheduler.generator
            usage = done.get("usage", {})

            def count(key: str, text: str) -> int:
                return int(usage[key]) if key in usage else generator.count_tokens(text)

            def record() -> str:
                return log.record(
                    workflow,
                    generator.name,
                    prompt_tokens=count("prompt_tokens", prompt),
                    completion_tokens=count("completion_tokens", answer),
                    first_token_ms=self.first_token_ms,
                    total_ms=total_ms,
                )

            done = {**done, "interaction_id": await IOLoop.current().run_in_executor(None, record)}
        self.finish(json.dumps({"type": "done", **done} if stream else done) + "\n")

    def on_connection_close(self) -> None:
        if self.ticket is not None:
            self.ticket.cancel("client disconnected")
        super().on_connection_close()


class ChatHandler(StreamingHandler):
    """``POST /ibis-copilot/chat {messages, conversation_id?, schemas?, stream?}``.

    Streams NDJSON: ``{"type": "token", "text"}`` events, then ``{"type": "done",
    "conversation_id", "citations", "usage"}`` (or ``{"type": "error", "error"}``).
    """

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        conversation_id = optional_string(body, "conversation_id") or None
        schemas = optional_string(body, "schemas")
        stream = body.get("stream", True)
        scheduler, chat = self.require_model(self.services.scheduler), self.services.chat
        prepared: PreparedChat = await IOLoop.current().run_in_executor(
            None,
            chat.prepare,
            scheduler.generator,
            body.get("messages"),
            conversation_id,
            schemas,
        )
        params = GenerationParams(max_tokens=chat.max_tokens)

        def work(generator: Generator, cancel: CancelToken) -> Any:
            return generator.stream_chat(prepared.messages, params, cancel)

        answer = await self.generate(scheduler, work, Priority.CHAT, stream)
        if answer is None:
            return
        await IOLoop.current().run_in_executor(None, chat.remember, prepared, answer)
        completion_tokens = await IOLoop.current().run_in_executor(
            None, scheduler.generator.count_tokens, answer
        )
        done = {
            "conversation_id": prepared.conversation_id,
            "citations": [result.to_dict() for result in prepared.citations],
            "usage": {
                "prompt_tokens": prepared.prompt_tokens,
                "completion_tokens": completion_tokens,
            },
        }
        await self.finish_done(
            stream, done if stream else {"answer": answer, **done}, "chat", prepared.prompt, answer
        )


class CompleteHandler(StreamingHandler):
    """``POST /ibis-copilot/complete {prefix, suffix, cells?, schemas?, editor_id?}``.

    Runs before waiting chats; a newer request with the same ``editor_id`` cancels the
    older one. The closing event's ``completion`` is the text to insert.
    """

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        request = CompletionRequest.from_json(body)
        editor = optional_string(body, "editor_id") or None
        stream = body.get("stream", True)
        scheduler = self.require_model(self.services.completion_scheduler)
        prompt, params = await IOLoop.current().run_in_executor(
            None, self.services.complete.prepare, scheduler.generator, request
        )

        work = raw_prompt(prompt, params)
        text = await self.generate(scheduler, work, Priority.COMPLETION, stream, editor)
        if text is not None:
            completion = {"completion": clean(text, request.suffix)}
            await self.finish_done(stream, completion, "complete", prompt, text)


class ExplainHandler(StreamingHandler):
    """``POST /ibis-copilot/explain {code, error_type, message, traceback, schemas?}``.

    The closing event carries ``explanation``, ``fixed_code`` (unchecked: the kernel
    checks it) and ``citations``.
    """

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        report = ErrorReport.from_json(body)
        stream = body.get("stream", True)
        scheduler = self.require_model(self.services.scheduler)
        workflow = self.services.explain
        prepared = await IOLoop.current().run_in_executor(
            None, workflow.prepare, scheduler.generator, report
        )
        work = raw_prompt(prepared.prompt, GenerationParams(max_tokens=workflow.max_tokens))
        answer = await self.generate(scheduler, work, Priority.CHAT, stream)
        if answer is not None:
            citations = [result.to_dict() for result in prepared.citations]
            done = {**workflow.result(answer), "citations": citations}
            await self.finish_done(stream, done, "explain", prepared.prompt, answer)


class SqlHandler(StreamingHandler):
    """``POST /ibis-copilot/sql {code, dialect, schemas?}``: SQL written by the model,
    parsed by sqlglot for that dialect, marked ``model_generated`` and not ``verified``."""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        request = SqlRequest.from_json(body)
        stream = body.get("stream", False)
        scheduler = self.require_model(self.services.scheduler)
        workflow = self.services.convert
        prompt = await IOLoop.current().run_in_executor(
            None, workflow.prepare, scheduler.generator, request
        )
        work = raw_prompt(prompt, GenerationParams(max_tokens=workflow.max_tokens))
        answer = await self.generate(scheduler, work, Priority.CHAT, stream)
        if answer is not None:
            done = workflow.result(answer, request.dialect)
            await self.finish_done(stream, done, "sql", prompt, answer)


class FeedbackHandler(BaseHandler):
    """``POST /ibis-copilot/feedback {interaction_id, accepted}``: was a completion taken?"""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        interaction_id, accepted = body.get("interaction_id"), body.get("accepted")
        if not isinstance(interaction_id, str) or not isinstance(accepted, bool):
            raise tornado.web.HTTPError(
                400, "'interaction_id' must be a string and 'accepted' a boolean"
            )
        log = self.services.interactions
        if log is None:
            self.finish(json.dumps({"recorded": False, "reason": "logging is off"}))
            return
        found = await IOLoop.current().run_in_executor(
            None, log.mark_accepted, interaction_id, accepted
        )
        if not found:
            raise tornado.web.HTTPError(404, f"no interaction {interaction_id!r}")
        self.finish(json.dumps({"recorded": True}))


class NotFoundHandler(BaseHandler):
    """Unknown ``/ibis-copilot/*`` paths: a JSON 404, after authentication."""

    @tornado.web.authenticated
    def get(self, path: str) -> None:
        raise tornado.web.HTTPError(404, f"no such endpoint: {API_PREFIX}/{path}")

    post = get
