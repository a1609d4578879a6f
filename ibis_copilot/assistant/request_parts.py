"""Request fields several endpoints share: the tables' schemas as data, and a dialect."""

from __future__ import annotations

from typing import Any

from ibis_copilot.errors import BadRequestError
from ibis_copilot.expressions.compile import check_dialect
from ibis_copilot.expressions.namespace import (
    MAX_REQUEST_COLUMNS,
    MAX_REQUEST_TABLES,
    TableSpecs,
)
from ibis_copilot.repair.imports import IMPORT_LINE


def table_specs_from(value: Any) -> TableSpecs:
    """``{variable: {"name": str, "schema": {column: type}}}`` as the kernel's
    ``notebook_context()`` writes it; a 400 naming what is wrong otherwise."""
    if value is None:
        return {}
    shape = "'tables' must map variables to {name, schema: {column: type}}"
    if not isinstance(value, dict) or len(value) > MAX_REQUEST_TABLES:
        raise BadRequestError(f"{shape}, at most {MAX_REQUEST_TABLES} tables")
    specs: TableSpecs = {}
    for variable, table in value.items():
        if not isinstance(variable, str) or not variable.isidentifier():
            raise BadRequestError(f"{shape}: {variable!r} is not a Python name")
        if not isinstance(table, dict) or not isinstance(table.get("schema"), dict):
            raise BadRequestError(f"{shape}: {variable!r} has no schema")
        schema, name = table["schema"], table.get("name", variable)
        if len(schema) > MAX_REQUEST_COLUMNS or not isinstance(name, str):
            raise BadRequestError(f"{shape}: {variable!r} is malformed")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in schema.items()):
            raise BadRequestError(f"{shape}: {variable!r} has a column that is not text")
        specs[variable] = {"name": name, "schema": dict(schema)}
    return specs


def dialect_from(value: Any) -> str:
    """The SQL dialect code is checked for (default DuckDB's); a 400 for an unknown one."""
    if value is None or value == "":
        return "duckdb"
    if not isinstance(value, str):
        raise BadRequestError("'dialect' must be a string")
    return check_dialect(value)


#: Import lines a request may carry (a notebook imports few Ibis modules).
MAX_REQUEST_IMPORTS = 50


def imports_from(value: Any) -> list[str]:
    """The kernel's Ibis imports (``import ibis.selectors as s``, ``from ibis import _``),
    as ``notebook_context()`` lists them; a 400 for anything else."""
    if value is None:
        return []
    shape = (
        f"'imports' must be a list of at most {MAX_REQUEST_IMPORTS} lines like "
        "'import ibis.selectors as s' or 'from ibis import desc'"
    )
    if not isinstance(value, list) or len(value) > MAX_REQUEST_IMPORTS:
        raise BadRequestError(shape)
    if not all(isinstance(line, str) and IMPORT_LINE.match(line) for line in value):
        raise BadRequestError(shape)
    return list(value)
