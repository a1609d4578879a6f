"""Snapshots of what ibis-copilot itself produces: the rules' fixes, the `fix` report, the
portability table, the prompts the model sees, and the dialect `sql` picks.

``tests/snapshots/<name>``; after an intended change, rewrite them with
``UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py`` and read the diff.
"""

from __future__ import annotations

from pathlib import Path

import ibis
from cli_runner import Cli

from ibis_copilot.assistant.chat import ChatWorkflow
from ibis_copilot.assistant.conversations import ConversationStore
from ibis_copilot.assistant.explain import ErrorReport, ExplainWorkflow
from ibis_copilot.assistant.sources import Sources
from ibis_copilot.expressions.compile import compile_all
from ibis_copilot.expressions.snippet import run_snippet
from ibis_copilot.kernel.display import PortabilityDisplay
from ibis_copilot.knowledge.retrieval import SearchResult
from ibis_copilot.models.registry import local_generator
from ibis_copilot.repair.engine import Repair, settle, start_repair

MODEL = "smollm2-135m-instruct"

# --- the dialect `ibis-copilot sql` picks (the SQL itself is Ibis's business) ------------

BOUND = """import ibis
import pandas as pd
con = ibis.duckdb.connect()
sales = con.create_table("sales", pd.DataFrame({"region": ["n"], "amount": [1.0]}))
sales.group_by("region").agg(total=sales.amount.sum())
"""
UNBOUND = """import ibis
sales = ibis.table({"region": "string", "amount": "float64"}, name="sales")
sales.group_by("region").agg(total=sales.amount.sum())
"""


def test_a_duckdb_table_compiles_for_duckdb(cli: Cli, snapshot) -> None:  # type: ignore[no-untyped-def]
    result = cli("sql", "-", "--json", stdin=BOUND)
    assert result.exit_code == 0, result.stderr
    snapshot(result.stdout.rstrip(), "sql/bound_duckdb.json")


def test_an_unbound_table_compiles_for_the_dialect_asked_for(cli: Cli, snapshot) -> None:  # type: ignore[no-untyped-def]
    result = cli("sql", "-", "-d", "postgres", stdin=UNBOUND)
    assert result.exit_code == 0, result.stderr
    snapshot(result.stdout.rstrip(), "sql/unbound_postgres.sql")


# --- repairs -----------------------------------------------------------------------------

TABLES = {
    "orders": ibis.table(
        {"order_id": "int64", "customer_id": "int64", "amount": "float64", "region": "string"},
        name="orders",
    ),
    "customers": ibis.table({"customer_id": "int64", "tier": "string"}, name="customers"),
}
FAILING_CELLS = [
    "orders.groupby('region').agg(n=orders.amount.count())",
    "big = orders.filter(orders.amout > 10)\nbig",
    "keep = ['amount']\norders.loc[orders.amount.isna(), keep]",
    "orders.filter((orders.amount > 1) and (orders.region == 'x'))",
    "orders.filter(customers.tier == 'gold')",
    "orders.agg(n=orders.amount.count, total=orders.amount.sum())",
    "orders.values",
    "orders.filter(orders.amount.between(left=1, right=10))",
    "orders.group_by(orders.region.lenght()).agg(n=orders.amount.count())",
]


def repair_of(cell: str, number: int) -> Repair:
    """Run ``cell`` as a notebook cell over TABLES, then repair it as the kernel does."""
    namespace: dict[str, object] = {"ibis": ibis, **TABLES}
    try:
        run_snippet(cell, f"<cell {number}>", namespace)
    except Exception as error:  # noqa: BLE001 - the failure is what is repaired
        repair = start_repair(error, error.__traceback__, namespace)
        settle(repair)
        return repair
    raise AssertionError(f"{cell!r} did not fail")


#: Ibis puts object reprs (with their memory address) in some messages.


