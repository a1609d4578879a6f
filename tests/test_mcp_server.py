"""The MCP server, driven by the official SDK's own client: over stdio (``ibis-copilot mcp``
in a subprocess) and over streamable HTTP inside a real Jupyter server (pytest-jupyter).

Every tool is called with good input and with bad input; bad input must come back as a
tool error whose message says what is wrong. A real index of the fixture docs, the real
check process and the installed Ibis answer; nothing is mocked.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from knowledge_helpers import DOCS, SEARCH_RESULT_FIELDS, tiny_api
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from tornado.httpclient import HTTPClientError

from ibis_copilot import __version__
from ibis_copilot.knowledge.docs_source import DocsFolderSource
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase

TOOLS = {
    "search_ibis_docs",
    "ibis_api",
    "compile_to_sql",
    "check_ibis_code",
    "diagnose_ibis_error",
    "backend_support",
}
ORDERS = {"t": {"name": "orders", "schema": {"a": "int64", "b": "string"}}}
COMMAND = str(Path(sys.executable).with_name("ibis-copilot"))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding a real index of the fixture docs and a few API chunks."""
    path = tmp_path_factory.mktemp("copilot-data")
    KnowledgeBase(path).index([DocsFolderSource(DOCS), tiny_api()], progress=False)
    return path


async def result_of(client: Client, tool: str, arguments: dict[str, Any]) -> Any:
    """The structured answer of a call that must succeed."""
    answer = await client.call_tool(tool, arguments)
    assert not answer.is_error, answer.content
    assert json.loads(answer.content[0].text) == answer.structured_content  # type: ignore[union-attr]
    return answer.structured_content


