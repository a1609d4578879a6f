"""Literal values Ibis cannot read as the type they were given: a number too big for its
integer type, a decimal wider than its precision, ``"1,000"`` as an integer, a word where
a timestamp belongs, an interval written as text, a date with a missing part, and a date
written as a plain string next to an interval.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

import ibis.expr.types as ir

from ibis_copilot.repair.edits import (
    UNIT_CODES,
    call_rewrite,
    called_name,
    interval_words,
    is_nan,
    keyword,
    matching_calls,
    node_rewrite,
    parse,
    position,
    string_value,
    value_of,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.intervals import per_row_interval
from ibis_copilot.repair.rewrite import rewrite_nodes, source_of
from ibis_copilot.repair.signatures import ARGUMENT

OUT_OF_BOUNDS = re.compile(r"^Value (-?\d+) is out of bounds for type (U?Int\d+)\(")
NOT_NORMALIZED = re.compile(
    r"^Unable to (?:normalize (.+?) (?:to|as) (.+)|construct (decimal) from (.+))$"
)
DECIMAL_PRECISION = re.compile(r"decimal with precision (\d+) and scale (\d+)")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")
SIGNED = ("int8", "int16", "int32", "int64")


def _replace_strings(code: str, old: str, new: str) -> str | None:
    """Every string literal ``old`` written as ``new`` (Python source)."""
    return rewrite_nodes(code, lambda node: string_value(node) == old, lambda _n, _c: new)


def integer_bounds(failure: Failure) -> Diagnosis | None:
    """``ibis.literal(300, type="int8")``: the smallest signed type that holds the value."""
    match = OUT_OF_BOUNDS.match(str(failure.error))
    if match is None:
        return None
    value, kind = int(match.group(1)), match.group(2).lower()
    bits = (int(t[3:]) - 1 for t in SIGNED)
    wider = next((t for t, b in zip(SIGNED, bits, strict=True) if -(2**b) <= value < 2**b), None)
    if wider is None:
        message = f"{value} does not fit in `{kind}` nor any integer type: use a decimal"
        return Diagnosis("literal", message)
    message = f"{value} does not fit in `{kind}`: use a type that holds it, e.g. `{wider}`"
    return Diagnosis("literal", message, lambda code: _replace_strings(code, kind, repr(wider)))


def _decimal_fix(code: str, precision: int, scale: int, value: str) -> str | None:
    digits = len(re.sub(r"\D", "", value.split(".", maxsplit=1)[0])) + scale
    old = re.compile(rf"^decimal\(\s*{precision}\s*,\s*{scale}\s*\)$")
    return rewrite_nodes(
        code,
        lambda node: bool(old.match(string_value(node) or "")),
        lambda _n, _c: repr(f"decimal({digits}, {scale})"),
    )


def unreadable_literal(failure: Failure) -> Diagnosis | None:
    """``Unable to normalize ...``: the value as the type could not be read."""
    match = NOT_NORMALIZED.match(str(failure.error))
    if match is None or not isinstance(failure.error, TypeError):
        return None
    value = (match.group(1) or match.group(4)).strip("'\"")
    target = match.group(2) or match.group(3)
    target = re.sub(r"\(nullable=\w+\)", "", target).lower()
    if decimal := DECIMAL_PRECISION.search(target):
        precision, scale = int(decimal.group(1)), int(decimal.group(2))
        number = re.sub(r"^Decimal\('?|'?\)$", "", value)
        message = (
            f"{number} needs more digits than `decimal({precision}, {scale})` has: the "
            f"precision counts all digits, the {scale} after the point included"
        )
        return Diagnosis(
            "literal", message, lambda code: _decimal_fix(code, precision, scale, number)
        )
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", value):
        number = value.replace(",", "")
        message = (
            f"`'{value}'` is text with a thousands separator, which {target} cannot read: "
            f"write the number `{number}` (e.g. `ibis.literal({number})`)"
        )
        return Diagnosis("literal", message, lambda code: _replace_strings(code, value, number))
    if "timestamp" in target.lower() or "date" in target.lower():
        message = (
            f"`'{value}'` is not a date or time Ibis can read (nor a real calendar day): "
            "write it as `'YYYY-MM-DD'` or `'YYYY-MM-DD HH:MM:SS'`, or compute it, e.g. "
            "`ibis.now() - ibis.interval(days=1)` for yesterday, `ibis.today()` for today"
        )
        return Diagnosis("literal", message)
    message = f"`{value}` cannot be read as {target}: give a value of that type"
    return Diagnosis("literal", message)


def _interval_text(node: ast.AST) -> tuple[str, str] | None:
    """(amount, unit) of ``ibis.interval("45 minutes")``."""
    if not (isinstance(node, ast.Call) and called_name(node) == "interval"):
        return None
    text = string_value(node.args[0]) if len(node.args) == 1 and not node.keywords else None
    return interval_words(text) if text else None


NOT_A_NUMBER = ("value must be an integer or timedelta", "is not a Literal")


def _per_row_interval(call: ast.Call, code: str) -> str | None:
    """``ibis.interval(days=t.n)`` or ``ibis.interval(t.n, "D")`` → ``t.n.as_interval("D")``
    (``ibis.interval``'s keywords are the units' names)."""
    if called_name(call) != "interval":
        return None
    given = {k.arg: k.value for k in call.keywords}
    keyword_unit = UNIT_CODES.get(next(iter(given), None) or "") if len(given) == 1 else None
    unit_given = (len(call.args) == 1 and set(given) == {"unit"}) or (
        len(call.args) == 2 and not given
    )
    if keyword_unit and not call.args:
        amount, unit = next(iter(given.values())), keyword_unit
    elif unit_given:
        amount, unit = call.args[0], string_value(given.get("unit", call.args[-1])) or ""
    else:
        return None
    if isinstance(amount, ast.Constant) or not unit:
        return None  # a literal amount is ibis.interval's own
    return per_row_interval(amount, unit, code)


def interval_per_row(failure: Failure) -> Diagnosis | None:
    """``ibis.interval(days=t.n)``: a column of amounts is an interval per row with
    ``.as_interval(unit)``."""
    if not any(text in str(failure.error) for text in NOT_A_NUMBER):
        return None
    return call_rewrite(
        failure.code,
        "dates and intervals",
        "`ibis.interval` makes one interval from a number; a column of amounts becomes an "
        "interval per row with `.as_interval(unit)`: `t.days.as_interval('D')`",
        ("interval",),
        _per_row_interval,
    )


def interval_from_text(failure: Failure) -> Diagnosis | None:
    """``ibis.interval("45 minutes")`` → ``ibis.interval(minutes=45)``."""
    if str(failure.error) != "value must be an integer or timedelta":
        return None
    if interval_per_row(failure) is not None:
        return None
    message = (
        "`ibis.interval` takes a number and a unit, not text: "
        "`ibis.interval(minutes=45)` (or `ibis.interval(45, unit='m')`)"
    )

    def wanted(node: ast.AST) -> bool:
        return _interval_text(node) is not None

    def render(node: ast.AST, code: str) -> str:
        amount, unit = _interval_text(node) or ("", "")
        return f"{source_of(getattr(node, 'func', node), code)}({unit}={amount})"

    fix = (
        (lambda code: rewrite_nodes(code, wanted, render))
        if matching_calls(failure.code, wanted)
        else None
    )
    return Diagnosis("literal", message, fix)


def _short_date(node: ast.AST) -> bool:
    """``ibis.date(2024, 6)``."""
    return (
        isinstance(node, ast.Call)
        and called_name(node) == "date"
        and len(node.args) == 2
        and not node.keywords
    )


def date_parts(failure: Failure) -> Diagnosis | None:
    """``ibis.date(2024, 6)``: a date needs a year, a month and a day."""
    if not isinstance(failure.error, TypeError) or "NoneType" not in str(failure.error):
        return None
    if not matching_calls(failure.code, _short_date):
        return None
    message = (
        "`ibis.date` takes a year, a month and a day (or one `'YYYY-MM-DD'` string); "
        "for the first day of a month: `ibis.date(2024, 6, 1)`"
    )

    def render(node: ast.AST, code: str) -> str:
        return f"{source_of(node, code)[:-1].rstrip()}, 1)"

    return Diagnosis("literal", message, lambda code: rewrite_nodes(code, _short_date, render))


def _date_literal(node: ast.AST) -> str | None:
    """``date`` or ``timestamp`` for ``ibis.literal("2024-01-01")`` (no ``type=``)."""
    if not (isinstance(node, ast.Call) and called_name(node) == "literal" and node.args):
        return None
    text = string_value(node.args[0])
    if not text or keyword(node, "type") is not None:
        return None
    if ISO_DATE.match(text):
        return "date"
    return "timestamp" if ISO_TIMESTAMP.match(text) else None


def date_text_with_interval(failure: Failure) -> Diagnosis | None:
    """``ibis.literal("2024-01-01") + ibis.interval(days=30)``: text is concatenated, not
    added to; ``ibis.date("2024-01-01")`` is a date."""
    if "StringConcat" not in str(failure.error) or "interval" not in failure.code:
        return None
    chosen = matching_calls(failure.code, lambda call: _date_literal(call) is not None)
    kinds = [kind for call in chosen if (kind := _date_literal(call))]
    if not kinds:
        return None
    message = (
        f"`ibis.literal('...')` of a {kinds[0]} written as text is a string, and a string "
        f"plus an interval is concatenation: write `ibis.{kinds[0]}('...')`"
    )

    def render(node: ast.AST, code: str) -> str:
        assert isinstance(node, ast.Call)  # noqa: S101 - only literal calls are chosen
        return f"ibis.{_date_literal(node)}({source_of(node.args[0], code)})"

    return Diagnosis(
        "literal",
        message,
        lambda code: rewrite_nodes(code, lambda n: _date_literal(n) is not None, render),
    )


def _column_lengths(call: ast.Call) -> dict[str, int]:
    """``ibis.memtable({"a": [1, 2], "b": [3]})`` → ``{"a": 2, "b": 1}``."""
    data = call.args[0] if call.args else keyword(call, "data")
    if not isinstance(data, ast.Dict):
        return {}
    return {
        name: len(value.elts)
        for key, value in zip(data.keys, data.values, strict=True)
        if (name := string_value(key)) is not None and isinstance(value, ast.List | ast.Tuple)
    }


def ragged_memtable(failure: Failure) -> Diagnosis | None:
    """``ibis.memtable({"a": [1, 2, 3], "b": [4, 5]})``: columns of different lengths."""
    if not isinstance(failure.error, ValueError) or "same length" not in str(failure.error):
        return None
    for call in matching_calls(failure.code, lambda c: called_name(c) == "memtable"):
        lengths = _column_lengths(call)
        if len(set(lengths.values())) > 1:
            said = ", ".join(f"`{name}` {n}" for name, n in lengths.items())
            return Diagnosis(
                "literal",
                f"the columns given to `ibis.memtable` differ in length ({said} values): "
                "every column needs one value per row (`None` where one is missing)",
            )
    return None


def _nan_in_expressions(code: str) -> list[ast.AST]:
    """The ``np.nan``-like values of ``code`` outside data given to a table constructor."""
    tree = parse(code)
    if tree is None:
        return []
    in_data = {
        id(node)
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and called_name(call) in ("memtable", "DataFrame")
        for node in ast.walk(call)
    }
    return [node for node in ast.walk(tree) if is_nan(node) and id(node) not in in_data]


def nan_for_missing(failure: Failure) -> Diagnosis | None:
    """``ibis.ifelse(t.s == "", np.nan, t.s)``: NumPy's NaN is a floating-point number in
    Ibis, not a missing value; ``ibis.null()`` is NULL of any type."""
    nans = _nan_in_expressions(failure.code)
    if not nans:
        return None
    said = ast.unparse(nans[0])
    return Diagnosis(
        "literal",
        f"`{said}` is a floating-point NaN to Ibis, not a missing value (and mixes badly "
        "with text, dates or integers): a missing value is `ibis.null()` (NULL, of any "
        "type; `None` works where Ibis expects a value)",
        _nan_as_null,
    )


def _nan_as_null(code: str) -> str | None:
    """Each NaN of :func:`_nan_in_expressions` written as ``ibis.null()``."""
    spots = {position(node) for node in _nan_in_expressions(code)}
    return rewrite_nodes(code, lambda node: position(node) in spots, lambda _n, _c: "ibis.null()")


def _interval_for_text(node: ast.AST, code: str, namespace: Mapping[str, object]) -> str | None:
    """``t.at + "30 minutes"`` → ``t.at + ibis.interval(minutes=30)``."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub)):
        return None
    for text_side, other in ((node.right, node.left), (node.left, node.right)):
        text = string_value(text_side)
        parsed = interval_words(text) if text else None
        value = value_of(other, namespace) if parsed else None
        if parsed and isinstance(value, ir.TimestampValue | ir.DateValue | ir.TimeValue):
            amount, unit = parsed
            sides = [
                f"ibis.interval({unit}={amount})" if side is text_side else source_of(side, code)
                for side in (node.left, node.right)
            ]
            return f" {'+' if isinstance(node.op, ast.Add) else '-'} ".join(sides)
    return None


