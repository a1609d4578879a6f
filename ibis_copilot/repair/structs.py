"""Struct, map, JSON and array columns read the way dicts and pandas read them: a field
spelt differently (``t.address.City``), ``t.s.get("a")``, ``t.s.unpack()``, the removed
``destructure()``, ``unnest`` / ``unpack`` swapped, a map key or JSON field read as an
attribute (``t.tags.room``), and a JSON value used as a number.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable, Collection, Mapping

import ibis
import ibis.expr.types as ir

from ibis_copilot.repair import rewrite
from ibis_copilot.repair.edits import (
    NO_SUCH_ATTRIBUTE,
    call_rewrite,
    called_name,
    looped_places,
    matching_calls,
    node_rewrite,
    parse,
    position,
    receiver,
    replace_each_call,
    string_value,
    value_of,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import IDENTIFIER, owner_source, rewrite_nodes, source_of
from ibis_copilot.repair.set_operations import SET_OPERATORS

# -- struct fields --------------------------------------------------------------------------

#: Dict-like ways to read one field of a struct, and Ibis's ``s["field"]``.
FIELD_GETTERS = frozenset({"get", "field"})
#: Other libraries' ways to make a struct's fields columns (polars' ``struct.unnest()``).
UNPACKING = frozenset({"unpack", "unnest"})


def _struct_columns(code: str, tables: dict[str, ibis.Table]) -> set[str]:
    """``t.col`` texts (as written) of the struct columns the code reads."""
    return {
        f"{variable}.{column}"
        for variable, table in tables.items()
        for column, dtype in table.schema().items()
        if dtype.is_struct() and f"{variable}.{column}" in code
    }


def struct_method(failure: Failure) -> Diagnosis | None:
    """``t.s.unpack()`` / ``t.s.get("a")``: a struct column's fields are ``t.s.a`` or
    ``t.s["a"]``; unpacking all of them is the table's ``t.unpack("s")``."""
    name = str(failure.error)
    if not isinstance(failure.error, AttributeError) or name not in FIELD_GETTERS | UNPACKING:
        return None
    tables = failure.tables
    structs = _struct_columns(failure.code, tables)
    if not structs:
        return None

    def getter(node: ast.AST, code: str) -> str | None:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            return None
        owner = source_of(node.func.value, code)
        if owner not in structs:
            return None
        if node.func.attr in FIELD_GETTERS and len(node.args) == 1 and not node.keywords:
            return f"{owner}[{source_of(node.args[0], code)}]"
        if node.func.attr == "unpack" and not node.args and "." in owner:
            table, column = owner.split(".", 1)
            return f"{table}.unpack({column!r})"
        if node.func.attr == "unnest" and not node.args and not node.keywords:
            return f"{owner}.lift()"  # polars' ``struct.unnest()``: the fields as a table
        return None

    def fix(code: str) -> str | None:
        fields = destructure_to_fields(code, tables) or code
        edited = rewrite_nodes(
            fields,
            lambda node: getter(node, fields) is not None,
            lambda node, text: getter(node, text) or source_of(node, text),
        )
        result = edited or fields
        return result if result != code else None

    return Diagnosis(
        "unknown method",
        f"a struct column has no `.{name}()` (`unnest` is for arrays): read a field as "
        "`t.s.field_name` or `t.s['field_name']`; all fields as columns: `t.unpack('s')` "
        "(the fields alone, as a table: `t.s.lift()`)",
        fix,
    )


def destructure_to_fields(code: str, tables: dict[str, ibis.Table]) -> str | None:
    """``t.select(t.id, t.s.destructure())`` → ``t.select(t.id, t.s.a, t.s.b)``: each
    field of the struct as its own column (named after the field), where the struct is
    an argument of a call."""
    tree = parse(code)
    if tree is None:
        return None
    arguments = {
        (a.lineno, a.col_offset, a.end_lineno, a.end_col_offset)
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        for a in n.args
    }

    def fields(node: ast.AST) -> list[str] | None:
        if not (isinstance(node, ast.Call) and called_name(node) in {"destructure", "unpack"}):
            return None
        column = node.func.value if isinstance(node.func, ast.Attribute) else None
        if not (isinstance(column, ast.Attribute) and isinstance(column.value, ast.Name)):
            return None
        table = tables.get(column.value.id)
        dtype = table.schema().get(column.attr) if table is not None else None
        where = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
        if dtype is None or not dtype.is_struct() or where not in arguments:
            return None
        struct = source_of(column, code)
        value = table[column.attr] if table is not None else None
        return [
            f"{struct}[{name!r}]"
            if hasattr(type(value), name) or not IDENTIFIER.match(name)
            else f"{struct}.{name}"
            for name in dtype.names
        ]

    return rewrite_nodes(
        code, lambda node: fields(node) is not None, lambda node, _c: ", ".join(fields(node) or [])
    )


def struct_field(failure: Failure) -> Diagnosis | None:
    """``t.address.City``: the struct's field spelt as the schema spells it."""
    if not isinstance(failure.error, AttributeError) or not IDENTIFIER.match(str(failure.error)):
        return None
    name = str(failure.error)
    fields: list[str] = []
    for variable, table in failure.tables.items():
        for column, dtype in table.schema().items():
            pattern = rf"\b{re.escape(variable)}\.{re.escape(column)}\.{re.escape(name)}\b"
            if dtype.is_struct() and re.search(pattern, failure.code):
                fields += list(dtype.names)
    exact = [field for field in fields if field.lower() == name.lower()]
    prefix = [field for field in fields if name.lower().startswith(field.lower())]
    close = exact or difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
    close = close or (prefix if len(prefix) == 1 else [])
    if not close:
        return None
    new = close[0]
    return Diagnosis(
        "unknown column",
        f"the struct has no field `{name}`; did you mean `{new}`? (its fields: "
        f"{', '.join(fields)})",
        lambda code: rewrite.rename_attribute(code, name, new),
    )


