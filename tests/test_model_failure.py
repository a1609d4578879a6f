"""A model that cannot load never breaks the server: status says so, generation requests
get 503 with the reason, and /explain still sends the rules' diagnosis (it needs no
model) before an error event with that reason."""

from __future__ import annotations

from typing import Any

import pytest
from copilot_http import error_of, get_json, ndjson, post, wait_for

BODIES = {
    "chat": {"messages": [{"role": "user", "content": "hi"}]},
    "complete": {"prefix": "t."},
    "sql": {"code": "t", "dialect": "duckdb"},
}


@pytest.fixture
def copilot_config(tmp_path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {"chat_model": str(tmp_path / "missing-model")}


async def model_failed(jp_fetch) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The model's status once loading it has failed."""

    async def failed() -> bool:
        return bool((await get_json(jp_fetch, "status"))["model"]["state"] == "error")

    await wait_for(failed, "the model to fail loading", timeout=10)
    model: dict[str, Any] = (await get_json(jp_fetch, "status"))["model"]
    assert "cannot load model" in model["message"]
    return model


@pytest.mark.parametrize("endpoint", list(BODIES))
async def test_requests_get_503_with_the_reason(jp_fetch, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    await model_failed(jp_fetch)
    code, error, response = await error_of(post(jp_fetch, endpoint, BODIES[endpoint]))
    assert code == 503
    assert error["type"] == "GenerationError"
    assert "the model is unavailable" in error["message"]
    assert "Traceback" not in response.body.decode()


async def test_explain_sends_the_diagnosis_then_the_reason(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    await model_failed(jp_fetch)
    body = {"code": "t.x", "error_type": "AttributeError", "message": "no x"}
    diagnosis, error = ndjson(await post(jp_fetch, "explain", body))
    assert diagnosis["type"] == "diagnosis"
    assert error["type"] == "error"
    assert error["error"]["type"] == "GenerationError"
    assert "the model is unavailable" in error["error"]["message"]
