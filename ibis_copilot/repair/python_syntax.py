"""Python syntax that asks a column for what only a Python value has: ``^`` read as a power
(as in R, Excel and SQL's ``^``), an f-string's date format (``f"{t.d:%Y-%m}"``), a
list comprehension over an array column (``[x * 2 for x in t.prices]``) and dplyr's
``select(-col)`` for every column but one.

Each has an Ibis form that means the same: ``**``, ``strftime``, the array's
``map``/``filter`` with a lambda and ``drop``.
"""

from __future__ import annotations

import ast
import re

import ibis.expr.types as ir

from ibis_copilot.repair.edits import (
    call_rewrite,
    looped_places,
    node_rewrite,
    parse,
    position,
    string_value,
    value_of,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import owner_source, rewrite_rendered, source_of

XOR_OPERANDS = re.compile(r"^unsupported operand type\(s\) for \^: '(\w+)' and '(\w+)'")
FORMAT_OF = re.compile(r"^unsupported format string passed to (\w+)\.__format__")
NOT_ITERABLE = re.compile(r"^'(\w+)' object is not iterable")
#: The classes Python names in these messages, as the values they are.
NUMERIC_CLASS = re.compile(
    r"^(?:Floating|Decimal|Numeric|Integer)(?:Column|Scalar|Value)$|^(?:int|float)$"
)


def _operand(node: ast.AST, code: str) -> str:
    """An operand of ``**``, in parentheses where ``**`` would bind it differently
    (``t.x ^ 2 + 1`` is ``t.x ** (2 + 1)``)."""
    text = source_of(node, code)
    loose = isinstance(node, ast.BinOp | ast.BoolOp | ast.Compare | ast.UnaryOp | ast.IfExp)
    return f"({text})" if loose else text


def power_as_xor(failure: Failure) -> Diagnosis | None:
    """``t.x ^ 2``: Python's ``^`` is exclusive or; a power is ``**``."""
    operands = XOR_OPERANDS.match(str(failure.error))
    if operands is None or not all(NUMERIC_CLASS.match(name) for name in operands.groups()):
        return None

    def render(node: ast.AST, code: str) -> str | None:
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor)):
            return None
        return f"{_operand(node.left, code)} ** {_operand(node.right, code)}"

    return Diagnosis(
        "python operator",
        "`^` is Python's exclusive or, not a power: raise to a power with `**` "
        "(`t.x ** 2`, or `t.x.pow(2)`)",
        lambda code: rewrite_rendered(code, render),
    )