def struct_of_dotted_name(name: str, tables: Mapping[str, ibis.Table]) -> tuple[str, ...]:
    """The fields of the struct column ``s`` when ``name`` is ``"s.field"`` and ``field``
    is one of them (a field named as SQL or pandas' ``json_normalize`` name it); else ()."""
    column, _, field = name.partition(".")
    for table in tables.values():
        dtype = table.schema().get(column)
        if dtype is not None and dtype.is_struct() and field in dtype.names:
            return tuple(dtype.names)
    return ()


def _without_field(call: ast.Call, code: str, dotted: str, fields: tuple[str, ...]) -> str | None:
    """``t.drop("s.f", ...)`` as ``t.mutate(s=ibis.struct({...the other fields...}))``
    followed by the drop of the rest."""
    owner = receiver(call, code)
    names = [string_value(argument) for argument in call.args]
    if owner is None or dotted not in names or None in names or call.keywords:
        return None
    column, _, field = dotted.partition(".")
    kept = ", ".join(f"{f!r}: {owner}.{column}[{f!r}]" for f in fields if f != field)
    if not kept:
        return None  # the struct's only field: dropping the column is the user's call
    rebuilt = f"{owner}.mutate({column}=ibis.struct({{{kept}}}))"
    rest = [repr(name) for name in names if name != dotted]
    return f"{rebuilt}.drop({', '.join(rest)})" if rest else rebuilt


def dotted_struct_field(failure: Failure) -> Diagnosis | None:
    """``t.drop("s.f")`` / ``t.select("s.f")``: a struct's field named as a column; it is
    ``t.s.f``, and dropping one field rebuilds the struct without it."""
    text = str(failure.error)
    dotted = re.search(r"'(\w+\.\w+)'", text)
    fields = struct_of_dotted_name(dotted.group(1), failure.tables) if dotted else ()
    if dotted is None or not fields:
        return None
    name = dotted.group(1)
    column, _, field = name.partition(".")

    def without_field(call: ast.Call, code: str) -> str | None:
        return _without_field(call, code, name, fields)

    kept = ", ".join(f'"{f}": t.{column}.{f}' for f in fields if f != field)
    return Diagnosis(
        "nested data",
        f"`{name}` is the field `{field}` of the struct column `{column}`, not a column: "
        f"read it as `t.{column}.{field}`; to drop one field, rebuild the struct without it, "
        f"`t.mutate({column}=ibis.struct({{{kept}}}))` (`t.unpack({column!r})` makes every "
        f"field a column)",
        lambda code: replace_each_call(code, ("drop",), without_field),
    )


#: The table method for each kind of nested column: arrays are unnested, structs unpacked.
NESTED_METHODS = {"unnest": "is_struct", "unpack": "is_array"}


def _structs_unpacked(call: ast.Call, variable: str, table: ibis.Table) -> str | None:
    """``t.unpack("s", "m")`` where ``m`` is no struct: only the struct columns unpacked."""
    names = [string_value(argument) for argument in call.args]
    schema = table.schema()
    kept = [n for n in names if n in schema and schema[n].is_struct()]
    if None in names or not kept or len(kept) == len(names):
        return None
    return f"{variable}.unpack({', '.join(map(repr, kept))})"


def unnest_or_unpack(failure: Failure) -> Diagnosis | None:
    """``t.unnest("struct_col")`` / ``t.unpack("array_col")``: arrays are unnested (a row
    per element), structs unpacked (a column per field)."""
    text = str(failure.error)
    if "TableUnnest(" not in text and "object has no attribute 'names'" not in text:
        return None
    tables = failure.tables

    def swapped(call: ast.Call, _code: str) -> str | None:
        function = call.func
        if not isinstance(function, ast.Attribute) or not isinstance(function.value, ast.Name):
            return None
        table = tables.get(function.value.id)
        if table is None or call.keywords:
            return None
        if function.attr == "unpack" and len(call.args) > 1:
            return _structs_unpacked(call, function.value.id, table)
        column = string_value(call.args[0]) if len(call.args) == 1 else None
        if column not in table.columns:
            return None
        wrong_kind = NESTED_METHODS.get(function.attr)
        if wrong_kind is None or not getattr(table.schema()[column], wrong_kind)():
            return None
        other = "unpack" if function.attr == "unnest" else "unnest"
        return f"{function.value.id}.{other}({column!r})"

    if replace_each_call(failure.code, tuple(NESTED_METHODS), swapped) is None:
        return None
    return Diagnosis(
        "wrong argument",
        "`unnest` is for arrays (one row per element) and `unpack` for structs (one column "
        "per field): `t.unnest('array_col')`, `t.unpack('struct_col')`; a map's keys are "
        "not in the schema, so a map is not unpacked: read a key as `t.m['key']`",
        lambda code: replace_each_call(code, tuple(NESTED_METHODS), swapped),
    )


KEYED = re.compile(r"^'(Map|JSON)(?:Column|Scalar|Value)' object has no attribute '(\w+)'")


