"""The kernel's HTTP client against a real local HTTP server: events stream, a cancel from
another thread ends a stream mid-way, and the next request (on the same shared client)
is answered in full."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ibis_copilot.kernel.client import (
    AssistantClient,
    AssistantError,
    ServerInfo,
    StreamCancel,
)

EVENTS = 5


class SlowEvents(BaseHTTPRequestHandler):
    """``POST /ibis-copilot/<n>``: n NDJSON events, 0.2 s apart; ``bad``: a 400."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        endpoint = self.path.rsplit("/", 1)[-1]
        if endpoint == "bad":
            body = json.dumps({"error": {"message": "bad input"}}).encode()
            self.send_response(400)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        try:
            for index in range(int(endpoint)):
                self.wfile.write(json.dumps({"index": index}).encode() + b"\n")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            return  # the client went away

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[ServerInfo]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), SlowEvents)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield ServerInfo(f"http://127.0.0.1:{httpd.server_address[1]}/")
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_cancelled_stream_ends_and_the_next_request_is_answered_in_full(
    server: ServerInfo,
) -> None:
    client = AssistantClient(server, timeout=10)
    cancel = StreamCancel()
    seen = []
    for event in client.stream(str(EVENTS), {}, cancel):
        seen.append(event["index"])
        if len(seen) == 2:
            threading.Timer(0.05, cancel.cancel, args=("budget",)).start()
    assert seen == [0, 1], "the stream ended at the cancel, without an error"
    assert cancel.reason == "budget"
    after = [event["index"] for event in AssistantClient(server).stream(str(EVENTS), {})]
    assert after == list(range(EVENTS))


def test_an_error_answer_is_one_readable_line(server: ServerInfo) -> None:
    with pytest.raises(AssistantError, match=r"^bad input$"):
        list(AssistantClient(server).stream("bad", {}))
