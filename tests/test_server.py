"""The server extension's endpoints, in a real Jupyter server (pytest-jupyter)."""

from __future__ import annotations

import json

import pytest
from copilot_http import error_of, get_json, post
from knowledge_helpers import DOCS
from tornado.httpclient import HTTPClientError

from ibis_copilot import __version__
from ibis_copilot.knowledge.docs_source import DocsFolderSource
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase


async def test_status_reports_versions(jp_fetch, isolated_user_dirs) -> None:  # type: ignore[no-untyped-def]
    status = await get_json(jp_fetch, "status")
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
    code, error, _ = await error_of(post(jp_fetch, "search", body))
    assert code == 400
    assert message in error["message"]


async def test_search_without_index_says_how_to_build_it(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    code, error, _ = await error_of(post(jp_fetch, "search", {"query": "join"}))
    assert code == 503
    assert error["type"] == "EmptyIndexError"
    assert "ibis-copilot index" in error["message"]


async def test_search_returns_cited_results(jp_fetch, isolated_user_dirs) -> None:  # type: ignore[no-untyped-def]
    KnowledgeBase(isolated_user_dirs / "ibis-copilot-data").index(
        [DocsFolderSource(DOCS)], progress=False
    )
    response = await post(jp_fetch, "search", {"query": "rank rows", "k": 2})
    results = json.loads(response.body)["results"]
    assert len(results) == 2
    assert results[0]["path"] == "how-to/analytics/windows.qmd"
    assert results[0]["url"].startswith("https://ibis-project.org/")


async def test_unknown_endpoint_is_a_json_404(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    code, error, _ = await error_of(jp_fetch("ibis-copilot", "no-such-endpoint"))
    assert code == 404
    assert error["type"] == "NotFound"
    assert "ibis-copilot/no-such-endpoint" in error["message"]
