"""The server extension's endpoints, in a real Jupyter server (pytest-jupyter)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from ibis_copilot import __version__


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"ibis_copilot": True}}}


async def test_status_reports_versions(jp_fetch, isolated_user_dirs) -> None:  # type: ignore[no-untyped-def]
    response = await jp_fetch("ibis-copilot", "status")
    assert response.code == 200
    status = json.loads(response.body)
    assert status["version"] == __version__
    assert status["ibis_version"].startswith("12.")
    assert status["data_dir"] == str(isolated_user_dirs / "ibis-copilot-data")
    assert status["model"]["state"] == "not configured"
    assert status["index"]["state"] == "absent"


@pytest.mark.parametrize("path", ["status", "no-such-endpoint"])
async def test_unauthenticated_requests_are_refused(jp_fetch, path: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("ibis-copilot", path, headers={"Authorization": ""})
    assert info.value.code == 403


async def test_unknown_endpoint_is_a_json_404(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("ibis-copilot", "no-such-endpoint")
    assert info.value.code == 404
    assert info.value.response is not None
    error = json.loads(info.value.response.body)["error"]
    assert error["type"] == "NotFound"
    assert "ibis-copilot/no-such-endpoint" in error["message"]