def describe(cell: str, repair: Repair) -> str:
    report = repair.to_json()
    lines = [f"### {line}" for line in cell.splitlines()]
    lines.append(f"error: {report['error_type']}: {report['message']}")
    lines += [f"diagnosis ({d['rule']}): {d['message']}" for d in report["diagnosis"]]
    if report["fixed_code"] is None:
        lines.append("fix: none")
    else:
        state = "checked" if report["checked"] else f"not checked: {report['check_reason']}"
        lines.append(f"fix ({report['fix_source']}, {state}):")
        lines += [f"    {line}" for line in report["fixed_code"].rstrip().splitlines()]
        if report["fix_reason"]:
            lines.append(f"why: {report['fix_reason']}")
    return "\n".join(lines)


def test_the_rules_fixes(snapshot) -> None:  # type: ignore[no-untyped-def]
    described = [describe(cell, repair_of(cell, n)) for n, cell in enumerate(FAILING_CELLS)]
    snapshot("\n\n".join(described), "repair/rule_fixes.txt")


BROKEN = """import ibis
orders = ibis.table({"amount": "float64", "region": "string"}, name="orders")
by_region = orders.groupby("region").agg(total=orders.amount.sum())
by_region.to_pandas()
"""


def test_the_fix_commands_json_report(cli: Cli, snapshot) -> None:  # type: ignore[no-untyped-def]
    result = cli("fix", "-", "--json", "--no-model", stdin=BROKEN)
    assert result.exit_code == 0, result.stderr
    snapshot(result.stdout.rstrip(), "cli/fix_no_model.json")


# --- the portability table ---------------------------------------------------------------


def test_the_portability_table(snapshot) -> None:  # type: ignore[no-untyped-def]
    events = ibis.table({"id": "int64", "tags": "array<string>"}, name="events")
    shown = PortabilityDisplay(compile_all(events.select("id", tag=events.tags.unnest())))
    snapshot(repr(shown), "portability/unnest.txt")
    snapshot(shown._repr_markdown_(), "portability/unnest.md")


# --- the prompts the model sees (the packaged model's own chat template) -----------------

SOURCE = SearchResult(
    rank=1,
    score=0.9,
    source="docs",
    path="how-to/analytics/windows.qmd",
    title="Window functions",
    heading="Rank rows within each group",
    url="https://ibis-project.org/how-to/analytics/windows.html#rank-rows-within-each-group",
    text=(
        "Use `ibis.row_number()` with `over` to number the rows of each species.\n\n"
        "```python\nw = ibis.window(group_by='species', order_by=ibis.desc('body_mass_g'))\n"
        "t.mutate(rank=ibis.row_number().over(w))\n```"
    ),
    similarity=0.6,
)


def test_the_chat_prompt(tmp_path: Path, snapshot) -> None:  # type: ignore[no-untyped-def]
    messages = [
        {"role": "user", "content": "How do I load penguins?"},
        {"role": "assistant", "content": "Use `ibis.examples.penguins.fetch()`."},
        {"role": "user", "content": "How do I rank them by body mass within each species?"},
    ]
    prepared = ChatWorkflow(ConversationStore(tmp_path)).prepare(
        local_generator(MODEL),
        messages,
        schemas="penguins: species string, body_mass_g int64",
        sources=Sources([SOURCE]),
    )
    snapshot(prepared.prompt, "prompts/chat.txt")


def test_the_explain_prompt(snapshot) -> None:  # type: ignore[no-untyped-def]
    report = ErrorReport(
        code="t.pivot_longer(s.c('a'), names_to=1)",
        error_type="IbisTypeError",
        message="names_to must be a string or iterable of strings",
        traceback="Traceback (most recent call last):\n  ...\nIbisTypeError: names_to must be",
        schemas="t: a int64, b int64",
    )
    prepared = ExplainWorkflow().prepare(local_generator(MODEL), report, Sources([SOURCE]))
    snapshot(prepared.prompt, "prompts/explain.txt")
