"""Candidate edits and the syntax-tree helpers that write them: find the calls of a
method in user code, read their arguments, and put a rewritten call in place.

Shared by the rules (:mod:`ibis_copilot.repair.diagnose`, :mod:`ibis_copilot.repair.habits`)
and the generate-and-validate families (:mod:`ibis_copilot.repair.candidates`,
:mod:`ibis_copilot.repair.windows`).
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

import ibis
import ibis.expr.types as ir

from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import owner_source, rewrite_nodes, rewrite_rendered, source_of


@dataclass(frozen=True)
class Candidate:
    """One edit of the failing code, and why it might be the fix."""

    code: str
    reason: str


@dataclass(frozen=True)
class Search:
    """A family's finding and its candidates, most plausible first."""

    diagnosis: Diagnosis
    candidates: list[Candidate]


Family = Callable[[Failure], Search | None]

INTERVAL_TEXT = re.compile(r"^\s*(\d+)\s*([a-z]+?)s?\s*$")
INTERVAL_UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
#: Ibis's codes of the units: what ``truncate``, ``as_interval`` and friends take.
UNIT_CODES = {
    "years": "Y", "quarters": "Q", "months": "M", "weeks": "W", "days": "D", "hours": "h",
    "minutes": "m", "seconds": "s", "milliseconds": "ms", "microseconds": "us",
    "nanoseconds": "ns",
}  # fmt: skip
#: Each unit code and the name ``ibis.interval`` takes it by (``"m"`` → ``minutes``).
UNIT_NAMES = {code: name for name, code in UNIT_CODES.items()}
#: Abbreviations that do not start their unit's name.
UNIT_ABBREVIATIONS = {"hr": "hours", "yr": "years", "wk": "weeks"}
#: Python's message for an attribute an object lacks: (the object's class, the name).
NO_SUCH_ATTRIBUTE = re.compile(r"^'(\w+)' object has no attribute '(\w+)'")
#: Python's message for a keyword a callable does not take: (owner, name, keyword).
UNEXPECTED_KEYWORD = re.compile(r"(?:(\w+)\.)?(\w+)\(\) got an unexpected keyword argument '(\w+)'")


def parse(code: str) -> ast.Module | None:
    """The syntax tree of ``code``, or None when it does not parse."""
    try:
        return ast.parse(code)
    except SyntaxError:
        return None


def called_name(call: ast.Call) -> str | None:
    """``m`` for ``x.m(...)`` and ``m(...)``."""
    function = call.func
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else None


def call_rewrite(
    code: str,
    rule: str,
    message: str,
    names: tuple[str, ...],
    translate: Callable[[ast.Call, str], str | None],
) -> Diagnosis | None:
    """A finding whose fix rewrites calls of ``names`` by ``translate``; None when no
    call in ``code`` is rewritten (the failure is not this rule's)."""
    if replace_each_call(code, names, translate) is None:
        return None
    return Diagnosis(rule, message, lambda text: replace_each_call(text, names, translate))


def node_rewrite(
    code: str, rule: str, message: str, render: Callable[[ast.AST, str], str | None]
) -> Diagnosis | None:
    """A finding whose fix replaces the nodes ``render`` writes anew; None when it writes
    none in ``code`` (the failure is not this rule's)."""
    if rewrite_rendered(code, render) is None:
        return None
    return Diagnosis(rule, message, lambda text: rewrite_rendered(text, render))


def shown_rewrite(
    code: str,
    rule: str,
    message: Callable[[str], str],
    render: Callable[[ast.AST, str], str | None],
) -> Diagnosis | None:
    """:func:`node_rewrite` whose message shows the first rewritten node's new text
    (``message(text)``); None when ``render`` writes none in ``code``."""
    tree = parse(code)
    found = [text for node in ast.walk(tree) if (text := render(node, code))] if tree else []
    if not found:
        return None
    return Diagnosis(rule, message(found[0]), lambda text: rewrite_rendered(text, render))