def _strftime(node: ast.AST, code: str) -> str | None:
    """One part of an f-string as an Ibis string: its text, or a date formatted with
    ``strftime``; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return repr(node.value)
    if not isinstance(node, ast.FormattedValue) or node.conversion != -1:
        return None
    spec = node.format_spec
    parts = spec.values if isinstance(spec, ast.JoinedStr) else []
    if len(parts) != 1 or not isinstance(parts[0], ast.Constant):
        return None
    return f"{owner_source(node.value, code)}.strftime({parts[0].value!r})"


def formatted_date(failure: Failure) -> Diagnosis | None:
    """``f"{t.day:%Y-%m}"``: a format spec asks Python to format a value it does not
    have; per row, a date or timestamp is formatted with ``strftime``."""
    owner = FORMAT_OF.match(str(failure.error))
    if owner is None or not re.match(r"^(?:Date|Timestamp|Time)(?:Column|Scalar|Value)$", owner[1]):
        return None

    def render(node: ast.AST, code: str) -> str | None:
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "format":
            spec = string_value(node.args[1]) if len(node.args) == 2 else None
            value = owner_source(node.args[0], code) if spec else ""
            return f"{value}.strftime({spec!r})" if spec else None
        if not isinstance(node, ast.JoinedStr):
            return None
        parts = [_strftime(part, code) for part in node.values]
        if None in parts or not any(isinstance(p, ast.FormattedValue) for p in node.values):
            return None
        return " + ".join(p for p in parts if p)

    times = owner[1].startswith("Time")  # DuckDB has no strftime of a time of day
    return Diagnosis(
        "python operator",
        "an f-string (or `format(x, spec)`) formats a Python value now, and a column has no "
        'value yet: format each row\'s date with `strftime`, e.g. `t.day.strftime("%Y-%m")`'
        + (" (a time of day: `t.at.cast('string')`, then `left(5)` for HH:MM)" if times else ""),
        None if times else (lambda code: rewrite_rendered(code, render)),
    )


def _over_array(node: ast.AST, failure: Failure, code: str) -> str | None:
    """``[f(x) for x in arr if p(x)]`` → ``arr.filter(lambda x: p(x)).map(lambda x: f(x))``
    for an array column ``arr`` (a bare ``x`` needs no ``map``); Python's ``filter(p, arr)``
    and ``map(f, arr)`` (in ``list(...)`` or not) → ``arr.filter(p)``, ``arr.map(f)``."""
    if isinstance(node, ast.Call):
        return _builtin_over_array(node, failure, code)
    if not isinstance(node, ast.ListComp) or len(node.generators) != 1:
        return None
    loop = node.generators[0]
    if not isinstance(loop.target, ast.Name) or loop.is_async or len(loop.ifs) > 1:
        return None
    if not isinstance(value_of(loop.iter, failure.namespace), ir.ArrayValue):
        return None
    name, text = loop.target.id, owner_source(loop.iter, code)
    if loop.ifs:
        text += f".filter(lambda {name}: {source_of(loop.ifs[0], code)})"
    if not (isinstance(node.elt, ast.Name) and node.elt.id == name):
        text += f".map(lambda {name}: {source_of(node.elt, code)})"
    return text


#: Python's functions of a function and an iterable, each an array method of the same name.
ELEMENT_BUILTINS = frozenset({"filter", "map"})


def _builtin_over_array(node: ast.Call, failure: Failure, code: str) -> str | None:
    """``list(filter(lambda x: x > 0, arr))`` → ``arr.filter(lambda x: x > 0)``; a
    ``str`` method given as the function is called on each element."""
    function = node.func
    name = function.id if isinstance(function, ast.Name) else ""
    if name in {"list", "tuple"} and len(node.args) == 1 and not node.keywords:
        inner = node.args[0]
        return _builtin_over_array(inner, failure, code) if isinstance(inner, ast.Call) else None
    if name not in ELEMENT_BUILTINS or len(node.args) != 2 or node.keywords:
        return None
    given, values = node.args
    if not isinstance(value_of(values, failure.namespace), ir.ArrayValue):
        return None
    if isinstance(given, ast.Lambda) and len(given.args.args) == 1:
        element = source_of(given, code)
    elif isinstance(given, ast.Attribute) and ast.unparse(given.value) == "str":
        element = f"lambda x: x.{given.attr}()"
    else:
        return None
    return f"{owner_source(values, code)}.{name}({element})"


def comprehension_over_array(failure: Failure) -> Diagnosis | None:
    """``[b * 1.2 for b in t.bids]``: Python cannot loop over a column's arrays; each row's
    array is mapped and filtered with a lambda."""
    owner = NOT_ITERABLE.match(str(failure.error))
    if owner is None or not owner[1].startswith("Array"):
        return None
    return node_rewrite(
        failure.code,
        "nested data",
        "Python cannot loop over an array column (nor give it to its `map` and `filter`); "
        "each row's array is changed with a lambda: `t.arr.map(lambda x: x * 2)`, and kept "
        "where a test holds with `t.arr.filter(lambda x: x > 0)`",
        lambda node, text: _over_array(node, failure, text),
    )


OR_OPERANDS = re.compile(r"^unsupported operand type\(s\) for \|: '(\w+)' and '(\w+)'")


def _concatenated(node: ast.AST, failure: Failure, code: str) -> str | None:
    """``a | " #" | b`` (SQL's ``||``) with text among its operands → ``a + " #" + b``."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr)):
        return None
    operands: list[ast.expr] = []
    pending: list[ast.expr] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, ast.BinOp) and isinstance(current.op, ast.BitOr):
            pending += [current.right, current.left]
        else:
            operands.append(current)
    texts = [
        o
        for o in operands
        if (isinstance(o, ast.Constant) and isinstance(o.value, str))
        or isinstance(value_of(o, failure.namespace), ir.StringValue)
    ]
    if not texts:
        return None
    return " + ".join(
        owner_source(o, code) if isinstance(o, ast.BinOp) else source_of(o, code) for o in operands
    )


