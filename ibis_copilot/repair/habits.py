"""Rules for mistakes read off Ibis's own raise sites that the first rules did not cover:
SQL strings where Ibis takes expressions, casts to type names Ibis does not know,
``len(table)``, ``rename`` with the mapping the wrong way round, selectors passed without
being called, ``cases`` given a list or a dict, set operations of tables whose columns are
named differently, join kinds and ``distinct(keep=False)`` in pandas' words.

Each rule answers a :class:`Failure` with a :class:`Diagnosis` and its edit, or None.
"""

from __future__ import annotations

import ast
import difflib
import inspect
import re
import types

import ibis
import ibis.expr.datatypes as dt
import ibis.selectors

from ibis_copilot.repair import rewrite, sql_strings, translate
from ibis_copilot.repair.edits import (
    called_name,
    calls_to,
    elements,
    parse,
    position,
    replace_each_call,
    string_value,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import IDENTIFIER, rewrite_nodes, source_of

MISSING_NAME = re.compile(r"Column (?:'([^']+)'|\"([^\"]+)\") is not found in table")


def _missing_name(failure: Failure) -> str | None:
    """The name in Ibis's "Column '...' is not found in table" (either quote)."""
    match = MISSING_NAME.search(str(failure.error))
    return (match.group(1) or match.group(2)) if match else None


# -- SQL written as strings ------------------------------------------------------------------

#: Methods whose string arguments are column names, and how SQL in them is rewritten.
SQL_IN_STRINGS = ("order_by", "select", "group_by", "filter", "drop")


def _sql_call(call: ast.Call, text: str) -> list[str] | None:
    """The Ibis arguments that replace the SQL ``text`` in ``call``."""
    method = called_name(call)
    if method == "order_by":
        return sql_strings.order_keys(text)
    if method in {"select", "group_by", "drop"}:
        return sql_strings.select_items(text)
    function = call.func
    table = "ibis._"
    if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
        table = function.value.id
    predicate = sql_strings.condition(text, table)
    return [predicate] if predicate is not None else None


def sql_string(failure: Failure) -> Diagnosis | None:
    """``order_by("total desc")``, ``select("a, b")``, ``filter("a > 1 AND b = 'x'")``."""
    text = _missing_name(failure)
    if text is None or not sql_strings.looks_like_sql(text):
        return None
    tree = parse(failure.code)
    if tree is None:
        return None
    replacements: dict[tuple[int, int], str] = {}
    for call in calls_to(tree, *SQL_IN_STRINGS):
        arguments = [*call.args, *(elements(call.args[0]) or [] if call.args else [])]
        for argument in arguments:
            if string_value(argument) == text:
                written = _sql_call(call, text)
                if written:
                    replacements[(argument.lineno, argument.col_offset)] = ", ".join(written)
    if not replacements:
        return None

    def wanted(node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) and (node.lineno, node.col_offset) in replacements

    def render(node: ast.AST, _code: str) -> str:
        return replacements[(getattr(node, "lineno", 0), getattr(node, "col_offset", 0))]

    return Diagnosis(
        "sql habit",
        f"`{text!r}` is SQL, and Ibis reads a string as one column name: write it as Ibis "
        "expressions (`ibis.desc('col')` for `col DESC`, `t.a > 1` for a condition, one "
        "string per column)",
        lambda code: rewrite_nodes(code, wanted, render),
    )


# -- casts to type names Ibis does not know ------------------------------------------------

#: Type names from SQL, pandas and NumPy, written as Ibis names. Integers and floats take
#: Ibis's own widths for its generic names (``int`` is int64, ``float`` float64).
TYPE_NAMES = {
    "integer": "int64",
    "int4": "int32",
    "long": "int64",
    "number": "float64",
    "numeric": "decimal",
    "real": "float32",
    "double precision": "float64",
    "text": "string",
    "varchar": "string",
    "nvarchar": "string",
    "object": "string",
    "category": "string",
    "datetime": "timestamp",
    "datetime64": "timestamp",
    "datetime64[ns]": "timestamp",
    "timestamp without time zone": "timestamp",
    "timestamptz": "timestamp('UTC')",
    "timestamp with time zone": "timestamp('UTC')",
    "bytea": "binary",
    "blob": "binary",
}


def ibis_type_name(name: str) -> str | None:
    """The Ibis spelling of a type name Ibis does not parse: from the table above, else
    from DuckDB's SQL type names (``bigint`` → int64, ``smallint`` → int16)."""
    plain = re.sub(r"\[pyarrow\]$", "", name.strip())
    if plain != name:
        return plain if _unknown_type_name(plain) is None else ibis_type_name(plain)
    zone = re.fullmatch(r"datetime64\[\w+,\s*([\w/]+)\]", plain)
    if zone:
        return f"timestamp({zone.group(1)!r})"
    known = TYPE_NAMES.get(plain.lower())
    if known is not None:
        return known
    from ibis.backends.sql.datatypes import DuckDBType

    try:
        parsed = DuckDBType.from_string(name)
    except Exception:  # noqa: BLE001 - not a SQL type either
        return None
    return None if isinstance(parsed, dt.Unknown) else str(parsed)


def _unknown_type_name(name: str) -> str | None:
    """``name`` when Ibis cannot parse it as a type, else None."""
    try:
        dt.dtype(name)
    except Exception:  # noqa: BLE001 - exactly what this looks for
        return name
    return None


def _unknown_type(node: ast.AST) -> str | None:
    name = string_value(node)
    return _unknown_type_name(name) if name is not None else None


def cast_type_name(failure: Failure) -> Diagnosis | None:
    """``col.cast("integer")``: the type named as Ibis names it (``"int64"``)."""
    text = str(failure.error)
    if "DataType" not in text and "Cast(" not in text:
        return None
    tree = parse(failure.code)
    names = {
        name: ibis_type_name(name)
        for call in (tree and calls_to(tree, "cast")) or []
        if call.args and (name := _unknown_type(call.args[0]))
    }
    names = {old: new for old, new in names.items() if new}
    if not names:
        return None

    def wanted(node: ast.AST) -> bool:
        return string_value(node) in names

    def render(node: ast.AST, code: str) -> str:
        return repr(names.get(string_value(node) or "", source_of(node, code)))

    said = ", ".join(f'`"{old}"` is `"{new}"`' for old, new in names.items())
    return Diagnosis(
        "types",
        f"Ibis does not know that type name: {said} in Ibis (see `ibis.dtype`)",
        lambda code: rewrite_nodes(code, wanted, render),
    )


# -- pandas and Python habits --------------------------------------------------------------


def len_of_table(failure: Failure) -> Diagnosis | None:
    """``len(t)``: Ibis counts rows with ``t.count()`` (a query)."""
    if "Use .count() instead" not in str(failure.error):
        return None
    tables = failure.table_names

    def wanted(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "len"
            and len(node.args) == 1
            and any(isinstance(n, ast.Name) and n.id in tables for n in ast.walk(node.args[0]))
        )

    def render(node: ast.AST, code: str) -> str:
        assert isinstance(node, ast.Call)  # noqa: S101 - only wanted calls
        table = node.args[0]
        simple = isinstance(table, ast.Name | ast.Attribute | ast.Call | ast.Subscript)
        text = source_of(table, code)
        return f"{text if simple else f'({text})'}.count()"

    return Diagnosis(
        "pandas habit",
        "`len()` of an Ibis table is not known without running a query: "
        "`t.count()` is an expression of the row count (`.execute()` it for the number)",
        lambda code: rewrite_nodes(code, wanted, render),
    )


def _reversed_rename(call: ast.Call, code: str, missing: str, columns: set[str]) -> str | None:
    """``t.rename({"old": "new"})`` when ``new`` is the missing name and ``old`` a column."""
    table = call.func.value if isinstance(call.func, ast.Attribute) else None
    if table is None:
        return None
    prefix = f"{source_of(table, code)}.rename"
    if len(call.args) == 1 and not call.keywords and isinstance(call.args[0], ast.Dict):
        mapping = call.args[0]
        keys = [string_value(key) for key in mapping.keys]
        values = [string_value(value) for value in mapping.values]
        if missing in values and all(key in columns for key in keys if key is not None):
            return f"{prefix}({translate.flipped(mapping, code)})"
    pairs = [(k.arg, string_value(k.value)) for k in call.keywords]
    if not call.args and pairs and any(value == missing for _, value in pairs):
        flipped = [(value, name) for name, value in pairs]
        if all(new and IDENTIFIER.match(new) and old in columns for new, old in flipped):
            return f"{prefix}({', '.join(f'{new}={old!r}' for new, old in flipped)})"
    return None


def rename_reversed(failure: Failure) -> Diagnosis | None:
    """``rename({"old": "new"})`` (pandas' direction): Ibis maps new name → old name."""
    missing = _missing_name(failure)
    if missing is None:
        return None
    columns = {c for table in failure.tables.values() for c in table.columns}
    tree = parse(failure.code)
    if tree is None or not any(
        _reversed_rename(call, failure.code, missing, columns) for call in calls_to(tree, "rename")
    ):
        return None
    return Diagnosis(
        "pandas habit",
        f"`rename` maps new name → old name in Ibis (pandas maps old → new): `{missing}` "
        "is the new name, so it goes first: `t.rename({'new': 'old'})`",
        lambda code: replace_each_call(
            code, ("rename",), lambda call, text: _reversed_rename(call, text, missing, columns)
        ),
    )


def _grouped_column(node: ast.AST) -> bool:
    """``x.group_by(...)["col"]``."""
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Call)
        and called_name(node.value) == "group_by"
        and IDENTIFIER.match(string_value(node.slice) or "") is not None
    )


