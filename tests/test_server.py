"""The server extension's endpoints, in a real Jupyter server (pytest-jupyter)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from ibis_copilot import __version__
from ibis_copilot.knowledge.docs_source import DocsFolderSource
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase

DOCS = Path(__file__).parent / "data" / "docs"


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
    assert status["model"]["state"] in {"loading", "ready"}, "loads in the background"
    assert status["model"]["name"] == "smollm2-135m-instruct"
    assert status["index"]["state"] == "absent"
    assert status["index"]["hint"] == "build it with: ibis-copilot index"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "status"), ("POST", "search"), ("POST", "chat"), ("GET", "no-such-endpoint")],
)
async def test_unauthenticated_requests_are_refused(jp_fetch, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"query": "join"}) if method == "POST" else None
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(
            "ibis-copilot", path, method=method, body=body, headers={"Authorization": ""}
        )
    assert info.value.code == 403


async def error_of(jp_fetch, path: str, body: str) -> tuple[int, dict[str, str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("ibis-copilot", path, method="POST", body=body)
    assert info.value.response is not None
    return info.value.code, json.loads(info.value.response.body)["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "the body is not valid JSON"),
        ("[1, 2]", "the body must be a JSON object"),
        ('{"k": 3}', "'query' must be a string"),
        ('{"query": ""}', "the query is empty"),
        ('{"query": "join", "k": 500}', "k must be an integer from 1 to 50"),
    ],
)
async def test_search_validates_input(jp_fetch, body: str, message: str) -> None:  # type: ignore[no-untyped-def]
    code, error = await error_of(jp_fetch, "search", body)
    assert code == 400
    assert message in error["message"]


async def test_search_without_index_says_how_to_build_it(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    code, error = await error_of(jp_fetch, "search", '{"query": "join"}')
    assert code == 503
    assert error["type"] == "EmptyIndexError"
    assert "ibis-copilot index" in error["message"]


async def test_search_returns_cited_results(jp_fetch, isolated_user_dirs) -> None:  # type: ignore[no-untyped-def]
    KnowledgeBase(isolated_user_dirs / "ibis-copilot-data").index(
        [DocsFolderSource(DOCS)], progress=False
    )
    response = await jp_fetch(
        "ibis-copilot", "search", method="POST", body=json.dumps({"query": "rank rows", "k": 2})
    )
    results = json.loads(response.body)["results"]
    assert len(results) == 2
    assert results[0]["path"] == "how-to/analytics/windows.qmd"
    assert results[0]["url"].startswith("https://ibis-project.org/")


async def test_unknown_endpoint_is_a_json_404(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("ibis-copilot", "no-such-endpoint")
    assert info.value.code == 404
    assert info.value.response is not None
    error = json.loads(info.value.response.body)["error"]
    assert error["type"] == "NotFound"
    assert "ibis-copilot/no-such-endpoint" in error["message"]