def text_joined_with_or(failure: Failure) -> Diagnosis | None:
    """``t.first | " " | t.last``: SQL's ``||`` joins text; Python's ``|`` is a boolean
    or, and Ibis joins text with ``+`` (or ``concat``)."""
    operands = OR_OPERANDS.match(str(failure.error))
    if operands is None or not any(
        name.startswith("String") or name == "str" for name in operands.groups()
    ):
        return None
    return node_rewrite(
        failure.code,
        "python operator",
        "`|` is a boolean or in Python: text is joined with `+` (SQL's `||`), "
        '`t.first + " " + t.last` (or `t.first.concat(" ", t.last)`)',
        lambda node, text: _concatenated(node, failure, text),
    )


def _negated_column(node: ast.expr) -> str | None:
    """The column named by ``-t.c``, ``-t["c"]``, ``-_.c`` or ``-"c"``; else None."""
    if not (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)):
        return None
    named = node.operand
    if isinstance(named, ast.Attribute):
        return named.attr
    return string_value(named.slice if isinstance(named, ast.Subscript) else named)


def _all_but(call: ast.Call, code: str) -> str | None:
    """``t.select(-t.a, -t.b)`` → ``t.drop("a", "b")``; else None."""
    names = [_negated_column(argument) for argument in call.args]
    if not names or call.keywords or None in names or not isinstance(call.func, ast.Attribute):
        return None
    return f"{owner_source(call.func.value, code)}.drop({', '.join(map(repr, names))})"


def minus_as_all_but(failure: Failure) -> Diagnosis | None:
    """``t.select(-t.notes)``, dplyr's every column but ``notes``: Python's minus negates
    a number (and fails on text); Ibis leaves columns out with ``drop``."""
    if not str(failure.error).startswith("bad operand type for unary -"):
        return None
    return call_rewrite(
        failure.code,
        "selector",
        "`-col` is Python's minus (it negates a number), not dplyr's every column but `col`: "
        'leave columns out with `t.drop("col")` (or select `~s.cols("col")`)',
        ("select",),
        _all_but,
    )


CONCATENATED = re.compile(r'^can only concatenate str \(not "(\w+)"\) to str')


