"""What a request tells the server about the user's namespace: the Ibis objects as text
(``schemas``), the tables as data (``tables``, what the server checks code against) and
the SQL dialect. Names and types only, never data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ibis_copilot.expressions.namespace import (
    MAX_REQUEST_COLUMNS,
    MAX_REQUEST_TABLES,
    TableSpecs,
    dialect_of,
    namespace_context,
    table_specs,
)


def request_tables(namespace: Mapping[str, object]) -> TableSpecs:
    """The namespace's table specs within the server's limits: tables wider than
    ``MAX_REQUEST_COLUMNS`` are left out, and at most ``MAX_REQUEST_TABLES`` are sent (in
    name order)."""
    specs = table_specs(namespace)
    fitting = {
        variable: spec
        for variable, spec in sorted(specs.items())
        if variable.isidentifier() and len(spec["schema"]) <= MAX_REQUEST_COLUMNS
    }
    return dict(list(fitting.items())[:MAX_REQUEST_TABLES])


def namespace_fields(namespace: Mapping[str, object]) -> dict[str, Any]:
    """``schemas``, ``tables`` and ``dialect`` for a ``/chat`` or ``/explain`` body."""
    return {
        "schemas": namespace_context(namespace),
        "tables": request_tables(namespace),
        "dialect": dialect_of(namespace),
    }
