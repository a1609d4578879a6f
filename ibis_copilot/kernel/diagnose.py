"""Deterministic diagnoses of failing Ibis code: instant, no model, each rule small.

Every rule looks at the exception (and the namespace's table schemas) and either says
what went wrong and what to write instead, or says nothing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import ibis.expr.types as ir


@dataclass(frozen=True)
class Diagnosis:
    """One finding: which rule, and the advice in a sentence."""

    rule: str
    message: str


NO_ATTRIBUTE = re.compile(r"^'?(\w+)'? object has no attribute '(\w+)'")
MISSING_COLUMN = re.compile(r"Column '(\w+)' is not found in table")
#: pandas habits and the Ibis way.
PANDAS_HABITS = {
    "loc": "rows are chosen with `t.filter(predicate)` and columns with `t.select(...)`",
    "iloc": "Ibis rows have no positions: use `t.order_by(...).limit(n, offset=k)`",
    "apply": "write a column expression, or a UDF with `@ibis.udf.scalar.python`",
    "groupby": "`t.group_by(keys).agg(name=t.col.sum())`",
    "values": "get data with `t.to_pandas()` or `t.to_pyarrow()`",
    "str": "string methods are on the column itself: `t.name.upper()`, `t.name.contains(...)`",
    "dt": "date parts are on the column itself: `t.ts.year()`, `t.ts.truncate('D')`",
    "sort_values": "`t.order_by(ibis.desc('col'))`",
    "drop_duplicates": "`t.distinct()` (or `t.distinct(on=...)`)",
    "fillna": "`t.fill_null(value)` or `t.col.fill_null(value)`",
    "isna": "`t.col.isnull()`",
    "iterrows": "Ibis tables are not iterated: `t.to_pandas()` first",
    "shape": "`t.count().execute()` for rows, `len(t.columns)` for columns",
    "dtypes": "`t.schema()`",
    "merge": "`left.join(right, predicates, how='left')`",
}


def _columns(namespace: Mapping[str, object]) -> set[str]:
    columns: set[str] = set()
    for value in namespace.values():
        if isinstance(value, ir.Table):
            columns.update(value.columns)
    return columns


def unknown_column(error: BaseException, namespace: Mapping[str, object]) -> Diagnosis | None:
    """A misspelt column: name the closest real ones."""
    text = str(error)
    missing = MISSING_COLUMN.search(text)
    attribute = NO_ATTRIBUTE.match(text) if isinstance(error, AttributeError) else None
    if attribute and attribute.group(1) not in {"Table", "Join"}:
        return None
    name = missing.group(1) if missing else attribute.group(2) if attribute else None
    if name is None or name in PANDAS_HABITS:
        return None
    close = difflib.get_close_matches(name, sorted(_columns(namespace)), n=3, cutoff=0.6)
    if not close:
        return None
    options = " or ".join(f"`{column}`" for column in close)
    return Diagnosis("unknown column", f"`{name}` is not a column; did you mean {options}?")


def pandas_habit(error: BaseException, _namespace: Mapping[str, object]) -> Diagnosis | None:
    """pandas spellings on Ibis objects: the Ibis way."""
    match = NO_ATTRIBUTE.match(str(error)) if isinstance(error, AttributeError) else None
    if match is None or match.group(2) not in PANDAS_HABITS:
        return None
    return Diagnosis(
        "pandas habit", f"`.{match.group(2)}` is pandas; in Ibis: {PANDAS_HABITS[match.group(2)]}"
    )


def python_boolean_operators(
    error: BaseException, _namespace: Mapping[str, object]
) -> Diagnosis | None:
    """``and`` / ``or`` / ``not`` (or ``if``) on expressions."""
    if "truth value of an Ibis expression is not defined" not in str(error):
        return None
    return Diagnosis(
        "python boolean operators",
        "Python's `and`/`or`/`not` cannot combine Ibis expressions: use `&`, `|`, `~` with "
        "parentheses, e.g. `(t.a > 1) & (t.b < 2)`; `if expr:` needs `ibis.ifelse(...)`",
    )


RULES: tuple[Callable[[BaseException, Mapping[str, object]], Diagnosis | None], ...] = (
    unknown_column,
    pandas_habit,
    python_boolean_operators,
)


def diagnose(error: BaseException, namespace: Mapping[str, object]) -> list[Diagnosis]:
    """Every rule's finding for ``error`` (none when no rule applies)."""
    return [found for rule in RULES if (found := rule(error, namespace)) is not None]
