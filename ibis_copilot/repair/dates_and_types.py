"""Generate and validate, from Ibis's type system: a literal written in the wrong type
(``t.year == "2024"``, ``t.id + "1"``), columns of two types compared, a number or an
integer column added to a date, an interval without a unit, pandas' interval methods
(``.total_seconds()``).

Each family turns the error into a finding and candidate edits, most plausible first; the
engine checks them (:mod:`ibis_copilot.repair.candidates`).
"""

from __future__ import annotations

import ast
import datetime
import re
from collections.abc import Callable

from ibis_copilot.repair.diagnose import NO_ATTRIBUTE, _columns
from ibis_copilot.repair.edits import (
    UNIT_NAMES,
    Candidate,
    Search,
    epoch_unit,
    matching_calls,
    named_differences,
    number_literal,
    parse,
    position,
    replace_each_call,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.intervals import UNIT_OF_SECONDS, fractional, whole_count
from ibis_copilot.repair.rewrite import rewrite_nodes, rewrite_rendered, source_of
from ibis_copilot.repair.signatures import snake

NOT_COMPARABLE = re.compile(
    r"Arguments (.+?):(\w+)(?:\(.*?\))? and Literal\((.*)\):(\w+) are not comparable"
)
STRING_IN_ARITHMETIC = re.compile(
    r"unsupported operand type\(s\) for [-+*/]+: '(Integer|Floating|Decimal|Numeric)\w*' and 'str'"
)
INTERVAL_WITHOUT_UNIT = re.compile(
    r"unsupported operand type\(s\) for [+-]: '(Timestamp|Date)\w*' and 'Interval\w*'"
)
TEMPORAL_INT = re.compile(
    r"unsupported operand type\(s\) for [+-]: '(Timestamp|Date)\w*' and '(int|Integer\w*)'"
)


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")  # fmt: skip


def _named_part(column: str, literal: str) -> str | None:
    """The number a date part is written as by name: ``"March"`` (or ``"Mar"``) for a
    month is ``3``, ``"Q1"`` for a quarter ``1``; None for other text."""
    word = literal.strip().lower()
    if column.startswith("ExtractMonth("):
        found = [
            n for n, month in enumerate(MONTHS, 1) if len(word) >= 3 and month.startswith(word)
        ]
        return str(found[0]) if len(found) == 1 else None
    quarter = re.fullmatch(r"q([1-4])", word)
    return quarter.group(1) if column.startswith("ExtractQuarter(") and quarter else None


def literal_type(failure: Failure) -> Search | None:
    """``t.year == "2024"`` with an integer column: the literal written in the column's type."""
    match = NOT_COMPARABLE.search(str(failure.error))
    if match is None:
        return None
    column, column_type, literal, literal_type_name = match.groups()
    numeric = re.match(r"u?int|float|decimal", column_type) is not None
    if literal_type_name == "string" and numeric:
        replacement = number_literal(literal) or _named_part(column, literal)
    elif column_type == "string" and re.match(r"u?int|float", literal_type_name):
        replacement = repr(literal)
    else:
        replacement = None
    if replacement is None:
        return None

    def wanted(node: ast.AST) -> bool:
        value = node.value if isinstance(node, ast.Constant) else None
        if column_type == "string":
            return isinstance(value, int | float) and str(value) == literal
        return isinstance(value, str) and value == literal

    edited = rewrite_nodes(failure.code, wanted, lambda _node, _code: replacement or "")
    extracted = re.fullmatch(r"Extract(\w+)\((\w+)\)", column)  # ExtractMonth(day)
    shown = f"{extracted.group(2)}.{snake(extracted.group(1))}()" if extracted else column
    message = (
        f"`{shown}` is {column_type} but is compared with {literal_type_name} "
        f"{literal!r}: write the literal as {replacement}"
    )
    candidates = [Candidate(edited, f"the literal as {replacement}")] if edited else []
    return Search(Diagnosis("types", message), candidates)


def literal_in_arithmetic(failure: Failure) -> Search | None:
    """``t.id + "1"``: a number written as a string, in arithmetic with a number."""
    if not STRING_IN_ARITHMETIC.search(str(failure.error)):
        return None
    edited = rewrite_nodes(
        failure.code,
        lambda node: isinstance(node, ast.Constant) and _number_operand(node, failure.code),
        lambda node, _code: number_literal(str(getattr(node, "value", ""))) or "",
    )
    if edited is None:
        return None
    message = "a number written as a string cannot be added to a number: write the number"
    return Search(Diagnosis("types", message), [Candidate(edited, "the string as a number")])


def _number_operand(node: ast.Constant, code: str) -> bool:
    """A string literal holding a number, operand of an arithmetic operator in ``code``."""
    if not isinstance(node.value, str) or number_literal(node.value) is None:
        return False
    tree = ast.parse(code)
    return any(
        isinstance(n, ast.BinOp)
        and any(
            isinstance(side, ast.Constant)
            and (side.lineno, side.col_offset) == (node.lineno, node.col_offset)
            for side in (n.left, n.right)
        )
        for n in ast.walk(tree)
    )


def interval_unit(failure: Failure) -> Search | None:
    """``t.day + ibis.interval(30)``: an interval without a unit is seconds; a date needs
    days (``ibis.interval(days=30)``)."""
    if not INTERVAL_WITHOUT_UNIT.search(str(failure.error)):
        return None

    def wanted(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and source_of(node.func, failure.code) == "ibis.interval"
            and len(node.args) == 1
            and not node.keywords
        )

    def with_unit(unit: str) -> Callable[[ast.AST, str], str]:
        def render(node: ast.AST, code: str) -> str:
            assert isinstance(node, ast.Call)  # noqa: S101 - only wanted calls
            return f"ibis.interval({unit}={source_of(node.args[0], code)})"

        return render

    candidates = [
        Candidate(edited, f"the interval in {unit}")
        for unit in ("days", "hours")
        if (edited := rewrite_nodes(failure.code, wanted, with_unit(unit)))
    ]
    message = "`ibis.interval(n)` without a unit cannot be added to a date: name the unit"
    return Search(Diagnosis("dates and intervals", message), candidates) if candidates else None


LOSES_PRECISION = re.compile(r"^Normalizing (\S+) to IntervalUnit\.\w+ would lose precision")
NOT_WHOLE = "value must be an integer or timedelta"  # ``ibis.interval(1.5, "h")``


def fractional_interval(failure: Failure) -> Search | None:
    """``ibis.interval(hours=1.5)``: an interval is a whole number of its unit; the same
    length in the first smaller unit that makes it whole, ``ibis.interval(minutes=90)``."""
    text = str(failure.error)
    if not LOSES_PRECISION.match(text) and text != NOT_WHOLE:
        return None

    def render(node: ast.AST, code: str) -> str | None:
        found = fractional(node)
        whole = whole_count(*found) if found else None
        if whole is None or not isinstance(node, ast.Call):
            return None
        amount, unit = whole
        return f"{source_of(node.func, code)}({UNIT_NAMES[unit]}={amount})"

    given = matching_calls(failure.code, lambda node: fractional(node) is not None)
    if text == NOT_WHOLE and not given:
        return None  # text or a column given to ``ibis.interval``: other rules' failures
    edited = rewrite_rendered(failure.code, render)
    message = (
        "an interval is a whole number of its unit: give a fraction in a smaller unit "
        "(`ibis.interval(hours=1.5)` is `ibis.interval(minutes=90)`)"
    )
    candidates = [Candidate(edited, "the same length in a smaller unit")] if edited else []
    return Search(Diagnosis("dates and intervals", message), candidates)


NOT_AN_INT = re.compile(r"^invalid literal for int\(\) with base 10: '(.+)'$")
#: A constructor given some of its parts: ``int(None)`` of a missing one.
MISSING_PART = (
    "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'"
)
#: How many numbers a constructor takes, and the keywords users give them by.
PARTS = {"timestamp": 6, "time": 3}
TIME_KEYWORDS = ("hour", "minute", "second")
USE_AS_TIMESTAMP = "Use ibis.literal(...).as_timestamp() instead"


def _all_parts(node: ast.AST, code: str) -> str | None:
    """``ibis.timestamp(2024, 7, 1)`` → ``ibis.timestamp(2024, 7, 1, 0, 0, 0)``,
    ``ibis.time(hour=9, minute=30)`` → ``ibis.time(9, 30, 0)``: the missing parts zero."""
    name = getattr(getattr(node, "func", None), "attr", "")
    if not isinstance(node, ast.Call) or name not in PARTS:
        return None
    named = {k.arg: source_of(k.value, code) for k in node.keywords}
    if name == "time" and named and not node.args and set(named) <= set(TIME_KEYWORDS):
        given = [named.get(part, "0") for part in TIME_KEYWORDS]
    elif named or any(isinstance(getattr(a, "value", None), str) for a in node.args):
        return None  # ISO text, or keywords of something else
    else:
        given = [source_of(argument, code) for argument in node.args]
    if not 2 <= len(given) <= PARTS[name]:
        return None
    given += ["0"] * (PARTS[name] - len(given))
    return f"{source_of(node.func, code)}({', '.join(given)})"


def temporal_constructor(failure: Failure) -> Search | None:
    """``ibis.timestamp("01/07/2024", "%d/%m/%Y")``: Ibis's constructors take ISO text or
    numbers, not a format; the text is read with the format here (``"2024-07-01
    00:00:00"``). ``ibis.timestamp(t.epoch_ms)``: a column is converted with its own
    ``as_timestamp(unit)``, a number with its literal's (``ibis.literal(1733000000)``)."""
    text = str(failure.error)
    keywords = text.startswith("time() got some positional-only arguments")
    if not (NOT_AN_INT.match(text) or text in (USE_AS_TIMESTAMP, MISSING_PART) or keywords):
        return None

    def converted(node: ast.AST, code: str) -> str | None:
        function = getattr(node, "func", None)
        name = getattr(function, "attr", "")
        if (padded := _all_parts(node, code)) is not None:
            return padded
        if not isinstance(node, ast.Call) or name not in ("timestamp", "date") or node.keywords:
            return None
        values = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        if len(values) == 2 and all(isinstance(v, str) for v in values):
            try:
                moment = datetime.datetime.strptime(str(values[0]), str(values[1]))
            except ValueError:
                return None
            iso = moment.date().isoformat() if name == "date" else f"{moment:%Y-%m-%d %H:%M:%S}"
            return f"{source_of(node.func, code)}({iso!r})"
        if len(node.args) == 1 and name == "timestamp" and not isinstance(values[0], str):
            column = source_of(node.args[0], code)
            unit = epoch_unit(column) or "s"
            if isinstance(values[0], int | float):  # a number written out is a literal
                column = f"ibis.literal({column})"
            return f"{column}.as_timestamp({unit!r})"
        return None

    code = failure.code
    edited = rewrite_nodes(
        code, lambda n: converted(n, code) is not None, lambda n, c: converted(n, c) or ""
    )
    message = (
        "`ibis.timestamp(...)`/`ibis.date(...)` take ISO text (`'2024-07-01 08:00:00'`) or "
        "numbers (all of them: `ibis.timestamp(2024, 7, 1, 0, 0, 0)`, `ibis.time(9, 30, 0)`), "
        "not a format: write the value in ISO form, or parse text columns with "
        "`col.as_timestamp(format)`; an epoch column is `col.as_timestamp('s')` (or `'ms'`)"
    )
    candidates = [Candidate(edited, "the value in ISO form")] if edited else []
    return Search(Diagnosis("dates and intervals", message), candidates) if candidates else None


#: ``ibis`` functions and methods whose value is a date or timestamp.
TEMPORAL_CALLS = frozenset({"now", "today", "timestamp", "date", "truncate", "as_timestamp"})


COLUMNS_NOT_COMPARABLE = re.compile(r"Arguments (\w+):(\w+) and (\w+):(\w+) are not comparable")


def columns_of_two_types(failure: Failure) -> Search | None:
    """``orders.customer_id == customers.code`` (int64 vs string): the string column cast
    to the other's type where they are compared."""
    match = COLUMNS_NOT_COMPARABLE.search(str(failure.error))
    if match is None:
        return None
    left, left_type, right, right_type = match.groups()
    numeric = re.compile(r"u?int|float|decimal")
    if left_type == "string" and numeric.match(right_type):
        text_column, target = left, right_type
    elif right_type == "string" and numeric.match(left_type):
        text_column, target = right, left_type
    else:
        return None
    tree = ast.parse(failure.code)
    compared = {
        position(side)
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        for side in (node.left, *node.comparators)
        if isinstance(side, ast.Attribute) and side.attr == text_column
    }
    edited = rewrite_nodes(
        failure.code,
        lambda node: position(node) in compared,
        lambda node, code: f"{source_of(node, code)}.cast({target!r})",
    )
    if edited is None:
        return None
    message = (
        f"`{left}` ({left_type}) and `{right}` ({right_type}) cannot be compared: cast "
        f"`{text_column}` to {target} first"
    )
    return Search(Diagnosis("types", message), [Candidate(edited, f"`{text_column}` as {target}")])


#: Interval methods from pandas/Python (``.total_seconds()``) and the unit of ``delta``.
INTERVAL_METHODS = {
    "total_seconds": "second",
    "seconds": "second",
    "to_seconds": "second",
    "total_minutes": "minute",
    "total_hours": "hour",
    "hours": "hour",
    "to_days": "day",
    "total_days": "day",
    # Ibis's own unit properties, called or read as if they gave a number
    "minutes": "minute",
    "days": "day",
    "weeks": "week",
    "months": "month",
    "quarters": "quarter",
    "years": "year",
}
#: How Ibis says an interval was asked for a number in a unit: the property called
#: (``.hours()``), a method it lacks, or a unit it cannot convert a day count to.
INTERVAL_ASKED = re.compile(
    r"^'Interval\w*' object is not callable|^Cannot convert interval value from unit"
)


def interval_method(failure: Failure) -> Search | None:
    """``(t.end - t.start).total_seconds()`` → ``t.end.delta(t.start, unit="second")``."""
    text = str(failure.error)
    match = NO_ATTRIBUTE.match(text)
    if match is not None and match.group(1).startswith("Interval"):
        asked = list(INTERVAL_METHODS) if match.group(2) == "dt" else [match.group(2)]
    elif INTERVAL_ASKED.match(text):
        asked = list(INTERVAL_METHODS)
    else:
        return None

    tree = parse(failure.code) or ast.Module(body=[], type_ignores=[])
    named = named_differences(tree)

    def difference(node: ast.AST) -> tuple[ast.BinOp, str] | None:
        """``(a - b).hours()`` / ``(a - b).quarters`` / ``took.hours()`` after
        ``took = a - b`` / pandas' ``(a - b).dt.days``: the subtraction and the name."""
        read = node.func if isinstance(node, ast.Call) and not node.args else node
        value = getattr(read, "value", None)
        if isinstance(value, ast.Attribute) and value.attr == "dt":
            value = value.value
        value = named.get(value.id, value) if isinstance(value, ast.Name) else value
        name = getattr(read, "attr", "")
        if not isinstance(value, ast.BinOp) or not isinstance(value.op, ast.Sub):
            return None
        return (value, name) if name in asked else None

    def render(node: ast.AST, code: str) -> str:
        found = difference(node)
        if found is None:
            return source_of(node, code)
        subtraction, name = found
        later, earlier = source_of(subtraction.left, code), source_of(subtraction.right, code)
        return f"{later}.delta({earlier}, unit={INTERVAL_METHODS[name]!r})"

    edited = rewrite_nodes(failure.code, lambda node: difference(node) is not None, render)
    names = [found[1] for node in ast.walk(tree) if (found := difference(node))]
    if edited is None or not names:
        return None
    unit = INTERVAL_METHODS[names[0]]
    message = (
        f"an Ibis interval gives no number with `.{names[0]}`: the number of {unit}s "
        f"between two dates or timestamps is `later.delta(earlier, unit={unit!r})`"
    )
    divisors: list[float] = [
        node.right.value
        for node in ast.walk(tree)
        if isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Div)
        and isinstance(node.right, ast.Constant)
        and isinstance(node.right.value, int | float)
        and difference(node.left)
    ]
    per = UNIT_OF_SECONDS.get(divisors[0]) if divisors and unit == "second" else None
    if per is not None:  # whole units or a fraction: the user's intent decides, not a rule
        message += (
            f"; divided by {divisors[0]}, it is either whole {per}s, `later.delta(earlier, "
            f"unit={per!r})` (the {per} boundaries crossed), or a fraction, "
            f"`later.delta(earlier, unit='second') / {divisors[0]}`: pick the one you mean"
        )
        return Search(Diagnosis("dates and intervals", message), [])
    return Search(Diagnosis("dates and intervals", message), [Candidate(edited, "`delta`")])


