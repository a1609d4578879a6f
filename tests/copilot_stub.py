"""A scripted stand-in for the server's ``/ibis-copilot/*`` streams, for kernel-side tests.

Each endpoint answers with given NDJSON events. A stream can be *held* before one of its
events until the test releases it, which makes "the kernel did X while the explanation
was still streaming" an ordering the test controls, not a race against the clock; a held
stream notices when the client hangs up. Every request is recorded with its body.
"""

from __future__ import annotations

import json
import select
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from local_http import QuietHandler, local_server

#: A bound on every wait here, against a test that would otherwise hang.
WAIT_S = 120.0


@dataclass
class Call:
    """One request: its endpoint and body; whether its stream is held, was hung up on by
    the client, or has finished."""

    endpoint: str
    body: dict[str, Any]
    held: threading.Event = field(default_factory=threading.Event)
    hung_up: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)


@dataclass
class StubCopilot:
    """What each endpoint streams (``events``), where a stream waits for ``release``
    (``hold_before``: the index of the first held event), and the calls so far."""

    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    hold_before: dict[str, int] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    calls: list[Call] = field(default_factory=list)
    url: str = ""
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def call(self, number: int, timeout: float = WAIT_S) -> Call:
        """The ``number``-th request (0-based), once it has arrived."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self.calls) > number, timeout)
        assert arrived, f"request {number} never came (calls: {self.calls})"
        return self.calls[number]

    def record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()


def _closed_by_peer(connection: socket.socket) -> bool:
    readable, _, _ = select.select([connection], [], [], 0.05)
    if not readable:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _wait_for_release(stub: StubCopilot, call: Call, connection: socket.socket) -> bool:
    """Hold the stream until the test releases it; False when the client hung up."""
    call.held.set()
    for _ in range(int(WAIT_S / 0.05)):
        if stub.release.is_set():
            return True
        if _closed_by_peer(connection):
            call.hung_up.set()
            return False
    return True


@contextmanager
def copilot_stub(stub: StubCopilot) -> Iterator[StubCopilot]:
    """Serve ``stub`` on a free loopback port (``stub.url`` ends with ``/``)."""

    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            endpoint = self.path.rstrip("/").rsplit("/", 1)[-1]
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            call = Call(endpoint, body)
            stub.record(call)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.end_headers()  # HTTP/1.0: the body ends when the connection closes
            try:
                for number, event in enumerate(stub.events.get(endpoint, [])):
                    if number == stub.hold_before.get(endpoint) and not _wait_for_release(
                        stub, call, self.connection
                    ):
                        return
                    self.wfile.write(json.dumps(event).encode() + b"\n")
            except OSError:
                call.hung_up.set()
            finally:
                call.finished.set()

    with local_server(Handler) as url:
        stub.url = url + "/"
        yield stub


def explain_events(text: str, fixed_code: str | None = None, **diagnosis: Any) -> list[dict]:
    """An ``/explain`` stream: the server's diagnosis, the explanation word by word, done."""
    words = [word + " " for word in text.split()]
    return [
        {"type": "diagnosis", "findings": [], "fix": None, **diagnosis},
        *({"type": "token", "text": word} for word in words),
        {
            "type": "done",
            "explanation": text,
            "fixed_code": fixed_code,
            "citations": [],
            "blocks": [],
            "usage": {"prompt_tokens": 1, "completion_tokens": len(words)},
        },
    ]