def keyed_attribute(failure: Failure) -> Diagnosis | None:
    """``t.tags.room`` on a map or ``t.payload.currency`` on JSON: keys are subscripts,
    ``t.tags["room"]``."""
    match = KEYED.match(str(failure.error))
    if match is None:
        return None
    kind, key = match.groups()
    pattern = re.compile(rf"(?<=[\w\]\)])\.{re.escape(key)}\b(?!\s*\()")
    if not pattern.search(failure.code):
        return None
    typed = " (then `.str`, `.int`, `.float` for a typed value)" if kind == "JSON" else ""
    message = (
        f"a {kind if kind == 'JSON' else 'map'} column's keys are read with a subscript, "
        f'not as attributes: `...["{key}"]`{typed}'
    )

    def fix(code: str) -> str | None:
        edited = pattern.sub(f'["{key}"]', code, count=1)
        return edited if edited != code else None

    return Diagnosis("nested data", message, fix)


#: Python's list methods that add to a list: ``append`` takes one element, ``extend`` many.
LIST_ADDERS = frozenset({"append", "extend"})


def _concatenated(call: ast.Call, code: str) -> str | None:
    """``t.a.append(x)`` → ``t.a.concat(ibis.array([x]))``; ``extend([x, y])`` likewise."""
    owner = receiver(call, code)
    if owner is None or len(call.args) != 1 or call.keywords:
        return None
    given = source_of(call.args[0], code)
    if called_name(call) == "append":
        given = f"ibis.array([{given}])"
    elif isinstance(call.args[0], ast.List | ast.Tuple):
        given = f"ibis.array({given})"
    return f"{owner}.concat({given})"


def list_methods_on_array(failure: Failure) -> Diagnosis | None:
    """``t.tags.append("new")``: an array column has no Python list methods; adding
    elements is ``concat`` of another array."""
    match = NO_SUCH_ATTRIBUTE.match(str(failure.error))
    if match is None or not match.group(1).startswith("Array") or match.group(2) not in LIST_ADDERS:
        return None
    return call_rewrite(
        failure.code,
        "nested data",
        f"an array column has no list method `{match.group(2)}`: add elements by "
        "concatenating another array, `t.a.concat(ibis.array([x]))` (or `t.a + ibis.array([x])`)",
        tuple(LIST_ADDERS),
        _concatenated,
    )


#: JSON values in arithmetic: ``unsupported operand type(s) for +: 'JSONColumn' and ...``.
JSON_OPERAND = re.compile(r"unsupported operand type\(s\) for .+: '(\w+)' and '(\w+)'")


#: What a JSON value is read as, by the Python type of the other operand (Ibis integer
#: columns: ``.int``; anything else numeric: ``.float``).
_JSON_READERS = {"int": "int", "str": "str", "bool": "bool"}


def _json_operands_read(
    code: str, reader: str, is_json: Callable[[ast.expr, str], bool]
) -> str | None:
    """Each JSON subscript that ``is_json`` picks among the operands of an arithmetic
    operator or a comparison, read as ``reader`` (``t.j["n"]`` → ``t.j["n"].int``)."""
    tree = parse(code) or ast.Module(body=[], type_ignores=[])
    operands = [
        side
        for node in ast.walk(tree)
        for side in (
            (node.left, node.right)
            if isinstance(node, ast.BinOp)
            else (node.left, *node.comparators)
            if isinstance(node, ast.Compare)
            else ()
        )
    ]
    places = {(s.lineno, s.col_offset) for s in operands if is_json(s, code)}
    return rewrite_nodes(
        code,
        lambda node: isinstance(node, ast.Subscript) and (node.lineno, node.col_offset) in places,
        lambda node, text: f"{source_of(node, text)}.{reader}",
    )


def json_in_arithmetic(failure: Failure) -> Diagnosis | None:
    """``t.payload["tax"] + t.amount``: a JSON value has no number type until it is read
    as one of the other operand's kind (``.int`` beside an integer, else ``.float``)."""
    match = JSON_OPERAND.search(str(failure.error))
    if match is None or not any(side.startswith("JSON") for side in match.groups()):
        return None
    other = next(side for side in (*match.groups(), "JSON") if not side.startswith("JSON"))
    reader = _JSON_READERS.get(other) or ("int" if other.startswith("Integer") else "float")
    json_columns = {
        f"{variable}.{column}"
        for variable, table in failure.tables.items()
        for column, dtype in table.schema().items()
        if dtype.is_json()
    }

    def fix(code: str) -> str | None:
        def of_json_column(side: ast.expr, text: str) -> bool:
            return isinstance(side, ast.Subscript) and source_of(side.value, text) in json_columns

        return _json_operands_read(code, reader, of_json_column)

    return Diagnosis(
        "nested data",
        "a JSON value has no number type: read it as one before arithmetic, e.g. "
        '`t.payload["tax"].float` (or `.int`, `.str`)',
        fix if json_columns else None,
    )


#: ``Arguments JSONGetItem(raw, 'ok'):json and Literal(True):boolean are not comparable``.
JSON_COMPARED = re.compile(r"^Arguments .+?:(\w+) and .+?:(\w+) are not comparable")


def _json_reader(dtype: str) -> str | None:
    """How a JSON value is read to compare with a value of ``dtype``."""
    if dtype in {"boolean", "string"}:
        return "bool" if dtype == "boolean" else "str"
    if dtype.startswith(("int", "uint")):
        return "int"
    return "float" if dtype.startswith(("float", "decimal")) else None