def arguments_of(call: ast.Call) -> list[ast.expr]:
    """What ``call`` is given: its positional arguments, then its keywords' values."""
    return [*call.args, *(k.value for k in call.keywords)]


def string_items(node: ast.AST) -> list[str] | None:
    """The texts of a string literal, or of a list or tuple of them; else None."""
    items = node.elts if isinstance(node, ast.List | ast.Tuple) else [node]
    texts = [string_value(item) for item in items]
    return [text for text in texts if text is not None] if None not in texts else None


def matching_calls(code: str, wanted: Callable[[ast.Call], bool]) -> list[ast.Call]:
    """The calls in ``code`` that ``wanted`` chooses (none when it does not parse)."""
    tree = parse(code)
    nodes = ast.walk(tree) if tree else iter(())
    return [node for node in nodes if isinstance(node, ast.Call) and wanted(node)]


def calls_to(tree: ast.AST, *names: str) -> Iterator[ast.Call]:
    """Every call of a method or function named one of ``names``, outermost first."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and called_name(node) in names:
            yield node


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value of keyword ``name`` in ``call``."""
    return next((k.value for k in call.keywords if k.arg == name), None)


def string_value(node: ast.AST | None) -> str | None:
    """The text of a string literal, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def elements(node: ast.AST) -> list[ast.expr] | None:
    """The items of a list or tuple literal, else None."""
    return list(node.elts) if isinstance(node, ast.List | ast.Tuple) else None


def receiver(call: ast.Call, code: str) -> str | None:
    """The text ``x`` of ``x.m(...)``."""
    function = call.func
    return owner_source(function.value, code) if isinstance(function, ast.Attribute) else None


def written_arguments(call: ast.Call, code: str) -> str:
    """The parenthesised arguments of ``call`` as written in ``code``: ``(a, k=1)``."""
    return source_of(call, code)[len(source_of(call.func, code)) :]


def render_call(
    call: ast.Call, code: str, positional: list[ast.expr], keywords: list[tuple[str, ast.expr]]
) -> str:
    """``call``'s function with these arguments, as written in ``code``."""
    parts = [source_of(a, code) for a in positional]
    parts += [f"{name}={source_of(value, code)}" for name, value in keywords]
    return f"{source_of(call.func, code)}({', '.join(parts)})"


