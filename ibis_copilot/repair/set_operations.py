"""Set operations (``union``, ``intersect``, ``difference``) of tables whose columns are
named or typed differently: the second renamed (and cast) to the first, position by
position, as SQL's UNION matches columns.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

import ibis
import ibis.expr.datatypes as dt

from ibis_copilot.repair.edits import (
    NO_SUCH_ATTRIBUTE,
    call_rewrite,
    called_name,
    matching_calls,
    replace_each_call,
    string_value,
    value_of,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import IDENTIFIER, rewrite_nodes, source_of

# -- set operations ------------------------------------------------------------------------

SET_OPERATIONS = ("union", "intersect", "difference")


def _schema_of(node: ast.AST, tables: dict[str, ibis.Table]) -> ibis.Schema | None:
    """The schema of a table variable, or of ``t.select("a", "b")`` on one."""
    if isinstance(node, ast.Name) and node.id in tables:
        return tables[node.id].schema()
    if not (isinstance(node, ast.Call) and called_name(node) == "select") or node.keywords:
        return None
    function = node.func
    names = [string_value(argument) for argument in node.args]
    if not isinstance(function, ast.Attribute) or not isinstance(function.value, ast.Name):
        return None
    table = tables.get(function.value.id)
    if table is None or not names or None in names or not set(names) <= set(table.columns):
        return None
    return ibis.schema({name: table.schema()[name] for name in names if name})


def _aligned(left: ibis.Schema, right: ibis.Schema, node: ast.AST, code: str) -> str | None:
    """``node`` (the right operand) renamed and cast column by column to ``left``."""
    if len(left) != len(right):
        return None
    pairs, casts = [], []
    for (new, new_type), (old, old_type) in zip(left.items(), right.items(), strict=True):
        if not IDENTIFIER.match(new):
            return None
        pairs.append((new, old))
        if new_type != old_type:
            if not dt.castable(old_type, new_type):
                return None
            casts.append(f"{new!r}: {str(new_type)!r}")
    cast = f".cast({{{', '.join(casts)}}})" if casts else ""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        chosen = ", ".join(f"{new}={old!r}" for new, old in pairs)
        return f"{source_of(node.func, code)}({chosen}){cast}"
    renames = ", ".join(f"{new}={old!r}" for new, old in pairs if new != old)
    text = source_of(node, code) + (f".rename({renames})" if renames else "") + cast
    return text if text != source_of(node, code) else None


def _same_named(left: ibis.Schema, right: ibis.Schema, node: ast.AST, code: str) -> str | None:
    """``node`` (the right operand, with more columns) cut to ``left``'s columns by name,
    and cast where the types differ; None when it lacks one of them."""
    if not set(left.names) < set(right.names):
        return None
    casts = [f"{n!r}: {str(t)!r}" for n, t in left.items() if right[n] != t]
    if not all(dt.castable(right[n], t) for n, t in left.items()):
        return None
    cast = f".cast({{{', '.join(casts)}}})" if casts else ""
    columns = ", ".join(repr(name) for name in left.names)
    return f"{source_of(node, code)}.select({columns}){cast}"


def set_operation(failure: Failure) -> Diagnosis | None:
    """``a.union(b)`` with columns named (or typed) differently: ``b`` cut to ``a``'s
    columns where it has them all, else ``b``'s columns renamed to ``a``'s position by
    position (the SQL way); cast where the types differ."""
    if "schemas must be equal for set operations" not in str(failure.error):
        return None
    tables = failure.tables

    def align(call: ast.Call, code: str) -> str | None:
        function = call.func
        if isinstance(function, ast.Attribute) and not (
            isinstance(function.value, ast.Name) and function.value.id == "ibis"
        ):
            operands = [function.value, *call.args]
            prefix = 1
        else:
            operands, prefix = list(call.args), 0
        schemas = [_schema_of(operand, tables) for operand in operands]
        first = schemas[0] if schemas else None
        if first is None or len(operands) < 2:
            return None
        written = [source_of(operand, code) for operand in operands]
        for index in range(1, len(operands)):
            schema = schemas[index]
            if schema is None:
                return None
            if schema != first:
                node = operands[index]
                same = _same_named(first, schema, node, code)
                written[index] = same or _aligned(first, schema, node, code) or written[index]
        written += [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k.arg]
        return f"{source_of(function, code)}({', '.join(written[prefix:])})"

    fix = replace_each_call(failure.code, SET_OPERATIONS, align)
    called = matching_calls(failure.code, lambda call: called_name(call) in SET_OPERATIONS)
    operation = f"`{called_name(called[0])}`" if called else "set operations"
    advice = (
        _differences(str(failure.error))
        + f"{operation} matches columns by name and type: keep only the first table's "
        "columns in the second (`b.select('a', 'b')`), or rename the second table's columns "
        "to the first's (`b.rename(new='old')`), and cast where the types differ"
    )
    if fix is None:
        return Diagnosis("set operations", advice)
    return Diagnosis(
        "set operations",
        advice + "; the proposed fix renames position by position, as SQL's UNION does",
        lambda code: replace_each_call(code, SET_OPERATIONS, align),
    )


MISSING_FROM = re.compile(r"Columns missing from the (left|right):\s*ibis\.Schema \{(.*?)\}", re.S)
CONFLICTING = re.compile(r"^\s*`(\w+)`: (\S+) != (\S+)$", re.M)


def _differences(message: str) -> str:
    """Which columns differ, from Ibis's message: ``only the first table has `a`; ...``."""
    said = []
    for side, schema in MISSING_FROM.findall(message):
        names = ", ".join(f"`{line.split()[0]}`" for line in schema.splitlines() if line.strip())
        said.append(f"only the {'second' if side == 'left' else 'first'} table has {names}")
    for name, first, second in CONFLICTING.findall(message):
        said.append(f"`{name}` is {first} in one and {second} in the other")
    return "; ".join(said) + ": " if said else ""