def json_compared(failure: Failure) -> Diagnosis | None:
    """``t.raw["ok"] == True``: a JSON value is compared only once read as the other
    side's kind: ``t.raw["ok"].bool == True``."""
    match = JSON_COMPARED.match(str(failure.error))
    if match is None or "json" not in match.groups() or set(match.groups()) == {"json"}:
        return None
    reader = _json_reader(next(side for side in match.groups() if side != "json"))
    if reader is None:
        return None

    def json_side(side: ast.expr, _code: str) -> bool:
        value = value_of(side, failure.namespace)
        return isinstance(side, ast.Subscript) and isinstance(value, ir.JSONValue)

    def fix(code: str) -> str | None:
        return _json_operands_read(code, reader, json_side)

    return Diagnosis(
        "nested data",
        f"a JSON value is compared only once read as the other side's kind: "
        f'`t.payload["field"].{reader}` (`.bool`, `.int`, `.float`, `.str`)',
        fix,
    )


def json_as_predicate(failure: Failure) -> Diagnosis | None:
    """``t.filter(t.raw["ok"])``: a JSON value is a test only once read as a boolean,
    ``t.filter(t.raw["ok"].bool)``."""
    text = str(failure.error)
    if "Filter(" not in text or "predicates" not in text:
        return None

    def read_as_boolean(call: ast.Call, code: str) -> str | None:
        if called_name(call) != "filter" or call.keywords:
            return None
        tests = [value_of(argument, failure.namespace) for argument in call.args]
        if not any(isinstance(test, ir.JSONValue) for test in tests):
            return None
        given = [
            f"{owner_source(argument, code)}.bool"
            if isinstance(test, ir.JSONValue)
            else source_of(argument, code)
            for argument, test in zip(call.args, tests, strict=True)
        ]
        return f"{source_of(call.func, code)}({', '.join(given)})"

    return call_rewrite(
        failure.code,
        "nested data",
        'a JSON value is a test only once read as a boolean: `t.filter(t.payload["ok"].bool)`',
        ("filter",),
        read_as_boolean,
    )


def _element_name(code: str) -> str:
    """A name for a lambda's element that ``code`` does not use already."""
    used = set(re.findall(r"\w+", code))
    return next((name for name in ("x", "v", "item") if name not in used), "element_")


def _array_set_operation(node: ast.AST, namespace: Mapping[str, object]) -> bool:
    """``t.tags | ["new"]``, ``t.a & t.b``, ``t.a - ibis.array(["x"])``: Python's set
    operators on an array column."""
    if not isinstance(node, ast.BinOp) or type(node.op) not in SET_OPERATORS:
        return False
    return isinstance(value_of(node.left, namespace), ir.ArrayValue)


def _listed_items(node: ast.expr) -> list[ast.expr] | None:
    """The items of ``[a, b]``, ``{a, b}`` or ``ibis.array([a, b])``; None for other
    values."""
    if isinstance(node, ast.Call) and called_name(node) == "array" and len(node.args) == 1:
        node = node.args[0]
    return list(node.elts) if isinstance(node, ast.List | ast.Tuple | ast.Set) else None


def _as_array_method(node: ast.AST, code: str) -> str:
    """``a | b`` → ``a.union(b)``, ``a & b`` → ``a.intersect(b)``, ``a - ["x"]`` →
    ``a.remove("x")``, ``a - b`` → ``a.filter(lambda x: ~b.contains(x))``."""
    assert isinstance(node, ast.BinOp)  # noqa: S101 - only called on chosen operations
    array, other = source_of(node.left, code), source_of(node.right, code)
    if isinstance(node.right, ast.Set):  # a Python set of values: an array of them
        other = f"ibis.array([{', '.join(source_of(item, code) for item in node.right.elts)}])"
    method = SET_OPERATORS[type(node.op)]
    if method != "difference":
        return f"{array}.{method}({other})"
    items = _listed_items(node.right)
    if items is not None and len(items) == 1:
        return f"{array}.remove({source_of(items[0], code)})"
    x = _element_name(code)
    if items is not None:
        listed = ", ".join(source_of(item, code) for item in items)
        return f"{array}.filter(lambda {x}: {x}.notin([{listed}]))"
    return f"{array}.filter(lambda {x}: ~{other}.contains({x}))"


PYTHON_SETS = frozenset({"set", "frozenset"})
#: Calls that turn a Python set back into a list: of an array, nothing (or ``sort``).
SET_TO_LIST = {"list": "", "sorted": ".sort()"}


def _of_one(node: ast.AST, names: Collection[str]) -> ast.expr | None:
    """``x`` of ``name(x)`` for one of ``names``, else None."""
    if not isinstance(node, ast.Call) or len(node.args) != 1 or node.keywords:
        return None
    function = node.func
    return node.args[0] if isinstance(function, ast.Name) and function.id in names else None


def _set_operands(node: ast.AST) -> tuple[ast.BinOp, ast.expr, ast.expr, str] | None:
    """``(operation, a, b, then)`` of ``set(a) & set(b)``, maybe in ``list(...)`` or
    ``sorted(...)`` (``then`` is what the latter adds to an array: ``.sort()``)."""
    inner = _of_one(node, SET_TO_LIST.keys())
    operation = inner if inner is not None else node
    if not isinstance(operation, ast.BinOp) or type(operation.op) not in SET_OPERATORS:
        return None
    left, right = (
        side if isinstance(side, ast.Set) else _of_one(side, PYTHON_SETS)
        for side in (operation.left, operation.right)
    )
    if left is None or right is None or (isinstance(left, ast.Set) and isinstance(right, ast.Set)):
        return None
    if isinstance(left, ast.Set):  # ``{"a"} & set(t.x)``: the array first
        if not isinstance(operation.op, ast.BitAnd | ast.BitOr):
            return None
        left, right = right, left
    outer = getattr(getattr(node, "func", None), "id", "") if inner is not None else ""
    return operation, left, right, SET_TO_LIST.get(outer, "")