def integer_to_temporal(failure: Failure) -> Search | None:
    """``t.ts + 7``: a number added to a date or timestamp needs an interval."""
    error = failure.error
    if not (TEMPORAL_INT.search(str(error)) or type(error).__name__ == "SignatureValidationError"):
        return None
    temporal = {
        name for name, kind in _columns(failure).items() if kind in {"date", "timestamp"}
    } | {name for name, kind in _columns(failure).items() if kind.startswith("timestamp(")}

    def mentions_temporal(node: ast.AST) -> bool:
        return any(
            isinstance(n, ast.Attribute) and (n.attr in temporal or n.attr in TEMPORAL_CALLS)
            for n in ast.walk(node)
        )

    integers = {name for name, kind in _columns(failure).items() if re.match(r"u?int", kind)}

    def integer(node: ast.AST) -> bool:
        """A literal integer, or an integer column (``t.n_days``)."""
        if isinstance(node, ast.Constant):
            return type(node.value) is int
        return isinstance(node, ast.Attribute) and node.attr in integers

    def wanted(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Add | ast.Sub)
            and integer(node.right)
            and mentions_temporal(node.left)
        )

    def with_unit(unit: str) -> Callable[[ast.AST, str], str]:
        def render(node: ast.AST, code: str) -> str:
            if not isinstance(node, ast.BinOp):
                return source_of(node, code)
            sign = "+" if isinstance(node.op, ast.Add) else "-"
            amount = source_of(node.right, code)
            interval = (
                f"ibis.interval({unit}={amount})"
                if isinstance(node.right, ast.Constant)
                else f'{amount}.as_interval("{unit[0].upper()}")'
            )
            return f"{source_of(node.left, code)} {sign} {interval}"

        return render

    candidates = [
        Candidate(edited, f"the number as an interval of {unit}")
        for unit in ("days", "hours")
        if (edited := rewrite_nodes(failure.code, wanted, with_unit(unit)))
    ]
    if not candidates:
        return None
    message = "a number cannot be added to a date or timestamp: add `ibis.interval(days=n)`"
    return Search(Diagnosis("dates and intervals", message), candidates)