async def error_of(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    """The message of a call that must fail as a tool error."""
    answer = await client.call_tool(tool, arguments)
    assert answer.is_error, answer.structured_content
    text: str = answer.content[0].text  # type: ignore[union-attr]
    assert text.startswith(f"Error executing tool {tool}: ")
    return text


async def lists_every_tool(client: Client) -> None:
    listed = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(listed) == TOOLS
    for tool in listed.values():
        assert tool.description
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema is not None
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint
    schemas = listed["check_ibis_code"].input_schema
    assert schemas["required"] == ["code"]
    assert "TableSchema" in schemas["$defs"]


#: (tool, arguments, what the answer must show) for good input.
Check = Callable[[Any], None]


def _search(answer: Any) -> None:
    (top, _) = answer["results"]
    assert set(top) == SEARCH_RESULT_FIELDS
    assert top["path"] == "how-to/analytics/windows.qmd"
    assert top["url"].startswith("https://ibis-project.org/")


def _api(answer: Any) -> None:
    assert answer["found"]
    assert answer["path"] == "ibis.expr.types.relations.Table.join"
    assert "how: JoinKind = 'inner'" in answer["signature"]
    assert answer["docstring"].startswith("Perform a join between two tables.")
    assert ">>> ratings.join(movies" in answer["examples"]
    assert answer["url"].endswith("#ibis.expr.types.relations.Table.join")
    assert answer["ibis_version"].startswith("12.")


def _api_unknown(answer: Any) -> None:
    assert not answer["found"]
    assert answer["path"] is None
    assert answer["closest"][0] == "Table.join"


def _sql(answer: Any) -> None:
    assert answer["dialect"] == "postgres"
    assert 'SUM("t0"."a") AS "n"' in answer["sql"]
    assert 'FROM "orders" AS "t0"' in answer["sql"]
    assert answer["portability"] is None


def _repaired(answer: Any) -> None:
    assert answer["verdict"] == "repaired"
    assert answer["code"] == 't.order_by("a")'
    assert answer["original"] == 't.sort_values("a")'
    assert '+t.order_by("a")' in answer["change"]
    assert "ORDER BY" in answer["sql"]


def _unknown_method(answer: Any) -> None:
    assert answer["verdict"] == "not_checked"
    assert answer["sql"] is None
    assert "has no attribute 'summarize'" in answer["reason"]
    (name,) = answer["unknown_names"]
    assert name["name"] == "t.a.summarize"
    assert name["kind"] == "method of int64"
    assert isinstance(name["closest"], list)


def _diagnosis(answer: Any) -> None:
    assert [f["rule"] for f in answer["findings"]] == ["pandas habit"]
    assert answer["fix"]["verdict"] == "repaired"
    assert answer["fix"]["code"] == 't.group_by("b").agg(n=t.a.sum())'
    assert "GROUP BY" in answer["fix"]["sql"]


def _support(answer: Any) -> None:
    assert answer == {
        "found": True,
        "operation": "ArrayIndex",
        "backends": [{"backend": "sqlite", "supported": False}],
        "closest": [],
    }


def _support_everywhere(answer: Any) -> None:
    supported = {row["backend"]: row["supported"] for row in answer["backends"]}
    assert supported["postgres"] is True
    assert supported["sqlite"] is False
    assert len(supported) > 15


def _support_unknown(answer: Any) -> None:
    assert not answer["found"]
    assert answer["closest"][0] == "Median"


GOOD: list[tuple[str, dict[str, Any], Check]] = [
    ("search_ibis_docs", {"query": "rank rows", "k": 2}, _search),
    ("ibis_api", {"name": "Table.join"}, _api),
    ("ibis_api", {"name": "Table.jion"}, _api_unknown),
    (
        "compile_to_sql",
        {"code": 't.group_by("b").agg(n=t.a.sum())', "schemas": ORDERS, "dialect": "postgres"},
        _sql,
    ),
    ("check_ibis_code", {"code": 't.sort_values("a")', "schemas": ORDERS}, _repaired),
    ("check_ibis_code", {"code": "t.a.summarize()", "schemas": ORDERS}, _unknown_method),
    (
        "diagnose_ibis_error",
        {
            "code": 't.groupby("b").agg(n=t.a.sum())',
            "error_type": "AttributeError",
            "message": "'Table' object has no attribute 'groupby'",
            "schemas": ORDERS,
        },
        _diagnosis,
    ),
    ("backend_support", {"operation": "array_index", "backend": "sqlite"}, _support),
    ("backend_support", {"operation": "ArrayIndex"}, _support_everywhere),
    ("backend_support", {"operation": "Medain"}, _support_unknown),
]

#: (tool, arguments, a part of the error message) for bad input.
BAD: list[tuple[str, dict[str, Any], str]] = [
    ("search_ibis_docs", {"query": ""}, "the query is empty"),
    ("search_ibis_docs", {"query": "join", "k": 500}, "k must be an integer from 1 to 50"),
    ("search_ibis_docs", {"k": 3}, "query\n  Field required"),
    ("ibis_api", {"name": "Table join!"}, "'Table join!' is not a dotted Python name"),
    ("compile_to_sql", {"code": "t.a.sum()", "schemas": ORDERS, "dialect": "sqll"}, "sqlite"),
    ("compile_to_sql", {"code": "import os\nos.getcwd()"}, "not compiled: uses import os"),
    (
        "compile_to_sql",
        {"code": "t.amount.sum()", "schemas": ORDERS},
        "t.amount is not a column (closest: ",
    ),
    ("compile_to_sql", {"code": "  "}, "'code' is empty"),
    (
        "check_ibis_code",
        {"code": "t.a.sum()", "schemas": {"t": {"schema": {"a": "int6"}}}},
        "t.a has type 'int6', which is not an Ibis type",
    ),
    (
        "check_ibis_code",
        {"code": "t.a.sum()", "schemas": {"not a name": {"schema": {}}}},
        "'schemas' must map variables",
    ),
    ("check_ibis_code", {"code": "t.a.sum()", "schemas": {"t": {"columns": {}}}}, "schema"),
    (
        "diagnose_ibis_error",
        {"code": "t.a.sum()", "error_type": "not a type", "message": "boom"},
        "'error_type' must be an exception's name",
    ),
    ("backend_support", {"operation": "Median", "backend": "nope"}, "unknown backend 'nope'"),
]


async def calls_every_tool(client: Client) -> None:
    for tool, arguments, check in GOOD:
        check(await result_of(client, tool, arguments))


async def refuses_bad_input(client: Client) -> None:
    for tool, arguments, expected in BAD:
        assert expected in await error_of(client, tool, arguments), (tool, arguments)


# --- stdio: `ibis-copilot mcp` in a subprocess --------------------------------------------


@asynccontextmanager
async def stdio_client(data_dir: Path) -> AsyncIterator[Client]:
    environment = {**os.environ, "IBIS_COPILOT_DATA_DIR": str(data_dir)}
    server = StdioServerParameters(command=COMMAND, args=["mcp"], env=environment)
    async with Client(server) as client:
        yield client


@pytest.mark.slow
async def test_stdio_tools_answer_good_input(data_dir: Path) -> None:
    async with stdio_client(data_dir) as client:
        assert client.server_info is not None
        assert client.server_info.name == "ibis-copilot"
        assert client.server_info.version == __version__
        assert "Ibis" in (client.instructions or "")
        await lists_every_tool(client)
        await calls_every_tool(client)


@pytest.mark.slow
async def test_stdio_tools_refuse_bad_input(data_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    async with stdio_client(data_dir) as client:
        await refuses_bad_input(client)
        unknown = await client.call_tool("nope", {})
        assert unknown.is_error
        assert unknown.content[0].text == "Unknown tool: nope"  # type: ignore[union-attr]
        # code the allowlist refuses never runs, neither here nor in the check process
        code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
        answer = await result_of(client, "check_ibis_code", {"code": code})
        assert answer["verdict"] == "not_checked"
        assert answer["reason"].startswith("uses ")
    assert not marker.exists()


@pytest.mark.slow
async def test_stdio_portability_table(data_dir: Path) -> None:
    code = 't.group_by("b").agg(m=t.a.median())'
    async with stdio_client(data_dir) as client:
        answer = await result_of(
            client, "compile_to_sql", {"code": code, "schemas": ORDERS, "dialect": "all"}
        )
    assert answer["dialect"] == "all"
    assert answer["sql"] is None
    rows = {row["dialect"]: row for row in answer["portability"]}
    assert len(rows) == 13
    assert rows["duckdb"]["ok"]
    assert 'QUANTILE_CONT("t0"."a", 0.5) AS "m"' in rows["duckdb"]["sql"]
    assert not rows["sqlite"]["ok"]
    assert rows["sqlite"]["sql"] is None
    assert "'Median' operation is not defined" in rows["sqlite"]["error"]


def test_the_command_is_registered(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("mcp", "--help")
    assert result.exit_code == 0
    assert "check_ibis_code" in result.stdout


# --- streamable HTTP inside the Jupyter server -----------------------------------------------


@pytest.fixture
def copilot_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    """No model is loaded (none is needed); a test that asks for ``data_dir`` gets the
    server's data directory there, with its index."""
    config: dict[str, Any] = {"load_model": "first-use"}
    if "data_dir" in request.fixturenames:
        config["data_dir"] = str(request.getfixturevalue("data_dir"))
    return config


@asynccontextmanager
async def http_client(url: str, headers: dict[str, str]) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers=headers, timeout=120) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


@pytest.fixture
def mcp_url(jp_fetch, jp_http_port: int, jp_base_url: str) -> str:  # type: ignore[no-untyped-def]
    """The endpoint's URL (``jp_fetch`` starts the server's HTTP listener)."""
    return f"http://localhost:{jp_http_port}{jp_base_url}ibis-copilot/mcp"


@pytest.mark.slow
async def test_http_tools_answer_good_and_bad_input(  # type: ignore[no-untyped-def]
    data_dir: Path, mcp_url: str, jp_auth_header
) -> None:
    async with http_client(mcp_url, jp_auth_header) as client:
        await lists_every_tool(client)
        await calls_every_tool(client)
        await refuses_bad_input(client)


@pytest.mark.parametrize("method", ["POST", "GET", "DELETE"])
async def test_http_unauthenticated_requests_are_refused(jp_fetch, method: str) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(
            "ibis-copilot",
            "mcp",
            method=method,
            body=body if method == "POST" else None,
            headers={"Authorization": ""},
            allow_nonstandard_methods=True,
        )
    assert info.value.code == 403


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_http_has_no_stream_nor_session(jp_fetch, method: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("ibis-copilot", "mcp", method=method)
    assert info.value.code == 405
    assert info.value.response.headers["Allow"] == "POST"  # type: ignore[union-attr]
    error = json.loads(info.value.response.body)["error"]  # type: ignore[union-attr]
    assert "stateless" in error["message"]


def leaves(error: BaseException) -> list[BaseException]:
    """The exceptions inside (nested) exception groups."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in leaves(inner)]
    return [error]


async def test_http_client_without_token_cannot_connect(mcp_url: str) -> None:
    """The SDK's client sees the 403 (above) as an error response; with the token, the
    same client connects (test_http_tools_answer_good_and_bad_input)."""
    with pytest.raises(BaseException) as info:  # noqa: PT011 - the SDK nests it in groups
        async with http_client(mcp_url, {}):
            pass
    (error,) = leaves(info.value)
    assert isinstance(error, MCPError)
    assert str(error) == "Server returned an error response"


async def test_http_body_over_the_limit_is_refused(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("ibis-copilot", "mcp", method="POST", body="x" * (300 * 1024))
    assert info.value.code == 413
    assert "larger than" in json.loads(info.value.response.body)["error"]["message"]  # type: ignore[union-attr]
