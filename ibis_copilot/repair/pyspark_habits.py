"""PySpark's DataFrame API written on Ibis tables: ``withColumnRenamed``,
``dropDuplicates``, ``unionByName``, ``t.na.fill(0)``, ``show()``, a column's
``getItem``/``getField``, and the functions module (``F.col("x")``, ``F.lit``,
``F.when(...).otherwise(...)``, ``F.sum("x")``) used without PySpark.

Each is rewritten into the Ibis call that does the same; ``{x}`` is what the method was
called on.
"""

from __future__ import annotations

import ast
import re
from typing import TypeGuard

from ibis_copilot.repair.edits import (
    NO_SUCH_ATTRIBUTE,
    node_rewrite,
    parse,
    shown_rewrite,
    string_value,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import owner_source, rewrite_rendered, source_of

#: A table's PySpark methods given no argument, and Ibis's form of ``{x}``.
TABLE_CALLS = {
    "dropDuplicates": "{x}.distinct()",
    "printSchema": "{x}.schema()",
    "show": "{x}.head(20)",
    "first": "{x}.head(1)",
    "repartition": "{x}",
}
#: ... and given one argument ``{a}``.
TABLE_CALLS_OF_ONE = {
    "dropDuplicates": "{x}.distinct(on={a})",
    "unionByName": "{x}.union({a})",
    "take": "{x}.head({a})",
    "repartition": "{x}",
    "coalesce": "{x}",
}
#: ``t.na.<name>(...)``: PySpark's missing-value functions.
NA_CALLS = {"fill": "fill_null", "drop": "drop_null"}
#: A column's PySpark methods of one argument.
COLUMN_CALLS_OF_ONE = {"getItem": "{x}[{a}]", "getField": "{x}[{a}]", "alias": "{x}.name({a})"}
#: The names the functions module goes by (``from pyspark.sql import functions as F``).
FUNCTION_MODULES = frozenset({"F", "f", "sf", "psf", "fn", "functions"})
#: PySpark's aggregate functions of a column's name, and the Ibis reduction.
AGGREGATES = {
    "sum": "sum",
    "avg": "mean",
    "mean": "mean",
    "min": "min",
    "max": "max",
    "count": "count",
    "countDistinct": "nunique",
    "count_distinct": "nunique",
    "first": "first",
    "last": "last",
    "stddev": "std",
    "collect_list": "collect",
}
UNDEFINED = re.compile(r"^name '(\w+)' is not defined")


def _table_call(node: ast.AST, code: str, name: str) -> str | None:
    """A table's PySpark call ``node`` (of ``name``) in Ibis's form; else None."""
    function = getattr(node, "func", None)
    if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute):
        return None
    owner, given = function.value, [source_of(a, code) for a in node.args]
    if isinstance(owner, ast.Attribute) and owner.attr == "na" and function.attr == name:
        ibis_name = NA_CALLS.get(name)
        table = owner_source(owner.value, code)
        return f"{table}.{ibis_name}({', '.join(given)})" if ibis_name else None
    if function.attr != name or node.keywords:
        return None
    x = owner_source(owner, code)
    if name == "withColumnRenamed" and len(node.args) == 2:
        old, new = (string_value(a) for a in node.args)
        if old and new:
            return (
                f"{x}.rename({new}={old!r})"
                if new.isidentifier()
                else f"{x}.rename({{{new!r}: {old!r}}})"
            )
        return None
    templates = TABLE_CALLS if not given else TABLE_CALLS_OF_ONE if len(given) == 1 else {}
    template = templates.get(name) or (COLUMN_CALLS_OF_ONE.get(name) if len(given) == 1 else None)
    return template.format(x=x, a=given[0] if given else "") if template else None


def pyspark_method(failure: Failure) -> Diagnosis | None:
    """``t.withColumnRenamed("a", "b")``, ``t.na.fill(0)``, ``t.tags.getItem(0)``."""
    lacking = NO_SUCH_ATTRIBUTE.match(str(failure.error))
    if lacking is None:
        return None
    name = lacking.group(2)
    tree = parse(failure.code)
    if tree is None:
        return None
    if name == "na":  # the method is read from the code: t.na.fill(0)
        calls = [
            n for n in ast.walk(tree) if getattr(getattr(n, "func", None), "attr", "") in NA_CALLS
        ]
        name = getattr(getattr(calls[0], "func", None), "attr", "") if calls else name

    def render(node: ast.AST, code: str) -> str | None:
        return _table_call(node, code, name)

    written = lacking.group(2)
    return shown_rewrite(
        failure.code,
        "pandas habit",
        lambda ibis: f"`.{written}` is PySpark's; in Ibis: `{ibis}`",
        render,
    )