def grouped_subscript(failure: Failure) -> Diagnosis | None:
    """pandas' ``t.groupby(k)["col"].sum()``: Ibis's grouped column is ``.col``
    (``t.group_by(k).col.sum()``, or ``t.group_by(k).agg(total=t.col.sum())``)."""
    missing = _missing_name(failure)
    tree = parse(failure.code)
    if missing is None or tree is None:
        return None
    found = [n for n in ast.walk(tree) if _grouped_column(n)]
    if not any((string_value(getattr(n, "slice", None)) or "")[:1] == missing for n in found):
        return None

    def render(node: ast.AST, code: str) -> str:
        assert isinstance(node, ast.Subscript)  # noqa: S101 - only wanted nodes
        return f"{source_of(node.value, code)}.{string_value(node.slice)}"

    return Diagnosis(
        "pandas habit",
        "a grouped table takes columns as attributes, not `[...]`: "
        "`t.group_by(k).col.sum()` or `t.group_by(k).agg(total=t.col.sum())`",
        lambda code: rewrite_nodes(code, _grouped_column, render),
    )


def rename_columns_keyword(failure: Failure) -> Diagnosis | None:
    """pandas' ``rename(columns={...})``: Ibis takes the mapping itself, new → old."""
    if not isinstance(failure.error, TypeError) or "unhashable type: 'dict'" not in str(
        failure.error
    ):
        return None
    if replace_each_call(failure.code, ("rename",), translate.rename_columns_call) is None:
        return None
    return Diagnosis(
        "pandas habit",
        "`rename(columns={old: new})` is pandas; Ibis takes the mapping itself, new name → "
        "old name: `t.rename({'new': 'old'})`",
        lambda code: replace_each_call(code, ("rename",), translate.rename_columns_call),
    )


