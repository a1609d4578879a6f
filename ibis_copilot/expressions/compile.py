"""Compile live Ibis expressions to SQL, for one dialect or as a portability table."""

from __future__ import annotations

import difflib
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
        close = closest_dialect(dialect)
        hint = f" (did you mean {close!r}?)" if close else ""
        super().__init__(
            f"unknown dialect {dialect!r}{hint}; valid dialects: {', '.join(valid_dialects())}"
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


#: Other names of Ibis's dialects (SQLGlot's, the databases' own).
DIALECT_ALIASES = {
    "postgresql": "postgres",
    "pg": "postgres",
    "tsql": "mssql",
    "sqlserver": "mssql",
    "bq": "bigquery",
    "spark": "pyspark",
    "sparksql": "pyspark",
}


def dialect_named(name: str) -> str | None:
    """Ibis's name for dialect ``name`` (its own, another spelling, any case), or None."""
    lowered = name.lower().replace(" ", "")
    found = DIALECT_ALIASES.get(lowered, lowered)
    return found if found in valid_dialects() else None


def closest_dialect(name: str) -> str | None:
    """Ibis's name for ``name``, else the dialect spelt most like it, else None."""
    close = difflib.get_close_matches(name.lower(), valid_dialects(), n=1, cutoff=0.6)
    return dialect_named(name) or (close[0] if close else None)


def check_dialect(dialect: str) -> str:
    """Ibis's name of ``dialect`` (``postgresql`` is ``postgres``), else raise
    UnknownDialectError."""
    found = dialect_named(dialect)
    if found is None:
        raise UnknownDialectError(dialect)
    return found


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
