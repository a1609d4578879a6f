"""HTTP handlers: parse the request, call one Assistant method, write JSON or NDJSON.

Errors leave as ``{"error": {"type", "message"}}`` with the status of the error's family
(:mod:`ibis_copilot.errors`); a stream that already started ends with an error event.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from tornado.ioloop import IOLoop
from tornado.iostream import StreamClosedError

from ibis_copilot.assistant.complete import CompletionRequest
from ibis_copilot.assistant.explain import ErrorReport
from ibis_copilot.assistant.generation import CALLER_GONE, Event
from ibis_copilot.assistant.model_sql import ModelSqlRequest
from ibis_copilot.assistant.request_parts import dialect_from, table_specs_from
from ibis_copilot.assistant.service import Assistant
from ibis_copilot.errors import (
    BadRequestError,
    BusyError,
    CopilotError,
    NotFoundError,
    TooLargeError,
)
from ibis_copilot.models.base import CancelToken

API_PREFIX = "ibis-copilot"
MAX_BODY_BYTES = 256 * 1024


def error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"error": {"type": error_type, "message": message}}


class BaseHandler(APIHandler):
    """Every error leaves as ``{"error": {"type": ..., "message": ...}}``; never a trace."""

    def initialize(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        message = HTTPStatus(status_code).phrase
        error_type = message.replace(" ", "")
        if exc_info is not None:
            error = exc_info[1]
            if isinstance(error, tornado.web.HTTPError):
                message = error.log_message or message
            elif isinstance(error, CopilotError):
                error_type, message = type(error).__name__, str(error)
            else:
                error_type = "InternalError"
            if isinstance(error, BusyError):
                self.set_header("Retry-After", str(error.retry_after))
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(error_body(error_type, message)))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, CopilotError):  # expected: one line, no traceback
            self.log.warning("%s %s: %s", self.request.method, self.request.path, value)
        else:
            super().log_exception(typ, value, tb)

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        if exc_info is not None and isinstance(exc_info[1], CopilotError):
            status_code = exc_info[1].http_status
        super().send_error(status_code, **kwargs)

    def json_body(self) -> dict[str, Any]:
        """The request's JSON object, or a 4xx saying what is wrong with it."""
        if len(self.request.body or b"") > MAX_BODY_BYTES:
            raise TooLargeError(f"the body is larger than {MAX_BODY_BYTES} bytes")
        try:
            body = json.loads(self.request.body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise BadRequestError(f"the body is not valid JSON: {error}") from None
        if not isinstance(body, dict):
            raise BadRequestError("the body must be a JSON object")
        return body


def optional_string(body: dict[str, Any], name: str) -> str:
    value = body.get(name) or ""
    if not isinstance(value, str):
        raise BadRequestError(f"'{name}' must be a string")
    return value


class StatusHandler(BaseHandler):
    """``GET /ibis-copilot/status``: versions, data directory, model and index state."""

    @tornado.web.authenticated
    async def get(self) -> None:
        status = await IOLoop.current().run_in_executor(None, self.assistant.status)
        self.finish(json.dumps(status))


class SearchHandler(BaseHandler):
    """``POST /ibis-copilot/search {query, k}``: cited results from the knowledge base."""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        query, k = body.get("query"), body.get("k", 5)
        if not isinstance(query, str):
            raise BadRequestError("'query' must be a string")
        results = await self.assistant.search(query, k)
        self.finish(json.dumps({"results": [result.to_dict() for result in results]}))


class StreamingHandler(BaseHandler):
    """Writes an Assistant stream as NDJSON (or, with ``stream: false``, the closing
    event with the whole text as ``answer``); a disconnect cancels the generation."""

    cancel: CancelToken | None = None

    def start_cancellable(self) -> CancelToken:
        self.cancel = CancelToken()
        return self.cancel

    async def write_events(self, events: AsyncIterator[Event], stream: bool) -> None:
        """Failures before the first event answer with their status; later ones end the
        stream with an error event (the Assistant sends it)."""
        pieces: list[str] = []
        try:
            async for event in events:
                if event["type"] == "token":
                    pieces.append(event["text"])
                if not stream:
                    if event["type"] == "error":  # the model failed after it started
                        self.set_status(503)
                        self.finish(json.dumps({"error": event["error"]}))
                    elif event["type"] == "done":
                        done = {key: value for key, value in event.items() if key != "type"}
                        self.finish(json.dumps({"answer": "".join(pieces), **done}))
                    continue
                self.set_header("Content-Type", "application/x-ndjson")
                self.write(json.dumps(event) + "\n")
                await self.flush()
        except StreamClosedError:
            if self.cancel is not None:
                self.cancel.cancel(CALLER_GONE)
            return
        if not self._finished:
            self.finish()

    def on_connection_close(self) -> None:
        if self.cancel is not None:
            self.cancel.cancel(CALLER_GONE)
        super().on_connection_close()


def wants_stream(body: dict[str, Any], default: bool = True) -> bool:
    stream = body.get("stream", default)
    if not isinstance(stream, bool):
        raise BadRequestError("'stream' must be true or false")
    return stream


class ChatHandler(StreamingHandler):
    """``POST /ibis-copilot/chat {messages, conversation_id?, schemas?, tables?, dialect?,
    stream?}``."""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        events = self.assistant.chat(
            body.get("messages"),
            optional_string(body, "conversation_id") or None,
            schemas=optional_string(body, "schemas"),
            tables=table_specs_from(body.get("tables")),
            dialect=dialect_from(body.get("dialect")),
            cancel=self.start_cancellable(),
        )
        await self.write_events(events, wants_stream(body))


class CompleteHandler(StreamingHandler):
    """``POST /ibis-copilot/complete {prefix, suffix, cells?, schemas?, editor_id?}``."""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        request = CompletionRequest.from_json(body)
        editor = optional_string(body, "editor_id") or None
        events = self.assistant.complete(request, editor, self.start_cancellable())
        await self.write_events(events, wants_stream(body))


class ExplainHandler(StreamingHandler):
    """``POST /ibis-copilot/explain {code, error_type, message, traceback, schemas?,
    tables?, dialect?}``."""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        events = self.assistant.explain(ErrorReport.from_json(body), self.start_cancellable())
        await self.write_events(events, wants_stream(body))


class ModelSqlHandler(StreamingHandler):
    """``POST /ibis-copilot/sql {code, dialect, schemas?}``: the model's SQL, labelled."""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        events = self.assistant.model_sql(ModelSqlRequest.from_json(body), self.start_cancellable())
        await self.write_events(events, wants_stream(body, default=False))


class FeedbackHandler(BaseHandler):
    """``POST /ibis-copilot/feedback {interaction_id, accepted}``: was a completion taken?"""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        interaction_id, accepted = body.get("interaction_id"), body.get("accepted")
        if not isinstance(interaction_id, str) or not isinstance(accepted, bool):
            raise BadRequestError("'interaction_id' must be a string and 'accepted' a boolean")
        found = await self.assistant.feedback(interaction_id, accepted)
        if found is None:
            self.finish(json.dumps({"recorded": False, "reason": "logging is off"}))
            return
        if not found:
            raise NotFoundError(f"no interaction {interaction_id!r}")
        self.finish(json.dumps({"recorded": True}))


class NotFoundHandler(BaseHandler):
    """Unknown ``/ibis-copilot/*`` paths: a JSON 404, after authentication."""

    @tornado.web.authenticated
    def get(self, path: str) -> None:
        raise tornado.web.HTTPError(404, f"no such endpoint: {API_PREFIX}/{path}")

    post = get