#: pandas' names of reductions in ``agg({"col": "sum"})``, and Ibis's methods.
REDUCTION_NAMES = {
    "sum": "sum",
    "mean": "mean",
    "avg": "mean",
    "average": "mean",
    "median": "median",
    "min": "min",
    "max": "max",
    "count": "count",
    "nunique": "nunique",
    "std": "std",
    "var": "var",
    "first": "first",
    "last": "last",
    "any": "any",
    "all": "all",
}


def _aggregate_dict(call: ast.Call, code: str) -> str | None:
    """``agg({"a": "sum", "b": ["min", "max"]})`` → ``agg(a=t.a.sum(), b_min=..., ...)``."""
    if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Dict):
        return None
    function = call.func
    if not isinstance(function, ast.Attribute):
        return None
    names = [n.id for n in ast.walk(function.value) if isinstance(n, ast.Name)]
    table = names[0] if names and names[0] != "ibis" else "ibis._"
    parts = []
    mapping = call.args[0]
    for key, value in zip(mapping.keys, mapping.values, strict=True):
        column = string_value(key)
        items = elements(value)
        methods = [string_value(item) for item in items] if items is not None else None
        if methods is None:
            methods = [string_value(value)]
        if column is None or not IDENTIFIER.match(column) or None in methods:
            return None
        for method in methods:
            reduction = REDUCTION_NAMES.get(method or "")
            if reduction is None:
                return None
            name = column if len(methods) == 1 else f"{column}_{method}"
            parts.append(f"{name}={table}.{column}.{reduction}()")
    return f"{source_of(function, code)}({', '.join(parts)})"