#: Python's set operators and the Ibis method each stands for, on tables and on arrays.
SET_OPERATORS = {ast.BitOr: "union", ast.BitAnd: "intersect", ast.Sub: "difference"}
#: ... and between tables ``+`` too, as lists are added (an array's ``+`` is its concat).
TABLE_OPERATORS = {**SET_OPERATORS, ast.Add: "union"}
TABLES_OPERAND = re.compile(r"unsupported operand type\(s\) for ([-|&+]): 'Table' and 'Table'")


def _table_like(node: ast.AST, namespace: Mapping[str, object]) -> bool:
    """``node`` can be a table: a name bound to one, or a call (``t.select("k")``)."""
    if isinstance(node, ast.Call):
        return True
    return isinstance(value_of(node, namespace), ibis.Table)


def table_operator(failure: Failure) -> Diagnosis | None:
    """``a.select("k") - b.select("k")``: SQL's EXCEPT (and UNION, INTERSECT) of tables
    are methods, ``a.difference(b)``; Python's operators are not defined on tables."""
    match = TABLES_OPERAND.search(str(failure.error))
    if match is None:
        return None
    namespace = failure.namespace

    def wanted(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.BinOp)
            and type(node.op) in TABLE_OPERATORS
            and _table_like(node.left, namespace)
            and _table_like(node.right, namespace)
        )

    def render(node: ast.AST, code: str) -> str:
        assert isinstance(node, ast.BinOp)  # noqa: S101 - wanted() chose operations
        method = TABLE_OPERATORS[type(node.op)]
        return f"{source_of(node.left, code)}.{method}({source_of(node.right, code)})"

    sign = {"-": ast.Sub, "|": ast.BitOr, "&": ast.BitAnd, "+": ast.Add}[match.group(1)]
    method = TABLE_OPERATORS[sign]
    return Diagnosis(
        "set operations",
        f"`{match.group(1)}` is not defined on tables: SQL's set operations are methods, "
        f"`a.{method}(b)` (`difference` is EXCEPT, `union` UNION, `intersect` INTERSECT)",
        lambda code: rewrite_nodes(code, wanted, render),
    )


