"""The opt-in interaction log: off by default, local SQLite, acceptance, `stats`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

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
def jp_server_config() -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"ibis_copilot": True}},
        "IbisCopilot": {"log_interactions": True},
    }


async def test_completions_are_logged_and_acceptance_reported(  # type: ignore[no-untyped-def]
    jp_fetch, isolated_user_dirs
) -> None:
    response = await jp_fetch(
        "ibis-copilot",
        "complete",
        method="POST",
        request_timeout=300,
        body=json.dumps({"prefix": "total = t.amount.", "stream": False}),
    )
    interaction_id = json.loads(response.body)["interaction_id"]
    feedback = await jp_fetch(
        "ibis-copilot",
        "feedback",
        method="POST",
        body=json.dumps({"interaction_id": interaction_id, "accepted": True}),
    )
    assert json.loads(feedback.body) == {"recorded": True}
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(
            "ibis-copilot",
            "feedback",
            method="POST",
            body=json.dumps({"interaction_id": "nope", "accepted": False}),
        )
    assert info.value.code == 404
    database = isolated_user_dirs / "ibis-copilot-data" / "interactions.sqlite"
    summary = InteractionLog(database).summary()["complete"]
    assert summary["count"] == 1
    assert summary["acceptance"] == 1.0
    assert summary["first_token_ms_p50"] is not None
    stats = subprocess.run(
        [str(Path(sys.executable).parent / "ibis-copilot"), "stats", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(stats.stdout)["complete"]["count"] == 1
