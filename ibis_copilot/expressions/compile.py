"""Compile live Ibis expressions to SQL, for one dialect or as a portability table."""

from __future__ import annotations

import pkgutil
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

import ibis
import ibis.backends.sql.compilers as sql_compilers
import ibis.common.exceptions as ibis_exceptions
import ibis.expr.types as ir

from ibis_copilot.errors import BadRequestError

#: Dialects shown by the portability table (``--all-dialects``).
PORTABILITY_DIALECTS: tuple[str, ...] = (
    "duckdb",
    "postgres",
    "mysql",
    "sqlite",
    "snowflake",
    "bigquery",
    "trino",
    "clickhouse",
    "datafusion",
    "mssql",
    "oracle",
    "databricks",
    "pyspark",
)

DEFAULT_DIALECT = "duckdb"


class IbisSqlError(BadRequestError):
    """Base class of errors the user can fix by changing their input."""


class NotAnIbisExpressionError(IbisSqlError):
    """The value to compile is not an Ibis expression."""

    def __init__(self, value: object, where: str = "the value") -> None:
        kind = type(value)
        super().__init__(
            f"{where} is a {kind.__module__}.{kind.__qualname__}, not an Ibis expression"
        )


class UnknownDialectError(IbisSqlError):
    """The requested dialect has no Ibis SQL compiler."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        super().__init__(
            f"unknown dialect {dialect!r}; valid dialects: {', '.join(valid_dialects())}"
        )


@dataclass(frozen=True)
class DialectResult:
    """The outcome of compiling one expression for one dialect."""

    dialect: str
    ok: bool
    sql: str | None
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form: ``{dialect, ok, sql, error}``."""
        return asdict(self)


@cache
def valid_dialects() -> tuple[str, ...]:
    """Names of every dialect this Ibis installation can compile to, sorted."""
    names = []
    for module in pkgutil.iter_modules(sql_compilers.__path__):
        if module.name.startswith("_") or module.name == "base":
            continue
        if getattr(getattr(sql_compilers, module.name, None), "compiler", None) is not None:
            names.append(module.name)
    return tuple(sorted(names))


def is_expression(value: object) -> bool:
    """True if ``value`` is an Ibis expression (table, column or scalar)."""
    return isinstance(value, ir.Expr)


def ensure_expression(value: object, where: str = "the value") -> ir.Expr:
    """Return ``value`` if it is an Ibis expression, else raise a one-line error."""
    if not is_expression(value):
        raise NotAnIbisExpressionError(value, where)
    return value


def check_dialect(dialect: str) -> str:
    """Return the dialect name if Ibis can compile to it, else raise UnknownDialectError."""
    if dialect not in valid_dialects():
        raise UnknownDialectError(dialect)
    return dialect


def bound_backend(expr: ir.Expr) -> str | None:
    """The name of the backend ``expr`` is bound to, or None for unbound expressions."""
    try:
        backend = expr._find_backend()
    except ibis_exceptions.IbisError:
        return None
    return getattr(backend, "name", None)


def default_dialect(expr: ir.Expr) -> str:
    """The dialect of the backend ``expr`` is bound to, else duckdb."""
    name = bound_backend(expr)
    return name if name in valid_dialects() else DEFAULT_DIALECT


def compile_sql(expr: ir.Expr, dialect: str | None = None) -> tuple[str, str]:
    """Compile ``expr`` with ``ibis.to_sql``; return ``(dialect, sql)``.

    Errors from Ibis (an operation a dialect cannot express) propagate unchanged.
    """
    chosen = check_dialect(dialect) if dialect else default_dialect(expr)
    return chosen, str(ibis.to_sql(expr, dialect=chosen))


def one_line_reason(error: BaseException) -> str:
    """A single line naming why compilation failed (the exception type and first line)."""
    first_line = next((line for line in str(error).splitlines() if line.strip()), "")
    return f"{type(error).__name__}: {first_line}".rstrip(": ")


def compile_all(
    expr: ir.Expr, dialects: tuple[str, ...] = PORTABILITY_DIALECTS
) -> list[DialectResult]:
    """Compile ``expr`` for each dialect; failures become rows, never exceptions."""
    results = []
    for dialect in dialects:
        try:
            _, sql = compile_sql(expr, dialect)
        except Exception as error:  # noqa: BLE001 - every failure is a row of the table
            results.append(DialectResult(dialect, False, None, one_line_reason(error)))
        else:
            results.append(DialectResult(dialect, True, sql, None))
    return results
