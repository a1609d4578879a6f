"""Python asking a lazy expression for its value: ``float(t.x.mean())``, ``list(t.col)``,
``x in t.tags``, and ``.execute()`` on tables that hold no data.

Ibis builds a query; nothing has a value until a backend runs it. Where the expression
itself is what the code needs (Ibis combines scalars and columns directly), the Python
conversion is dropped; ``x in column`` becomes ``column.contains(x)``.
"""

from __future__ import annotations

import ast
import re

from ibis_copilot.repair.edits import parse
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import rewrite_nodes, source_of

#: ``float(...)`` and friends given an Ibis expression, and ``list(column)``.
CONVERSION = re.compile(r"^(float|int|str|bool)\(\) argument must be .*, not '(\w+)'")
NOT_ITERABLE = re.compile(r"^'(\w+)' object is not iterable")
IN_OPERATOR = re.compile(r"^argument of type '(\w+)' is not iterable")
UNBOUND = "Expression contains unbound tables and therefore cannot be executed"
#: Methods that run an expression and bring its result into Python.
EXECUTING = ("execute", "to_pandas", "to_pyarrow", "to_polars", "to_pandas_batches")


def _expression_type(name: str) -> bool:
    return name.endswith(("Column", "Scalar", "Value")) or name in {"Table", "Join"}


def _conversions(code: str, functions: set[str]) -> list[ast.Call]:
    """Calls ``f(x)`` of ``functions`` whose one argument is not a literal."""
    tree = parse(code)
    return [
        node
        for node in ast.walk(tree or ast.Module(body=[], type_ignores=[]))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in functions
        and len(node.args) == 1
        and not node.keywords
        and not isinstance(node.args[0], ast.Constant)
    ]


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
    functions = {function} if function != "list" else {"list", "tuple", "set", "sorted"}
    calls = _conversions(failure.code, functions)
    if not _expression_type(kind) or not calls:
        return None
    used = calls[0].func.id if isinstance(calls[0].func, ast.Name) else function
    message = (
        f"`{used}(...)` asks Python for the value of an Ibis `{kind}`, which has none until "
        "a backend runs the query: use the expression itself (Ibis combines columns and "
        "scalars, and `isin` takes a column), or run it first with `.execute()`"
    )
    positions = {(c.lineno, c.col_offset) for c in calls}

    def wanted(node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and (node.lineno, node.col_offset) in positions

    def render(node: ast.AST, code: str) -> str:
        assert isinstance(node, ast.Call)  # noqa: S101 - wanted() chose calls only
        return source_of(node.args[0], code)

    return Diagnosis("eager use", message, lambda code: rewrite_nodes(code, wanted, render))


def in_operator(failure: Failure) -> Diagnosis | None:
    """``-999 in t.samples``: Python's ``in`` cannot look inside a column;
    ``t.samples.contains(-999)``."""
    match = IN_OPERATOR.match(str(failure.error))
    if match is None or not _expression_type(match.group(1)):
        return None
    kind = match.group(1)
    method = "contains" if kind.startswith(("Array", "String")) else "isin"
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
    tree = parse(failure.code)
    calls = [
        node
        for node in ast.walk(tree or ast.Module(body=[], type_ignores=[]))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in EXECUTING
        and not node.args
        and not node.keywords
    ]
    named = calls[0].func.attr if calls and isinstance(calls[0].func, ast.Attribute) else "execute"
    message = (
        f"`.{named}()` needs data, and these tables are unbound (`ibis.table(...)`: columns "
        "and types only): connect a backend (`con = ibis.duckdb.connect()`), take its tables "
        f"(`con.table('name')`) or run `con.execute(expr)`; without `.{named}()` the cell "
        "shows the expression, and `ibis.to_sql(expr)` its SQL"
    )
    positions = {(c.lineno, c.col_offset, c.end_col_offset) for c in calls}

    def wanted(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and (node.lineno, node.col_offset, node.end_col_offset) in positions
        )

    def render(node: ast.AST, code: str) -> str:
        function = node.func if isinstance(node, ast.Call) else None
        return source_of(function.value if isinstance(function, ast.Attribute) else node, code)

    fix = (lambda code: rewrite_nodes(code, wanted, render)) if calls else None
    return Diagnosis("eager use", message, fix)


RULES = (python_conversion, in_operator, unbound_execute)
