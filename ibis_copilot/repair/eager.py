"""Python asking a lazy expression for its value: ``float(t.x.mean())``, ``list(t.col)``,
``x in t.tags``, and ``.execute()`` on tables that hold no data.

Ibis builds a query; nothing has a value until a backend runs it. Where the expression
itself is what the code needs (Ibis combines scalars and columns directly), the Python
conversion is dropped; ``x in column`` becomes ``column.contains(x)``.
"""

from __future__ import annotations

import ast
import re
import traceback
from collections.abc import Mapping

import ibis.expr.types as ir

from ibis_copilot.repair.edits import (
    NO_SUCH_ATTRIBUTE,
    arguments_of,
    calls_to,
    matching_calls,
    parse,
    position,
    value_of,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import mentions, owner_source, rewrite_nodes, source_of

#: ``float(...)`` and friends given an Ibis expression, and ``list(column)``.
CONVERSION = re.compile(r"^(float|int|str|bool)\(\) argument must be .*, not '(\w+)'")
NOT_ITERABLE = re.compile(r"^'(\w+)' object is not iterable")
IN_OPERATOR = re.compile(r"^argument of type '(\w+)' is not iterable")
UNBOUND = "Expression contains unbound tables and therefore cannot be executed"
#: Methods that run an expression and bring its result into Python (or cache it).
EXECUTING = (
    "execute", "to_pandas", "to_pyarrow", "to_polars", "to_pandas_batches", "cache", "to_list",
)  # fmt: skip


def _expression_type(name: str) -> bool:
    return name.endswith(("Column", "Scalar", "Value")) or name in {"Table", "Join"}


def _is_conversion(node: ast.AST, functions: set[str]) -> bool:
    """A call ``f(x)`` of one of ``functions`` whose one argument is not a literal."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in functions
        and len(node.args) == 1
        and not node.keywords
        and not isinstance(node.args[0], ast.Constant)
    )


#: Python's ``all``/``any`` of an iterable and what Ibis calls them.
TRUTH = {
    "all": "each array is `.alls()`, of a column's rows `.all()`",
    "any": "each array is `.anys()`, of a column's rows `.any()`",
}


#: Python's conversions of an array and the Ibis method that does the same per row.
ARRAY_CONVERSIONS = {"sorted": "sort", "set": "unique"}
#: Python's conversions of a JSON value and Ibis's readings of one as that type.
JSON_READS = {"int": "int", "float": "float", "str": "str"}
#: Python's conversions of text to numbers, as casts: ``float(t.text)`` parses the text
#: (a number's own conversion is the value itself).
TEXT_CASTS = {"int": "int64", "float": "float64"}


def python_conversion(failure: Failure) -> Diagnosis | None:
    """``float(t.x.mean())`` / ``list(t.col)``: the expression is used as it is."""
    if not isinstance(failure.error, TypeError):
        return None
    text = str(failure.error)
    if match := CONVERSION.match(text):
        function, kind = match.groups()
    elif (match := NOT_ITERABLE.match(text)) and not IN_OPERATOR.match(text):
        function, kind = "list", match.group(1)
    else:
        return None
    functions = {function} if function != "list" else {"list", "tuple", "set", "sorted", *TRUTH}

    def wanted(node: ast.AST) -> bool:
        return _is_conversion(node, functions)

    calls = matching_calls(failure.code, wanted)
    if not _expression_type(kind) or not calls:
        return None
    used = calls[0].func.id if isinstance(calls[0].func, ast.Name) else function
    called = {call.func.id for call in calls if isinstance(call.func, ast.Name)}
    message = (
        f"`{used}(...)` asks Python for the value of an Ibis `{kind}`, which has none until "
        "a backend runs the query: use the expression itself (Ibis combines columns and "
        "scalars, and `isin` takes a column), or run it first with `.execute()`"
        + ("; an array sorts with `.sort()`" if "sorted" in called else "")
        + ("; an array's distinct values are `.unique()`" if "set" in called else "")
        + (f"; a JSON value is read as one with `.{used}`" if kind.startswith("JSON") else "")
        + (f"; `{used}` of {TRUTH[used]}" if used in TRUTH else "")
    )

    def render(node: ast.AST, code: str) -> str:
        assert isinstance(node, ast.Call)  # noqa: S101 - wanted() chose calls only
        inner = node.args[0]
        if wanted(inner):  # ``sorted(set(arr))``: the inner conversion first
            value = owner = render(inner, code)
        else:
            value, owner = source_of(inner, code), owner_source(inner, code)
        called = node.func.id if isinstance(node.func, ast.Name) else ""
        if called in TRUTH:  # all(array) → array.alls(); all(column) → column.all()
            return f"{owner}.{called}s()" if kind.startswith("Array") else f"{owner}.{called}()"
        if kind.startswith("JSON") and called in JSON_READS:  # int(j["n"]) → j["n"].int
            return f"{owner}.{JSON_READS[called]}"
        if kind.startswith("Array") and called in ARRAY_CONVERSIONS:
            return f"{owner}.{ARRAY_CONVERSIONS[called]}()"
        if called in TEXT_CASTS and kind.startswith("String"):
            return f"{owner}.cast({TEXT_CASTS[called]!r})"
        return value

    return Diagnosis("eager use", message, lambda code: rewrite_nodes(code, wanted, render))


def in_operator(failure: Failure) -> Diagnosis | None:
    """``-999 in t.samples``: Python's ``in`` cannot look inside a column;
    ``t.samples.contains(-999)``."""
    text = str(failure.error)
    match = IN_OPERATOR.match(text)
    if text.startswith("Use string_expr.contains"):  # ``"x" in t.text`` asks the column
        kind = "StringColumn"
    elif match is None or not _expression_type(match.group(1)):
        return None
    else:
        kind = match.group(1)
    method = "contains" if kind.startswith(("Array", "String", "Map")) else "isin"
    advice = (
        f"`column.{method}(value)`"
        if method == "contains"
        else "`column.isin([...])` for a list of values"
    )
    message = f"Python's `in` cannot look inside an Ibis `{kind}`: use {advice}"

    def wanted(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], ast.In | ast.NotIn)
        )

    def render(node: ast.AST, code: str) -> str:
        assert isinstance(node, ast.Compare)  # noqa: S101 - wanted() chose comparisons only
        needle, column = source_of(node.left, code), source_of(node.comparators[0], code)
        found = f"{column}.contains({needle})"
        return found if isinstance(node.ops[0], ast.In) else f"~{found}"

    fix = (lambda code: rewrite_nodes(code, wanted, render)) if method == "contains" else None
    return Diagnosis("eager use", message, fix)


def unbound_execute(failure: Failure) -> Diagnosis | None:
    """``.execute()`` / ``.to_pandas()`` on ``ibis.table(...)`` tables: they describe
    columns and hold no data. The expression itself is what can be shown."""
    if UNBOUND not in str(failure.error):
        return None
    calls = matching_calls(failure.code, _is_execution)
    named = calls[0].func.attr if calls and isinstance(calls[0].func, ast.Attribute) else None
    something = "something here (NumPy, `.preview()`, `pivot_wider` without `names=`)"
    what = f"`.{named}()`" if named else something
    message = (
        f"{what} runs the query, which needs data, and these tables are unbound "
        "(`ibis.table(...)`: columns and types only): connect a backend (`con = "
        "ibis.duckdb.connect()`), take its tables (`con.table('name')`) or run "
        "`con.execute(expr)`; `ibis.to_sql(expr)` shows its SQL"
    )
    if named:
        message += f"; without `.{named}()` the cell shows the expression"
    if named and re.search(r"\.(isin|notin)\(", failure.code):
        message += "; `isin` takes the column expression itself (a subquery), no Python list"

    if named == "to_list" and _lists_per_group(failure.code):
        message += "; a list per group is `.collect()`"

    def render(node: ast.AST, code: str) -> str:
        function = node.func if isinstance(node, ast.Call) else None
        kept = source_of(function.value if isinstance(function, ast.Attribute) else node, code)
        return f"{kept}.collect()" if position(node) in _lists_per_group(code) else kept

    fix = (lambda code: rewrite_nodes(code, _is_execution, render)) if calls else None
    return Diagnosis("eager use", message, fix)


def _lists_per_group(code: str) -> set[tuple[int, int, int | None, int | None]]:
    """Where ``col.to_list()`` is an aggregation's value (``agg(x=t.c.to_list())``): a
    list per group, Ibis's ``collect()``."""
    tree = parse(code) or ast.Module(body=[], type_ignores=[])
    return {
        position(inner)
        for call in calls_to(tree, "agg", "aggregate")
        for value in arguments_of(call)
        for inner in ast.walk(value)
        if isinstance(inner, ast.Call) and getattr(inner.func, "attr", "") == "to_list"
    }


def _is_execution(node: ast.AST) -> bool:
    """``x.execute()`` and the other calls that run an expression."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in EXECUTING
        and not node.args
        and not node.keywords
    )


#: ``math``/NumPy functions of one value and the Ibis method that computes them per row.
ELEMENTWISE = {
    "sqrt": "sqrt",
    "exp": "exp",
    "log": "ln",
    "log10": "log10",
    "log2": "log2",
    "floor": "floor",
    "ceil": "ceil",
    "fabs": "abs",
    "abs": "abs",
    "absolute": "abs",
    "sign": "sign",
    "degrees": "rad2deg",
    "radians": "deg2rad",
    "deg2rad": "deg2rad",
    "rad2deg": "rad2deg",
    "isnan": "isnan",
    "isinf": "isinf",
    "round": "round",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "asin": "asin",
    "acos": "acos",
    "atan": "atan",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "atan2": "atan2",
    "arctan2": "atan2",
    "pow": "pow",
    "power": "pow",
    "clip": "clip",
    "negative": "negate",
}
#: How many more values than the first each of those takes (``math.atan2(y, x)`` is
#: ``y.atan2(x)``, ``math.log(x, 2)`` is ``x.log(2)``); the others take none.
MORE_VALUES = {"round": 1, "atan2": 1, "arctan2": 1, "pow": 1, "power": 1, "log": 1, "clip": 2}
#: Functions of several values and Ibis's.
COMBINING = {
    "where": "ibis.ifelse",
    "minimum": "ibis.least",
    "maximum": "ibis.greatest",
    "min": "ibis.least",
    "max": "ibis.greatest",
}
#: NumPy functions (and methods of the same name) that Ibis writes as a formula.
FORMULAS = {"log1p": "({x} + 1).ln()", "expm1": "({x}.exp() - 1)", "logical_not": "(~{x})"}
#: Python's and NumPy's functions of two values that Ibis writes with operators.
PAIR_FORMULAS = {
    "divmod": "({a} // {b}, {a} % {b})",
    "logical_and": "({a} & {b})",
    "logical_or": "({a} | {b})",
    "logical_xor": "({a} ^ {b})",
}
NUMERIC_MODULES = frozenset({"math", "np", "numpy"})
BUILTINS = frozenset({"abs", "round", "min", "max", "divmod", "zip", "ord", "sum"})
#: Python's and NumPy's reductions of one iterable, and the Ibis reduction of a column.
REDUCING = {"sum": "sum", "max": "max", "min": "min", "mean": "mean"}
#: Python's ``statistics`` functions of one iterable and the Ibis reduction of a column
#: (``stdev``/``variance`` are the sample's, as Ibis's defaults are).
STATISTICS = {
    "mean": "mean()",
    "fmean": "mean()",
    "median": "median()",
    "mode": "mode()",
    "stdev": "std()",
    "variance": "var()",
    "pstdev": 'std(how="pop")',
    "pvariance": 'var(how="pop")',
}


def _python_function(
    node: ast.AST, tables: set[str], namespace: Mapping[str, object] | None = None
) -> str | None:
    """The name of a ``math``/NumPy/builtin function ``node`` calls on expressions."""
    if not isinstance(node, ast.Call) or node.keywords or not node.args:
        return None
    function = node.func
    if _statistics_function(node):  # of a column; an array's are ``means()``...
        of_column = mentions(node.args[0], tables) and not _of_arrays(node.args[0], namespace or {})
        return f"statistics.{getattr(function, 'attr', '')}" if of_column else None
    if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
        name = function.attr if function.value.id in NUMERIC_MODULES else None
    elif isinstance(function, ast.Name) and function.id in BUILTINS:
        name = function.id
    else:
        return None
    pairwise = isinstance(function, ast.Name) or name in ("where", "minimum", "maximum")
    known = (
        name in ELEMENTWISE
        or (name in COMBINING and len(node.args) > 1 and pairwise)  # np.max(x, 0): an axis
        or name in FORMULAS
        or name in {"zip", "ord"}
        or (name in PAIR_FORMULAS and len(node.args) == 2)
        or (name in REDUCING and len(node.args) == 1)
        or _same_named_method(node, namespace or {}) is not None
    )
    if not known or not any(mentions(argument, tables) for argument in node.args):
        return None
    if name in ELEMENTWISE and len(node.args) > 1 + MORE_VALUES.get(name, 0):
        return None
    return None if name in FORMULAS and len(node.args) > 1 else name


#: NumPy functions whose Ibis method of the same name means something else (``np.repeat``
#: repeats elements, ``StringValue.repeat`` the text; ``np.std`` divides by n).
NOT_THE_SAME = frozenset({"repeat", "std", "var"})


def _same_named_method(node: ast.Call, namespace: Mapping[str, object]) -> str | None:
    """``np.unique(t.xs)`` → ``"unique"``: a NumPy function whose first value is an Ibis
    expression with a method of the same name (computed per row, as NumPy would)."""
    function = node.func
    if not (isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name)):
        return None
    if function.value.id not in NUMERIC_MODULES - {"math"} or function.attr in NOT_THE_SAME:
        return None
    value = value_of(node.args[0], namespace)
    method = getattr(type(value), function.attr, None) if isinstance(value, ir.Expr) else None
    return function.attr if callable(method) else None


def _statistics_function(node: ast.Call) -> bool:
    """``statistics.mode(t.x)``: a function of Python's ``statistics`` of one column."""
    function = node.func
    return (
        isinstance(function, ast.Attribute)
        and isinstance(function.value, ast.Name)
        and function.value.id == "statistics"
        and function.attr in STATISTICS
        and len(node.args) == 1
    )


def _of_arrays(node: ast.AST, namespace: Mapping[str, object]) -> bool:
    """``node`` is an array column, or a map's ``keys()``/``values()``."""
    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("keys", "values"):
        return True
    return isinstance(value_of(node, namespace), ir.ArrayValue)


def _builtin_of_one(
    node: ast.Call, code: str, namespace: Mapping[str, object] | None = None
) -> str | None:
    """``sum(t.x)`` and ``np.min(t.x)`` → ``t.x.sum()``, ``t.x.min()`` (of an array, each
    row's: ``t.xs.sums()``, ``t.xs.mins()``); ``ord(t.s[0])`` → ``t.s.ascii_str()`` (the
    code of the first character); None for other calls."""
    function = node.func
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
    if _statistics_function(node):
        return f"{owner_source(node.args[0], code)}.{STATISTICS[name]}"
    if name in REDUCING and len(node.args) == 1:
        (values,) = node.args
        plural = "s" if _of_arrays(values, namespace or {}) else ""
        return f"{owner_source(values, code)}.{REDUCING[name]}{plural}()"
    if name != "ord":
        return None
    text = node.args[0]
    first_character = isinstance(text, ast.Subscript) and ast.unparse(text.slice) == "0"
    column = text.value if isinstance(text, ast.Subscript) and first_character else text
    return f"{source_of(column, code)}.ascii_str()"


def _ibis_call(node: ast.AST, code: str, namespace: Mapping[str, object] | None = None) -> str:
    """``math.sqrt(t.x)`` → ``t.x.sqrt()``; ``np.where(c, a, b)`` → ``ibis.ifelse(c, a, b)``;
    ``divmod(a, b)`` → ``(a // b, a % b)``; ``zip(a, b)`` → ``a.zip(b)``; ``ord(t.s[0])`` →
    ``t.s.ascii_str()``."""
    assert isinstance(node, ast.Call)  # noqa: S101 - only called on chosen calls
    function = node.func
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    if (builtin := _builtin_of_one(node, code, namespace)) is not None:
        return builtin
    first = owner_source(node.args[0], code)
    rest = [source_of(argument, code) for argument in node.args[1:]]
    if name in ELEMENTWISE:  # math.log(x, base) keeps its name; np.log(x) is ln
        method = "log" if name == "log" and rest else ELEMENTWISE[name]
        return f"{first}.{method}({', '.join(rest)})"
    if name in FORMULAS:
        return FORMULAS[name].format(x=first)
    if name in PAIR_FORMULAS:
        return PAIR_FORMULAS[name].format(a=first, b=rest[0])
    if name not in COMBINING:  # a method of the same name: ``zip(a, b)`` is ``a.zip(b)``
        return f"{first}.{name}({', '.join(rest)})"
    return f"{COMBINING[name]}({', '.join([source_of(node.args[0], code), *rest])})"


def python_functions(failure: Failure) -> Diagnosis | None:
    """``math.sqrt(t.x)``, ``np.where(...)``, ``min(t.a, t.b)``: Python and NumPy compute
    one value now; Ibis computes per row with its own methods and functions."""
    if not isinstance(failure.error, TypeError | ValueError) and UNBOUND not in str(failure.error):
        return None
    tables = failure.expression_names
    namespace = failure.namespace
    calls = matching_calls(failure.code, lambda c: bool(_python_function(c, tables, namespace)))
    if not calls:
        return None
    first = calls[0]
    name = _python_function(first, tables, namespace)
    message = (
        f"`{name}(...)` is Python's (or NumPy's) and wants a value now; an Ibis expression "
        "has none until it runs: use Ibis's own, here "
        f"`{_ibis_call(first, failure.code, namespace)}` (e.g. `t.x.sqrt()`, `t.x.rad2deg()`, "
        "`ibis.ifelse(cond, a, b)`, `ibis.least(a, b)`, `a // b` and `a % b`, "
        "`t.s.ascii_str()` for `ord`, `~cond` to negate a condition, `a & b`, `a | b`)"
    )
    return Diagnosis(
        "eager use",
        message,
        lambda code: rewrite_nodes(
            code,
            lambda n: bool(_python_function(n, tables, namespace)),
            lambda n, text: _ibis_call(n, text, namespace),
        ),
    )


def numpy_method(failure: Failure) -> Diagnosis | None:
    """``t.x.log1p()``: NumPy's name; Ibis writes it as a formula, ``(t.x + 1).ln()``."""
    match = NO_SUCH_ATTRIBUTE.match(str(failure.error))
    if match is None or match.group(2) not in FORMULAS or not _expression_type(match.group(1)):
        return None
    name = match.group(2)

    def wanted(node: ast.AST) -> bool:
        function = getattr(node, "func", None)
        return (
            isinstance(node, ast.Call)
            and isinstance(function, ast.Attribute)
            and function.attr == name
            and not node.args
            and not node.keywords
        )

    def render(node: ast.AST, code: str) -> str:
        function = getattr(node, "func", node)
        value = owner_source(getattr(function, "value", node), code)
        return FORMULAS[name].format(x=value)

    return Diagnosis(
        "wrong name",
        f"`.{name}()` is NumPy's; in Ibis: `{FORMULAS[name].format(x='t.x')}`",
        lambda code: rewrite_nodes(code, wanted, render),
    )


NO_LEN = re.compile(r"^object of type '(\w+)' has no len\(\)")
REVERSED_SLICE = ("Step can only be 1", "step can only be 1")


def python_length(failure: Failure) -> Diagnosis | None:
    """``len(t.tags)``: Python's ``len`` wants a value now; an array, map or string
    expression has ``.length()``, computed per row."""
    match = NO_LEN.match(str(failure.error))
    kind = match.group(1) if match else ""
    if not kind.startswith(("Array", "Map", "String")):
        return None

    def wanted(node: ast.AST) -> bool:
        return _is_conversion(node, {"len"}) and mentions(node, failure.table_names)

    if not matching_calls(failure.code, wanted):
        return None

    def render(node: ast.AST, code: str) -> str:
        assert isinstance(node, ast.Call)  # noqa: S101 - wanted() chose calls only
        return f"{source_of(node.args[0], code)}.length()"

    return Diagnosis(
        "eager use",
        f"`len(...)` asks Python for the length of an Ibis `{kind}` now: its length per "
        "row is `.length()`",
        lambda code: rewrite_nodes(code, wanted, render),
    )


def _raised_by_an_array(error: BaseException) -> bool:
    """The error was raised inside Ibis's array expressions."""
    return any(
        frame.f_code.co_filename.endswith(("types/arrays.py", "types\\arrays.py"))
        for frame, _line in traceback.walk_tb(error.__traceback__)
    )


def reversed_slice(failure: Failure) -> Diagnosis | None:
    """``t.name[::-1]``: Python's reversing slice; Ibis has ``.reverse()`` for text (an
    array has none in Ibis 12: advice only)."""
    if not str(failure.error).startswith(REVERSED_SLICE):
        return None
    if _raised_by_an_array(failure.error):
        return Diagnosis(
            "python operator",
            "Ibis slices arrays with a step of 1 only, and an array has no `.reverse()`: a "
            "numeric array sorts from largest to smallest with "
            "`arr.map(lambda x: -x).sort().map(lambda x: -x)`",
        )

    def wanted(node: ast.AST) -> bool:
        if not (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice)):
            return False
        whole = node.slice.lower is None and node.slice.upper is None
        step = node.slice.step
        reverses = step is not None and ast.unparse(step) == "-1"
        return whole and reverses and mentions(node, failure.table_names)

    def render(node: ast.AST, code: str) -> str:
        assert isinstance(node, ast.Subscript)  # noqa: S101 - wanted() chose subscripts
        return f"{owner_source(node.value, code)}.reverse()"

    if rewrite_nodes(failure.code, wanted, render) is None:
        return None
    return Diagnosis(
        "python operator",
        "Ibis slices text with a step of 1 only: `[::-1]` is `.reverse()`",
        lambda code: rewrite_nodes(code, wanted, render),
    )


