"""What a user's namespace holds: its Ibis tables and expressions with their schemas.

The one place that lists Ibis objects in a namespace, for the assistant's context (text),
the check process (``{variable: {name, schema}}``) and the repair rules. Reads schemas
only; never runs a query.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis.expr.types as ir

from ibis_copilot.expressions.compile import DEFAULT_DIALECT, bound_backend, default_dialect

MAX_OBJECTS = 20
MAX_COLUMNS = 40
MAX_CHARS = 4000
#: The most tables, and columns per table, one request may send the server (it answers
#: 400 beyond; the kernel leaves out what does not fit).
MAX_REQUEST_TABLES = 50
MAX_REQUEST_COLUMNS = 500
#: ``{variable: {"name": table name, "schema": {column: type}}}``: tables as schemas only.
TableSpecs = dict[str, dict[str, Any]]


def ibis_objects(namespace: Mapping[str, object]) -> dict[str, ir.Expr]:
    """Every public Ibis expression in ``namespace`` (names starting with ``_`` are not)."""
    return {
        name: value
        for name, value in namespace.items()
        if not name.startswith("_") and isinstance(value, ir.Expr)
    }


def ibis_tables(namespace: Mapping[str, object]) -> dict[str, ir.Table]:
    """Every public Ibis table in ``namespace``."""
    return {
        name: value
        for name, value in ibis_objects(namespace).items()
        if isinstance(value, ir.Table)
    }


def table_specs(namespace: Mapping[str, object]) -> TableSpecs:
    """Every Ibis table in ``namespace`` as ``{variable: {name, schema}}`` (schemas only)."""
    specs: TableSpecs = {}
    for variable, value in ibis_tables(namespace).items():
        try:
            name = getattr(value.op(), "name", None)
            schema = {column: str(dtype) for column, dtype in value.schema().items()}
        except Exception:  # noqa: BLE001, S112 - a broken object is skipped
            continue
        specs[variable] = {"name": name if isinstance(name, str) else variable, "schema": schema}
    return specs


def dialect_of(namespace: Mapping[str, object]) -> str:
    """The dialect of the first bound table in ``namespace`` (as ``%%ibis_sql`` picks it),
    else DuckDB."""
    for value in ibis_tables(namespace).values():
        if bound_backend(value):
            return default_dialect(value)
    return DEFAULT_DIALECT


def _backend(expr: ir.Expr) -> str:
    return bound_backend(expr) or "unbound"


def describe(name: str, value: ir.Expr) -> str:
    """One line: ``name (backend table): col type, ...`` (a column or scalar: its type)."""
    if isinstance(value, ir.Table):
        schema = value.schema()
        columns = [f"{column} {dtype}" for column, dtype in list(schema.items())[:MAX_COLUMNS]]
        if len(schema) > MAX_COLUMNS:
            columns.append(f"... {len(schema) - MAX_COLUMNS} more")
        return f"{name} ({_backend(value)} table): {', '.join(columns)}"
    kind = "column" if isinstance(value, ir.Column) else "scalar"
    return f"{name} ({_backend(value)} {kind}): {value.type()}"


def namespace_context(namespace: Mapping[str, object]) -> str:
    """The Ibis objects in ``namespace`` (tables first), one line each, bounded in size."""
    found = sorted(
        ibis_objects(namespace).items(),
        key=lambda item: (not isinstance(item[1], ir.Table), item[0]),
    )
    lines: list[str] = []
    size = 0
    for name, value in found[:MAX_OBJECTS]:
        try:
            line = describe(name, value)
        except Exception:  # noqa: BLE001, S112 - a broken object is skipped, never fatal
            continue
        if size + len(line) > MAX_CHARS:
            lines.append(f"... {len(found) - len(lines)} more objects")
            break
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)