def arrays_as_python_sets(failure: Failure) -> Diagnosis | None:
    """``list(set(t.a) & set(t.b))``: Python's sets of array columns, which have no values
    until the query runs; Ibis's arrays have the set operations as methods."""
    namespace = failure.namespace

    def wanted(node: ast.AST) -> bool:
        operands = _set_operands(node)
        return operands is not None and all(
            isinstance(side, ast.Set) or isinstance(value_of(side, namespace), ir.ArrayValue)
            for side in operands[1:3]
        )

    def render(node: ast.AST, code: str) -> str:
        operands = _set_operands(node)
        if operands is None:
            return source_of(node, code)
        operation, left, right, then = operands
        unwrapped = ast.copy_location(ast.BinOp(left, operation.op, right), operation)
        return _as_array_method(unwrapped, code) + then

    tree = parse(failure.code)
    found = [node for node in ast.walk(tree) if wanted(node)] if tree else []
    if not found:
        return None
    return Diagnosis(
        "nested data",
        f"`{source_of(found[0], failure.code)}`: an array column is no Python set until the "
        "query runs; arrays have the set operations as methods: `a.intersect(b)` for `&`, "
        "`a.union(b)` for `|`, `a.filter(lambda x: ~b.contains(x))` for `-`",
        lambda code: rewrite_nodes(code, wanted, render),
    )


def array_set_operator(failure: Failure) -> Diagnosis | None:
    """Python's ``|``, ``&`` and ``-`` on an array column, as on sets: Ibis's arrays have
    methods for them."""
    namespace = failure.namespace
    if not isinstance(failure.error, TypeError) or "unsupported operand" not in str(failure.error):
        return None
    tree = parse(failure.code)
    found = [
        node
        for node in ast.walk(tree or ast.Module(body=[], type_ignores=[]))
        if _array_set_operation(node, namespace)
    ]
    if not found:
        return None
    shown = source_of(found[0], failure.code)
    return Diagnosis(
        "nested data",
        f"`{shown}`: Python's set operators do not apply to Ibis arrays; arrays have methods "
        "for them: `a.union(b)` for `|`, `a.intersect(b)` for `&`, `a.remove(x)` or "
        "`a.filter(lambda x: ~b.contains(x))` for `-`",
        lambda code: rewrite_nodes(
            code, lambda n: _array_set_operation(n, namespace), _as_array_method
        ),
    )


