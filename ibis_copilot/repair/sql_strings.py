"""SQL written as a string where Ibis takes expressions: ``order_by("total desc")``,
``select("a, b")``, ``filter("amount > 100 AND status = 'paid'")``.

Ibis reads such a string as one column name and says it is not found. The SQL is parsed
with sqlglot (Ibis's own SQL library) and written back as Ibis code, for a small, exact
grammar: columns, literals, comparisons, AND/OR/NOT, IS [NOT] NULL, IN, BETWEEN, LIKE;
anything else is left alone (None).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sqlglot
import sqlglot.expressions as sge

from ibis_copilot.repair.edits import number_literal
from ibis_copilot.repair.rewrite import IDENTIFIER

ORDER_KEY = re.compile(
    r"^\s*(-?)(\w+)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$", re.IGNORECASE
)
SELECT_ITEM = re.compile(r"^\s*(\w+)(?:\s+as\s+(\w+))?\s*$", re.IGNORECASE)


def looks_like_sql(text: str) -> bool:
    """Not a plain column name: spaces, commas, operators or parentheses."""
    return IDENTIFIER.match(text) is None and re.search(r"[\s,<>=!()]|^-\w", text) is not None


def order_keys(text: str) -> list[str] | None:
    """``"a, b desc"`` → ``['"a"', 'ibis.desc("b")']`` (``"-b"``, dplyr's and Django's
    spelling, is ``desc`` too)."""
    keys = []
    for part in text.split(","):
        match = ORDER_KEY.match(part)
        if match is None:
            return None
        minus, name, direction, nulls = match.groups()
        descending = minus == "-" or (direction or "").lower() == "desc"
        first = ", nulls_first=True" if (nulls or "").lower() == "first" else ""
        if descending:
            keys.append(f'ibis.desc("{name}"{first})')
        else:
            keys.append(f'ibis.asc("{name}"{first})' if first else f'"{name}"')
    return keys


def select_items(text: str, table: str = "ibis._") -> list[str] | None:
    """``"a, b as c, x * y total"`` → ``"a"``, ``ibis._.b.name("c")``,
    ``(t.x * t.y).name("total")``: plain columns stay strings; expressions are written on
    ``table``."""
    items = []
    for part in text.split(","):
        match = SELECT_ITEM.match(part)
        if match is None:
            break
        name, alias = match.groups()
        items.append(f'ibis._.{name}.name("{alias}")' if alias else f'"{name}"')
    else:
        return items if len(items) > 1 or any("name(" in item for item in items) else None
    return _select_expressions(text, table)


def _select_expressions(text: str, table: str) -> list[str] | None:
    """Select items with SQL expressions (arithmetic, SUM/AVG/MIN/MAX/COUNT, UPPER...)."""
    try:
        parsed = sqlglot.parse_one(f"SELECT {text}")
    except sqlglot.errors.ParseError:
        return None
    if not isinstance(parsed, sge.Select) or parsed.args.get("from"):
        return None
    items = []
    for item in parsed.expressions:
        alias = item.alias if isinstance(item, sge.Alias) else None
        node = item.this if isinstance(item, sge.Alias) else item
        if isinstance(node, sge.Column) and IDENTIFIER.match(node.name) and not node.table:
            written = f'"{node.name}"' if alias is None else f'{table}.{node.name}.name("{alias}")'
        else:
            value = _value(node, table)
            if value is None:
                return None
            operand = f"({value})" if " " in value else value
            written = f'{operand}.name("{alias}")' if alias else value
        items.append(written)
    return items


COMPARISONS: dict[type[sge.Expression], str] = {
    sge.EQ: "==",
    sge.NEQ: "!=",
    sge.GT: ">",
    sge.GTE: ">=",
    sge.LT: "<",
    sge.LTE: "<=",
}


#: The table an unqualified column belongs to (its variable, or ``ibis._``), or the
#: variable of each name a qualified column names (a join's two tables).
Scope = str | Mapping[str, str]


def condition(text: str, table: str) -> str | None:
    """A SQL condition as an Ibis predicate on ``table`` (a variable name, or ``ibis._``)."""
    try:
        parsed = sqlglot.condition(text)
    except sqlglot.errors.ParseError:
        return None
    return _predicate(parsed, table)


def join_condition(text: str, tables: Mapping[str, str]) -> str | None:
    """A SQL join condition (``"a.k = b.k"``) as an Ibis predicate; ``tables`` maps each
    name a column is qualified by (an SQL table name or alias) to its variable."""
    try:
        parsed = sqlglot.condition(text)
    except sqlglot.errors.ParseError:
        return None
    return _predicate(parsed, tables)


def _value(node: sge.Expression, table: Scope) -> str | None:  # noqa: PLR0911 - one per form
    if isinstance(node, sge.Column) and IDENTIFIER.match(node.name):
        if isinstance(table, str):
            return f"{table}.{node.name}" if not node.table else None
        return f"{table[node.table]}.{node.name}" if node.table in table else None
    if isinstance(node, sge.Literal):
        return repr(node.this) if node.is_string else number_literal(node.this)
    if isinstance(node, sge.Boolean):
        return repr(bool(node.this))
    if isinstance(node, sge.Neg):
        inner = _value(node.this, table)
        return f"-{inner}" if inner is not None else None
    if isinstance(node, sge.Paren):
        inner = _value(node.this, table)
        return f"({inner})" if inner is not None else None
    if type(node) in ARITHMETIC:
        left, right = _value(node.this, table), _value(node.expression, table)
        return f"{left} {ARITHMETIC[type(node)]} {right}" if left and right else None
    return _function(node, table)


ARITHMETIC: dict[type[sge.Expression], str] = {
    sge.Add: "+",
    sge.Sub: "-",
    sge.Mul: "*",
    sge.Div: "/",
    sge.Mod: "%",
}
#: SQL functions of one column, and the Ibis method that computes the same.
FUNCTIONS: dict[type[sge.Expression], str] = {
    sge.Sum: "sum",
    sge.Avg: "mean",
    sge.Min: "min",
    sge.Max: "max",
    sge.Upper: "upper",
    sge.Lower: "lower",
    sge.Length: "length",
    sge.Abs: "abs",
    sge.Round: "round",
}


def _function(node: sge.Expression, table: Scope) -> str | None:
    """``SUM(x)`` → ``t.x.sum()``; ``COUNT(*)`` → ``t.count()``; ``COUNT(DISTINCT x)`` →
    ``t.x.nunique()``."""
    if isinstance(node, sge.Count):
        inner = node.this
        if isinstance(inner, sge.Star):
            return f"{table}.count()"
        if isinstance(inner, sge.Distinct) and len(inner.expressions) == 1:
            column = _value(inner.expressions[0], table)
            return f"{column}.nunique()" if column else None
        column = _value(inner, table) if inner is not None else None
        return f"{column}.count()" if column else None
    method = FUNCTIONS.get(type(node))
    column = _value(node.this, table) if method and node.this is not None else None
    if method is None or column is None:
        return None
    if isinstance(node, sge.Round) and node.args.get("decimals") is not None:
        digits = _value(node.args["decimals"], table)
        return f"{column}.round({digits})" if digits else None
    return f"{column}.{method}()"


def _wrapped(node: sge.Expression, table: Scope) -> str | None:
    inner = _predicate(node, table)
    return f"({inner})" if inner is not None else None


def _predicate(node: sge.Expression, table: Scope) -> str | None:  # noqa: PLR0911 - one per form
    if isinstance(node, sge.Paren):
        return _predicate(node.this, table)
    if isinstance(node, sge.And | sge.Or):
        left, right = _wrapped(node.this, table), _wrapped(node.expression, table)
        joiner = " & " if isinstance(node, sge.And) else " | "
        return f"{left}{joiner}{right}" if left and right else None
    if isinstance(node, sge.Not):
        if isinstance(node.this, sge.Is) and isinstance(node.this.expression, sge.Null):
            column = _value(node.this.this, table)
            return f"{column}.notnull()" if column else None
        inner = _wrapped(node.this, table)
        return f"~{inner}" if inner else None
    if isinstance(node, sge.Is) and isinstance(node.expression, sge.Null):
        column = _value(node.this, table)
        return f"{column}.isnull()" if column else None
    if type(node) in COMPARISONS:
        left, right = _value(node.this, table), _value(node.expression, table)
        return f"{left} {COMPARISONS[type(node)]} {right}" if left and right else None
    if isinstance(node, sge.In) and node.expressions:
        column = _value(node.this, table)
        values = [_value(value, table) for value in node.expressions]
        if column is None or None in values:
            return None
        return f"{column}.isin([{', '.join(v for v in values if v)}])"
    if isinstance(node, sge.Between):
        column, low, high = (_value(node.args[key], table) for key in ("this", "low", "high"))
        return f"{column}.between({low}, {high})" if column and low and high else None
    if isinstance(node, sge.Like | sge.ILike):
        column, pattern = _value(node.this, table), _value(node.expression, table)
        method = "like" if isinstance(node, sge.Like) else "ilike"
        return f"{column}.{method}({pattern})" if column and pattern else None
    return _value(node, table) if isinstance(node, sge.Column) else None
