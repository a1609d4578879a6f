"""A model that cannot load never breaks the server: status says so, requests get 503."""

from __future__ import annotations

from typing import Any

import pytest
from copilot_http import error_of, get_json, post, wait_for

BODIES = {
    "chat": {"messages": [{"role": "user", "content": "hi"}]},
    "complete": {"prefix": "t."},
    "explain": {"code": "t.x", "error_type": "AttributeError", "message": "no x"},
    "sql": {"code": "t", "dialect": "duckdb"},
}


@pytest.fixture
def copilot_config(tmp_path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {"chat_model": str(tmp_path / "missing-model")}


@pytest.mark.parametrize("endpoint", list(BODIES))
async def test_requests_get_503_with_the_reason(jp_fetch, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    async def failed() -> bool:
        return bool((await get_json(jp_fetch, "status"))["model"]["state"] == "error")

    await wait_for(failed, "the model to fail loading", timeout=10)
    status = await get_json(jp_fetch, "status")
    assert "cannot load model" in status["model"]["message"]
    code, error, response = await error_of(post(jp_fetch, endpoint, BODIES[endpoint]))
    assert code == 503
    assert error["type"] == "GenerationError"
    assert "the model is unavailable" in error["message"]
    assert "Traceback" not in response.body.decode()
