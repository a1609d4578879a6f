"""pandas' ``apply``/``map`` (and polars' ``map_elements``) of a Python function: Ibis
writes the function on the column itself; pandas' tests of a row's columns (``any(axis=1)``)
are selectors' (``if_any``).

``t.s.apply(hash)`` → ``hash(t.s)``, ``t.x.apply(lambda v: v * 2)`` → ``t.x * 2`` and a
row-wise ``t.apply(lambda row: row.a + row.b, axis=1)`` → ``t.a + t.b``. The function's
own Python (``hash``, ``len``, ``str.upper``, ``v if ... else ...``) is then read by the
other rules in the next round (``t.s.hash()``), as if the user had written it that way;
a function that is Ibis already (arithmetic, methods) needs nothing more.
"""

from __future__ import annotations

import ast
import builtins
import re

import ibis.expr.types as ir

from ibis_copilot.repair.edits import called_name, parse, shown_rewrite, value_of
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import COMPARISON_SYMBOLS, owner_source, source_of

#: The per-value methods of pandas and polars, and the message that names them.
PER_VALUE = ("apply", "map", "applymap", "map_elements")
NO_PER_VALUE = re.compile(r"object has no attribute '(apply|map|applymap|map_elements)'")
#: Python's functions whose result on an expression is no expression (``hash(col)`` is
#: the hash of the Python object): their Ibis form of ``{x}``.
IBIS_FORMS = {"hash": "{x}.hash()", "float": '{x}.cast("float64")', "str": '{x}.cast("string")'}
#: pandas' keyword that applies a function to each row of a table.
ROW_AXES = (1, "columns")


class _Substituted(ast.NodeTransformer):
    """A lambda's parameter replaced by the expression it stands for."""

    def __init__(self, parameter: str, value: str) -> None:
        self.parameter, self.value = parameter, value

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id == self.parameter:
            return ast.Name(id=self.value, ctx=node.ctx)
        return node


def _inlined(function: ast.Lambda, value: str) -> str | None:
    """The body of a one-parameter lambda with ``value`` (a name, a member, a call or in
    parentheses: :func:`owner_source`) written for its parameter."""
    parameters = function.args
    if len(parameters.args) != 1 or parameters.vararg or parameters.kwarg:
        return None
    return ast.unparse(_Substituted(parameters.args[0].arg, value).visit(function.body))


def _function_reference(node: ast.expr, namespace: dict[str, object]) -> bool:
    """``hash``, ``str.upper``, ``np.sqrt``, ``my_function``: a callable named, not a
    mapping (pandas' ``map({...})`` substitutes values: another rule's); a user's function
    of a row is called with the table, whose columns it reads the same way."""
    if isinstance(node, ast.Attribute):
        return True
    if not isinstance(node, ast.Name):
        return False
    return callable(namespace.get(node.id, getattr(builtins, node.id, None)))


def _row_wise(call: ast.Call) -> bool:
    return any(
        k.arg == "axis" and isinstance(k.value, ast.Constant) and k.value.value in ROW_AXES
        for k in call.keywords
    )


