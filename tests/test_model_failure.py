"""A model that cannot load never breaks the server: status says so, requests get 503."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

BODIES = {
    "chat": {"messages": [{"role": "user", "content": "hi"}]},
    "complete": {"prefix": "t."},
    "explain": {"code": "t.x", "error_type": "AttributeError", "message": "no x"},
    "sql": {"code": "t", "dialect": "duckdb"},
}


@pytest.fixture
def jp_server_config(tmp_path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "ServerApp": {"jpserver_extensions": {"ibis_copilot": True}},
        "IbisCopilot": {"chat_model": str(tmp_path / "missing-model")},
    }


async def wait_for_state(jp_fetch, state: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    for _ in range(100):
        status = json.loads((await jp_fetch("ibis-copilot", "status")).body)
        if status["model"]["state"] == state:
            return status
        await asyncio.sleep(0.1)
    raise AssertionError(f"the model never reached {state!r}")


@pytest.mark.parametrize("endpoint", list(BODIES))
async def test_requests_get_503_with_the_reason(jp_fetch, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    status = await wait_for_state(jp_fetch, "error")
    assert "cannot load model" in status["model"]["message"]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("ibis-copilot", endpoint, method="POST", body=json.dumps(BODIES[endpoint]))
    assert info.value.code == 503
    assert info.value.response is not None
    error = json.loads(info.value.response.body)["error"]
    assert error["type"] == "GenerationError"
    assert "the model is unavailable" in error["message"]
    assert "Traceback" not in info.value.response.body.decode()
