"""polars' names where Ibis says the same thing another way: tests of a float
(``is_finite``, ``fill_nan``), duplicates (``is_duplicated``), a table's ``height`` and
``with_row_index``, ``collect()``, ``rank("dense")``, a grouped ``len()`` and the string
namespace's ``json_decode``/``to_integer``.

Each entry is the Ibis form of the call, with ``{x}`` for what it was called on; the
entries that need more than that (an order for a rolling window, a product) are advice.
"""

from __future__ import annotations

import ast
import re

from ibis_copilot.repair import translate
from ibis_copilot.repair.edits import NO_SUCH_ATTRIBUTE, call_rewrite, shown_rewrite
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import owner_source, rewrite_rendered, source_of

#: polars' methods called with no arguments, and their Ibis form of ``{x}``.
CALLS = {
    "is_finite": "(~({x}.isinf() | {x}.isnan()))",
    "is_duplicated": "({x}.count().over(group_by={x}) > 1)",
    "is_unique": "({x}.count().over(group_by={x}) == 1)",
    "json_decode": '{x}.cast("json")',
    "to_integer": '{x}.cast("int64")',
    "with_row_index": "{x}.mutate(index=ibis.row_number())",
    "with_row_count": "{x}.mutate(row_nr=ibis.row_number())",
    "collect": "{x}.execute()",
    "lazy": "{x}",
}
#: polars' attributes (read without a call) and their Ibis form.
ATTRIBUTES = {"height": "{x}.count()", "width": "len({x}.columns)"}
#: Calls given one argument: ``fill_nan(0)``.
ONE_ARGUMENT = {"fill_nan": "{x}.isnan().ifelse({a}, {x})"}
#: A grouped table's polars names: ``group_by(k).len()`` counts each group's rows.
GROUPED = {"len": "{x}.agg(len=ibis._.count())"}
#: polars' methods that need what the code does not say (an order, a product).
ADVICE = {
    "cum_count": "rows so far are `ibis.row_number().over(order_by=...) + 1`",
    "cum_prod": "there is no running product; for positive values "
    "`col.ln().sum().over(ibis.cumulative_window(order_by=...)).exp()`",
    "null_count": "nulls per column are `t.agg(s.across(s.all(), lambda c: c.isnull().sum()))`",
    "round_sig_figs": "round to places with `col.round(digits)`",
    **{
        f"rolling_{name}": f"a moving {name} is `col.{name}().over("
        "ibis.trailing_window(n - 1, order_by=...))`"
        for name in ("mean", "sum", "min", "max", "std", "var", "median")
    },
}
GROUPED_LACKS = re.compile(r"^GroupedTable has no attribute (\w+)$")


def _rendered(node: ast.AST, code: str, name: str) -> str | None:
    """``node`` (a use of ``name``) in its Ibis form; else None."""
    if isinstance(node, ast.Attribute) and node.attr == name and name in ATTRIBUTES:
        return ATTRIBUTES[name].format(x=owner_source(node.value, code))
    function = getattr(node, "func", None)
    if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute):
        return None
    if function.attr != name or node.keywords:
        return None
    owner = owner_source(function.value, code)
    if not node.args and name in CALLS:
        return CALLS[name].format(x=owner)
    if len(node.args) == 1 and name in ONE_ARGUMENT:
        return ONE_ARGUMENT[name].format(x=owner, a=source_of(node.args[0], code))
    return None


def polars_name(failure: Failure) -> Diagnosis | None:
    """``t.x.is_finite()``, ``t.height``, ``t.with_row_index()``: polars' names, in Ibis."""
    message = str(failure.error)
    lacking = NO_SUCH_ATTRIBUTE.match(message)
    grouped = GROUPED_LACKS.match(message)
    name = lacking.group(2) if lacking else grouped.group(1) if grouped else ""
    if name in ADVICE:
        return Diagnosis("pandas habit", f"`.{name}` is polars'; in Ibis, {ADVICE[name]}")
    if grouped and name in GROUPED:
        return _grouped_length(name)
    if name not in CALLS | ATTRIBUTES | ONE_ARGUMENT:
        return None

    def render(node: ast.AST, code: str) -> str | None:
        return _rendered(node, code, name)

    return shown_rewrite(
        failure.code,
        "pandas habit",
        lambda ibis: f"`.{name}` is polars'; in Ibis: `{ibis}`",
        render,
    )


def _grouped_length(name: str) -> Diagnosis:
    def render(node: ast.AST, code: str) -> str | None:
        function = getattr(node, "func", None)
        if not isinstance(node, ast.Call) or getattr(function, "attr", None) != name:
            return None
        if node.args or node.keywords or not isinstance(function, ast.Attribute):
            return None
        return GROUPED[name].format(x=owner_source(function.value, code))

    return Diagnosis(
        "pandas habit",
        "a grouped `.len()` is polars'; in Ibis each group's rows are counted by name, "
        "`t.group_by(k).agg(len=ibis._.count())`",
        lambda code: rewrite_rendered(code, render),
    )


def rank_method(failure: Failure) -> Diagnosis | None:
    """polars' ``rank("dense")``: the method given by position; each ranking is its own
    Ibis method (keywords, pandas' ``method=`` and polars' ``descending=``, are read by
    the signature search with the same translation)."""
    if not isinstance(failure.error, TypeError) or "rank() takes" not in str(failure.error):
        return None

    return call_rewrite(
        failure.code,
        "window",
        "`rank` takes no method: each ranking is its own method of the column, "
        "`t.x.dense_rank()`, `t.x.rank()` (SQL's RANK, from 0), "
        "`ibis.row_number().over(order_by=t.x)`; descending: `ibis.desc(t.x).rank()`",
        ("rank",),
        translate.rank_call,
    )


RULES = (polars_name, rank_method)
