"""Snapshot tests of compiled SQL per dialect, on unbound tables (no database needed)."""

from __future__ import annotations

import re
from collections.abc import Callable

import ibis
import ibis.expr.types as ir
import pytest

from ibis_copilot.expressions.compile import compile_sql

orders = ibis.table(
    {
        "order_id": "int64",
        "customer_id": "int64",
        "region": "string",
        "amount": "float64",
        "ordered_at": "timestamp",
        "tags": "array<string>",
    },
    name="orders",
)
customers = ibis.table(
    {"customer_id": "int64", "name": "string", "tier": "string"}, name="customers"
)
returns = ibis.table(
    {
        "order_id": "int64",
        "customer_id": "int64",
        "region": "string",
        "amount": "float64",
        "ordered_at": "timestamp",
        "tags": "array<string>",
    },
    name="returns",
)


def join() -> ir.Expr:
    joined = orders.join(customers, "customer_id")
    return joined.select("order_id", "name", "tier", "amount")


def window() -> ir.Expr:
    by_region = ibis.window(group_by="region", order_by=ibis.desc("amount"))
    return orders.mutate(
        rank=ibis.row_number().over(by_region), running=orders.amount.sum().over(by_region)
    )


def group_by() -> ir.Expr:
    return (
        orders.group_by("region")
        .agg(total=orders.amount.sum(), n=orders.count())
        .filter(lambda t: t.n > 10)
        .order_by(ibis.desc("total"))
    )


def case() -> ir.Expr:
    size = ibis.cases(
        (orders.amount > 1000, "large"), (orders.amount > 100, "medium"), else_="small"
    )
    return orders.select("order_id", size=size)


def arrays() -> ir.Expr:
    return orders.select(
        "order_id",
        n_tags=orders.tags.length(),
        first_tag=orders.tags[0],
        has_sale=orders.tags.contains("sale"),
    )


def unnest() -> ir.Expr:
    return orders.select("order_id", tag=orders.tags.unnest())


def set_operations() -> ir.Expr:
    return orders.union(returns).difference(returns.filter(returns.amount < 0))


EXPRESSIONS: dict[str, Callable[[], ir.Expr]] = {
    f.__name__: f for f in (join, window, group_by, case, arrays, unnest, set_operations)
}
# Ibis names some helpers randomly (gen_name, uuid4 hex); those parts are not the snapshot.
RANDOM_NAMES = re.compile(r"(?<=_)[a-z0-9]{26}\b|\b[0-9a-f]{32}\b")


def stable(sql: str) -> str:
    """``sql`` with Ibis's randomly generated identifiers replaced by a placeholder."""
    return RANDOM_NAMES.sub("<random>", sql)


DIALECTS = ("duckdb", "postgres", "snowflake", "bigquery", "trino", "clickhouse")


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", EXPRESSIONS)
def test_compiled_sql_matches_snapshot(name: str, dialect: str, snapshot) -> None:
    chosen, sql = compile_sql(EXPRESSIONS[name](), dialect)
    assert chosen == dialect
    snapshot(stable(sql), f"sql/{name}/{dialect}.sql")
