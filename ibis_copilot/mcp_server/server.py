"""The MCP server: the tools of :class:`~ibis_copilot.mcp_server.tools.IbisTools` with their
names, descriptions and schemas, on the official SDK's ``MCPServer``.

Each call runs on a worker thread (the tools block on the index and the check process);
a :class:`~ibis_copilot.errors.CopilotError` becomes a tool error carrying its message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from ibis_copilot._version import __version__
from ibis_copilot.errors import CopilotError
from ibis_copilot.mcp_server.schemas import (
    ApiOutput,
    BlockOutput,
    DiagnosisOutput,
    Schemas,
    SearchOutput,
    SqlOutput,
    SupportOutput,
)
from ibis_copilot.mcp_server.tools import IbisTools

NAME = "ibis-copilot"
INSTRUCTIONS = (
    "Ibis (the Python dataframe library) knowledge and checking. Search the Ibis docs and "
    "the installed API before writing Ibis code; check code against the user's table "
    "schemas before proposing it; compile it to SQL for any dialect. Code is never run "
    "against data: it is built from the schemas only, in a separate process."
)
#: Every tool reads; none changes anything or reaches beyond this machine.
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)

T = TypeVar("T")

Code = Annotated[
    str,
    Field(
        description="Python code that builds an Ibis expression from the tables in `schemas` "
        "(`ibis` and `_` are defined; imports of ibis modules are allowed); the expression "
        "it ends with is the result"
    ),
]
TablesArg = Annotated[
    Schemas | None,
    Field(
        description='The tables the code uses: {"<variable>": {"name": "<table name>", '
        '"schema": {"<column>": "<ibis type>"}}}, e.g. {"orders": {"name": "orders", '
        '"schema": {"id": "int64", "amount": "float64"}}}'
    ),
]
Dialect = Annotated[
    str, Field(description="SQL dialect, an Ibis backend name: duckdb, postgres, snowflake...")
]


async def _call(function: Callable[..., T], *args: Any) -> T:
    """Run a tool off the event loop; its deliberate errors become tool errors."""
    try:
        return await anyio.to_thread.run_sync(partial(function, *args))
    except CopilotError as error:
        raise ToolError(str(error)) from None


def build_server(tools: IbisTools) -> MCPServer:
    """An MCP server offering ``tools``; serve it with ``run_stdio_async`` or over HTTP."""
    # MCPServer configures the root logger; the host (Jupyter, the CLI) owns logging.
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    server: MCPServer = MCPServer(NAME, version=__version__, instructions=INSTRUCTIONS)
    root.setLevel(level)
    root.handlers[:] = handlers

    @server.tool(annotations=READ_ONLY)
    async def search_ibis_docs(
        query: Annotated[str, Field(description="What to look for, in words or API names")],
        k: Annotated[int, Field(description="How many results (1-50)")] = 5,
    ) -> SearchOutput:
        """Search the Ibis documentation and API reference. Every result cites its page
        (path, heading, URL) and carries the text of its section; API names in the query
        (`Table.join`, pivot_longer) rank their reference first."""
        return await _call(tools.search_ibis_docs, query, k)

    @server.tool(annotations=READ_ONLY)
    async def ibis_api(
        name: Annotated[
            str, Field(description="An Ibis name: Table.join, ibis.desc, pivot_longer, ...")
        ],
    ) -> ApiOutput:
        """Signature, docstring and examples of an object of the installed Ibis version,
        or the nearest existing names when it does not exist."""
        return await _call(tools.ibis_api, name)

    @server.tool(annotations=READ_ONLY)
    async def compile_to_sql(
        code: Code,
        schemas: TablesArg = None,
        dialect: Annotated[
            str, Field(description='SQL dialect (duckdb, postgres, ...), or "all" for a table')
        ] = "duckdb",
    ) -> SqlOutput:
        """Compile Ibis code to SQL with Ibis itself, from table schemas only; with dialect
        "all", the portability table: for each of 13 dialects, its SQL or why Ibis cannot
        compile it. Code outside expression-building Ibis is refused."""
        return await _call(tools.compile_to_sql, code, schemas, dialect)

    @server.tool(annotations=READ_ONLY)
    async def check_ibis_code(
        code: Code, schemas: TablesArg = None, dialect: Dialect = "duckdb"
    ) -> BlockOutput:
        """Check Ibis code before proposing it: "checked" (it builds and compiles against
        the schemas; the SQL is included), "repaired" (the rules fixed it: use `code`;
        `change` is the diff) or "not_checked" (`reason`; `unknown_names` lists columns or
        methods that do not exist, with the closest real ones)."""
        return await _call(tools.check_ibis_code, code, schemas, dialect)

    @server.tool(annotations=READ_ONLY)
    async def diagnose_ibis_error(
        code: Code,
        error_type: Annotated[str, Field(description="The exception's name: AttributeError")],
        message: Annotated[str, Field(description="The error message")],
        schemas: TablesArg = None,
        dialect: Dialect = "duckdb",
    ) -> DiagnosisOutput:
        """Diagnose a failing Ibis snippet from its error: the repair rules' findings
        (pandas habits, renamed APIs, wrong columns...) and their fix, checked against the
        schemas (`fix` is null when the rules have no edit)."""
        return await _call(tools.diagnose_ibis_error, code, error_type, message, schemas, dialect)

    @server.tool(annotations=READ_ONLY)
    async def backend_support(
        operation: Annotated[
            str,
            Field(description="An operation of ibis.expr.operations: ArrayIndex, Median..."),
        ],
        backend: Annotated[
            str, Field(description='A backend (duckdb, sqlite, polars...), or "all"')
        ] = "all",
    ) -> SupportOutput:
        """Whether a backend implements an Ibis operation, from Ibis's own compilers; the
        nearest operation names when it is unknown."""
        return await _call(tools.backend_support, operation, backend)

    return server
