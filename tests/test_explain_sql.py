"""Explain and SQL fallback: prompts, parsing of the model's answer, and both endpoints
with the real small model in a real Jupyter server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from copilot_http import error_of, ndjson, post, token_text
from knowledge_helpers import tiny_api
from tornado.httpclient import HTTPClientError

from ibis_copilot.assistant.explain import ErrorReport, ExplainWorkflow, InvalidExplainError
from ibis_copilot.assistant.model_sql import (
    InvalidSqlRequestError,
    ModelSqlRequest,
    ModelSqlWorkflow,
)
from ibis_copilot.assistant.sources import find_sources
from ibis_copilot.code_blocks import first_code_block
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.models.registry import local_generator

MODEL = "smollm2-135m-instruct"
REPORT = ErrorReport(
    code="t.pivot_longer(s.c('a'), names_to=1)",
    error_type="IbisTypeError",
    message="names_to must be a string or iterable of strings",
    traceback="Traceback (most recent call last):\n  ...\nIbisTypeError: names_to must be",
    schemas="t: a int64, b int64",
)


def test_explain_prompt_has_code_error_sources_and_schemas(tmp_path) -> None:  # type: ignore[no-untyped-def]
    knowledge = KnowledgeBase(tmp_path)
    knowledge.index([tiny_api()], progress=False)
    workflow = ExplainWorkflow()
    sources = find_sources(knowledge, workflow.search_query(REPORT), workflow.k)
    prepared = workflow.prepare(local_generator(MODEL), REPORT, sources)
    assert "t.pivot_longer(s.c('a'), names_to=1)" in prepared.prompt
    assert "IbisTypeError: names_to must be a string" in prepared.prompt
    assert "t: a int64, b int64" in prepared.prompt
    assert prepared.citations, "the error text finds related reference"
    assert "[1] " in prepared.prompt


def test_explanation_result_extracts_the_fix() -> None:
    answer = "The argument must be a string.\n\n```python\nt.pivot_longer('a', names_to='n')\n```"
    assert ExplainWorkflow.result(answer) == {
        "explanation": answer,
        "fixed_code": "t.pivot_longer('a', names_to='n')",
    }
    assert ExplainWorkflow.result("no code here")["fixed_code"] is None
    assert first_code_block("```sql\nSELECT 1\n```\n```python\nx\n```") == "x"


def test_model_sql_is_parsed_and_labelled() -> None:
    good = ModelSqlWorkflow.result("```sql\nselect a from t where b > 1\n```", "postgres")
    assert good["parsed"] is True
    assert good["model_generated"] is True
    assert good["verified"] is False
    assert good["sql"] == "SELECT\n  a\nFROM t\nWHERE\n  b > 1"
    bad = ModelSqlWorkflow.result("```sql\nSELEC a FROM (\n```", "postgres")
    assert bad["parsed"] is False
    assert bad["parse_error"]


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        ({"code": "t", "dialect": "nosql"}, InvalidSqlRequestError, "unknown dialect 'nosql'"),
        ({"code": " ", "dialect": "duckdb"}, InvalidSqlRequestError, "'code' must be"),
    ],
)
def test_bad_sql_requests(body: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        ModelSqlRequest.from_json(body)


def test_bad_explain_requests() -> None:
    with pytest.raises(InvalidExplainError, match="are required"):
        ErrorReport.from_json({"code": "", "error_type": "X"})
    with pytest.raises(InvalidExplainError, match="must be strings"):
        ErrorReport.from_json({"code": "x", "error_type": "X", "message": 3})


async def test_explain_endpoint_streams_an_explanation(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    events = ndjson(await post(jp_fetch, "explain", dict(REPORT.__dict__)))
    assert any(event["type"] == "token" for event in events)
    done = events[-1]
    assert done["type"] == "done"
    assert done["explanation"] == token_text(events)
    assert "fixed_code" in done
    assert done["citations"] == [], "no index in this server yet"


async def test_sql_endpoint_returns_labelled_sql(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    body = {
        "code": "t.filter(t.a > 1).select('b')",
        "dialect": "postgres",
        "schemas": "t: a int64, b string",
    }
    result = json.loads((await post(jp_fetch, "sql", body)).body)
    assert result["model_generated"] is True
    assert result["verified"] is False
    assert result["dialect"] == "postgres"
    assert isinstance(result["parsed"], bool)


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [("sql", {"code": "t", "dialect": "nosql"}), ("explain", {"code": "x"})],
)
async def test_explain_and_sql_refuse_bad_input(
    jp_fetch, endpoint: str, body: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    status, _, _ = await error_of(post(jp_fetch, endpoint, body))
    assert status == 400


@pytest.mark.parametrize("endpoint", ["complete", "explain", "sql"])
async def test_unauthenticated_generation_is_refused(jp_fetch, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(HTTPClientError) as info:
        await post(jp_fetch, endpoint, {}, headers={"Authorization": ""})
    assert info.value.code == 403