def aggregate_dict(failure: Failure) -> Diagnosis | None:
    """pandas' ``agg({"col": "sum"})``: Ibis takes named reductions, ``agg(col=t.col.sum())``."""
    if _missing_name(failure) is None:
        return None
    if replace_each_call(failure.code, ("agg", "aggregate"), _aggregate_dict) is None:
        return None
    return Diagnosis(
        "pandas habit",
        "`agg({'col': 'sum'})` is pandas; Ibis takes named reductions: `agg(col=t.col.sum())`",
        lambda code: replace_each_call(code, ("agg", "aggregate"), _aggregate_dict),
    )


def replace_with_mapping(failure: Failure) -> Diagnosis | None:
    """pandas' ``col.replace({old: new})``: Ibis's ``col.substitute({old: new})``."""
    if "missing 1 required positional argument: 'replacement'" not in str(failure.error):
        return None
    if replace_each_call(failure.code, ("replace",), translate.substitute_call) is None:
        return None
    return Diagnosis(
        "pandas habit",
        "`replace` with a mapping is pandas; in Ibis it is `col.substitute({old: new})` "
        "(`col.replace(old, new)` replaces text inside strings)",
        lambda code: replace_each_call(code, ("replace",), translate.substitute_call),
    )


# -- methods used without calling them ------------------------------------------------------

UNCALLED_OPERAND = re.compile(r"unsupported operand type\(s\) for .*'method'")


def _uncalled_methods(code: str, tables: dict[str, ibis.Table]) -> list[ast.Attribute]:
    """``t.col.year`` where ``year`` is a method of the column, not called."""
    tree = parse(code)
    if tree is None:
        return []
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in called:
            continue
        owner = node.value
        if not (isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name)):
            continue
        table = tables.get(owner.value.id)
        if table is None or owner.attr not in table.columns:
            continue
        if inspect.ismethod(getattr(table[owner.attr], node.attr, None)):
            found.append(node)
    return found