def flatten_for_explode(failure: Failure) -> Diagnosis | None:
    """``t.tags.flatten()`` on an array of plain values: ``flatten`` joins the arrays of
    an array of arrays; one row per element (pandas' ``explode``) is ``unnest``. An array
    of structs gets the advice alone: its user may want a field of each element."""
    text = str(failure.error)
    if not text.startswith("ArrayFlatten(") or "has failed" not in text:
        return None
    namespace = failure.namespace

    def plain(node: ast.AST) -> bool:
        array = value_of(getattr(getattr(node, "func", None), "value", node), namespace)
        return isinstance(array, ir.ArrayValue) and not array.type().value_type.is_struct()

    def wanted(node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and called_name(node) == "flatten" and not node.args

    found = matching_calls(failure.code, wanted)
    if not found:
        return None
    fix = (
        (lambda code: rewrite_nodes(code, lambda n: wanted(n) and plain(n), _unnested))
        if any(plain(call) for call in found)
        else None
    )
    return Diagnosis(
        "nested data",
        "`.flatten()` joins the inner arrays of an array of arrays; for one row per element "
        "(pandas' `explode`) use `.unnest()`, for a field of each struct "
        "`.map(lambda x: x.field)`",
        fix,
    )


def _unnested(node: ast.AST, code: str) -> str:
    """``t.tags.flatten()`` → ``t.tags.unnest()``."""
    return f"{source_of(getattr(getattr(node, 'func', node), 'value', node), code)}.unnest()"


#: Array methods that take a function of one element.
ELEMENT_FUNCTIONS = ("filter", "map")


def _element_call(node: ast.AST, namespace: Mapping[str, object]) -> bool:
    """``arr.filter(arr > 0)`` / ``arr.map({...})``: an array method given the array's own
    expression or a mapping where it takes a function of one element."""
    function = getattr(node, "func", None)
    if not (isinstance(node, ast.Call) and isinstance(function, ast.Attribute)):
        return False
    if function.attr not in ELEMENT_FUNCTIONS or len(node.args) != 1 or node.keywords:
        return False
    if not isinstance(value_of(function.value, namespace), ir.ArrayValue):
        return False
    argument, array = node.args[0], ast.dump(function.value)
    if isinstance(argument, ast.Dict):
        return function.attr == "map"
    if _python_method(argument) is not None:
        return True
    uses_array = any(ast.dump(inner) == array for inner in ast.walk(argument))
    return uses_array and not isinstance(argument, ast.Lambda)


def _python_method(argument: ast.expr) -> str | None:
    """``str.upper`` → ``upper``; ``len`` → ``length``: Python's function of one string,
    as the Ibis method an element calls; None for other arguments."""
    if isinstance(argument, ast.Name) and argument.id == "len":
        return "length"
    owner = getattr(argument, "value", None)
    if isinstance(argument, ast.Attribute) and isinstance(owner, ast.Name) and owner.id == "str":
        return argument.attr
    return None


def _as_element_function(node: ast.AST, code: str) -> str:
    """``arr.filter(arr > 0)`` → ``arr.filter(lambda x: x > 0)``; ``arr.map({...})`` →
    ``arr.map(lambda x: x.substitute({...}, else_=x))``; ``arr.map(str.upper)`` →
    ``arr.map(lambda x: x.upper())``."""
    function = getattr(node, "func", node)
    array, argument = getattr(function, "value", node), getattr(node, "args", [node])[0]
    x = _element_name(code)
    if (method := _python_method(argument)) is not None:
        body = f"{x}.{method}()"
    elif isinstance(argument, ast.Dict):
        body = f"{x}.substitute({source_of(argument, code)}, else_={x})"
    else:
        body = source_of(argument, code).replace(source_of(array, code), x)
    return f"{source_of(function, code)}(lambda {x}: {body})"


def _boolean_mask(node: ast.AST, namespace: Mapping[str, object]) -> bool:
    """``arr[arr > 0]``: pandas' boolean mask of the array by its own elements."""
    if not isinstance(node, ast.Subscript):
        return False
    if not isinstance(value_of(node.value, namespace), ir.ArrayValue):
        return False
    array = ast.dump(node.value)
    return any(ast.dump(inner) == array for inner in ast.walk(node.slice))


def _element_function_of(node: ast.AST, code: str) -> str:
    """:func:`_as_element_function`; ``arr[arr > 0]`` → ``arr.filter(lambda x: x > 0)``."""
    if not isinstance(node, ast.Subscript):
        return _as_element_function(node, code)
    x = _element_name(code)
    body = source_of(node.slice, code).replace(source_of(node.value, code), x)
    return f"{owner_source(node.value, code)}.filter(lambda {x}: {body})"


def element_function(failure: Failure) -> Diagnosis | None:
    """pandas' boolean masks (``arr[arr > 0]``, ``arr.filter(arr > 0)``),
    ``Series.map(dict)`` and ``map(str.upper)`` on an array column: Ibis's array
    ``filter``/``map`` take a function of one Ibis element."""
    namespace = failure.namespace
    tree = parse(failure.code)

    def wanted(node: ast.AST) -> bool:
        return _element_call(node, namespace) or _boolean_mask(node, namespace)

    found = [node for node in ast.walk(tree) if wanted(node)] if tree is not None else []
    if not found:
        return None
    shown = source_of(found[0], failure.code)
    return Diagnosis(
        "nested data",
        f"`{shown}`: an array's `filter`/`map` take a function of one element, which is an "
        "Ibis value, not a Python one: `arr.filter(lambda x: x > 0)`, "
        "`arr.map(lambda x: x.upper())`, `arr.map(lambda x: x.substitute({...}, else_=x))`",
        lambda code: rewrite_nodes(code, wanted, _element_function_of),
    )


def _lifted_struct(node: ast.AST, table: str, namespace: Mapping[str, object]) -> str | None:
    """The struct column's name where ``node`` is ``t.col.lift()`` of the table ``t``."""
    function = node.func if isinstance(node, ast.Call) else None
    if getattr(function, "attr", "") != "lift" or getattr(node, "args", True):
        return None
    column = getattr(function, "value", None)
    if not isinstance(column, ast.Attribute | ast.Subscript):
        return None
    owner = column.value
    if not isinstance(owner, ast.Name) or owner.id != table:
        return None
    if not isinstance(value_of(column, namespace), ir.StructValue):
        return None
    return column.attr if isinstance(column, ast.Attribute) else string_value(column.slice)


def lift_in_projection(failure: Failure) -> Diagnosis | None:
    """``t.select("id", t.s.lift())``: ``lift`` gives a table of the struct's fields, not
    columns to select; ``t.select("id", "s").unpack("s")``."""
    if "belong to another relation" not in str(failure.error) or ".lift()" not in failure.code:
        return None
    namespace = failure.namespace

    def render(call: ast.Call, code: str) -> str | None:
        table = getattr(getattr(call.func, "value", None), "id", None)
        lifted = [_lifted_struct(a, table, namespace) if table else None for a in call.args]
        names = [name for name in lifted if name]
        if len(names) != 1 or not table:
            return None
        method = called_name(call)
        kept = []  # a select keeps the struct to unpack; a mutate has it already
        for argument, name in zip(call.args, lifted, strict=True):
            if name is None or method == "select":
                kept.append(repr(name) if name else source_of(argument, code))
        kept += [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k.arg]
        inner = f"{table}.{method}({', '.join(kept)})" if kept else table
        return f"{inner}.unpack({names[0]!r})"

    return call_rewrite(
        failure.code,
        "nested data",
        "`lift()` makes a table of the struct's fields, not columns to select: keep the "
        "struct and spread it with `unpack`, `t.select('id', 's').unpack('s')`",
        ("select", "mutate"),
        render,
    )


def _json_module_call(node: ast.AST, function_name: str) -> ast.expr | None:
    """The one argument of ``json.<function_name>(x)``; else None."""
    function = getattr(node, "func", None)
    if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute):
        return None
    module = function.value
    if not (
        isinstance(module, ast.Name) and module.id == "json" and function.attr == function_name
    ):
        return None
    return node.args[0] if len(node.args) == 1 and not node.keywords else None