def replace_call(code: str, call: ast.Call, text: str) -> str | None:
    """``code`` with ``call`` (found by its position) replaced by ``text``."""

    def wanted(node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and (
            node.lineno,
            node.col_offset,
            node.end_lineno,
            node.end_col_offset,
        ) == (call.lineno, call.col_offset, call.end_lineno, call.end_col_offset)

    return rewrite_nodes(code, wanted, lambda _node, _code: text)


def replace_each_call(
    code: str, names: tuple[str, ...], translate: Callable[[ast.Call, str], str | None]
) -> str | None:
    """Every call of ``names`` that ``translate`` rewrites, replaced (None: no change)."""
    tree = parse(code)
    if tree is None:
        return None
    texts = {position(call): translate(call, code) for call in calls_to(tree, *names)}

    def wanted(node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and texts.get(position(node)) is not None

    return rewrite_nodes(code, wanted, lambda node, _code: texts[position(node)] or "")


def looped_places(code: str) -> set[tuple[int, int, int | None, int | None]]:
    """Where ``code`` loops over something (the iterable of a ``for`` or a comprehension):
    the places of those iterables, by :func:`position`."""
    tree = parse(code) or ast.Module(body=[], type_ignores=[])
    loops = (n for n in ast.walk(tree) if isinstance(n, ast.comprehension | ast.For))
    return {position(loop.iter) for loop in loops}


def position(node: ast.AST) -> tuple[int, int, int | None, int | None]:
    """Where ``node`` is in its source: the same for the same code parsed twice."""
    return (
        getattr(node, "lineno", 0),
        getattr(node, "col_offset", 0),
        getattr(node, "end_lineno", None),
        getattr(node, "end_col_offset", None),
    )


def number_literal(text: str) -> str | None:
    """``text`` as a Python number literal (``"3"`` -> ``3``, ``"2.5"`` -> ``2.5``), or None."""
    try:
        return repr(int(text))
    except ValueError:
        pass
    try:
        return repr(float(text))
    except ValueError:
        return None


def interval_words(text: str) -> tuple[str, str] | None:
    """``("45", "minutes")`` for text such as ``"45 minutes"``, ``"7 Days"``, ``"5 min"`` or
    pandas' ``"15min"``: a whole number and a unit word, an unambiguous start of one
    (``"m"`` is not) or a common abbreviation (``"hrs"``)."""
    found = INTERVAL_TEXT.match(text.lower())
    if found is None:
        return None
    word = found.group(2)
    units = [unit for unit in INTERVAL_UNITS if unit.startswith(word)]
    if word in UNIT_ABBREVIATIONS:
        units = [UNIT_ABBREVIATIONS[word]]
    return (found.group(1), units[0]) if len(units) == 1 else None


def _given_string(call: ast.Call, text: str) -> bool:
    return any(string_value(value) == text for value in arguments_of(call))


def methods_given(code: str, text: str) -> set[str]:
    """The names of the calls in ``code`` given the string ``text`` as an argument."""
    calls = matching_calls(code, lambda call: _given_string(call, text))
    return {name for call in calls if (name := called_name(call))}


def replace_string_argument(code: str, method: str, text: str, replacement: str) -> str | None:
    """The string ``text`` given to ``method`` replaced by the source ``replacement``."""
    calls = matching_calls(
        code, lambda call: called_name(call) == method and _given_string(call, text)
    )
    arguments = {position(value) for call in calls for value in arguments_of(call)}
    return rewrite_nodes(
        code,
        lambda node: string_value(node) == text and position(node) in arguments,
        lambda _node, _code: replacement,
    )


#: Python's arithmetic operators, which Ibis numbers take too (``t.minutes // 10``).
ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
}


def _arithmetic_value(node: ast.BinOp, namespace: Mapping[str, object]) -> ibis.Expr | None:
    """``t.minutes // 10``: the Ibis number it builds, where each side is an Ibis number
    or a number written out (nothing is run: Ibis's operators only build expressions)."""
    if type(node.op) not in ARITHMETIC:
        return None
    sides = []
    for side in (node.left, node.right):
        value: object = value_of(side, namespace)
        if value is None and isinstance(side, ast.Constant):
            value = side.value
        if not isinstance(value, ir.NumericValue | int | float) or isinstance(value, bool):
            return None
        sides.append(value)
    if not any(isinstance(side, ir.NumericValue) for side in sides):
        return None
    try:
        built = ARITHMETIC[type(node.op)](*sides)
    except Exception:  # noqa: BLE001 - an operation Ibis refuses is no value
        return None
    return built if isinstance(built, ibis.Expr) else None


#: Python's comparisons, which Ibis values take too (``t.temp > 1``).
COMPARING: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def _comparison_value(node: ast.Compare, namespace: Mapping[str, object]) -> ibis.Expr | None:
    """``t.temp > 1``: the Ibis boolean it builds (one comparison of an Ibis value with
    another or with a value written out; nothing is run)."""
    if len(node.ops) != 1 or type(node.ops[0]) not in COMPARING:
        return None
    left, right = node.left, node.comparators[0]
    sides: list[object] = [value_of(left, namespace), value_of(right, namespace)]
    if all(side is None for side in sides):
        return None
    for index, side in enumerate((left, right)):
        if sides[index] is None:
            if not isinstance(side, ast.Constant):
                return None
            sides[index] = side.value
    try:
        built = COMPARING[type(node.ops[0])](*sides)
    except Exception:  # noqa: BLE001 - a comparison Ibis refuses is no value
        return None
    return built if isinstance(built, ibis.Expr) else None


def _operator_value(
    node: ast.BinOp | ast.Compare, namespace: Mapping[str, object]
) -> ibis.Expr | None:
    if isinstance(node, ast.BinOp):
        return _arithmetic_value(node, namespace)
    return _comparison_value(node, namespace)


def value_of(node: ast.AST, namespace: Mapping[str, object]) -> ibis.Expr | None:
    """The Ibis expression ``node`` stands for, found without running anything: a name
    the namespace binds to an expression, a table's column (``t.c``, ``t["c"]``), a
    struct's field, arithmetic of numbers (``t.minutes // 10``) or a comparison."""
    if isinstance(node, ast.Name):
        value = namespace.get(node.id)
        return value if isinstance(value, ibis.Expr) else None
    if isinstance(node, ast.BinOp | ast.Compare):
        return _operator_value(node, namespace)
    if not isinstance(node, ast.Attribute | ast.Subscript):
        return None
    owner = value_of(node.value, namespace)
    key = node.attr if isinstance(node, ast.Attribute) else string_value(node.slice)
    if (isinstance(owner, ibis.Table) and key in owner.columns) or (
        isinstance(owner, ir.StructValue) and key in owner.names
    ):
        return owner[key]
    if isinstance(node, ast.Subscript) and isinstance(owner, ir.JSONValue | ir.MapValue):
        return owner[key] if key is not None else None
    return None


#: Column methods that reduce a column to one value.
REDUCTIONS = frozenset(
    {"count", "nunique", "sum", "mean", "min", "max", "median", "std", "var", "mode", "first",
     "last", "any", "all", "approx_nunique", "approx_median", "quantile", "arbitrary"}
)  # fmt: skip
#: How pandas code writes a missing value besides ``None``; in Ibis each is a floating-point
#: NaN (or fails), not NULL.
NAN_SPELLINGS = frozenset({"np.nan", "numpy.nan", "np.NaN", "math.nan", "pd.NA", "pd.NaT"})


def is_nan(node: ast.AST) -> bool:
    """``np.nan``, ``pd.NA`` or ``float("nan")``: what pandas code means by missing."""
    if not isinstance(node, ast.Attribute | ast.Call):
        return False
    text = ast.unparse(node)
    return text in NAN_SPELLINGS or text.lower() == "float('nan')"


def whole_number(value: object) -> TypeGuard[int]:
    """``value`` is an int, and not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


#: How an epoch column's name ends, and the unit of its numbers.
EPOCH_SUFFIXES = (
    ("_ns", "ns"), ("_us", "us"), ("_ms", "ms"), ("_millis", "ms"), ("_micros", "us"),
    ("_s", "s"), ("_sec", "s"), ("_seconds", "s"), ("_epoch", "s"),
)  # fmt: skip


def epoch_unit(name: str) -> str | None:
    """The unit a number-since-the-epoch column's name says (``sent_ms`` → ``"ms"``)."""
    return next((unit for end, unit in EPOCH_SUFFIXES if name.lower().endswith(end)), None)


def value_name(value: object) -> str:
    """The name of an Ibis value (a column's), or "" for one without a name."""
    try:
        return str(value.get_name()) if isinstance(value, ir.Value) else ""
    except (AttributeError, ibis.common.exceptions.ExpressionError):
        return ""


def named_differences(tree: ast.AST) -> dict[str, ast.BinOp]:
    """Names the code binds once, to a subtraction (``took = t.end - t.start``)."""
    bound: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                bound.setdefault(target.id, []).append(node.value)
    return {
        name: values[0]
        for name, values in bound.items()
        if len(values) == 1
        and isinstance(values[0], ast.BinOp)
        and isinstance(values[0].op, ast.Sub)
    }
