"""Python's own names where Ibis has others: the deferred ``_`` used without its import,
``ibis.not_(x)`` for ``~x``, a column's ``.name`` read as pandas' label (it is Ibis's
rename method; the label is ``get_name()``) and SQL's ``IS DISTINCT FROM`` as a method."""

from __future__ import annotations

import ast
import re

from ibis.common.deferred import Deferred

from ibis_copilot.repair.edits import NO_SUCH_ATTRIBUTE, call_rewrite, node_rewrite, parse
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import owner_source, source_of

#: Calls that mean "not" in other libraries (``operator.not_``, SQLAlchemy's ``not_``).
NOT_FUNCTIONS = ("not_", "logical_not")
#: SQL's null-safe comparisons and Ibis's ``identical_to`` (negated for "distinct").
DISTINCT_FROM = {"is_distinct_from": "~", "is_not_distinct_from": ""}


def _reads_deferred(failure: Failure) -> bool:
    """The code reads ``_.column`` while ``_`` is not Ibis's deferred expression: Python's
    NameError, or IPython's ``_`` (the last output, ``''`` at first) asked for the column."""
    if str(failure.error) == "name '_' is not defined":
        return True
    missing = NO_SUCH_ATTRIBUTE.match(str(failure.error))
    if missing is None or isinstance(failure.namespace.get("_"), Deferred):
        return False
    tree = parse(failure.code) or ast.Module(body=[], type_ignores=[])
    return any(
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "_"
        and node.attr == missing.group(2)
        for node in ast.walk(tree)
    )


def deferred_not_imported(failure: Failure) -> Diagnosis | None:
    """``t.filter(_.fare > 10)`` without ``from ibis import _``: the deferred column is
    ``ibis._`` (in IPython, ``_`` is the last output)."""
    if not _reads_deferred(failure):
        return None
    return node_rewrite(
        failure.code,
        "wrong name",
        "`_` is Ibis's deferred expression only once imported (`from ibis import _`; in "
        "IPython `_` is otherwise the last output): write `ibis._`, "
        "`t.filter(ibis._.fare > 10)`",
        lambda node, _code: "ibis._" if isinstance(node, ast.Name) and node.id == "_" else None,
    )


def not_function(failure: Failure) -> Diagnosis | None:
    """``ibis.not_(t.flag)`` (SQLAlchemy's and ``operator``'s name) → ``~t.flag``."""
    text = str(failure.error)
    if not any(f"has no attribute '{name}'" in text for name in NOT_FUNCTIONS):
        return None

    def negated(call: ast.Call, code: str) -> str | None:
        if len(call.args) != 1 or call.keywords:
            return None
        operand = call.args[0]
        inner = source_of(operand, code)
        simple = isinstance(operand, ast.Attribute | ast.Name | ast.Call | ast.Subscript)
        return f"~{inner}" if simple else f"~({inner})"

    return call_rewrite(
        failure.code,
        "python operator",
        "Ibis negates a condition with `~`: `t.filter(~t.is_remote)` (or `.negate()`)",
        NOT_FUNCTIONS,
        negated,
    )


#: Python's message for an attribute asked of a method (``c.name.endswith``).
OF_A_METHOD = re.compile(r"^'(?:function|method)' object has no attribute '(\w+)'")


def name_as_label(failure: Failure) -> Diagnosis | None:
    """``c.name.endswith("g")``: pandas' ``Series.name`` is a label; Ibis's ``name`` is the
    method that renames, and the label is ``c.get_name()``."""
    match = OF_A_METHOD.match(str(failure.error))
    if match is None:
        return None
    attribute = match.group(1)

    def render(node: ast.AST, code: str) -> str | None:
        if not isinstance(node, ast.Attribute) or node.attr != attribute:
            return None
        named = node.value
        if not isinstance(named, ast.Attribute) or named.attr != "name":
            return None
        return f"{owner_source(named.value, code)}.get_name().{attribute}"

    return node_rewrite(
        failure.code,
        "wrong name",
        "a column's `.name` is the method that renames it (`t.x.name('y')`); its name as "
        "text, pandas' `Series.name`, is `.get_name()`",
        render,
    )


def distinct_from(failure: Failure) -> Diagnosis | None:
    """SQL's ``a IS DISTINCT FROM b`` as a method → ``~a.identical_to(b)``; ``IS NOT
    DISTINCT FROM`` → ``a.identical_to(b)`` (both treat NULLs as equal to each other)."""
    text = str(failure.error)
    if not any(f"has no attribute '{name}'" in text for name in DISTINCT_FROM):
        return None

    def identical(call: ast.Call, code: str) -> str | None:
        function = call.func
        if not isinstance(function, ast.Attribute) or len(call.args) != 1 or call.keywords:
            return None
        value, other = owner_source(function.value, code), source_of(call.args[0], code)
        return f"{DISTINCT_FROM[function.attr]}{value}.identical_to({other})"

    return call_rewrite(
        failure.code,
        "sql habit",
        "SQL's `IS NOT DISTINCT FROM` (NULLs equal to each other) is `a.identical_to(b)` in "
        "Ibis, and `IS DISTINCT FROM` is `~a.identical_to(b)`",
        tuple(DISTINCT_FROM),
        identical,
    )


#: ``descriptor 'lower' for 'str' objects doesn't apply to a 'StringColumn' object``.
UNBOUND_METHOD = re.compile(r"^descriptor '(\w+)' for '(\w+)' objects doesn't apply to a '(\w+)'")


def _own_method(node: ast.AST, code: str, method: str, owner: str) -> str | None:
    """``str.lower(t.s)`` → ``t.s.lower()``: Python's method of ``owner`` called as a
    function, with the value first; the column's method of that name (or its synonym)."""
    from ibis_copilot.repair.names import SYNONYMS  # names reads the diagnosis's patterns

    function = getattr(node, "func", None)
    if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute) or not node.args:
        return None
    if ast.unparse(function.value) != owner or function.attr != method or node.keywords:
        return None
    rest = [source_of(argument, code) for argument in node.args[1:]]
    name = SYNONYMS.get(method, method)
    return f"{owner_source(node.args[0], code)}.{name}({', '.join(rest)})"


def python_method_as_function(failure: Failure) -> Diagnosis | None:
    """``str.lower(t.name)``: Python's ``str`` method called on a column, which is no
    Python string; the column has the method itself."""
    found = UNBOUND_METHOD.match(str(failure.error))
    if found is None:
        return None
    method, owner, column = found.groups()
    return node_rewrite(
        failure.code,
        "string method",
        f"`{owner}.{method}(...)` is Python's method of a `{owner}` and a `{column}` is none: "
        f"call the column's own method, `t.s.{method}()`",
        lambda node, code: _own_method(node, code, method, owner),
    )


RULES = (
    python_method_as_function,
    deferred_not_imported,
    not_function,
    name_as_label,
    distinct_from,
)
