"""A full queue answers 429 with Retry-After (here the queue holds nothing at all)."""

from __future__ import annotations

from typing import Any

import pytest
from copilot_http import error_of, post


@pytest.fixture
def copilot_config() -> dict[str, Any]:
    return {"max_queue": 0, "load_model": "first-use"}


async def test_a_full_queue_answers_429_with_retry_after(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    code, error, response = await error_of(post(jp_fetch, "complete", {"prefix": "t."}))
    assert code == 429
    assert response.headers["Retry-After"] == "1"
    assert error["type"] == "QueueFullError"
    assert "busy" in error["message"]