def parsed_json(failure: Failure) -> Diagnosis | None:
    """``json.loads(t.payload)``: Python parses text in memory now. A JSON column is
    JSON in Ibis already (read it with ``["key"]``, ``.array``, ``.map``); a text column
    becomes JSON with ``cast("json")``, the edit proposed for text only."""
    if not isinstance(failure.error, TypeError):
        return None
    namespace = failure.namespace
    tree = parse(failure.code)
    if tree is None:
        return None
    parsed = [_json_module_call(node, "loads") for node in ast.walk(tree)]
    values = [value_of(argument, namespace) for argument in parsed if argument is not None]
    if not any(isinstance(value, ir.StringValue | ir.JSONValue) for value in values):
        return None

    def render(node: ast.AST, code: str) -> str | None:
        argument = _json_module_call(node, "loads")
        if argument is None or not isinstance(value_of(argument, namespace), ir.StringValue):
            return None
        return f'{source_of(argument, code)}.cast("json")'

    text_only = all(isinstance(value, ir.StringValue) for value in values)
    return Diagnosis(
        "nested data",
        "`json.loads(...)` parses Python text in memory now; an Ibis column has no value "
        "yet. A JSON column is JSON already: read a key with `col['key']`, an element with "
        "`col[0]`, the whole as `col.array` or `col.map`, a value as `col['k'].str` "
        "(`.int`, `.float`...); a text column becomes JSON with `col.cast('json')`",
        (lambda code: rewrite.rewrite_rendered(code, render)) if text_only else None,
    )


#: polars' ``list``/``arr`` namespaces: the call's Ibis form on the array ``{}`` (other
#: names, such as ``contains``, ``unique``, ``sort``, ``join``, are the array's own).
POLARS_LIST_CALLS = {
    "len": "{}.length()",
    "lengths": "{}.length()",
    "first": "{}[0]",
    "last": "{}[-1]",
    "n_unique": "{}.unique().length()",
    "max": "{}.maxs()",
    "min": "{}.mins()",
    "sum": "{}.sums()",
    "mean": "{}.means()",
    "any": "{}.anys()",
    "all": "{}.alls()",
    "explode": "{}.unnest()",
}
POLARS_NAMESPACES = frozenset({"list", "arr"})
NO_NAMESPACE = re.compile(r"^'(Array\w+)' object has no attribute '(list|arr)'")


def _without_list_namespace(node: ast.AST, code: str) -> str | None:
    """``t.tags.list.len()`` → ``t.tags.length()``; ``.list.get(0)`` → ``[0]``;
    ``.list.contains(x)`` → ``.contains(x)``."""
    function = getattr(node, "func", None)
    namespace = getattr(function, "value", None)
    if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute):
        return None
    if not isinstance(namespace, ast.Attribute) or namespace.attr not in POLARS_NAMESPACES:
        return None
    array = owner_source(namespace.value, code)
    given = [source_of(argument, code) for argument in node.args]
    if function.attr == "get" and len(given) == 1 and not node.keywords:
        return f"{array}[{given[0]}]"
    if function.attr in POLARS_LIST_CALLS and not given and not node.keywords:
        return POLARS_LIST_CALLS[function.attr].format(array)
    keywords = [f"{k.arg}={source_of(k.value, code)}" for k in node.keywords if k.arg]
    return f"{array}.{function.attr}({', '.join(given + keywords)})"


def polars_list_namespace(failure: Failure) -> Diagnosis | None:
    """polars' ``t.tags.list.len()``: an Ibis array's methods are on the column itself."""
    if NO_NAMESPACE.match(str(failure.error)) is None:
        return None
    return Diagnosis(
        "nested data",
        "`.list` (and `.arr`) is polars' namespace; an Ibis array's methods are on the column "
        "itself: `t.tags.length()`, `t.tags[0]` (`.list.get(0)`), `t.tags.contains('x')`, "
        "`t.tags.unique()`, each row's `t.xs.maxs()`",
        lambda code: rewrite.rewrite_rendered(code, _without_list_namespace),
    )


def _membership(node: ast.AST, code: str, namespace: Mapping[str, object]) -> str | None:
    """``t.tags == "x"`` → ``t.tags.contains("x")`` (``!=``: ``~t.tags.contains("x")``)
    where ``t.tags`` is an array and the other side is no array."""
    if not isinstance(node, ast.Compare) or len(node.ops) != 1:
        return None
    operator, (left, right) = node.ops[0], (node.left, node.comparators[0])
    if not isinstance(operator, ast.Eq | ast.NotEq):
        return None
    if isinstance(value_of(right, namespace), ir.ArrayValue):
        left, right = right, left
    if not isinstance(value_of(left, namespace), ir.ArrayValue):
        return None
    if isinstance(right, ast.List | ast.Tuple) or isinstance(
        value_of(right, namespace), ir.ArrayValue
    ):
        return None  # two arrays compare as arrays
    test = f"{owner_source(left, code)}.contains({source_of(right, code)})"
    return test if isinstance(operator, ast.Eq) else f"~{test}"


def array_compared_to_element(failure: Failure) -> Diagnosis | None:
    """``t.genres == "Drama"``: an array compared with one value; whether the array
    holds it is ``t.genres.contains("Drama")``."""
    text = str(failure.error)
    if "are not comparable" not in text or ":array<" not in text:
        return None
    return node_rewrite(
        failure.code,
        "nested data",
        "an array column is compared with one value, which never equals a whole array: "
        'whether the array holds it is `t.tags.contains("x")` (`~` for not)',
        lambda node, code: _membership(node, code, failure.namespace),
    )