def interval_as_text(failure: Failure) -> Diagnosis | None:
    """``t.at + "30 minutes"``: a duration written as text is an ``ibis.interval``."""
    if "str" not in str(failure.error):
        return None
    namespace = failure.namespace
    return node_rewrite(
        failure.code,
        "dates and intervals",
        "a duration written as a string is just text to Ibis: add or subtract an interval, "
        "`t.at + ibis.interval(minutes=30)`",
        lambda node, code: _interval_for_text(node, code, namespace),
    )


#: A number written as text: ``"2"``, ``"-0.5"``.
NUMBER_TEXT = re.compile(r"^-?\d+(?:\.\d+)?$")


def number_as_text(failure: Failure) -> Diagnosis | None:
    """``t.x.log("2")``: a number quoted where Ibis takes a numeric value."""
    argument = ARGUMENT.search(str(failure.error))
    if argument is None:
        return None
    name, value, cls, wanted = argument.groups()
    text = value.strip().strip("'\"")
    if cls != "str" or "Numeric" not in wanted or not NUMBER_TEXT.match(text):
        return None

    def as_number(code: str) -> str | None:
        return rewrite_nodes(
            code,
            lambda node: isinstance(node, ast.Constant) and node.value == text,
            lambda _node, _code: text,
        )

    return Diagnosis(
        "types and casts",
        f"the argument `{name}` takes a number, and `'{text}'` is text: write the number "
        f"itself, `{text}`",
        as_number,
    )


RULES = (
    number_as_text,
    interval_as_text,
    ragged_memtable,
    interval_per_row,
    integer_bounds,
    unreadable_literal,
    interval_from_text,
    date_parts,
    date_text_with_interval,
    nan_for_missing,
)