def method_in_expression(failure: Failure) -> Diagnosis | None:
    """``2024 - t.birth_date.year``: the method itself, not its value, in arithmetic."""
    if not isinstance(failure.error, TypeError) or not UNCALLED_OPERAND.search(str(failure.error)):
        return None
    tables = failure.tables
    found = _uncalled_methods(failure.code, tables)
    if not found:
        return None
    shown = source_of(found[0], failure.code)
    column = found[0].value
    temporal = False
    if isinstance(column, ast.Attribute) and isinstance(column.value, ast.Name):
        temporal = tables[column.value.id][column.attr].type().is_temporal()

    def fix(code: str) -> str | None:
        targets = {source_of(node, code) for node in _uncalled_methods(code, tables)}

        def wanted(node: ast.AST) -> bool:
            return isinstance(node, ast.Attribute) and source_of(node, code) in targets

        return rewrite_nodes(code, wanted, lambda node, text: f"{source_of(node, text)}()")

    return Diagnosis(
        "dates and intervals" if temporal else "wrong argument",
        f"`{shown}` is a method: call it, `{shown}()`, to get its value",
        fix,
    )


def _named_positionally(call: ast.Call, code: str) -> str | None:
    """``mutate("name", expr)`` → ``mutate(name=expr)`` (pairs of name and value)."""
    arguments = call.args
    names = [string_value(argument) for argument in arguments[::2]]
    if len(arguments) < 2 or len(arguments) % 2 or None in names or call.keywords:
        return None
    if not all(IDENTIFIER.match(name or "") for name in names):
        return None
    values = [source_of(argument, code) for argument in arguments[1::2]]
    pairs = ", ".join(f"{name}={value}" for name, value in zip(names, values, strict=True))
    return f"{source_of(call.func, code)}({pairs})"


def mutate_name_by_position(failure: Failure) -> Diagnosis | None:
    """``t.mutate("new", expr)`` (PySpark's ``withColumn`` order): Ibis names a new column
    by keyword, ``t.mutate(new=expr)``."""
    missing = _missing_name(failure)
    tree = parse(failure.code)
    if missing is None or tree is None:
        return None
    calls = [
        call
        for call in calls_to(tree, "mutate")
        if any(string_value(a) == missing for a in call.args[::2])
        and _named_positionally(call, failure.code)
    ]
    if not calls:
        return None
    return Diagnosis(
        "wrong argument",
        f"`{missing}` is the new column's name: `mutate` takes it as a keyword, "
        f"`t.mutate({missing}=expression)`",
        lambda code: replace_each_call(code, ("mutate",), _named_positionally),
    )


# -- struct fields --------------------------------------------------------------------------

#: Dict-like ways to read one field of a struct, and Ibis's ``s["field"]``.
FIELD_GETTERS = frozenset({"get", "field"})


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
    if not isinstance(failure.error, AttributeError) or name not in FIELD_GETTERS | {"unpack"}:
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
        f"a struct column has no `.{name}()`: read a field as `t.s.field_name` or "
        "`t.s['field_name']`; all fields as columns: `t.unpack('s')`",
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


# -- arguments Ibis reads differently ------------------------------------------------------


def _selector_aliases(failure: Failure) -> set[str]:
    """Names the code or the namespace gives the ``ibis.selectors`` module."""
    aliases = {
        name
        for name, value in failure.namespace.items()
        if isinstance(value, types.ModuleType) and value is ibis.selectors
    }
    aliases |= set(re.findall(r"import\s+ibis\.selectors\s+as\s+(\w+)", failure.code))
    return aliases


def _takes_no_arguments(name: str) -> bool:
    function = getattr(ibis.selectors, name, None)
    if not callable(function) or isinstance(function, type):
        return False
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    optional = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return all(p.default is not p.empty or p.kind in optional for p in parameters)


