"""A small OpenAI-protocol server that streams from the real local model, for tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from local_http import QuietHandler, local_server

from ibis_copilot.models.base import CancelToken, GenerationParams
from ibis_copilot.models.registry import local_generator

MODEL = "smollm2-135m-instruct"


@dataclass
class Recorded:
    """What the server saw: headers per request, and how many pieces each stream sent."""

    headers: list[dict[str, str]] = field(default_factory=list)
    pieces_sent: list[int] = field(default_factory=list)
    fail_with: int | None = None
    base: str = ""


@contextmanager
def openai_server() -> Iterator[Recorded]:
    recorded = Recorded()
    model = local_generator(MODEL)

    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            recorded.headers.append(dict(self.headers))
            body = json.dumps({"data": [{"id": MODEL}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            recorded.headers.append(dict(self.headers))
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if recorded.fail_with:
                self.send_response(recorded.fail_with)
                self.send_header("Content-Length", "4")
                self.end_headers()
                self.wfile.write(b"boom")
                return
            params = GenerationParams(max_tokens=request["max_tokens"])
            cancel = CancelToken()
            if self.path.endswith("/chat/completions"):
                pieces = model.stream_chat(request["messages"], params, cancel)
                wrap = lambda text: {"choices": [{"delta": {"content": text}}]}  # noqa: E731
            else:
                pieces = model.stream(request["prompt"], params, cancel)
                wrap = lambda text: {"choices": [{"text": text}]}  # noqa: E731
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            sent = 0
            try:
                for piece in pieces:
                    self.wfile.write(f"data: {json.dumps(wrap(piece))}\n\n".encode())
                    self.wfile.flush()
                    sent += 1
                self.wfile.write(b"data: [DONE]\n\n")
            except (BrokenPipeError, ConnectionResetError):
                cancel.cancel("client went away")
            finally:
                recorded.pieces_sent.append(sent)

    with local_server(Handler) as base:
        recorded.base = f"{base}/v1"
        yield recorded