def _column_parts(node: ast.AST, namespace: Mapping[str, object]) -> tuple[str, str] | None:
    """``t.c`` / ``t["c"]`` of a table variable: the variable and the column's name."""
    owner = getattr(node, "value", None)
    table = namespace.get(owner.id) if isinstance(owner, ast.Name) else None
    if not isinstance(owner, ast.Name) or not isinstance(table, ibis.Table):
        return None
    name = node.attr if isinstance(node, ast.Attribute) else None
    if isinstance(node, ast.Subscript):
        name = string_value(node.slice)
    return (owner.id, name) if name is not None and name in table.columns else None


def column_set_operation(failure: Failure) -> Diagnosis | None:
    """``a.k.intersect(b.k)``: set operations are a table's; of one column each,
    ``a.select("k").intersect(b.select("k"))``."""
    match = NO_SUCH_ATTRIBUTE.match(str(failure.error))
    if match is None or match.group(2) not in SET_OPERATIONS or "Column" not in match.group(1):
        return None
    namespace = failure.namespace

    def render(call: ast.Call, _code: str) -> str | None:
        left = _column_parts(getattr(call.func, "value", call), namespace)
        right = _column_parts(call.args[0], namespace) if len(call.args) == 1 else None
        if left is None or right is None or call.keywords or not IDENTIFIER.match(left[1]):
            return None
        chosen = f"{right[1]!r}" if right[1] == left[1] else f"{left[1]}={right[1]!r}"
        method = called_name(call)
        return f"{left[0]}.select({left[1]!r}).{method}({right[0]}.select({chosen}))"

    return call_rewrite(
        failure.code,
        "set operations",
        f"`{match.group(2)}` is a table's (SQL's set operations combine rows): of one column "
        f"each, `a.select('k').{match.group(2)}(b.select('k'))`",
        SET_OPERATIONS,
        render,
    )


COLUMN_FOR_TABLE = re.compile(
    r"^(Union|Intersection|Difference)\(.*is not coercible to a Relation", re.DOTALL
)


def column_given_to_set_operation(failure: Failure) -> Diagnosis | None:
    """``a.select("k").intersect(b.k)``: the other side of a set operation is a table
    too, ``b.select("k")``."""
    if not COLUMN_FOR_TABLE.match(str(failure.error)):
        return None
    namespace = failure.namespace

    def render(call: ast.Call, code: str) -> str | None:
        parts = [_column_parts(argument, namespace) for argument in call.args]
        if not any(parts) or call.keywords or not isinstance(call.func, ast.Attribute):
            return None
        given = [
            f"{part[0]}.select({part[1]!r})" if part else source_of(argument, code)
            for part, argument in zip(parts, call.args, strict=True)
        ]
        return f"{source_of(call.func, code)}({', '.join(given)})"

    return call_rewrite(
        failure.code,
        "set operations",
        "a set operation combines the rows of two tables, and a column is not a table: "
        "give the other side as a table of the same columns, e.g. "
        "`a.select('k').intersect(b.select('k'))`",
        SET_OPERATIONS,
        render,
    )


ARRAYS_TO_TABLE_FUNCTION = re.compile(
    r"^ArrayValue\.(union|intersect|difference)\(\) got an unexpected keyword argument 'distinct'"
)


def array_set_function(failure: Failure) -> Diagnosis | None:
    """``ibis.union(t.a, t.b)`` of array columns: ``ibis.union`` combines tables' rows;
    arrays have the method, ``t.a.union(t.b)``."""
    match = ARRAYS_TO_TABLE_FUNCTION.match(str(failure.error))
    if match is None:
        return None
    method = match.group(1)

    def render(call: ast.Call, code: str) -> str | None:
        module = getattr(call.func, "value", None)
        if not (isinstance(module, ast.Name) and module.id == "ibis") or len(call.args) != 2:
            return None
        first, second = (source_of(argument, code) for argument in call.args)
        return None if call.keywords else f"{first}.{method}({second})"

    return call_rewrite(
        failure.code,
        "nested data",
        f"`ibis.{method}` combines the rows of tables; of two arrays, the array's own method "
        f"combines their elements: `a.{method}(b)`",
        (method,),
        render,
    )


RULES = (
    set_operation,
    table_operator,
    column_set_operation,
    column_given_to_set_operation,
    array_set_function,
)