#: pandas' frequency aliases and Ibis's unit codes (``truncate``), case as pandas writes them.
FREQUENCIES = {
    "Y": "Y", "YS": "Y", "YE": "Y", "A": "Y", "AS": "Y", "Q": "Q", "QS": "Q", "QE": "Q",
    "M": "M", "MS": "M", "ME": "M", "W": "W", "D": "D", "d": "D", "h": "h", "H": "h",
    "min": "m", "T": "m", "s": "s", "S": "s", "ms": "ms", "L": "ms", "us": "us", "U": "us",
}  # fmt: skip
FREQUENCY = re.compile(r"^(\d*)\s*([A-Za-z]+)$")
ROUNDING = frozenset({"floor", "ceil", "round"})


def _truncation(call: ast.Call, code: str) -> str | None:
    """``ts.floor("h")`` → ``ts.truncate("h")``; ``ts.floor("15min")`` →
    ``ts.bucket(minutes=15)``; a ``.dt`` between is dropped."""
    function = call.func
    frequency = call.args[0] if len(call.args) == 1 and not call.keywords else None
    if not isinstance(function, ast.Attribute):
        return None
    if not (isinstance(frequency, ast.Constant) and isinstance(frequency.value, str)):
        return None
    match = FREQUENCY.match(frequency.value.strip())
    unit = FREQUENCIES.get(match.group(2)) if match else None
    if match is None or unit is None:
        return None
    owner = function.value
    if isinstance(owner, ast.Attribute) and owner.attr == "dt":
        owner = owner.value
    count = int(match.group(1) or 1)
    if count == 1:
        return f'{source_of(owner, code)}.truncate("{unit}")'
    return f"{source_of(owner, code)}.bucket({UNIT_NAMES[unit]}={count})"


