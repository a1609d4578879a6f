"""Verdicts on code someone else wrote: the allowlist, unknown names, check and repair."""

from __future__ import annotations

from pathlib import Path

import pytest

from ibis_copilot.repair.allowlist import admit
from ibis_copilot.repair.names import from_error, unknown_names
from ibis_copilot.repair.verdict import check_block

TABLES = {
    "orders": {
        "name": "orders",
        "schema": {"order_id": "int64", "country": "string", "amount": "float64"},
    }
}


@pytest.mark.parametrize(
    "code",
    [
        "orders.filter(orders.amount > 1).select('country')",
        "import ibis\nibis.desc('amount')",
        "import ibis.selectors as s\norders.select(s.numeric())",
        "from ibis import _\norders.group_by('country').agg(n=_.count())",
        "orders.mutate(r=ibis.row_number().over(ibis.window(order_by='amount')))",
        "[orders[c] for c in orders.columns][0]",
        "orders.filter(lambda t: t.amount > 1)",
        "import ibis.expr.datatypes as dt\norders.amount.cast(dt.float32)",
        "orders.group_by('country').agg(n=ibis._.count())",
        "import ibis as ib\norders.mutate(d=ib._.amount * 2)",
    ],
)
def test_expression_building_code_is_admitted(code: str) -> None:
    assert admit(code) is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("import os\nos.system('true')", "uses import os"),
        ("open('/etc/passwd').read()", "uses the builtin open()"),
        ("getattr(orders, 'amount')", "uses the builtin getattr()"),
        ("orders.__class__", "uses the private attribute .__class__"),
        ("orders._", "uses the private attribute ._"),
        ("ibis._.__class__", "uses the private attribute .__class__"),
        ("ibis.util._", "uses the private attribute ._"),
        ("ibis.read_csv('x.csv')", "uses .read_csv"),
        ("ibis.duckdb.connect()", "uses .connect"),
        ("ibis.options.interactive = True", "uses ibis.options"),
        ("ibis.examples.penguins.fetch()", "uses ibis.examples"),
        ("from ibis import examples\nexamples.penguins.fetch()", "import of examples"),
        ("import ibis.examples\nibis.examples.zones.fetch()", "import ibis.examples"),
        ("ibis.expr.types.relations.warnings.warn('x')", "which is not Ibis"),
        ("from ibis.expr.types.relations import itertools", "which is not Ibis"),
        ("x = ibis\nx.util", "uses the module ibis as a value"),
        ("def f():\n    return 1", "uses a functiondef statement"),
        ("for i in range(3):\n    pass", "uses a for statement"),
        ("%load_ext ibis_copilot", "does not parse"),
    ],
)
def test_anything_else_is_refused_with_the_reason(code: str, reason: str) -> None:
    refused = admit(code)
    assert refused is not None
    assert reason in refused


def test_unknown_names_come_with_the_closest_real_ones() -> None:
    code = "orders.group_by('country').agg(t=orders.amout.sum(), m=orders.amount.avarage())"
    found = {name.name: name for name in unknown_names(code, TABLES)}
    assert found["orders.amout"].closest[0] == "amount"
    assert found["orders.amount.avarage"].kind == "method of float64"
    assert "orders['contry']" in {n.name for n in unknown_names("orders['contry']", TABLES)}
    assert [n.name for n in unknown_names("ibis.row_numbr()", TABLES)] == ["ibis.row_numbr"]
    assert unknown_names("orders.amount.mean()", TABLES) == []


def test_an_error_from_the_check_process_names_what_is_missing() -> None:
    reason = "run: AttributeError: 'FloatingColumn' object has no attribute 'avg'"
    (name,) = from_error(reason, TABLES)
    assert name.name == "avg"
    assert name.kind == "attribute of FloatingColumn"


def test_code_that_builds_and_compiles_is_checked() -> None:
    verdict = check_block("orders.group_by('country').agg(total=orders.amount.sum())", TABLES)
    assert verdict.verdict == "checked"
    assert verdict.sql is not None
    assert 'SUM("t0"."amount")' in verdict.sql


def test_a_fix_the_rules_make_is_repaired_and_shown() -> None:
    verdict = check_block("orders.groupby('country').agg(total=orders.amount.sum())", TABLES)
    assert verdict.verdict == "repaired"
    assert verdict.code == "orders.group_by('country').agg(total=orders.amount.sum())"
    assert verdict.original == "orders.groupby('country').agg(total=orders.amount.sum())"
    assert "-orders.groupby" in verdict.change
    assert "+orders.group_by" in verdict.change
    assert verdict.sql is not None


def test_an_invented_method_is_not_checked_and_named() -> None:
    verdict = check_block("orders.amount.grand_total()", TABLES)
    assert verdict.verdict == "not_checked"
    assert verdict.sql is None
    assert "AttributeError" in verdict.reason
    assert [name.name for name in verdict.unknown_names] == ["orders.amount.grand_total"]


def test_a_method_named_as_in_sql_is_repaired_to_the_ibis_one() -> None:
    verdict = check_block("orders.amount.average()", TABLES)
    assert verdict.verdict == "repaired"
    assert verdict.code == "orders.amount.mean()"
    assert "`.average` → `.mean`" in verdict.reason


def test_refused_code_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = f"import os\nos.system('touch {marker}')\norders"
    verdict = check_block(code, TABLES)
    assert verdict.verdict == "not_checked"
    assert verdict.reason == "uses import os"
    assert not marker.exists()
    assert verdict.to_dict()["sql"] is None
