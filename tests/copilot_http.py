"""Talking to the extension's endpoints in a pytest-jupyter server (``jp_fetch``)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError, HTTPResponse

#: Generation with the real CPU model can be slow; never wait forever for it.
REQUEST_TIMEOUT = 300


async def post(jp_fetch, endpoint: str, body: object, **options: Any) -> HTTPResponse:  # type: ignore[no-untyped-def]
    """POST ``body`` (JSON-encoded unless it is already a string) to /ibis-copilot/<endpoint>."""
    text = body if isinstance(body, str) else json.dumps(body)
    options.setdefault("request_timeout", REQUEST_TIMEOUT)
    response: HTTPResponse = await jp_fetch(
        "ibis-copilot", endpoint, method="POST", body=text, **options
    )
    return response


async def get_json(jp_fetch, endpoint: str) -> Any:  # type: ignore[no-untyped-def]
    """GET /ibis-copilot/<endpoint> and decode the JSON answer."""
    return json.loads((await jp_fetch("ibis-copilot", endpoint)).body)


def ndjson(response: HTTPResponse) -> list[dict[str, Any]]:
    """The events of a streamed (NDJSON) answer, in order."""
    assert response.headers["Content-Type"] == "application/x-ndjson"
    return [json.loads(line) for line in response.body.decode().splitlines()]


def token_text(events: list[dict[str, Any]]) -> str:
    """The text of the stream's token events, joined."""
    return "".join(event["text"] for event in events if event["type"] == "token")


async def error_of(
    request: Awaitable[HTTPResponse],
) -> tuple[int, dict[str, str], HTTPResponse]:
    """The status, the ``error`` object and the response of a request that must fail."""
    with pytest.raises(HTTPClientError) as info:
        await request
    response = info.value.response
    assert response is not None
    return info.value.code, json.loads(response.body)["error"], response


async def wait_for(condition: Callable[[], Any], what: str, timeout: float = 120) -> None:
    """Poll ``condition`` (sync or async) until it is true; fail after ``timeout`` seconds.

    A bound so that a broken server fails the test instead of hanging it, not a timing
    requirement: timings belong in ``benchmarks/``.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.05)
