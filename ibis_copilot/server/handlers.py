"""HTTP handlers: thin translators between HTTP and plain Python, JSON errors."""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from tornado.ioloop import IOLoop

from ibis_copilot.knowledge.base import KnowledgeBase
from ibis_copilot.knowledge.embeddings import EmbeddingModelError
from ibis_copilot.knowledge.retrieval import EmptyIndexError, InvalidQueryError
from ibis_copilot.knowledge.store import StoreError
from ibis_copilot.status import collect_status

API_PREFIX = "ibis-copilot"

#: Domain errors and the HTTP status each one answers with.
ERROR_STATUS: dict[type[Exception], int] = {
    InvalidQueryError: 400,
    EmptyIndexError: 503,
    StoreError: 503,
    EmbeddingModelError: 503,
}


class BaseHandler(APIHandler):
    """Every error leaves as ``{"error": {"type": ..., "message": ...}}``."""

    def initialize(self, knowledge: KnowledgeBase, data_dir: Path) -> None:
        self.knowledge = knowledge
        self.data_dir = data_dir

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        message = HTTPStatus(status_code).phrase
        error_type = message.replace(" ", "")
        if exc_info is not None:
            error = exc_info[1]
            if isinstance(error, tornado.web.HTTPError):
                message = error.log_message or message
            elif type(error) in ERROR_STATUS:
                error_type, message = type(error).__name__, str(error)
            else:
                error_type = "InternalError"
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": {"type": error_type, "message": message}}))

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        if exc_info is not None and type(exc_info[1]) in ERROR_STATUS:
            status_code = ERROR_STATUS[type(exc_info[1])]
        super().send_error(status_code, **kwargs)

    def json_body(self) -> dict[str, Any]:
        """The request's JSON object, or a 400 saying what is wrong with it."""
        try:
            body = json.loads(self.request.body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise tornado.web.HTTPError(400, f"the body is not valid JSON: {error}") from None
        if not isinstance(body, dict):
            raise tornado.web.HTTPError(400, "the body must be a JSON object")
        return body


class StatusHandler(BaseHandler):
    """``GET /ibis-copilot/status``: versions, data directory, model and index state."""

    @tornado.web.authenticated
    async def get(self) -> None:
        index = await IOLoop.current().run_in_executor(None, self.knowledge.status)
        self.finish(json.dumps(collect_status(self.data_dir, index)))


class SearchHandler(BaseHandler):
    """``POST /ibis-copilot/search {query, k}``: cited results from the knowledge base."""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        query, k = body.get("query"), body.get("k", 5)
        if not isinstance(query, str):
            raise tornado.web.HTTPError(400, "'query' must be a string")
        results = await IOLoop.current().run_in_executor(None, self.knowledge.search, query, k)
        self.finish(json.dumps({"results": [result.to_dict() for result in results]}))


class NotFoundHandler(BaseHandler):
    """Unknown ``/ibis-copilot/*`` paths: a JSON 404, after authentication."""

    @tornado.web.authenticated
    def get(self, path: str) -> None:
        raise tornado.web.HTTPError(404, f"no such endpoint: {API_PREFIX}/{path}")

    post = get
