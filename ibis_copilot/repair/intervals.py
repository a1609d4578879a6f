"""Intervals built the way Python builds them: ``datetime.timedelta(seconds=t.n)`` of a
column and a bare integer column added to an interval (``ibis.interval(days=14) +
t.renewals * 7``); the reading of a fractional count (``ibis.interval(1.5, "h")``) as a
whole one of a smaller unit; and a difference of two times measured in a unit by
dividing it (``(b - a) / pd.Timedelta(minutes=1)``) or by comparing it with an interval
of another unit (``b - a > ibis.interval(minutes=30)``), which Ibis's ``delta`` says."""

from __future__ import annotations

import ast
import re

from ibis_copilot.repair.edits import (
    UNIT_CODES,
    UNIT_NAMES,
    called_name,
    node_rewrite,
    parse,
    string_value,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import (
    COMPARISON_SYMBOLS,
    mentions,
    rewrite_rendered,
    source_of,
)

#: Python's message for a ``timedelta`` part that is not a number.
TIMEDELTA_PART = re.compile(r"^unsupported type for timedelta (\w+) component: (\w+)")
#: Python's message for an interval and a number that have no sum.
INTERVAL_AND_INTEGER = re.compile(
    r"unsupported operand type\(s\) for [+-]: '(Interval\w*|Integer\w*)' and "
    r"'(Interval\w*|Integer\w*)'"
)
#: A fractional count of a unit as a whole count of a smaller one.
SMALLER_UNIT = {"W": ("D", 7), "D": ("h", 24), "h": ("m", 60), "m": ("s", 60), "s": ("ms", 1000)}


def per_row_interval(amount: ast.expr, unit: str, code: str) -> str:
    """``amount`` as an interval of ``unit`` per row: ``t.n.as_interval("s")``."""
    text = source_of(amount, code)
    text = text if isinstance(amount, ast.Attribute | ast.Name | ast.Call) else f"({text})"
    return f"{text}.as_interval({unit!r})"


def _timedelta_parts(node: ast.AST) -> dict[str, ast.expr] | None:
    """The keywords of ``datetime.timedelta(seconds=..., days=...)`` (or ``timedelta(...)``)."""
    if not isinstance(node, ast.Call) or called_name(node) != "timedelta" or node.args:
        return None
    parts = {k.arg: k.value for k in node.keywords if k.arg in UNIT_CODES}
    return parts if parts and len(parts) == len(node.keywords) else None


def timedelta_of_columns(failure: Failure) -> Diagnosis | None:
    """``datetime.timedelta(seconds=t.duration_s)``: Python's timedelta wants numbers now; a
    column of counts is an interval per row, ``t.duration_s.as_interval("s")``."""
    match = TIMEDELTA_PART.match(str(failure.error))
    if match is None:
        return None
    tables = failure.expression_names

    def render(node: ast.AST, code: str) -> str | None:
        parts = _timedelta_parts(node)
        if parts is None or not any(mentions(value, tables) for value in parts.values()):
            return None
        terms = [
            per_row_interval(value, UNIT_CODES[name], code)
            if mentions(value, tables)
            else f"ibis.interval({name}={source_of(value, code)})"
            for name, value in parts.items()
        ]
        return terms[0] if len(terms) == 1 else f"({' + '.join(terms)})"

    message = (
        f"`timedelta` wants Python numbers now, and its `{match.group(1)}` was given an Ibis "
        f"`{match.group(2)}`: a column of counts is an interval per row with "
        '`.as_interval(unit)`, e.g. `t.duration_s.as_interval("s")`'
    )
    fixed = rewrite_rendered(failure.code, render)
    return Diagnosis(
        "dates and intervals",
        message,
        (lambda code: rewrite_rendered(code, render)) if fixed else None,
    )


def interval_unit(node: ast.AST) -> str | None:
    """The unit code of ``ibis.interval(days=14)`` / ``ibis.interval(14, "D")``."""
    if not isinstance(node, ast.Call) or called_name(node) != "interval":
        return None
    named = [UNIT_CODES[k.arg] for k in node.keywords if k.arg in UNIT_CODES]
    if len(named) == 1 and len(node.keywords) == 1 and not node.args:
        return named[0]
    unit = string_value(node.args[1]) if len(node.args) == 2 else None
    unit = unit or string_value(next((k.value for k in node.keywords if k.arg == "unit"), None))
    return unit if unit in UNIT_NAMES else None


def integer_beside_interval(failure: Failure) -> Diagnosis | None:
    """``ibis.interval(days=14) + t.renewals * 7``: a count has no unit; beside an interval
    it is read in that interval's unit, ``(t.renewals * 7).as_interval("D")``."""
    if INTERVAL_AND_INTEGER.search(str(failure.error)) is None:
        return None
    tables = failure.expression_names

    def render(node: ast.AST, code: str) -> str | None:
        if not isinstance(node, ast.BinOp) or not isinstance(node.op, ast.Add | ast.Sub):
            return None
        sign = "+" if isinstance(node.op, ast.Add) else "-"
        sides = ((node.left, node.right, True), (node.right, node.left, False))
        for interval, count, first in sides:
            unit = interval_unit(interval)
            if unit and mentions(count, tables) and interval_unit(count) is None:
                left, right = source_of(interval, code), per_row_interval(count, unit, code)
                return f"{left} {sign} {right}" if first else f"{right} {sign} {left}"
        return None

    if rewrite_rendered(failure.code, render) is None:
        return None
    return Diagnosis(
        "dates and intervals",
        "a count has no unit, so Ibis cannot add it to an interval: make it an interval of "
        'the same unit per row with `.as_interval(unit)`, e.g. `(t.n * 7).as_interval("D")`',
        lambda code: rewrite_rendered(code, render),
    )


def whole_count(amount: float, unit: str) -> tuple[int, str] | None:
    """``1.5`` hours as ``(90, "m")``: the first smaller unit that makes it whole."""
    while unit in SMALLER_UNIT and amount != int(amount):
        unit, factor = SMALLER_UNIT[unit]
        amount = round(amount * factor, 9)
    return (int(amount), unit) if amount == int(amount) else None


def fractional(node: ast.AST) -> tuple[float, str] | None:
    """(count, unit code) of ``ibis.interval(1.5, "h")`` / ``ibis.interval(hours=1.5)``."""
    unit = interval_unit(node)
    if unit is None or not isinstance(node, ast.Call):
        return None
    amount = node.args[0] if node.args else node.keywords[0].value
    value = amount.value if isinstance(amount, ast.Constant) else None
    return (value, unit) if isinstance(value, float) and not value.is_integer() else None


#: ``delta``'s unit names for Ibis's unit codes.
DELTA_UNITS = {
    "Y": "year", "Q": "quarter", "M": "month", "W": "week", "D": "day", "h": "hour",
    "m": "minute", "s": "second", "ms": "millisecond", "us": "microsecond", "ns": "nanosecond",
}  # fmt: skip
#: Duration constructors of pandas, Python and NumPy.
DURATIONS = frozenset({"Timedelta", "timedelta", "timedelta64"})


def _duration(node: ast.AST) -> tuple[ast.expr, str] | None:
    """(amount, unit code) of one duration: ``pd.Timedelta(minutes=1)``,
    ``datetime.timedelta(hours=2)``, ``np.timedelta64(1, "m")``, ``ibis.interval(minutes=30)``."""
    if not isinstance(node, ast.Call):
        return None
    if called_name(node) == "interval" and (unit := interval_unit(node)):
        return (node.args[0] if node.args else node.keywords[0].value), unit
    if called_name(node) not in DURATIONS:
        return None
    if len(node.args) == 2 and not node.keywords and string_value(node.args[1]) in UNIT_NAMES:
        return node.args[0], str(string_value(node.args[1]))
    named = [(k.value, UNIT_CODES[k.arg]) for k in node.keywords if k.arg in UNIT_CODES]
    return named[0] if len(named) == 1 == len(node.keywords) and not node.args else None


def _difference(node: ast.AST, code: str, unit: str) -> str | None:
    """``b - a`` as ``b.delta(a, unit="minute")``."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)):
        return None
    later, earlier = source_of(node.left, code), source_of(node.right, code)
    return f"{later}.delta({earlier}, unit={DELTA_UNITS[unit]!r})"


def _measured(node: ast.AST, code: str) -> str | None:
    """``(b - a) / pd.Timedelta(minutes=1)`` → ``b.delta(a, unit='minute')``;
    ``b - a > ibis.interval(minutes=30)`` → ``b.delta(a, unit='minute') > 30``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        duration = _duration(node.right)
        delta = _difference(node.left, code, duration[1]) if duration else None
        if duration is None or delta is None:
            return None
        amount = source_of(duration[0], code)
        return delta if amount == "1" else f"({delta} / {amount})"
    if not isinstance(node, ast.Compare) or len(node.ops) != 1:
        return None
    duration = _duration(node.comparators[0])
    delta = _difference(node.left, code, duration[1]) if duration else None
    if duration is None or delta is None:
        return None
    operator = COMPARISON_SYMBOLS.get(type(node.ops[0]))
    return f"{delta} {operator} {source_of(duration[0], code)}" if operator else None


def measured_difference(failure: Failure) -> Diagnosis | None:
    """A difference of two times divided by a duration (pandas' way to count minutes) or
    compared with an interval of another unit: ``delta`` counts the units between them."""
    text = str(failure.error)
    divided = text.startswith("unsupported operand type(s) for /: 'Interval")
    compared = "are not comparable" in text and text.count(":interval(") == 2
    if not (divided or compared):
        return None
    return node_rewrite(
        failure.code,
        "dates and intervals",
        "the difference of two times is an interval; how many units lie between them is "
        '`b.delta(a, unit="minute")`, a number to divide or compare (not a `timedelta`, and '
        "not an interval of another unit)",
        _measured,
    )


#: A number of seconds divided by one of these is a count of the unit: ``/ 3600`` hours.
UNIT_OF_SECONDS: dict[float, str] = {60: "minute", 3600: "hour", 86400: "day"}


def difference_divided_as_seconds(failure: Failure) -> Diagnosis | None:
    """``(b - a) / 3600``: the difference read as a number of seconds (SQL's epoch
    arithmetic); it is an interval. Whole hours and a fraction of them are both likely
    meanings, so the advice names both and no fix is proposed."""
    if not str(failure.error).startswith("unsupported operand type(s) for /: 'Interval"):
        return None
    divided = [
        (node.left, node.right.value)
        for node in ast.walk(parse(failure.code) or ast.Module(body=[], type_ignores=[]))
        if isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Div)
        and isinstance(node.left, ast.BinOp)
        and isinstance(node.left.op, ast.Sub)
        and isinstance(node.right, ast.Constant)
        and node.right.value in UNIT_OF_SECONDS
    ]
    if not divided:
        return None
    subtraction, seconds = divided[0]
    later = source_of(subtraction.left, failure.code)
    earlier = source_of(subtraction.right, failure.code)
    unit = UNIT_OF_SECONDS.get(seconds) if isinstance(seconds, int | float) else None
    if unit is None:
        return None
    return Diagnosis(
        "dates and intervals",
        "the difference of two times is an interval, not a number of seconds: whole "
        f"{unit}s between them are `{later}.delta({earlier}, unit={unit!r})`, a fraction "
        f"of {unit}s `{later}.delta({earlier}, unit='second') / {seconds}`: pick the one "
        "you mean",
    )


RULES = (
    timedelta_of_columns,
    integer_beside_interval,
    measured_difference,
    difference_divided_as_seconds,
)