def _applied(node: ast.AST, tables: set[str]) -> tuple[ast.expr, ast.expr] | None:
    """What ``node`` applies a function to, and the function: ``col.apply(f)`` (no
    keywords) or a table's ``t.apply(f, axis=1)``."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return None
    if node.func.attr not in PER_VALUE or len(node.args) != 1:
        return None
    owner = node.func.value
    on_table = isinstance(owner, ast.Name) and owner.id in tables
    keywords_fit = _row_wise(node) and len(node.keywords) == 1 if on_table else not node.keywords
    return (owner, node.args[0]) if keywords_fit else None


def applied_function(failure: Failure) -> Diagnosis | None:
    """``col.apply(f)``, ``col.map(lambda v: ...)``, ``t.apply(f, axis=1)``: the function
    called on the column (or its body with the column, or the table, for the
    parameter)."""
    missing = NO_PER_VALUE.search(str(failure.error))
    if missing is None:
        return None
    tables = set(failure.table_names)
    namespace = dict(failure.namespace)

    def render(node: ast.AST, code: str) -> str | None:
        applied = _applied(node, tables)
        if applied is None:
            return None
        owner, function = applied
        if isinstance(value_of(owner, namespace), ir.ArrayValue):
            return None  # an array's elements are mapped with its own ``map``
        value = owner_source(owner, code)
        if isinstance(function, ast.Lambda):
            return _inlined(function, value)
        if isinstance(function, ast.Name) and function.id in IBIS_FORMS:
            shadowed = function.id in namespace
            return None if shadowed else IBIS_FORMS[function.id].format(x=value)
        if _function_reference(function, namespace):
            return f"{source_of(function, code)}({value})"
        return None

    return shown_rewrite(
        failure.code,
        "pandas habit",
        lambda text: (
            f"`.{missing.group(1)}` runs Python on each value in pandas; Ibis writes the "
            f"function on the column itself: `{text}`"
        ),
        render,
    )


#: pandas' reductions across a row's columns (``axis=1``) and the selector that tests
#: each row's columns.
ACROSS_COLUMNS = {"any": "if_any", "all": "if_all"}
#: pandas' per-column tests of a table, written on one column ``c``.
COLUMN_TESTS = {"isnull": "c.isnull()", "isna": "c.isnull()", "notnull": "c.notnull()",
                "notna": "c.notnull()"}  # fmt: skip


def _columns_of(node: ast.AST, tables: set[str]) -> list[str] | None:
    """The names of ``t[["a", "b"]]`` for a table ``t``."""
    if not isinstance(node, ast.Subscript) or not isinstance(node.value, ast.Name):
        return None
    if node.value.id not in tables or not isinstance(node.slice, ast.List | ast.Tuple):
        return None
    names = [e.value for e in node.slice.elts if isinstance(e, ast.Constant)]
    valid = len(names) == len(node.slice.elts) and all(isinstance(n, str) for n in names)
    return [str(name) for name in names] if valid and names else None


def _tested_columns(node: ast.AST, tables: set[str], code: str) -> tuple[list[str], str] | None:
    """``t[["a", "b"]] > 7`` or ``t[["a", "b"]].isnull()``: the columns and the test of
    one column ``c`` (``c > 7``)."""
    if (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and type(node.ops[0]) in COMPARISON_SYMBOLS
    ):
        names = _columns_of(node.left, tables)
        other = source_of(node.comparators[0], code)
        return (names, f"c {COMPARISON_SYMBOLS[type(node.ops[0])]} {other}") if names else None
    if isinstance(node, ast.Call) and not node.args and called_name(node) in COLUMN_TESTS:
        owner = node.func.value if isinstance(node.func, ast.Attribute) else None
        names = _columns_of(owner, tables) if owner is not None else None
        return (names, COLUMN_TESTS[str(called_name(node))]) if names else None
    return None


def row_test_across_columns(failure: Failure) -> Diagnosis | None:
    """``(t[["a", "b"]] > 7).any(axis=1)``: pandas tests each row's columns; Ibis's
    selectors do, ``ibis.selectors.if_any(ibis.selectors.cols("a", "b"), lambda c: c > 7)``
    (``all`` is ``if_all``)."""
    if not isinstance(failure.error, TypeError | AttributeError):
        return None
    tables = set(failure.table_names)
    tree = parse(failure.code)
    if tree and not failure.namespace and "'Table'" in str(failure.error):
        tables |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}  # pasted, no tables

    def render(node: ast.AST, code: str) -> str | None:
        if not isinstance(node, ast.Call) or called_name(node) not in ACROSS_COLUMNS:
            return None
        if node.args or not _row_wise(node) or len(node.keywords) != 1:
            return None
        owner = node.func.value if isinstance(node.func, ast.Attribute) else None
        tested = _tested_columns(owner, tables, code) if owner is not None else None
        if tested is None:
            return None
        names, test = tested
        selector = ACROSS_COLUMNS[str(called_name(node))]
        columns = ", ".join(map(repr, names))
        return f"ibis.selectors.{selector}(ibis.selectors.cols({columns}), lambda c: {test})"

    return shown_rewrite(
        failure.code,
        "pandas habit",
        lambda text: (
            "a table of several columns is not compared or tested as one value; a test of "
            f"each row's columns is a selector's: `{text}`"
        ),
        render,
    )


RULES = (applied_function, row_test_across_columns)
