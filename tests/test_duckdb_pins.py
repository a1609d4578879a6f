"""Guards for known-bad combinations of ibis, sqlglot and duckdb.

ibis-framework 12.0.0 does not cap sqlglot; with sqlglot 30.x, ``create_table`` from a
pandas DataFrame on DuckDB fails with ``ParserException ... DROP VIEW IF EXISTS``.
"""

from __future__ import annotations

import ibis
import pandas as pd


def test_duckdb_create_table_from_pandas_round_trips() -> None:
    con = ibis.duckdb.connect()
    frame = pd.DataFrame({"region": ["north", "south", "north"], "amount": [10.0, 5.0, 2.5]})
    table = con.create_table("sales", frame)
    totals = table.group_by("region").agg(total=table.amount.sum()).order_by("region")
    result = totals.execute()
    assert result.to_dict("list") == {"region": ["north", "south"], "total": [12.5, 5.0]}


def test_duckdb_create_table_overwrite_works() -> None:
    con = ibis.duckdb.connect()
    con.create_table("t", pd.DataFrame({"a": [1]}))
    again = con.create_table("t", pd.DataFrame({"a": [1, 2]}), overwrite=True)
    assert again.count().execute() == 2