def temporal_rounding(failure: Failure) -> Search | None:
    """pandas' ``ts.dt.floor("h")``: Ibis truncates a timestamp or date to a unit
    (``ts.truncate("h")``) or to steps of one (``ts.bucket(minutes=15)``)."""
    match = NO_ATTRIBUTE.match(str(failure.error))
    if match is None or not isinstance(failure.error, AttributeError):
        return None
    kind, member = match.groups()
    if not kind.startswith(("Timestamp", "Date", "Time")) or member not in ROUNDING | {"dt"}:
        return None
    if not matching_calls(failure.code, lambda c: getattr(c.func, "attr", "") in ROUNDING):
        return None
    time_of_day = kind.startswith("Time") and not kind.startswith("Timestamp")
    message = (
        'Ibis has no `floor`/`ceil`/`round` of dates and times: `ts.truncate("h")` '
        'rounds down to a unit (`"Y"`, `"M"`, `"W"`, `"D"`, `"h"`, `"m"`, '
        '`"s"`) and `ts.bucket(minutes=15)` to steps of one'
    )
    if time_of_day:  # two readings: no candidate
        message += (
            '; of a time of day, `t.x.truncate("h")` keeps a time (09:00:00) and '
            "`t.x.hour()` gives the hour as a number: pick the one you mean"
        )
        return Search(Diagnosis("dates and intervals", message), [])
    edited = replace_each_call(failure.code, ("floor",), _truncation)
    candidates = [Candidate(edited, "`floor` → `truncate`")] if edited else []
    return Search(Diagnosis("dates and intervals", message), candidates)