def _as_text(node: ast.AST, failure: Failure, code: str) -> str | None:
    """``"Q" + t.d.quarter()`` → ``"Q" + t.d.quarter().cast("string")``: a number (or
    date) joined to text is cast to text first."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)):
        return None
    texts = [
        isinstance(s, ast.Constant) and isinstance(s.value, str) for s in (node.left, node.right)
    ]
    if texts[0] == texts[1]:
        return None
    other = node.right if texts[0] else node.left
    if isinstance(other, ast.BinOp) or isinstance(
        value_of(other, failure.namespace), ir.StringValue
    ):
        return None  # inner joins are cast one by one; text needs no cast
    cast = f'{owner_source(other, code)}.cast("string")'
    if texts[0]:
        return f"{source_of(node.left, code)} + {cast}"
    return f"{cast} + {source_of(node.right, code)}"


def text_plus_number(failure: Failure) -> Diagnosis | None:
    """``"Q" + t.d.quarter()``: Python joins text only to text; Ibis too, so the number
    is cast to text first."""
    found = CONCATENATED.match(str(failure.error))
    if found is None or not found.group(1).endswith(("Column", "Scalar", "Value")):
        return None
    return node_rewrite(
        failure.code,
        "types and casts",
        f"text is joined only to text and this is a `{found.group(1)}`: cast it first, "
        '`"Q" + t.d.quarter().cast("string")`',
        lambda node, code: _as_text(node, failure, code),
    )


#: A method read without its call, then indexed, asked for an attribute or looped over.
UNCALLED_METHOD = re.compile(
    r"^'method' object (?:is not subscriptable|is not iterable|has no attribute '\w+')"
)


def _is_method(node: ast.AST, failure: Failure) -> bool:
    """``node`` is ``x.m`` where ``x`` is an Ibis expression and ``m`` one of its methods."""
    owner = value_of(node.value, failure.namespace) if isinstance(node, ast.Attribute) else None
    return owner is not None and callable(getattr(owner, getattr(node, "attr", ""), None))


def _called_method(
    node: ast.AST, failure: Failure, code: str, looped: set[tuple[int, int, int | None, int | None]]
) -> str | None:
    """``t.schema["x"]`` → ``t.schema()["x"]``; ``t.schema.names`` → ``t.schema().names``;
    ``for c in t.schema`` → ``for c in t.schema()``."""
    if position(node) in looped and _is_method(node, failure):
        return f"{source_of(node, code)}()"
    if not isinstance(node, ast.Subscript | ast.Attribute):
        return None
    method = node.value
    if not isinstance(method, ast.Attribute):
        return None
    owner = value_of(method.value, failure.namespace)
    if owner is None or not callable(getattr(owner, method.attr, None)):
        return None
    called = f"{source_of(method, code)}()"
    if isinstance(node, ast.Attribute):
        return f"{called}.{node.attr}"
    return f"{called}[{source_of(node.slice, code)}]"


def method_without_call(failure: Failure) -> Diagnosis | None:
    """``t.schema["price"]``: ``schema`` is a method; its result is what is indexed."""
    if UNCALLED_METHOD.match(str(failure.error)) is None:
        return None
    looped = looped_places(failure.code)
    return node_rewrite(
        failure.code,
        "wrong name",
        "a method is read without its call (`t.schema` is a method, `t.columns` a "
        "property): call it first, `t.schema()['x']`",
        lambda node, code: _called_method(node, failure, code, looped),
    )


UNPACKED = re.compile(r"^(?:not enough|too many) values to unpack")


def _pair_loops(code: str) -> set[tuple[int, int, int | None, int | None]]:
    """Places of what ``for a, b in ...`` loops (statements and comprehensions) iterate."""
    tree = parse(code)
    loops = ast.walk(tree) if tree else iter(())
    return {
        position(node.iter)
        for node in loops
        if isinstance(node, ast.comprehension | ast.For)
        and isinstance(node.target, ast.Tuple)
        and len(node.target.elts) == 2
    }


def schema_as_pairs(failure: Failure) -> Diagnosis | None:
    """``for name, dtype in t.schema()``: a schema iterates over its names, as a dict does;
    its ``(name, type)`` pairs are ``t.schema().items()``."""
    if not isinstance(failure.error, ValueError) or not UNPACKED.match(str(failure.error)):
        return None

    def render(node: ast.AST, code: str) -> str | None:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            return None
        owner = value_of(node.func.value, failure.namespace)
        if node.func.attr != "schema" or not isinstance(owner, ir.Table):
            return None
        return f"{source_of(node, code)}.items()" if position(node) in _pair_loops(code) else None

    return node_rewrite(
        failure.code,
        "wrong name",
        "a schema iterates over its column names, as a dict does; its (name, type) pairs "
        "are `t.schema().items()`: `for name, dtype in t.schema().items()`",
        render,
    )


RULES = (
    schema_as_pairs,
    method_without_call,
    text_plus_number,
    power_as_xor,
    formatted_date,
    comprehension_over_array,
    text_joined_with_or,
    minus_as_all_but,
)