def selector_not_called(failure: Failure) -> Diagnosis | None:
    """``t.select(s.numeric)``: a selector is made by calling it, ``s.numeric()``."""
    if not isinstance(failure.error, TypeError):
        return None
    aliases = _selector_aliases(failure) | {"ibis.selectors"}
    tree = parse(failure.code)
    if tree is None:
        return None
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}

    def wanted(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and id(node) not in called
            and source_of(node.value, failure.code) in aliases
            and _takes_no_arguments(node.attr)
        )

    found = [node for node in ast.walk(tree) if wanted(node)]
    if not found:
        return None
    shown = source_of(found[0], failure.code)

    def fix(code: str) -> str | None:
        tree = parse(code)
        calls = (
            {position(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)} if tree else set()
        )

        def uncalled(node: ast.AST) -> bool:
            return (
                isinstance(node, ast.Attribute)
                and position(node) not in calls
                and source_of(node.value, code) in aliases
                and _takes_no_arguments(node.attr)
            )

        return rewrite_nodes(code, uncalled, lambda node, text: f"{source_of(node, text)}()")

    return Diagnosis(
        "wrong argument",
        f"`{shown}` is the function that makes a selector: call it, `{shown}()`",
        fix,
    )


def _cases_arguments(call: ast.Call, code: str) -> str | None:
    """``cases([(c, v), ...])`` or ``cases({v: r, ...})`` → ``cases((c, v), ...)``."""
    if len(call.args) != 1:
        return None
    given = call.args[0]
    pairs: list[str] | None = None
    if isinstance(given, ast.Dict) and None not in given.keys:
        pairs = [
            f"({source_of(key, code)}, {source_of(value, code)})"
            for key, value in zip(given.keys, given.values, strict=True)
            if key is not None
        ]
    elif isinstance(given, ast.List) and all(isinstance(item, ast.Tuple) for item in given.elts):
        pairs = [source_of(item, code) for item in given.elts]
    if not pairs:
        return None
    rest = [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k.arg is not None]
    return f"{source_of(call.func, code)}({', '.join(pairs + rest)})"


def _cases_flat(call: ast.Call, code: str) -> str | None:
    """``ibis.cases(cond, value[, cond, value...][, default])`` → tuples and ``else_=``."""
    arguments = call.args
    if len(arguments) < 2 or any(isinstance(a, ast.Tuple | ast.List | ast.Dict) for a in arguments):
        return None
    texts = [source_of(argument, code) for argument in arguments]
    pairs = [f"({texts[i]}, {texts[i + 1]})" for i in range(0, len(texts) - 1, 2)]
    rest = [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k.arg is not None]
    if len(texts) % 2:
        if any(k.arg == "else_" for k in call.keywords):
            return None
        rest.append(f"else_={texts[-1]}")
    return f"{source_of(call.func, code)}({', '.join(pairs + rest)})"


def _cases_chain(call: ast.Call, code: str) -> str | None:
    """``ibis.cases(...).else_(d).end()`` (the old builder's ending) → ``cases(..., else_=d)``."""
    function = call.func
    if not isinstance(function, ast.Attribute) or function.attr not in {"else_", "end"}:
        return None
    inner = function.value
    default = call.args[0] if function.attr == "else_" and len(call.args) == 1 else None
    if function.attr == "end" and isinstance(inner, ast.Call):
        nested = inner.func
        if isinstance(nested, ast.Attribute) and nested.attr == "else_" and len(inner.args) == 1:
            default, inner = inner.args[0], nested.value
    if not (isinstance(inner, ast.Call) and called_name(inner) == "cases"):
        return None
    parts = [source_of(argument, code) for argument in inner.args]
    parts += [f"{k.arg}={source_of(k.value, code)}" for k in inner.keywords if k.arg]
    if default is not None:
        parts.append(f"else_={source_of(default, code)}")
    return f"{source_of(inner.func, code)}({', '.join(parts)})"


def _fixed_cases(code: str) -> str | None:
    fixed = code
    for names, translator in (
        (("cases",), _cases_arguments),
        (("cases",), _cases_flat),
        (("else_", "end"), _cases_chain),
    ):
        fixed = replace_each_call(fixed, names, translator) or fixed
    return fixed if fixed != code else None


