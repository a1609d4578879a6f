"""The compile functions behind %%ibis_sql and `ibis-copilot sql`."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from ibis_copilot.expressions.compile import (
    PORTABILITY_DIALECTS,
    NotAnIbisExpressionError,
    UnknownDialectError,
    compile_all,
    compile_sql,
    default_dialect,
    ensure_expression,
    valid_dialects,
)

t = ibis.table({"id": "int64", "xs": "array<int64>"}, name="t")


def test_valid_dialects_cover_the_portability_table() -> None:
    assert set(PORTABILITY_DIALECTS) <= set(valid_dialects())
    assert "base" not in valid_dialects()


def test_unknown_dialect_error_lists_valid_dialects() -> None:
    with pytest.raises(UnknownDialectError) as info:
        compile_sql(t, "postgress")
    message = str(info.value)
    assert "'postgress'" in message
    assert "postgres" in message.split("valid dialects:")[1]
    assert "\n" not in message


def test_other_names_of_a_dialect_are_ibiss_and_a_typo_gets_a_suggestion() -> None:
    assert compile_sql(t, "PostgreSQL")[0] == "postgres"
    assert compile_sql(t, "tsql")[0] == "mssql"
    with pytest.raises(UnknownDialectError, match=r"did you mean 'snowflake'"):
        compile_sql(t, "snowflak")


def test_unbound_expression_defaults_to_duckdb() -> None:
    assert default_dialect(t) == "duckdb"
    dialect, sql = compile_sql(t.filter(t.id > 1))
    assert dialect == "duckdb"
    assert 'FROM "t" AS "t0"' in sql


def test_bound_expression_defaults_to_its_backend() -> None:
    con = ibis.sqlite.connect()
    table = con.create_table("people", pd.DataFrame({"name": ["a", "b"]}))
    assert default_dialect(table) == "sqlite"
    dialect, sql = compile_sql(table.filter(table.name == "a"))
    assert dialect == "sqlite"
    assert '"people"' in sql


def test_explicit_dialect_overrides_the_backend() -> None:
    dialect, sql = compile_sql(t.select("id"), "mysql")
    assert dialect == "mysql"
    assert "`t0`.`id`" in sql


def test_not_an_expression_names_the_type() -> None:
    with pytest.raises(NotAnIbisExpressionError, match=r"builtins\.int, not an Ibis expression"):
        ensure_expression(42)


def test_portability_table_names_the_unsupported_operation() -> None:
    results = {row.dialect: row for row in compile_all(t.select(x=t.xs.unnest()))}
    assert list(results) == list(PORTABILITY_DIALECTS)
    assert results["duckdb"].ok
    assert results["duckdb"].sql
    mysql = results["mysql"]
    assert not mysql.ok
    assert mysql.sql is None
    assert mysql.error is not None
    assert "Unnest" in mysql.error
    assert "\n" not in mysql.error
    assert mysql.to_dict() == {"dialect": "mysql", "ok": False, "sql": None, "error": mysql.error}
