"""Synthetic, verified Ibis examples: a draft is kept only if it builds, compiles with
``ibis.to_sql`` and its SQL runs on DuckDB over the generated rows.

The code executed here is the templates' own (never a model's or a user's). Each kept
draft yields several examples: NL → Ibis, SQL → Ibis, Ibis → SQL, pandas → Ibis (when the
template wrote pandas and that pandas ran and returned as many rows), and the code alone
for fill-in-the-middle.
"""

from __future__ import annotations

import ast
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ibis_copilot.codegen_training.composed import composed_query
from ibis_copilot.codegen_training.example import CodeExample
from ibis_copilot.codegen_training.schemas import GeneratedSchema, connect, generate_schema
from ibis_copilot.codegen_training.templates import TEMPLATES, Draft, NotApplicableError, Picker

DIALECT = "duckdb"


@dataclass
class Verified:
    """A draft that passed all three checks, with what they produced."""

    draft: Draft
    sql: str
    rows: int
    pandas_ok: bool


@dataclass
class SyntheticReport:
    """How many drafts each check dropped."""

    drafts: int = 0
    kept: int = 0
    failed: Counter[str] = field(default_factory=Counter)  # build / compile / run / empty


def run_code(code: str, namespace: dict[str, Any]) -> Any:
    """Execute ``code`` (statements, then a final expression) and return that expression's
    value."""
    tree = ast.parse(code)
    last = tree.body[-1]
    if not isinstance(last, ast.Expr):
        raise ValueError("the code does not end with an expression")
    body = ast.Module(body=tree.body[:-1], type_ignores=[])
    exec(compile(body, "<synthetic>", "exec"), namespace)  # noqa: S102 - the templates' code
    return eval(compile(ast.Expression(last.value), "<synthetic>", "eval"), namespace)  # noqa: S307


def ibis_namespace(tables: dict[str, Any]) -> dict[str, Any]:
    import ibis
    import ibis.selectors

    return {"ibis": ibis, "_": ibis._, "s": ibis.selectors, **tables}


def _size(value: Any) -> int:
    return len(value) if hasattr(value, "__len__") and not isinstance(value, str) else 1


def verify(draft: Draft, schema: GeneratedSchema, con: Any, frames: dict[str, Any]) -> Verified:
    """Build, compile, run; raises ``ValueError('<stage>: ...')`` at the first failure."""
    import ibis
    import pandas as pd  # type: ignore[import-untyped]

    tables = {name: con.table(name) for name in schema.tables}
    try:
        expr = run_code(draft.code, ibis_namespace(tables))
        if not isinstance(expr, ibis.Expr):
            raise TypeError(f"built a {type(expr).__name__}, not an Ibis expression")
    except Exception as error:
        raise ValueError(f"build: {error}") from error
    try:
        sql = str(ibis.to_sql(expr, dialect=DIALECT))
    except Exception as error:
        raise ValueError(f"compile: {error}") from error
    try:
        rows = con.con.execute(sql).fetchall()
    except Exception as error:
        raise ValueError(f"run: {error}") from error
    if not rows:
        raise ValueError("empty: the query returns no rows")
    pandas_ok = False
    if draft.pandas:
        try:
            result = run_code(draft.pandas, {"pd": pd, **{k: v.copy() for k, v in frames.items()}})
            pandas_ok = _size(result) == len(rows)
        except Exception:  # noqa: BLE001 - a pandas version that fails is just not used
            pandas_ok = False
    return Verified(draft, sql, len(rows), pandas_ok)


def drafts(schema: GeneratedSchema, per_schema: int, composed: int = 0) -> Iterator[Draft]:
    """``per_schema`` drafts from distinct templates where the schema allows, then
    ``composed`` requests composed from parts (:mod:`.composed`)."""
    rng = random.Random(schema.seed * 7919 + 1)  # noqa: S311 - data generation
    picker = Picker(schema, rng)
    order = list(TEMPLATES)
    rng.shuffle(order)
    made = 0
    for template in order * 2:
        if made >= per_schema:
            break
        try:
            yield template(picker)
            made += 1
        except NotApplicableError:
            continue
    for _ in range(composed):
        try:
            yield composed_query(picker)
        except NotApplicableError:
            continue


def schema_text(schema: GeneratedSchema) -> str:
    """The tables as the product describes a notebook's tables to the model."""
    import ibis

    from ibis_copilot.expressions.namespace import namespace_context

    return namespace_context(
        {name: ibis.table(t.ibis_schema(), name=name) for name, t in schema.tables.items()}
    )


def _frames(schema: GeneratedSchema) -> dict[str, Any]:
    import pandas as pd

    return {
        name: pd.DataFrame(table.rows, columns=list(table.columns))
        for name, table in schema.tables.items()
    }


def examples_from(verified: Verified, schema: GeneratedSchema, context: str) -> list[CodeExample]:
    """The kinds of example one verified draft gives."""
    draft, group = verified.draft, f"seed:{schema.seed}"
    block = f"```python\n{draft.code}\n```"
    made = [
        CodeExample("code", group, draft.code, context=context, comment=draft.request),
        CodeExample("nl", group, draft.code, draft.request, f"{block}\n{draft.why}", context),
        CodeExample(
            "sql",
            group,
            draft.code,
            f"Write this SQL query in Ibis:\n```sql\n{verified.sql}\n```",
            block,
            context,
        ),
        CodeExample(
            "to_sql",
            group,
            draft.code,
            f"What SQL does this Ibis code run on DuckDB?\n{block}",
            f"```sql\n{verified.sql}\n```",
            context,
        ),
    ]
    if verified.pandas_ok and draft.pandas:
        made.append(
            CodeExample(
                "pandas",
                group,
                draft.code,
                f"Translate this pandas code to Ibis:\n```python\n{draft.pandas}\n```",
                block,
                context,
            )
        )
    return made


def synthetic_examples(
    seeds: range,
    per_schema: int = 12,
    report: SyntheticReport | None = None,
    composed: int = 0,
) -> list[CodeExample]:
    """Verified examples over one generated schema per seed: ``per_schema`` from the
    single-purpose templates and ``composed`` composed requests."""
    report = report if report is not None else SyntheticReport()
    found: list[CodeExample] = []
    for seed in seeds:
        schema = generate_schema(seed)
        con, frames, context = connect(schema), _frames(schema), schema_text(schema)
        try:
            for draft in drafts(schema, per_schema, composed):
                report.drafts += 1
                try:
                    verified = verify(draft, schema, con, frames)
                except ValueError as error:
                    report.failed[str(error).split(":", 1)[0]] += 1
                    continue
                report.kept += 1
                found.extend(examples_from(verified, schema, context))
        finally:
            con.disconnect()
    return found
