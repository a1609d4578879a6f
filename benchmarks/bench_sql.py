"""Overhead of %%ibis_sql against raw ``ibis.to_sql`` on the same 20 expressions.

Both are measured in the same run, interleaved, so the ratio is meaningful on a noisy
machine. Also times ``--all-dialects`` against a raw loop over the same dialects.
Prints a table and writes benchmarks/results/bench_sql.json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import ibis
import pandas as pd
from IPython.core.interactiveshell import InteractiveShell

sys.path.insert(0, str(Path(__file__).parent))
from _common import median_seconds, print_table, write_results

from ibis_copilot.expressions.compile import PORTABILITY_DIALECTS

GOAL_RATIO = 1.10


def expressions() -> dict[str, ibis.Expr]:
    """Twenty typical expressions: filters, joins, windows, group-bys, arrays, set ops."""
    o = ibis.table(
        {
            "id": "int64",
            "cust": "int64",
            "region": "string",
            "amount": "float64",
            "at": "timestamp",
            "tags": "array<string>",
        },
        name="orders",
    )
    c = ibis.table({"cust": "int64", "name": "string", "tier": "string"}, name="customers")
    con = ibis.duckdb.connect()
    s = con.create_table("sales", pd.DataFrame({"region": ["n", "s"], "amount": [1.0, 2.0]}))
    w = ibis.window(group_by="region", order_by="at")
    return {
        "filter": o.filter(o.amount > 10),
        "select": o.select("id", "amount"),
        "mutate": o.mutate(double=o.amount * 2),
        "group_by": o.group_by("region").agg(total=o.amount.sum()),
        "having": o.group_by("region").agg(n=o.count()).filter(lambda t: t.n > 5),
        "order_limit": o.order_by(ibis.desc("amount")).limit(10),
        "join": o.join(c, "cust").select("id", "name"),
        "left_join": o.left_join(c, "cust"),
        "window_rank": o.mutate(r=ibis.row_number().over(w)),
        "window_sum": o.mutate(running=o.amount.sum().over(w)),
        "case": o.select(size=ibis.cases((o.amount > 100, "big"), else_="small")),
        "distinct": o.select("region").distinct(),
        "union": o.union(o.filter(o.amount < 0)),
        "intersect": o.intersect(o.filter(o.amount > 5)),
        "array_len": o.select(n=o.tags.length()),
        "unnest": o.select("id", tag=o.tags.unnest()),
        "dates": o.group_by(day=o.at.truncate("D")).agg(n=o.count()),
        "strings": o.select(up=o.region.upper(), l=o.region.length()),
        "scalar": o.amount.mean(),
        "bound_duckdb": s.group_by("region").agg(t=s.amount.sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per measurement")
    args = parser.parse_args()

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "ibis_copilot")
    magics = shell.magics_manager.registry["IbisSqlMagics"]
    exprs = expressions()
    shell.user_ns.update(exprs=exprs, ibis=ibis, _magics=magics)

    rows, records = [], []
    raw_total = magic_total = all_raw_total = all_magic_total = 0.0
    in_cell_raw_total = in_cell_magic_total = 0.0
    for name, expr in exprs.items():
        cell = f"exprs[{name!r}]"
        raw = median_seconds(lambda expr=expr: ibis.to_sql(expr), args.repeat)
        magic = median_seconds(lambda cell=cell: magics.ibis_sql_result("", cell), args.repeat)
        # The same two, each typed in a notebook cell (IPython's cell machinery included).
        in_cell_raw = median_seconds(
            lambda cell=cell: shell.run_cell(f"_sql = ibis.to_sql({cell})", silent=True),
            args.repeat,
        )
        in_cell_magic = median_seconds(
            lambda cell=cell: shell.run_cell(
                f"_sql = _magics.ibis_sql_result('', {cell!r})", silent=True
            ),
            args.repeat,
        )
        all_raw = median_seconds(
            lambda expr=expr: [_try_to_sql(expr, d) for d in PORTABILITY_DIALECTS], 3
        )
        all_magic = median_seconds(
            lambda cell=cell: magics.ibis_sql_result("--all-dialects", cell), 3
        )
        raw_total += raw
        in_cell_raw_total += in_cell_raw
        in_cell_magic_total += in_cell_magic
        magic_total += magic
        all_raw_total += all_raw
        all_magic_total += all_magic
        records.append(
            {
                "name": name,
                "raw_s": raw,
                "magic_s": magic,
                "ratio": magic / raw,
                "in_cell_raw_s": in_cell_raw,
                "in_cell_magic_s": in_cell_magic,
                "all_dialects_raw_s": all_raw,
                "all_dialects_magic_s": all_magic,
            }
        )
        rows.append(
            [
                name,
                f"{raw * 1e3:.2f}",
                f"{magic * 1e3:.2f}",
                f"{magic / raw:.3f}",
                f"{in_cell_magic / in_cell_raw:.3f}",
                f"{all_magic * 1e3:.1f}",
            ]
        )

    ratio = magic_total / raw_total
    all_ratio = all_magic_total / all_raw_total
    in_cell_ratio = in_cell_magic_total / in_cell_raw_total
    rows.append(
        [
            "TOTAL",
            f"{raw_total * 1e3:.2f}",
            f"{magic_total * 1e3:.2f}",
            f"{ratio:.3f}",
            f"{in_cell_ratio:.3f}",
            f"{all_magic_total * 1e3:.1f}",
        ]
    )
    print_table(
        ["expression", "to_sql ms", "%%ibis_sql ms", "ratio", "in-cell ratio", "--all-dialects ms"],
        rows,
    )
    print(
        f"\noverhead ratio {ratio:.3f} (goal <= {GOAL_RATIO}); "
        f"typed in a cell: {in_cell_ratio:.3f}; "
        f"--all-dialects vs raw loop over {len(PORTABILITY_DIALECTS)} dialects: {all_ratio:.3f}"
    )
    path = write_results(
        "bench_sql",
        {
            "repeat": args.repeat,
            "overhead_ratio": ratio,
            "in_cell_overhead_ratio": in_cell_ratio,
            "goal_ratio": GOAL_RATIO,
            "meets_goal": ratio <= GOAL_RATIO,
            "all_dialects_ratio": all_ratio,
            "all_dialects_total_s": all_magic_total,
            "dialects": list(PORTABILITY_DIALECTS),
            "expressions": records,
        },
    )
    print(f"wrote {path}")


def _try_to_sql(expr: ibis.Expr, dialect: str) -> str | None:
    try:
        return ibis.to_sql(expr, dialect=dialect)
    except Exception:  # noqa: BLE001 - the baseline also tolerates unsupported dialects
        return None


if __name__ == "__main__":
    main()
