"""SQL's functions called as column methods where Ibis says it another way: date parts by
name (``t.ts.extract("year")``, ``date_part``), date arithmetic (``dateadd("day", 7)``,
``add_months(1)``, ``datediff``), JSON paths (``json_extract("$.a.b")``), a map's
``element_at``, SQL Server's ``isnull(x, default)`` and aggregate names
(``stddev_samp``, ``var_pop``).

Each is read off the call as written and rewritten into Ibis's own form; the rest of
SQL's names that are only spelt differently are synonyms (``repair/names.py``).
"""

from __future__ import annotations

import ast
import re

from ibis_copilot.repair.edits import (
    NO_SUCH_ATTRIBUTE,
    UNIT_CODES,
    call_rewrite,
    shown_rewrite,
    string_value,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import owner_source, source_of

#: Calls with no argument, and their Ibis form of ``{x}``.
NO_ARGUMENT = {
    "stddev_samp": "{x}.std()",
    "stddev_pop": '{x}.std(how="pop")',
    "var_samp": "{x}.var()",
    "var_pop": '{x}.var(how="pop")',
    "dayname": "{x}.day_of_week.full_name()",
    "monthname": '{x}.strftime("%B")',
    "square": "({x} ** 2)",
    "cbrt": "({x} ** (1 / 3))",
    "to_number": '{x}.cast("float64")',
    "parse_json": '{x}.cast("json")',
    "row_number": "ibis.row_number().over(order_by={x})",
}
#: Calls with one argument ``{a}``.
ONE_ARGUMENT = {
    "isnull": "{x}.fill_null({a})",  # SQL Server's ISNULL(x, default)
    "element_at": "{x}[{a}]",
    "greatest": "ibis.greatest({x}, {a})",
    "least": "ibis.least({x}, {a})",
    "datediff": '{x}.delta({a}, unit="day")',  # Spark's datediff(end, start)
    "date_add": "({x} + ibis.interval(days={a}))",
    "date_sub": "({x} - ibis.interval(days={a}))",
    "add_months": "({x} + ibis.interval(months={a}))",
}
#: SQL's date part names and Ibis's methods for them.
DATE_PARTS = {
    "year": "year()",
    "quarter": "quarter()",
    "month": "month()",
    "week": "week_of_year()",
    "day": "day()",
    "dayofweek": "day_of_week.index()",
    "dow": "day_of_week.index()",
    "dayofyear": "day_of_year()",
    "doy": "day_of_year()",
    "hour": "hour()",
    "minute": "minute()",
    "second": "second()",
    "millisecond": "millisecond()",
    "epoch": "epoch_seconds()",
}
DATE_PART_CALLS = frozenset({"extract", "date_part", "datepart"})
ADDING_CALLS = frozenset({"dateadd", "timestampadd"})
JSON_PATH_CALLS = frozenset({"json_extract", "get_json_object", "json_value", "json_query"})
JSON_PATH = re.compile(r"^\$((?:\.\w+|\[\d+\])+)$")
TAKES_ONE = re.compile(r"^\w+\.(\w+)\(\) takes 1 positional argument but 2 were given")


def _json_path(path: str | None) -> str | None:
    """``$.a.b[0]`` → ``["a"]["b"][0]``; None for paths other than keys and positions."""
    found = JSON_PATH.match(path or "")
    if found is None:
        return None
    steps = re.findall(r"\.(\w+)|\[(\d+)\]", found.group(1))
    return "".join(f"[{key!r}]" if key else f"[{index}]" for key, index in steps)


def _unit(node: ast.expr) -> str | None:
    """A SQL date unit written as text (``'day'``, ``"MONTH"``) as ``ibis.interval``'s name."""
    word = (string_value(node) or "").lower().rstrip("s")
    return f"{word}s" if f"{word}s" in UNIT_CODES else None


def _ibis_form(call: ast.Call, code: str, name: str) -> str | None:
    """``call`` (of ``name``) in Ibis's form; None when its arguments do not fit."""
    if not isinstance(call.func, ast.Attribute) or call.keywords:
        return None
    x, given = owner_source(call.func.value, code), call.args
    arguments = [source_of(argument, code) for argument in given]
    template = (NO_ARGUMENT if not given else ONE_ARGUMENT if len(given) == 1 else {}).get(name)
    if template is not None:
        return template.format(x=x, a=(arguments or [""])[0])
    if len(given) == 1 and name in DATE_PART_CALLS:
        part = DATE_PARTS.get((string_value(given[0]) or "").lower())
        return f"{x}.{part}" if part else None
    if len(given) == 1 and name in JSON_PATH_CALLS:
        path = _json_path(string_value(given[0]))
        return f"{x}{path}" if path else None
    if len(given) == 2 and name in ADDING_CALLS and (unit := _unit(given[0])):
        return f"({x} + ibis.interval({unit}={arguments[1]}))"
    return None


def _called(failure: Failure) -> str | None:
    """The SQL name the failure is about: a method the value lacks, or ``isnull``
    given a default."""
    message = str(failure.error)
    lacking = NO_SUCH_ATTRIBUTE.match(message)
    if lacking is not None and not lacking.group(1).startswith(("Table", "Join", "module")):
        return lacking.group(2)
    takes_one = TAKES_ONE.match(message)
    return takes_one.group(1) if takes_one and takes_one.group(1) in ONE_ARGUMENT else None


def sql_function_method(failure: Failure) -> Diagnosis | None:
    """``t.ts.extract("year")``, ``t.ts.dateadd("day", 7)``, ``t.j.json_extract("$.a")``:
    SQL's functions written as methods, in Ibis's terms."""
    name = _called(failure)
    if name is None:
        return None

    def render(node: ast.AST, code: str) -> str | None:
        is_call = isinstance(node, ast.Call) and getattr(node.func, "attr", None) == name
        return _ibis_form(node, code, name) if is_call and isinstance(node, ast.Call) else None

    return shown_rewrite(
        failure.code,
        "sql habit",
        lambda ibis: f"`.{name}(...)` is SQL's function; in Ibis: `{ibis}`",
        render,
    )


def _count_star(call: ast.Call, code: str) -> str | None:
    """``t.c.count("*")`` → ``t.count()``: SQL's ``COUNT(*)`` counts the table's rows."""
    column = call.func.value if isinstance(call.func, ast.Attribute) else None
    if [string_value(a) for a in call.args] != ["*"] or call.keywords:
        return None
    table = column.value if isinstance(column, ast.Attribute | ast.Subscript) else None
    return f"{source_of(table, code)}.count()" if table is not None else None


def count_star(failure: Failure) -> Diagnosis | None:
    """``t.bid_id.count("*")``: SQL's ``COUNT(*)``; Ibis counts a table's rows with
    ``t.count()`` (a column's ``count()`` skips its nulls)."""
    if "count()" not in str(failure.error) or not isinstance(failure.error, TypeError):
        return None
    return call_rewrite(
        failure.code,
        "sql habit",
        "`count('*')` is SQL's `COUNT(*)`; Ibis counts a table's rows with `t.count()` (a "
        "column's `count()` counts its values that are not null)",
        ("count",),
        _count_star,
    )


def _global_flag(call: ast.Call, code: str) -> str | None:
    """``s.re_replace(p, r, "g")`` → ``s.re_replace(p, r)``: Postgres' global flag."""
    if len(call.args) != 3 or string_value(call.args[2]) != "g" or call.keywords:
        return None
    pattern, replacement = (source_of(a, code) for a in call.args[:2])
    return f"{source_of(call.func, code)}({pattern}, {replacement})"


def regex_global_flag(failure: Failure) -> Diagnosis | None:
    """``re_replace(p, r, "g")``: Postgres' ``regexp_replace`` flag for every match, which
    is what Ibis's ``re_replace`` does."""
    if "re_replace() takes" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "sql habit",
        "`'g'` is Postgres' flag to replace every match; Ibis's `re_replace(pattern, "
        "replacement)` replaces every match, and takes no flags",
        ("re_replace",),
        _global_flag,
    )


RULES = (sql_function_method, count_star, regex_global_flag)
