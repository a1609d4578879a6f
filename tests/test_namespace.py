"""The namespace context: Ibis objects with schemas, bounded, no query executed."""

from __future__ import annotations

import ibis
import pandas as pd

from ibis_copilot.expressions.namespace import MAX_COLUMNS, namespace_context


def test_tables_columns_and_scalars_are_described() -> None:
    con = ibis.duckdb.connect()
    sales = con.create_table("sales", pd.DataFrame({"region": ["n"], "amount": [1.0]}))
    events = ibis.table({"id": "int64", "tags": "array<string>"}, name="events")
    namespace = {
        "sales": sales,
        "events": events,
        "total": sales.amount.sum(),
        "ids": events.id,
        "frame": pd.DataFrame({"x": [1]}),
        "_hidden": events,
        "n": 3,
    }
    assert namespace_context(namespace).splitlines() == [
        "events (unbound table): id int64, tags array<string>",
        "sales (duckdb table): region string, amount float64",
        "ids (unbound column): int64",
        "total (duckdb scalar): float64",
    ]


def test_wide_tables_and_many_objects_are_bounded() -> None:
    wide = ibis.table({f"c{i}": "int64" for i in range(100)}, name="wide")
    line = namespace_context({"wide": wide})
    assert line.endswith(f"... {100 - MAX_COLUMNS} more")
    many = {f"t{i}": ibis.table({"a": "int64"}, name=f"t{i}") for i in range(50)}
    assert len(namespace_context(many).splitlines()) == 20


def test_nothing_runs_against_the_backend(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    con = ibis.duckdb.connect()
    table = con.create_table("t", pd.DataFrame({"a": [1]}))

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a query was executed")

    monkeypatch.setattr(type(con), "execute", refuse)
    assert "t (duckdb table): a int64" in namespace_context({"t": table})
