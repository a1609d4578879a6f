"""SQL written by the model when Ibis cannot compile a cell (``%%ibis_sql --llm``).

Always labelled model-generated and unverified; sqlglot's parse (on the server) and, for
DuckDB, binding against empty tables with the same schemas (in the check process) say how
far it can be trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ibis_copilot.expressions.namespace import namespace_context, table_specs
from ibis_copilot.kernel.client import AssistantClient
from ibis_copilot.kernel.display import _fence
from ibis_copilot.repair.check import check_sql_binds

#: Ibis backend names whose sqlglot dialect has another name.
SQLGLOT_NAMES = {"mssql": "tsql", "pyspark": "spark", "impala": "hive"}


@dataclass
class ModelSQL:
    """The model's SQL and what is known about it."""

    dialect: str
    sql: str
    parsed: bool
    parse_error: str = ""
    binds: bool | None = None  # None: not tried (only DuckDB is)
    bind_error: str = ""

    def notes(self) -> list[str]:
        notes = ["model-generated, NOT verified: Ibis did not compile this"]
        notes.append("parses" if self.parsed else f"does not parse: {self.parse_error}")
        if self.binds is True:
            notes.append("binds against your tables' schemas (DuckDB EXPLAIN on empty tables)")
        elif self.binds is False:
            notes.append(f"does not bind against your tables' schemas: {self.bind_error}")
        return notes

    def _repr_markdown_(self) -> str:
        notes = "; ".join(self.notes())
        return f"**{self.dialect}** ⚠️ *{notes}*\n\n{_fence(self.sql)}"

    def __repr__(self) -> str:
        return f"-- dialect: {self.dialect} ({'; '.join(self.notes())})\n{self.sql}"


def model_sql(
    client: AssistantClient, code: str, dialect: str, namespace: Mapping[str, object]
) -> ModelSQL:
    """Ask ``/ibis-copilot/sql`` for ``code`` in ``dialect``, then try to bind the answer."""
    body = {
        "code": code,
        "dialect": SQLGLOT_NAMES.get(dialect, dialect),
        "schemas": namespace_context(namespace),
        "stream": True,
    }
    done: dict[str, Any] = {}
    events = client.stream("sql", body)
    try:
        for event in events:
            if event["type"] == "done":
                done = event
            elif event["type"] == "error":
                raise RuntimeError(event["error"]["message"])
    finally:
        events.close()
    result = ModelSQL(
        dialect, done.get("sql", ""), bool(done.get("parsed")), done.get("parse_error", "")
    )
    if dialect == "duckdb" and result.parsed:
        bound = check_sql_binds(result.sql, table_specs(namespace))
        result.binds, result.bind_error = bound.checked, bound.reason.removeprefix("bind: ")
    return result