def cases_arguments(failure: Failure) -> Diagnosis | None:
    """``ibis.cases`` / ``col.cases`` take each case as its own ``(condition, value)``
    argument, not one list or dict."""
    if _fixed_cases(failure.code) is None or isinstance(failure.error, NameError):
        return None
    if isinstance(failure.error, AttributeError) and not re.search(
        r"no attribute '(else_|end)'", str(failure.error)
    ):
        return None
    return Diagnosis(
        "wrong argument",
        "`cases` takes each case as its own `(condition, value)` argument and the default as "
        "`else_=`: `ibis.cases((condition, value), ..., else_=default)` "
        "(`col.cases((value, result), ...)`), not one list or dict, nor `.else_().end()`",
        _fixed_cases,
    )


def _isin_scalar(call: ast.Call, code: str) -> str | None:
    """``col.isin("a")`` → ``col.isin(["a"])``."""
    if len(call.args) != 1 or not isinstance(call.args[0], ast.Constant) or call.keywords:
        return None
    return f"{source_of(call.func, code)}([{source_of(call.args[0], code)}])"


def isin_scalar(failure: Failure) -> Diagnosis | None:
    """``isin`` / ``notin`` of one value: they take a list (or a column)."""
    if "InValues(" not in str(failure.error):
        return None
    if replace_each_call(failure.code, ("isin", "notin"), _isin_scalar) is None:
        return None
    return Diagnosis(
        "wrong argument",
        "`isin` takes a list of values (or a column of another table): `col.isin(['a'])`; "
        "for one value, `col == 'a'`",
        lambda code: replace_each_call(code, ("isin", "notin"), _isin_scalar),
    )


JOIN_KIND = re.compile(r"JoinLink\('(\w+)'")


def join_kind(failure: Failure) -> Diagnosis | None:
    """``how="full"``: Ibis's join kinds are inner, left, right, outer, semi, anti, ..."""
    match = JOIN_KIND.search(str(failure.error))
    if match is None or match.group(1).lower() not in translate.JOIN_KINDS:
        return None
    kind = translate.JOIN_KINDS[match.group(1).lower()]
    return Diagnosis(
        "wrong argument",
        f"`how={match.group(1)!r}` is not an Ibis join kind; Ibis calls it `how={kind!r}`",
        lambda code: replace_each_call(code, ("join",), translate.join_kind),
    )


def distinct_keep(failure: Failure) -> Diagnosis | None:
    """``distinct(keep=False)``: pandas' False is Ibis's None (drop every duplicate)."""
    if "Invalid value for `keep`" not in str(failure.error):
        return None
    return Diagnosis(
        "wrong argument",
        "`keep=` takes 'first', 'last' or None; None drops every duplicated row, as pandas' "
        "`keep=False` does",
        lambda code: replace_each_call(code, ("distinct",), translate.distinct_call),
    )


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


def set_operation(failure: Failure) -> Diagnosis | None:
    """``a.union(b)`` with columns named (or typed) differently: ``b``'s columns renamed to
    ``a``'s position by position (the SQL way), and cast where the types differ."""
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
                written[index] = _aligned(first, schema, operands[index], code) or written[index]
        written += [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k.arg]
        return f"{source_of(function, code)}({', '.join(written[prefix:])})"

    fix = replace_each_call(failure.code, SET_OPERATIONS, align)
    advice = (
        "set operations match columns by name and type: rename the second table's columns "
        "to the first's (`b.rename(new='old')`) and cast where the types differ"
    )
    if fix is None:
        return Diagnosis("set operations", advice)
    return Diagnosis(
        "set operations",
        advice + "; the proposed fix renames position by position, as SQL's UNION does",
        lambda code: replace_each_call(code, SET_OPERATIONS, align),
    )


RULES = (
    sql_string,
    cast_type_name,
    len_of_table,
    rename_reversed,
    rename_columns_keyword,
    grouped_subscript,
    aggregate_dict,
    mutate_name_by_position,
    replace_with_mapping,
    method_in_expression,
    struct_field,
    struct_method,
    isin_scalar,
    selector_not_called,
    cases_arguments,
    join_kind,
    distinct_keep,
    set_operation,
)
