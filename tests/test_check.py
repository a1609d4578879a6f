"""The check process: fixes are built and compiled against schemas only, in another
process, with a timeout; model SQL is bound against empty DuckDB tables."""

from __future__ import annotations

import ibis

from ibis_copilot.expressions.namespace import dialect_of, table_specs
from ibis_copilot.repair.check import check_code, check_sql_binds

orders = ibis.table({"amount": "float64", "region": "string"}, name="orders")
SPECS = table_specs({"orders": orders, "big": orders.filter(orders.amount > 1), "n": 3})


def test_specs_hold_schemas_only() -> None:
    assert SPECS == {
        "orders": {"name": "orders", "schema": {"amount": "float64", "region": "string"}},
        "big": {"name": "big", "schema": {"amount": "float64", "region": "string"}},
    }
    assert dialect_of({"orders": orders}) == "duckdb"


def test_a_good_fix_builds_and_compiles() -> None:
    code = "totals = orders.group_by('region').agg(total=orders.amount.sum())\ntotals.to_pandas()"
    result = check_code(code, SPECS)
    assert result.checked, result.reason
    assert result.sql is not None
    assert 'SUM("t0"."amount")' in result.sql


def test_a_broken_fix_is_not_checked_and_says_why() -> None:
    result = check_code("orders.amout", SPECS)
    assert not result.checked
    assert result.reason == "run: AttributeError: 'Table' object has no attribute 'amout'"


def test_the_check_sees_no_user_variable_but_the_tables() -> None:
    result = check_code("orders.limit(n)", SPECS)
    assert not result.checked
    assert "NameError: name 'n' is not defined" in result.reason


def test_code_that_is_not_an_expression_is_not_checked() -> None:
    assert check_code("x = 1", SPECS).reason.startswith("result: the code does not end with")


def test_the_check_starts_at_the_failing_line() -> None:
    code = "orders = orders.drop('region')\norders.select('region')"
    assert not check_code(code, SPECS).checked, "run from the top, region is gone"
    assert check_code(code, SPECS, start_line=2).checked, "the first line already ran"


def test_each_check_has_a_process_of_its_own() -> None:
    """A spare process waits with Ibis imported, but none is used twice: nothing one check
    leaves behind reaches the next."""
    first = check_code("import ibis\nibis.left_by_the_last_check = 5\norders", SPECS)
    assert first.checked, first.reason
    second = check_code("orders.limit(ibis.left_by_the_last_check)", SPECS)
    assert not second.checked
    assert "left_by_the_last_check" in second.reason


def test_a_hanging_fix_times_out() -> None:
    result = check_code("while True:\n    pass", SPECS, timeout=2)
    assert not result.checked
    assert result.reason == "timeout: took longer than 2 s"


def test_an_assertion_on_the_result() -> None:
    code = "orders.filter(orders.amount > 0)"
    assert check_code(code, SPECS, assertion="'region' in result.columns").assertion is True
    assert check_code(code, SPECS, assertion="result.columns == ()").assertion is False


def test_an_assertion_sees_the_tables_as_given_not_as_the_code_left_them() -> None:
    code = "orders = orders.drop('region')\norders.mutate(double=orders.amount * 2)"
    kept = "len(result.columns) == len(orders.columns) and 'region' in orders.columns"
    assert check_code(code, SPECS, assertion=kept).assertion is True


def test_sql_binds_against_empty_tables_and_reads_no_files() -> None:
    assert check_sql_binds("SELECT region, SUM(amount) FROM orders GROUP BY 1", SPECS).checked
    wrong = check_sql_binds("SELECT regon FROM orders", SPECS)
    assert not wrong.checked
    assert 'Referenced column "regon" not found' in wrong.reason
    outside = check_sql_binds("SELECT * FROM read_csv('/etc/hostname')", SPECS)
    assert not outside.checked
    assert "file system operations are disabled" in outside.reason


def test_checked_code_cannot_start_a_process(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Even code the allowlist never sees (a fix of the user's own cell) starts nothing."""
    marker = tmp_path / "ran"
    tables = {"t": {"name": "t", "schema": {"a": "int64"}}}
    for code in (
        f"import os\nos.system('touch {marker}')\nt",
        f"import subprocess\nsubprocess.run(['touch', '{marker}'])\nt",
    ):
        result = check_code(code, tables)
        assert not result.checked
        assert "PermissionError: the check process starts no other process" in result.reason
    assert not marker.exists()