def _condition(node: ast.Call, code: str, module: str) -> str | None:
    """``F.when(c, a).otherwise(b)`` → ``ibis.ifelse(c, a, b)``, and a chain of ``when``s
    → ``ibis.cases((c1, a), (c2, b), else_=d)``; else None."""
    if len(node.args) != 1 or node.keywords:
        return None
    pairs: list[str] = []
    when = getattr(node.func, "value", None)
    while isinstance(when, ast.Call) and isinstance(when.func, ast.Attribute):
        if when.func.attr != "when" or len(when.args) != 2 or when.keywords:
            return None
        test, then = (source_of(argument, code) for argument in when.args)
        pairs.insert(0, f"({test}, {then})")
        if ast.unparse(when.func.value) == module:
            otherwise = source_of(node.args[0], code)
            if len(pairs) == 1:
                return f"ibis.ifelse{pairs[0][:-1]}, {otherwise})"
            return f"ibis.cases({', '.join(pairs)}, else_={otherwise})"
        when = when.func.value
    return None


def _function_call(node: ast.AST, code: str, module: str) -> str | None:
    """``F.col("x")`` → ``ibis._["x"]``, ``F.lit(1)`` → ``ibis.literal(1)``,
    ``F.when(c, a).otherwise(b)`` → ``ibis.ifelse(c, a, b)``, ``F.sum("x")`` →
    ``ibis._["x"].sum()``; else None."""
    function = getattr(node, "func", None)
    if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute):
        return None
    if function.attr == "otherwise":
        return _condition(node, code, module)
    called_on, name = function.value, function.attr
    if not (isinstance(called_on, ast.Name) and called_on.id == module):
        return None
    if node.keywords or len(node.args) != 1:
        return None
    column = string_value(node.args[0])
    given = source_of(node.args[0], code)
    column_text = f"ibis._[{column!r}]" if column is not None else given
    forms = {"lit": f"ibis.literal({given})"}
    if column is not None:
        forms |= {"col": column_text, "column": column_text}
    if name in AGGREGATES:
        forms[name] = f"{column_text}.{AGGREGATES[name]}()"
    return forms.get(name)


def pyspark_functions(failure: Failure) -> Diagnosis | None:
    """``F.col("x") > 1`` without PySpark: Ibis's columns, literals and conditions."""
    undefined = UNDEFINED.match(str(failure.error))
    if undefined is None or undefined.group(1) not in FUNCTION_MODULES:
        return None
    module = undefined.group(1)

    def render(node: ast.AST, code: str) -> str | None:
        return _function_call(node, code, module)

    edited = rewrite_rendered(failure.code, render)
    return Diagnosis(
        "pandas habit",
        f"`{module}` looks like PySpark's functions module, which Ibis does not use: a column "
        'is `t.x` (or `ibis._["x"]`), a value `ibis.literal(v)`, `F.when(c, a).otherwise(b)` '
        "is `ibis.ifelse(c, a, b)` (several: `ibis.cases((c1, a), (c2, b), else_=d)`), "
        '`F.sum("x")` is `t.x.sum()`',
        (lambda code: rewrite_rendered(code, render)) if edited else None,
    )


def ibis_when(failure: Failure) -> Diagnosis | None:
    """``ibis.when(c, a).otherwise(b)``: PySpark's ``when`` spelt on the ibis module."""
    if "module 'ibis' has no attribute 'when'" not in str(failure.error):
        return None

    def render(node: ast.AST, code: str) -> str | None:
        return _condition(node, code, "ibis") if _otherwise(node) else None

    return node_rewrite(
        failure.code,
        "conditional",
        "Ibis has no `when(...).otherwise(...)` (that is PySpark's): a condition with two "
        "outcomes is `ibis.ifelse(c, a, b)` (or `c.ifelse(a, b)`), several are "
        "`ibis.cases((c1, a), (c2, b), else_=d)`",
        render,
    )


def _otherwise(node: ast.AST) -> TypeGuard[ast.Call]:
    """``node`` is a call of ``.otherwise(...)``."""
    return isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "otherwise"


RULES = (pyspark_method, pyspark_functions, ibis_when)