#: Python's ordering operators (``==`` and ``!=`` are :func:`array_compared_to_element`'s).
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _ordering_of_array(test: ast.AST, namespace: Mapping[str, object]) -> str | None:
    """The operator of ``t.waits > 10`` where ``t.waits`` is an array and the other side
    no array; else None."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    if not isinstance(test.ops[0], ORDERING):
        return None
    if not isinstance(value_of(test.left, namespace), ir.ArrayValue):
        return None
    if isinstance(value_of(test.comparators[0], namespace), ir.ArrayValue):
        return None
    return rewrite.COMPARISON_SYMBOLS[type(test.ops[0])]


def _each_element_compared(node: ast.AST, code: str, namespace: Mapping[str, object]) -> str | None:
    """``(t.waits > 10).all()`` → ``t.waits.map(lambda v: v > 10).alls()`` (``any``:
    ``anys``)."""
    from ibis_copilot.repair.names import ARRAY_REDUCTIONS  # names reads the diagnosis's

    function = getattr(node, "func", None)
    if not isinstance(node, ast.Call) or node.args or node.keywords:
        return None
    if not isinstance(function, ast.Attribute) or function.attr not in ("all", "any"):
        return None
    test = function.value
    symbol = _ordering_of_array(test, namespace)
    if symbol is None or not isinstance(test, ast.Compare):
        return None
    array, bound = owner_source(test.left, code), source_of(test.comparators[0], code)
    return f"{array}.map(lambda v: v {symbol} {bound}).{ARRAY_REDUCTIONS[function.attr]}()"


ELEMENTS_COMPARED = (
    "an array column is one value and is not compared element by element: write the test "
    "for each element with `t.xs.map(lambda v: v > 10)`, then whether all or any hold with "
    "`.alls()` / `.anys()` (or keep those elements: `t.xs.filter(lambda v: v > 10)`)"
)


def array_elements_compared(failure: Failure) -> Diagnosis | None:
    """``(t.waits > 10).all()``: pandas compares a list's elements; an Ibis array column
    is one value, compared element by element with ``map`` (advice alone where the code
    does not say whether all or any must hold)."""
    text = str(failure.error)
    if "are not comparable" not in text or ":array<" not in text:
        return None
    namespace = failure.namespace
    rewritten = node_rewrite(
        failure.code,
        "nested data",
        ELEMENTS_COMPARED,
        lambda node, code: _each_element_compared(node, code, namespace),
    )
    nodes = list(ast.walk(tree)) if (tree := parse(failure.code)) else []
    # ``arr[arr > 0]`` and ``arr.filter(arr > 0)`` are :func:`element_function`'s
    elements = {id(n.slice) for n in nodes if isinstance(n, ast.Subscript)} | {
        id(argument)
        for n in nodes
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
        if isinstance(value_of(n.func.value, namespace), ir.ArrayValue)
        for argument in n.args
    }
    ordered = any(_ordering_of_array(n, namespace) for n in nodes if id(n) not in elements)
    return rewritten or (Diagnosis("nested data", ELEMENTS_COMPARED) if ordered else None)


def struct_iteration(failure: Failure) -> Diagnosis | None:
    """``[t.s[k] for k in t.s]``: Python loops over a dict's keys; a struct column is no
    dict, and its field names are ``t.s.names``."""
    if not re.match(r"^'Struct\w+' object is not iterable", str(failure.error)):
        return None
    looped = looped_places(failure.code)

    def render(node: ast.AST, code: str) -> str | None:
        struct = position(node) in looped and isinstance(
            value_of(node, failure.namespace), ir.StructValue
        )
        return f"{source_of(node, code)}.names" if struct else None

    return node_rewrite(
        failure.code,
        "nested data",
        "a struct column is not iterable (it is no dict): its field names are `t.s.names`, "
        "`[t.s[k] for k in t.s.names]`",
        render,
    )


def _map_of_columns(call: ast.Call, code: str) -> str | None:
    """``ibis.map({"kwh": t.a, "peak": t.b})`` → ``ibis.map(["kwh", "peak"],
    ibis.array([t.a, t.b]))``: a dict is read as literal values only."""
    if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Dict):
        return None
    pairs = call.args[0]
    keys = [string_value(key) if key is not None else None for key in pairs.keys]
    if not keys or None in keys or all(isinstance(v, ast.Constant) for v in pairs.values):
        return None
    values = ", ".join(source_of(value, code) for value in pairs.values)
    return f"{source_of(call.func, code)}({keys!r}, ibis.array([{values}]))"


def map_of_columns(failure: Failure) -> Diagnosis | None:
    """``ibis.map({...})`` of columns: a map of expressions is built from its keys and an
    array of its values."""
    if "Unable to infer datatype" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "nested data",
        "`ibis.map({...})` reads a dict of literal values; a map of columns is built from "
        'its keys and an array of its values, `ibis.map(["a", "b"], ibis.array([t.a, t.b]))`',
        ("map",),
        _map_of_columns,
    )


RULES = (
    dotted_struct_field,
    list_methods_on_array,
    map_of_columns,
    json_as_predicate,
    struct_iteration,
    array_compared_to_element,
    array_elements_compared,
    polars_list_namespace,
    parsed_json,
    arrays_as_python_sets,
    lift_in_projection,
    flatten_for_explode,
    array_set_operator,
    element_function,
    keyed_attribute,
    json_in_arithmetic,
    json_compared,
    struct_field,
    struct_method,
    unnest_or_unpack,
)