NOT_AN_INTEGER = re.compile(r"^'(\w+)' object cannot be interpreted as an integer")


def _range_of(node: ast.AST) -> ast.Call | None:
    """The ``range(...)`` call ``node`` is, or wraps in ``list``/``tuple``/``ibis.array``."""
    while isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        function = node.func
        wrapper = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        if wrapper not in ("list", "tuple", "array"):
            break
        node = node.args[0]
    is_range = isinstance(node, ast.Call) and getattr(node.func, "id", None) == "range"
    return node if is_range and isinstance(node, ast.Call) else None


def python_range(failure: Failure) -> Diagnosis | None:
    """``list(range(1, t.n + 1))``: Python's ``range`` wants numbers now; ``ibis.range``
    makes the array per row."""
    match = NOT_AN_INTEGER.match(str(failure.error))
    if match is None or not _expression_type(match.group(1)):
        return None
    tables = failure.table_names

    def wanted(node: ast.AST) -> bool:
        inner = _range_of(node)
        return inner is not None and any(mentions(a, tables) for a in inner.args)

    if not matching_calls(failure.code, wanted):
        return None

    def render(node: ast.AST, code: str) -> str:
        inner = _range_of(node)
        arguments = ", ".join(source_of(a, code) for a in inner.args) if inner else ""
        return f"ibis.range({arguments})"

    return Diagnosis(
        "eager use",
        "`range(...)` is Python's and wants numbers now; per row, `ibis.range(start, stop)` "
        "makes the array (it is an array already: no `list(...)`)",
        lambda code: rewrite_nodes(code, wanted, render),
    )


RULES = (
    python_conversion,
    python_range,
    python_functions,
    python_length,
    reversed_slice,
    numpy_method,
    in_operator,
    unbound_execute,
)
