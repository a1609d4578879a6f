"""What the user's namespace holds, for the assistant: Ibis tables and expressions with
their schemas, compact and size-bounded. Reads schemas only; never runs a query."""

from __future__ import annotations

from collections.abc import Mapping

import ibis.expr.types as ir

from ibis_copilot.kernel.sql import bound_backend

MAX_OBJECTS = 20
MAX_COLUMNS = 40
MAX_CHARS = 4000


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
    found = [
        (name, value)
        for name, value in namespace.items()
        if not name.startswith("_") and isinstance(value, ir.Expr)
    ]
    found.sort(key=lambda item: (not isinstance(item[1], ir.Table), item[0]))
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


class NamespaceSchemas:
    """The namespace context as JSON: what the frontend reads through a silent kernel
    request's ``user_expressions`` (``application/json``, no repr to parse)."""

    def __init__(self, namespace: Mapping[str, object]) -> None:
        self.text = namespace_context(namespace)

    def _repr_json_(self) -> dict[str, str]:
        return {"schemas": self.text}
