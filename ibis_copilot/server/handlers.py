"""HTTP handlers: thin translators between HTTP and plain Python, JSON errors."""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler

from ibis_copilot.status import collect_status

API_PREFIX = "ibis-copilot"


class BaseHandler(APIHandler):
    """Every error leaves as ``{"error": {"type": ..., "message": ...}}``."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        message = HTTPStatus(status_code).phrase
        error_type = message.replace(" ", "")
        if exc_info is not None:
            error = exc_info[1]
            if isinstance(error, tornado.web.HTTPError):
                message = error.log_message or message
            else:
                error_type = "InternalError"
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": {"type": error_type, "message": message}}))


class StatusHandler(BaseHandler):
    """``GET /ibis-copilot/status``: versions, data directory, model and index state."""

    def initialize(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    @tornado.web.authenticated
    def get(self) -> None:
        self.finish(json.dumps(collect_status(self.data_dir)))


class NotFoundHandler(BaseHandler):
    """Unknown ``/ibis-copilot/*`` paths: a JSON 404, after authentication."""

    @tornado.web.authenticated
    def get(self, path: str) -> None:
        raise tornado.web.HTTPError(404, f"no such endpoint: {API_PREFIX}/{path}")

    post = get
