"""The model worker process: one local model behind an OpenAI-compatible HTTP API.

``python -m ibis_copilot.models.worker_server --model NAME [--device cpu]``. The
supervisor (``models/supervisor.py``) writes a bearer token as the first line of stdin
and keeps stdin open; when stdin closes (the Jupyter server stopped or died), the worker
exits. It listens on 127.0.0.1 on a random port and, once the model is loaded, prints one
JSON line on stdout: ``{"port", "pid", "id", "context_length", "fim"}``, or
``{"error"}`` and exit status 3 when the model cannot load.

Every request needs ``Authorization: Bearer <token>`` (401 otherwise):

- ``GET /v1/models``: the model, with ``context_length`` and ``fim`` (a FIM format name);
- ``POST /v1/chat/completions`` and ``POST /v1/completions``: streamed (server-sent
  events, ``data: [DONE]`` at the end), with the optional ``priority`` of vLLM (0: urgent,
  pauses the others between their tokens; other values: ordinary) and ``member_names``
  (``MemberNames.to_json()``: only real names are decoded after a dot on an Ibis chain);
- ``POST /tokenize`` ``{"prompt"}`` -> ``{"count"}`` and ``POST /apply-template``
  ``{"messages"}`` -> ``{"prompt", "count"}`` (the names llama.cpp's server uses; the
  prompt's token count saves the caller a second call);
- ``GET /health`` -> ``{"status": "ok"}``.
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import resource
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ibis_copilot.models.base import CancelToken, GenerationError, GenerationParams, stop_at
from ibis_copilot.models.member_names import MemberNames
from ibis_copilot.models.transformers_backend import TransformersGenerator

#: Exit status of a worker whose model could not be loaded.
LOAD_FAILED = 3
#: Largest request body accepted (prompts are bounded by the context window anyway).
MAX_BODY_BYTES = 8 * 1024 * 1024


class RequestError(ValueError):
    """A malformed request: answered 400 with the message."""


def parse_params(body: dict[str, Any]) -> GenerationParams:
    """Sampling options of an OpenAI-style request body."""
    try:
        max_tokens = int(body.get("max_tokens") or 256)
        temperature = float(body.get("temperature") or 0.0)
        stop = body.get("stop") or ()
        priority = int(body.get("priority") or 0)
    except (TypeError, ValueError) as error:
        raise RequestError(f"bad sampling options: {error}") from error
    if isinstance(stop, str):
        stop = (stop,)
    if max_tokens < 1 or not all(isinstance(item, str) for item in stop):
        raise RequestError("max_tokens must be positive and stop a list of strings")
    names = None
    if body.get("member_names") is not None:
        try:
            names = MemberNames.from_json(body["member_names"])
        except ValueError as error:
            raise RequestError(str(error)) from error
    return GenerationParams(
        max_tokens, temperature, tuple(stop), urgent=priority == 0, member_names=names
    )


def make_handler(model: TransformersGenerator, token: str) -> type[BaseHTTPRequestHandler]:
    """The request handler class for ``model``, guarded by ``token``."""
    expected = f"Bearer {token}".encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass  # one line per request would drown the server's log

        def _authorized(self) -> bool:
            given = self.headers.get("Authorization", "").encode()
            if hmac.compare_digest(given, expected):
                return True
            self._json(401, {"error": {"message": "missing or wrong bearer token"}})
            return False

        def _json(self, status: int, payload: object) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                raise RequestError("request body too large")
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError as error:
                raise RequestError(f"malformed JSON: {error}") from error
            if not isinstance(body, dict):
                raise RequestError("the body must be a JSON object")
            return body

        def do_GET(self) -> None:
            if not self._authorized():
                return
            if self.path == "/health":
                self._json(200, {"status": "ok"})
            elif self.path == "/v1/models":
                self._json(200, {"object": "list", "data": [describe(model)]})
            else:
                self._json(404, {"error": {"message": f"no such path: {self.path}"}})

        def do_POST(self) -> None:
            if not self._authorized():
                return
            try:
                body = self._body()
                if self.path == "/tokenize":
                    self._json(200, {"count": model.count_tokens(str(body.get("prompt", "")))})
                elif self.path == "/apply-template":
                    prompt = model.render_chat(_messages(body))
                    self._json(200, {"prompt": prompt, "count": model.count_tokens(prompt)})
                elif self.path in ("/v1/chat/completions", "/v1/completions"):
                    self._stream(body, chat=self.path == "/v1/chat/completions")
                else:
                    self._json(404, {"error": {"message": f"no such path: {self.path}"}})
            except RequestError as error:
                self._json(400, {"error": {"message": str(error)}})

        def _stream(self, body: dict[str, Any], *, chat: bool) -> None:
            params = parse_params(body)
            if body.get("stream") is False:
                raise RequestError("only streamed responses are served (stream: true)")
            cancel = CancelToken()
            if chat:
                pieces = model.stream_chat(_messages(body), params, cancel)
            else:
                prompt = body.get("prompt")
                if not isinstance(prompt, str):
                    raise RequestError("prompt must be a string")
                pieces = model.stream(prompt, params, cancel)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                for piece in stop_at(pieces, params.stop, cancel):
                    choice = {"delta": {"content": piece}} if chat else {"text": piece}
                    self._event({"model": model.name, "choices": [{"index": 0, **choice}]})
                self.wfile.write(b"data: [DONE]\n\n")
            except (BrokenPipeError, ConnectionResetError):
                cancel.cancel("the client went away")
            except GenerationError as error:
                self._event({"error": {"message": str(error)}})

        def _event(self, payload: object) -> None:
            self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
            self.wfile.flush()

    return Handler


def _messages(body: dict[str, Any]) -> list[dict[str, str]]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not all(
        isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
        for m in messages
    ):
        raise RequestError("messages must be a list of {role, content} strings")
    return [{"role": m["role"], "content": m["content"]} for m in messages]


def describe(model: TransformersGenerator) -> dict[str, Any]:
    """The model's entry in ``/v1/models`` (and the ready line's fields)."""
    fim = model.fim_format
    return {
        "id": model.name,
        "object": "model",
        "context_length": model.context_length,
        "fim": fim.name if fim else None,
    }


def _exit_when_stdin_closes() -> None:
    """The supervisor holds our stdin open; EOF means it is gone: leave no orphan."""
    while sys.stdin.buffer.read(4096):
        pass
    os._exit(0)


def _announce(line: dict[str, Any]) -> None:
    """The one line the supervisor waits for."""
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--memory-limit-mb", type=int, default=0, help="0: no limit")
    options = parser.parse_args(argv)
    if options.memory_limit_mb > 0:
        limit = options.memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    token = sys.stdin.readline().strip()
    if not token:
        _announce({"error": "no token on stdin"})
        return 2
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    model = TransformersGenerator(options.model, options.device)
    try:
        model.load()
        info = describe(model)
    except GenerationError as error:
        _announce({"error": str(error)})
        return LOAD_FAILED
    except (MemoryError, ImportError, OSError, RuntimeError) as error:  # e.g. out of memory
        limit = f" (memory limit {options.memory_limit_mb} MiB)" if options.memory_limit_mb else ""
        reason = f"{type(error).__name__}: {error}"
        _announce({"error": f"cannot load model {options.model!r}{limit}: {reason}"})
        return LOAD_FAILED
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(model, token))
    server.daemon_threads = True
    ready = {"port": server.server_address[1], "pid": os.getpid(), **info}
    _announce(ready)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    os._exit(status)  # not sys.exit: the stdin watcher thread must not block shutdown
