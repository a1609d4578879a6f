"""A full queue answers 429 with Retry-After (here the queue holds nothing at all)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"ibis_copilot": True}},
        "IbisCopilot": {"max_queue": 0, "load_model": "first-use"},
    }


async def test_a_full_queue_answers_429_with_retry_after(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(
            "ibis-copilot",
            "complete",
            method="POST",
            request_timeout=300,
            body=json.dumps({"prefix": "t."}),
        )
    assert info.value.code == 429
    assert info.value.response is not None
    assert info.value.response.headers["Retry-After"] == "1"
    error = json.loads(info.value.response.body)["error"]
    assert error["type"] == "QueueFullError"
    assert "busy" in error["message"]
