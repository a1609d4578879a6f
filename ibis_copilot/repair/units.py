"""Time written as text in other tools' terms: intervals and units where Ibis wants an
interval or a unit (pandas frequencies ``"15min"``, ``"1h"``, ``"7D"``; words ``"1 day"``;
abbreviations ``"hrs"``), and date formats of SQL, Spark and MySQL where Ibis wants
``strftime``'s.

``t.ts.bucket("15min")`` → ``t.ts.bucket(ibis.interval(minutes=15))``;
``t.ts.truncate("1h")`` → ``t.ts.truncate("h")``; ``delta.as_unit("hrs")`` →
``delta.as_unit("hour")``; ``t.ts.to_char("HH24:MI")`` → ``t.ts.strftime("%H:%M")``.
"""

from __future__ import annotations

import ast
import re

from ibis_copilot.repair.edits import (
    INTERVAL_UNITS,
    NO_SUCH_ATTRIBUTE,
    UNIT_CODES,
    UNIT_NAMES,
    arguments_of,
    call_rewrite,
    called_name,
    interval_words,
    matching_calls,
    methods_given,
    replace_each_call,
    replace_string_argument,
    string_value,
    whole_number,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import source_of
from ibis_copilot.repair.signatures import ARGUMENT, SIGNATURE_FAILED

NO_UNIT = re.compile(r"^Unable to coerce (\w+) to IntervalUnit")


def interval_text_argument(failure: Failure) -> Diagnosis | None:
    """A method wanted an interval (``bucket``) or a unit (``truncate``) and was given
    text such as ``"15min"``: the text read as a number and a unit."""
    text = str(failure.error)
    failed, argument = SIGNATURE_FAILED.search(text), ARGUMENT.search(text)
    if failed is None or argument is None or argument.group(3) != "str":
        return None
    given = ast.literal_eval(argument.group(2))
    parsed = interval_words(given) if isinstance(given, str) else None
    wants_interval = "Value[Interval" in argument.group(4)
    wants_unit = argument.group(4).endswith(("IntervalUnit", "DateUnit", "TimeUnit"))
    if parsed is None or not (wants_interval or wants_unit):
        return None
    amount, unit = parsed
    methods = methods_given(failure.code, given)
    if len(methods) != 1:
        return None
    method = methods.pop()
    if wants_interval:
        replacement = f"ibis.interval({unit}={amount})"
        message = f"`.{method}(...)` takes an interval, not text: `{replacement}`"
    elif amount == "1":
        replacement = repr(UNIT_CODES[unit])
        codes = ", ".join(repr(UNIT_CODES[name]) for name in INTERVAL_UNITS)
        message = (
            f"`.{method}(...)` takes a unit ({codes}), "
            f"not a pandas frequency: `{replacement}` for {unit}"
        )
    else:
        return Diagnosis(
            "dates and intervals",
            f"`.{method}(...)` takes one unit, not {amount} of them: to group into "
            f"{amount}-{unit.rstrip('s')} steps use `.bucket(ibis.interval({unit}={amount}))`",
        )
    return Diagnosis(
        "dates and intervals",
        message,
        lambda code: replace_string_argument(code, method, given, replacement),
    )


def unit_name(failure: Failure) -> Diagnosis | None:
    """``delta.as_unit("hrs")``: a unit Ibis does not know by that name."""
    match = NO_UNIT.match(str(failure.error))
    if match is None:
        return None
    found = [
        (call, value)
        for call in matching_calls(failure.code, lambda c: called_name(c) is not None)
        for value in arguments_of(call)
        if (text := string_value(value)) and text.lower().startswith(match.group(1).lower())
    ]
    parsed = interval_words(f"1 {string_value(found[0][1])}") if len(found) == 1 else None
    if parsed is None:
        return None
    call, value = found[0]
    method, given, unit = called_name(call) or "", string_value(value) or "", parsed[1]
    return Diagnosis(
        "dates and intervals",
        f"Ibis does not know the unit `{given!r}`: write `{unit.rstrip('s')!r}`",
        lambda code: replace_string_argument(code, method, given, repr(unit.rstrip("s"))),
    )


#: pandas' period aliases (a month's, quarter's or year's start or end) and the unit Ibis
#: truncates to (``"MS"`` is not milliseconds here: Ibis spells those ``"ms"``).
PERIOD_ALIASES = {
    "MS": "M", "ME": "M", "BMS": "M", "QS": "Q", "QE": "Q", "YS": "Y", "YE": "Y", "AS": "Y",
    "A": "Y",
}  # fmt: skip


def period_alias(failure: Failure) -> Diagnosis | None:
    """``t.day.truncate("MS")``: pandas' month-start alias; Ibis truncates to ``"M"``."""
    argument = ARGUMENT.search(str(failure.error))
    if argument is None or argument.group(3) != "str" or not argument.group(4).endswith("Unit"):
        return None
    given = ast.literal_eval(argument.group(2))
    unit = PERIOD_ALIASES.get(given) if isinstance(given, str) else None
    methods = methods_given(failure.code, given) if unit else set()
    if unit is None or len(methods) != 1:
        return None
    method = methods.pop()
    return Diagnosis(
        "dates and intervals",
        f"`{given!r}` is pandas' period alias; Ibis's `{method}` takes the unit `{unit!r}`",
        lambda code: replace_string_argument(code, method, given, repr(unit)),
    )


BUCKET_POSITIONAL = re.compile(r"bucket\(\) takes from 1 to 2 positional arguments but 3 were")


def bucket_of_amount_and_unit(failure: Failure) -> Diagnosis | None:
    """``t.ts.bucket(6, "h")``: an amount and a unit, as ``ibis.interval`` takes them;
    ``bucket`` takes the amount by the unit's keyword, ``bucket(hours=6)``."""
    if not BUCKET_POSITIONAL.search(str(failure.error)):
        return None

    def by_keyword(call: ast.Call, code: str) -> str | None:
        if len(call.args) != 2 or call.keywords:
            return None
        amount, unit = call.args
        if not isinstance(amount, ast.Constant) or not whole_number(amount.value):
            return None
        written = string_value(unit) or ""
        parsed = (
            (str(amount.value), UNIT_NAMES[written])  # Ibis's own code: "m" is minutes
            if written in UNIT_NAMES
            else interval_words(f"{amount.value} {written}")
        )
        return f"{source_of(call.func, code)}({parsed[1]}={parsed[0]})" if parsed else None

    advice = (
        "`bucket` takes its interval by the unit's keyword (`bucket(hours=6)`) or as "
        "`bucket(ibis.interval(hours=6))`, not an amount and a unit"
    )
    return call_rewrite(
        failure.code, "dates and intervals", advice, ("bucket",), by_keyword
    ) or Diagnosis("dates and intervals", advice)


#: SQL's (Postgres, Oracle ``to_char``) format words, longest first, and strftime's.
SQL_FORMAT = {
    "YYYY": "%Y", "MONTH": "%B", "HH24": "%H", "HH12": "%I", "DDD": "%j", "MON": "%b",
    "DAY": "%A", "YY": "%y", "MM": "%m", "DD": "%d", "DY": "%a", "HH": "%I", "MI": "%M",
    "SS": "%S", "AM": "%p", "PM": "%p",
}  # fmt: skip
#: Java's (Spark ``date_format``) pattern letters, longest first (case matters).
JAVA_FORMAT = {
    "yyyy": "%Y", "MMMM": "%B", "EEEE": "%A", "MMM": "%b", "EEE": "%a", "yy": "%y",
    "MM": "%m", "dd": "%d", "HH": "%H", "hh": "%I", "mm": "%M", "ss": "%S", "a": "%p",
}  # fmt: skip
#: MySQL's ``date_format`` codes that mean something else to strftime.
MYSQL_FORMAT = {"%M": "%B", "%i": "%M", "%s": "%S", "%W": "%A", "%h": "%I"}
FORMAT_METHODS = frozenset({"to_char", "date_format", "format"})
TEMPORAL = ("Timestamp", "Date", "Time")


def strftime_format(text: str, method: str = "to_char") -> str:
    """A date format as strftime's: ``%`` codes are strftime's already, or MySQL's when
    they use its ``%i`` for minutes; ``to_char`` takes SQL's words (any case);
    ``date_format`` without ``%`` takes Spark's (Java's) letters."""
    if "%" in text:
        if "%i" not in text:
            return text
        table, flags = MYSQL_FORMAT, 0
    elif method == "to_char":
        table, flags = SQL_FORMAT, re.IGNORECASE
    else:
        table, flags = JAVA_FORMAT, 0
    pattern = re.compile("|".join(map(re.escape, table)), flags)

    def code_for(match: re.Match[str]) -> str:
        found = match.group(0)
        return table.get(found) or table.get(found.upper(), found)

    return pattern.sub(code_for, text)


def date_format_method(failure: Failure) -> Diagnosis | None:
    """``t.ts.to_char("HH24:MI")``: Ibis formats dates with ``strftime`` and its codes."""
    match = NO_SUCH_ATTRIBUTE.match(str(failure.error))
    if match is None or match.group(2) not in FORMAT_METHODS:
        return None
    if not match.group(1).startswith(TEMPORAL):
        return None
    name = match.group(2)

    def render(call: ast.Call, code: str) -> str | None:
        if not isinstance(call.func, ast.Attribute) or len(call.args) != 1 or call.keywords:
            return None
        text = string_value(call.args[0])
        shown = repr(strftime_format(text, name)) if text else source_of(call.args[0], code)
        return f"{source_of(call.func.value, code)}.strftime({shown})"

    def fix(code: str) -> str | None:
        return replace_each_call(code, (name,), render)

    return Diagnosis(
        "sql habit",
        f"`.{name}` is another tool's; Ibis formats dates with `.strftime(...)` and "
        "strftime's codes: `%Y-%m-%d %H:%M` (not `YYYY-MM-DD HH24:MI`)",
        fix,
    )


RULES = (
    period_alias,
    interval_text_argument,
    unit_name,
    bucket_of_amount_and_unit,
    date_format_method,
)
