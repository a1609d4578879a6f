"""The opt-in interaction log: off by default, local SQLite, acceptance, `stats`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from copilot_http import error_of, post

from ibis_copilot.assistant.interaction_log import InteractionLog


def test_log_records_and_summarises(tmp_path: Path) -> None:
    log = InteractionLog(tmp_path / "log.sqlite")
    assert log.summary() == {}
    first = log.record(
        "complete", "m", prompt_tokens=10, completion_tokens=4, first_token_ms=50.0, total_ms=200.0
    )
    log.record(
        "complete", "m", prompt_tokens=12, completion_tokens=6, first_token_ms=70.0, total_ms=300.0
    )
    assert log.mark_accepted(first, accepted=True)
    assert not log.mark_accepted("unknown", accepted=True)
    summary = log.summary()["complete"]
    assert summary["count"] == 2
    assert summary["first_token_ms_p50"] == 60.0
    assert summary["acceptance"] == 1.0
    assert summary["prompt_tokens"] == 22


@pytest.fixture
def copilot_config() -> dict[str, Any]:
    return {"log_interactions": True}


async def test_completions_are_logged_and_acceptance_reported(  # type: ignore[no-untyped-def]
    jp_fetch, isolated_user_dirs, cli
) -> None:
    response = await post(jp_fetch, "complete", {"prefix": "total = t.amount.", "stream": False})
    interaction_id = json.loads(response.body)["interaction_id"]
    feedback = await post(
        jp_fetch, "feedback", {"interaction_id": interaction_id, "accepted": True}
    )
    assert json.loads(feedback.body) == {"recorded": True}
    status, _, _ = await error_of(
        post(jp_fetch, "feedback", {"interaction_id": "nope", "accepted": False})
    )
    assert status == 404
    database = isolated_user_dirs / "ibis-copilot-data" / "interactions.sqlite"
    summary = InteractionLog(database).summary()["complete"]
    assert summary["count"] == 1
    assert summary["acceptance"] == 1.0
    assert summary["first_token_ms_p50"] is not None
    assert cli("stats", "--json").json()["complete"]["count"] == 1
