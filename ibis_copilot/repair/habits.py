"""Rules for pandas and SQL habits read off Ibis's own raise sites, beyond the first
categories: SQL strings where Ibis takes expressions, casts to type names Ibis does not
know, ``len(table)``, ``rename`` with the mapping the wrong way round, pandas'
``groupby()["col"]``, ``agg({...})`` and ``replace({...})``, methods used as values, a new
column named by position. Struct columns, arguments and set operations have their own
modules (:mod:`~ibis_copilot.repair.structs`, :mod:`~ibis_copilot.repair.arguments`,
:mod:`~ibis_copilot.repair.set_operations`).

Each rule answers a :class:`Failure` with a :class:`Diagnosis` and its edit, or None.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Mapping
from keyword import iskeyword

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import ibis.selectors

from ibis_copilot.expressions.compile import closest_dialect, valid_dialects
from ibis_copilot.repair import sql_strings, translate
from ibis_copilot.repair.edits import (
    REDUCTIONS,
    call_rewrite,
    called_name,
    calls_to,
    elements,
    keyword,
    matching_calls,
    parse,
    position,
    replace_each_call,
    string_items,
    string_value,
    value_of,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import (
    IDENTIFIER,
    owner_source,
    rewrite_at,
    rewrite_nodes,
    rewrite_rendered,
    source_of,
)

MISSING_NAME = re.compile(r"Column (?:'([^']+)'|\"([^\"]+)\") is not found in table")


def _missing_name(failure: Failure) -> str | None:
    """The name in Ibis's "Column '...' is not found in table" (either quote)."""
    match = MISSING_NAME.search(str(failure.error))
    return (match.group(1) or match.group(2)) if match else None


# -- SQL written as strings ------------------------------------------------------------------

#: Methods whose string arguments are column names, and how SQL in them is rewritten.
JOINS = ("join", *sorted(translate.KIND_JOINS))
SQL_IN_STRINGS = (
    "order_by", "select", "mutate", "group_by", "filter", "drop", "agg", "aggregate", *JOINS
)  # fmt: skip
#: ``sum(qty)`` in an aggregation: the name the measure gets (``sum_qty``).
SQL_MEASURE = re.compile(r"^\s*(\w+)\s*\(\s*(\w+|\*)\s*\)\s*$")


def _join_tables(call: ast.Call, namespace: Mapping[str, object]) -> dict[str, str]:
    """The names a join's SQL condition may qualify columns by (each table's variable, and
    its name in SQL), and the variable each stands for."""
    sides = [getattr(call.func, "value", None), call.args[0] if call.args else None]
    names: dict[str, str] = {}
    for side in sides:
        if isinstance(side, ast.Name):
            table = namespace.get(side.id)
            sql_name = table.get_name() if isinstance(table, ibis.Table) else side.id
            names |= {sql_name: side.id, side.id: side.id}
    return names


def _sql_call(call: ast.Call, text: str, namespace: Mapping[str, object]) -> list[str] | None:
    """The Ibis arguments that replace the SQL ``text`` in ``call``."""
    method = called_name(call)
    if method == "order_by":
        return sql_strings.order_keys(text)
    if method in JOINS:  # a condition on both tables, each named by its own variable
        tables = _join_tables(call, namespace)
        predicate = sql_strings.join_condition(text, tables)
        sides = set(tables.values())
        both = predicate is not None and all(f"{side}." in predicate for side in sides)
        return [predicate] if predicate is not None and both and len(sides) == 2 else None
    function = call.func
    table = "ibis._"
    if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
        table = function.value.id
    if method in {"select", "mutate", "group_by", "drop"}:
        return sql_strings.select_items(text, table)
    if method in {"agg", "aggregate"}:
        return _measures(text, table)
    predicate = sql_strings.condition(text, table)
    return [predicate] if predicate is not None else None


def _measures(text: str, table: str) -> list[str] | None:
    """``"sum(qty), count(*)"`` → ``sum_qty=ibis._.qty.sum(), count=ibis._.count()``."""
    items = sql_strings.select_items(text, table)
    parts = text.split(",")
    if items is None or len(items) != len(parts):
        return None
    named = []
    for item, part in zip(items, parts, strict=True):
        measure = SQL_MEASURE.match(part)
        if measure is None or ".name(" in item:
            named.append(item)
            continue
        function, column = measure.group(1).lower(), measure.group(2)
        named.append(f"{function if column == '*' else f'{function}_{column}'}={item}")
    return named


def sql_string(failure: Failure) -> Diagnosis | None:
    """``order_by("total desc")``, ``select("a, b")``, ``filter("a > 1 AND b = 'x'")``."""
    text = _missing_name(failure)
    if text is None or not sql_strings.looks_like_sql(text):
        return None
    tree = parse(failure.code)
    if tree is None:
        return None
    replacements: dict[tuple[int, int], str] = {}
    methods: list[str] = []
    for call in calls_to(tree, *SQL_IN_STRINGS):
        arguments = [*call.args, *(elements(call.args[0]) or [] if call.args else [])]
        for argument in arguments:
            if string_value(argument) == text:
                written = _sql_call(call, text, failure.namespace)
                if written:
                    replacements[(argument.lineno, argument.col_offset)] = ", ".join(written)
                    methods.append(f"{called_name(call)}({text!r})")
    keys = sql_strings.order_keys(text) or []
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)] if keys else []
    for call in calls:  # a window's ``order_by="score DESC"``
        given = keyword(call, "order_by")
        if given is not None and string_value(given) == text:
            where = (given.lineno, given.col_offset)
            replacements[where] = keys[0] if len(keys) == 1 else f"[{', '.join(keys)}]"
            methods.append(f"{called_name(call)}(order_by={text!r})")
    if not replacements:
        return None

    def wanted(node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) and (node.lineno, node.col_offset) in replacements

    def render(node: ast.AST, _code: str) -> str:
        return replacements[(getattr(node, "lineno", 0), getattr(node, "col_offset", 0))]

    return Diagnosis(
        "sql habit",
        f"`{methods[0]}`: `{text!r}` is SQL, and Ibis reads a string as one column "
        "name: write it as Ibis "
        "expressions (`ibis.desc('col')` for `col DESC`, `t.a > 1` for a condition, one "
        "string per column)",
        lambda code: rewrite_nodes(code, wanted, render),
    )


def _fields_star(call: ast.Call, code: str, struct: str) -> str | None:
    """``t.select("id", "specs.*")`` → ``t.select("id", "specs").unpack("specs")``."""
    starred = [a for a in call.args if string_value(a) == f"{struct}.*"]
    if len(starred) != 1 or not isinstance(call.func, ast.Attribute):
        return None
    kept = [repr(struct) if a is starred[0] else source_of(a, code) for a in call.args]
    kept += [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k.arg]
    return f"{source_of(call.func, code)}({', '.join(kept)}).unpack({struct!r})"


def struct_fields_star(failure: Failure) -> Diagnosis | None:
    """``t.select("specs.*")``: SQL's (and Spark's) every field of a struct; Ibis makes a
    struct's fields columns with ``unpack``."""
    name = _missing_name(failure) or ""
    if not name.endswith(".*"):
        return None
    struct = name[:-2]
    return call_rewrite(
        failure.code,
        "nested data",
        f"`{name}` is SQL's every field of a struct; Ibis makes the fields columns with "
        f"`unpack`: `t.select('id', {struct!r}).unpack({struct!r})` (`lift()` gives only the "
        "fields)",
        ("select",),
        lambda call, code: _fields_star(call, code, struct),
    )


def star_column(failure: Failure) -> Diagnosis | None:
    """``t.select("*", x=...)``: SQL's star is every column; Ibis's is ``s.all()``."""
    tree = parse(failure.code)
    if _missing_name(failure) != "*" or tree is None:
        return None
    stars = {
        position(argument)
        for call in calls_to(tree, "select", "group_by")
        for argument in call.args
        if string_value(argument) == "*"
    }

    def star(node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) and position(node) in stars

    return Diagnosis(
        "sql habit",
        "`\"*\"` is SQL's star; Ibis reads a string as one column's name: every column is "
        "`ibis.selectors.all()` (`s.all()`), and new columns beside all the others are "
        "`t.mutate(...)`",
        lambda code: rewrite_nodes(code, star, lambda _node, _code: "ibis.selectors.all()"),
    )


#: Table methods that give a table back: what ``.cast(...)`` after them is called on.
TABLE_RESULTS = frozenset(
    {"select", "mutate", "filter", "drop", "order_by", "limit", "head", "distinct", "rename",
     "relocate", "drop_null", "fill_null", "view", "sql", "table"}
)  # fmt: skip


def _every_column_cast(call: ast.Call, code: str, namespace: Mapping[str, object]) -> str | None:
    """``t.cast("string")`` → ``t.mutate(ibis.selectors.across(ibis.selectors.all(),
    lambda c: c.cast("string")))``: one type for every column of a table (``try_cast``
    alike)."""
    target = string_value(call.args[0]) if len(call.args) == 1 and not call.keywords else None
    table = call.func.value if isinstance(call.func, ast.Attribute) else None
    if target is None or table is None:
        return None
    is_table = isinstance(value_of(table, namespace), ibis.Table) or (
        isinstance(table, ast.Call) and called_name(table) in TABLE_RESULTS
    )
    if not is_table:
        return None
    method = called_name(call)
    every = f"ibis.selectors.across(ibis.selectors.all(), lambda c: c.{method}({target!r}))"
    return f"{source_of(table, code)}.mutate({every})"


def table_cast_to_one_type(failure: Failure) -> Diagnosis | None:
    """``t.select("a", "b").cast("string")``: a table's ``cast`` (and ``try_cast``) takes a
    schema (a mapping of column to type), not one type for all."""
    if "not enough values to unpack" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "types and casts",
        "a table's `cast` takes a mapping of column to type, `t.cast({'a': 'string'})`; one "
        "type for every column is `t.mutate(s.across(s.all(), lambda c: c.cast('string')))`",
        ("cast", "try_cast"),
        lambda call, code: _every_column_cast(call, code, failure.namespace),
    )


def _named_aggregation(call: ast.Call, _code: str) -> str | None:
    """pandas' ``pd.NamedAgg(column="x", aggfunc="sum")`` → ``ibis._["x"].sum()``."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr != "NamedAgg":
        return None
    given = dict(zip(("column", "aggfunc"), call.args, strict=False))
    given |= {k.arg: k.value for k in call.keywords if k.arg}
    column, how = string_value(given.get("column")), string_value(given.get("aggfunc"))
    if column is None or how not in REDUCTION_NAMES or set(given) != {"column", "aggfunc"}:
        return None
    return f"ibis._[{column!r}].{REDUCTION_NAMES[how]}()"


def named_aggregation(failure: Failure) -> Diagnosis | None:
    """``agg(total=pd.NamedAgg(column="kg", aggfunc="sum"))``: pandas' named aggregation;
    Ibis names the reduction of the column itself."""
    if "NamedAgg(" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "pandas habit",
        "`pd.NamedAgg(column=..., aggfunc=...)` is pandas'; Ibis's `agg` takes the reduction "
        "itself under its name: `agg(total=t.kg.sum())` (or `ibis._['kg'].sum()`)",
        ("NamedAgg",),
        _named_aggregation,
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
    # pyarrow's
    "date32": "date",
    "date64": "date",
    "utf8": "string",
    "large_string": "string",
    "large_utf8": "string",
    "bool_": "boolean",
    "halffloat": "float16",
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
    if re.fullmatch(r"datetime64\[(?:s|ms|us|ns)\]", plain):  # NumPy's units
        return "timestamp"
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


#: Names a selector's ``of_type`` does not parse that mean every numeric column.
NUMERIC_WORDS = frozenset({"number", "numbers", "numeric"})


def _type_arguments(tree: ast.Module) -> list[ast.expr]:
    """Where code names a type: ``cast("...")``, ``try_cast``, ``unwrap_as``,
    ``ibis.dtype("...")``, ``ibis.literal(x, type="...")``, ``s.of_type("...")``."""
    found: list[ast.expr] = [
        call.args[0]
        for call in calls_to(tree, "cast", "try_cast", "unwrap_as", "of_type", "dtype")
        if call.args
    ]
    return found + [
        value for call in calls_to(tree, "literal") if (value := keyword(call, "type")) is not None
    ]


def _numeric_selector(code: str) -> str | None:
    """``s.of_type("number")`` → ``s.numeric()``."""

    def wanted(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and called_name(node) == "of_type"
            and len(node.args) == 1
            and (string_value(node.args[0]) or "").lower() in NUMERIC_WORDS
        )

    def render(node: ast.AST, text: str) -> str:
        function = node.func if isinstance(node, ast.Call) else None
        owner = function.value if isinstance(function, ast.Attribute) else None
        return f"{source_of(owner, text)}.numeric()" if owner is not None else "s.numeric()"

    return rewrite_nodes(code, wanted, render)


def cast_type_name(failure: Failure) -> Diagnosis | None:
    """``col.cast("integer")``: the type named as Ibis names it (``"int64"``); also a
    literal's ``type=`` and a selector's ``of_type``, where ``"number"`` is ``s.numeric()``."""
    text = str(failure.error)
    parse_error = type(failure.error).__name__ == "ParseError"
    if "DataType" not in text and "Cast(" not in text and not parse_error:
        return None
    tree = parse(failure.code)
    unknown = {
        name for node in (_type_arguments(tree) if tree else []) if (name := _unknown_type(node))
    }
    if any(name.lower() in NUMERIC_WORDS for name in unknown) and _numeric_selector(failure.code):
        return Diagnosis(
            "types",
            "`s.of_type` takes an Ibis type (`int64`, `float64`, `string`...); every numeric "
            "column is `s.numeric()`",
            _numeric_selector,
        )
    names = {name: new for name in unknown if (new := ibis_type_name(name))}
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


def _grouped_reduction(node: ast.AST) -> bool:
    """``x.group_by(...)["col"].sum(...)``: a reduction of a grouped column."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in REDUCTION_NAMES.values()
        and _grouped_column(node.func.value)
    )


def _grouped_column_or_reduction(node: ast.AST) -> bool:
    return _grouped_reduction(node) or _grouped_column(node)


def _grouped_table(grouped: ast.AST, code: str) -> str:
    """The table ``x.group_by(...)`` groups, as ``agg`` can name its columns: ``x`` when
    it is a name, else the deferred ``ibis._``."""
    table = getattr(getattr(grouped, "func", None), "value", None)
    return source_of(table, code) if isinstance(table, ast.Name) else "ibis._"


def _render_grouped(node: ast.AST, code: str) -> str:
    """A grouped reduction as ``agg`` keeping the column's name, as pandas does
    (``x.group_by(k).agg(col=x.col.sum())``); a bare grouped column as ``.col``."""
    function = node.func if isinstance(node, ast.Call) else None
    subscript = function.value if isinstance(function, ast.Attribute) else node
    if not isinstance(subscript, ast.Subscript):
        return source_of(node, code)
    grouped, column = subscript.value, string_value(subscript.slice)
    if not (
        isinstance(node, ast.Call)
        and isinstance(function, ast.Attribute)
        and isinstance(grouped, ast.Call)
        and isinstance(grouped.func, ast.Attribute)
    ):
        return f"{source_of(grouped, code)}.{column}"
    arguments = ", ".join(source_of(a, code) for a in [*node.args, *node.keywords])
    reduction = f"{_grouped_table(grouped, code)}.{column}.{function.attr}({arguments})"
    return f"{source_of(grouped, code)}.agg({column}={reduction})"


def grouped_subscript(failure: Failure) -> Diagnosis | None:
    """pandas' ``t.groupby(k)["col"].sum()``: Ibis's grouped column is ``.col``; its
    reduction keeps the column's name, as in pandas, through ``agg``
    (``t.group_by(k).agg(col=t.col.sum())``; ``.col.sum()`` would name it ``sum(col)``)."""
    missing = _missing_name(failure)
    tree = parse(failure.code)
    if missing is None or tree is None:
        return None
    found = [n for n in ast.walk(tree) if _grouped_column(n)]
    if not any((string_value(getattr(n, "slice", None)) or "")[:1] == missing for n in found):
        return None
    return Diagnosis(
        "pandas habit",
        "a grouped table takes columns as attributes, not `[...]`: "
        "`t.group_by(k).col.sum()` or `t.group_by(k).agg(total=t.col.sum())`",
        lambda code: rewrite_nodes(code, _grouped_column_or_reduction, _render_grouped),
    )


#: pandas' counts of a group, and the column name pandas gives them.
GROUP_COUNTS = ("size", "count")


def _group_count(node: ast.AST) -> bool:
    """``x.group_by(k).size()`` / ``.count()``."""
    return (
        isinstance(node, ast.Call)
        and not node.args
        and not node.keywords
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in GROUP_COUNTS
        and isinstance(node.func.value, ast.Call)
        and called_name(node.func.value) == "group_by"
    )


def grouped_count_name(failure: Failure) -> Diagnosis | None:
    """pandas' ``t.groupby(k).size()`` then the column ``"size"``: Ibis names a grouped
    count after its expression (``CountStar(t)``); ``agg(size=t.count())`` names it."""
    missing = _missing_name(failure)
    tree = parse(failure.code)
    if missing not in GROUP_COUNTS or tree is None:
        return None
    counts = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _group_count(n)]
    if not any(called_name(n) == missing for n in counts):
        return None

    def render(node: ast.AST, code: str) -> str:
        grouped = getattr(getattr(node, "func", node), "value", node)
        name = called_name(node) if isinstance(node, ast.Call) else missing
        return f"{source_of(grouped, code)}.agg({name}={_grouped_table(grouped, code)}.count())"

    return Diagnosis(
        "pandas habit",
        f"a grouped `.{missing}()` names its column after the expression, not `{missing}`: "
        f"name the count, `t.group_by(k).agg({missing}=t.count())`",
        lambda code: rewrite_nodes(code, _group_count, render),
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


def _columns_known(node: ast.expr, namespace: Mapping[str, object]) -> list[str] | None:
    """The columns of ``t`` or of ``t.select("a", "b")``, known without running anything."""
    value = value_of(node, namespace)
    if isinstance(value, ibis.Table):
        return list(value.columns)
    if not isinstance(node, ast.Call) or called_name(node) != "select" or node.keywords:
        return None
    names = [string_value(argument) for argument in node.args]
    return [name for name in names if name] if names and None not in names else None


def _renamed_by_position(call: ast.Call, code: str, namespace: Mapping[str, object]) -> str | None:
    """``t.rename(["a", "b"])`` → ``t.rename(a="x", b="y")`` for the columns ``x``, ``y``."""
    if len(call.args) != 1 or call.keywords or not isinstance(call.func, ast.Attribute):
        return None
    given = [string_value(element) for element in elements(call.args[0]) or []]
    old = _columns_known(call.func.value, namespace)
    new = [name for name in given if name]
    if not new or old is None or len(new) != len(old) or len(new) != len(given):
        return None
    pairs = {name: column for name, column in zip(new, old, strict=True) if name != column}
    if all(name.isidentifier() and not iskeyword(name) for name in pairs):
        mapping = ", ".join(f"{name}={column!r}" for name, column in pairs.items())
    else:
        mapping = repr(pairs)
    return f"{source_of(call.func.value, code)}.rename({mapping})"


def rename_by_position(failure: Failure) -> Diagnosis | None:
    """``t.rename(["id", "name"])`` (pandas' ``df.columns = [...]``): Ibis renames by
    name, new name → old name, not by position."""
    if "'list' object is not callable" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "pandas habit",
        "`rename` takes no list of new names by position (pandas' `df.columns = [...]`); "
        "name each, new name → old name: `t.rename(id='batch_id', name='title')`",
        ("rename",),
        lambda call, code: _renamed_by_position(call, code, failure.namespace),
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
    tree = parse(failure.code) or ast.Module(body=[], type_ignores=[])
    method = "agg" if any(calls_to(tree, "agg")) else "aggregate"
    return Diagnosis(
        "pandas habit",
        f"`{method}({{'col': 'sum'}})` with a dict is pandas; Ibis takes named reductions: "
        f"`{method}(col=t.col.sum())`",
        lambda code: replace_each_call(code, ("agg", "aggregate"), _aggregate_dict),
    )


#: pandas' names of the reductions its ``agg("mean")`` applies to every numeric column
#: (not ``diagnose.NUMERIC_REDUCTIONS``, the Ibis reductions that need numbers).
AGG_OF_EVERY_NUMBER = frozenset(
    {"sum", "mean", "avg", "average", "median", "min", "max", "std", "var"}
)


def _reduction_by_name(call: ast.Call, code: str) -> str | None:
    """``t.agg("mean")`` → ``t.agg(ibis.selectors.across(ibis.selectors.numeric(),
    ibis._.mean()))``; a grouped table's string keys are left out of the columns."""
    name = string_value(call.args[0]) if len(call.args) == 1 and not call.keywords else None
    function = call.func
    if name not in AGG_OF_EVERY_NUMBER or not isinstance(function, ast.Attribute):
        return None
    columns = "ibis.selectors.numeric()"
    grouping = function.value
    if isinstance(grouping, ast.Call) and called_name(grouping) == "group_by":
        keys = [string_value(a) for a in grouping.args] if not grouping.keywords else [None]
        if not keys or None in keys:
            return None
        columns += f" & ~ibis.selectors.cols({', '.join(repr(k) for k in keys)})"
    reduction = f"ibis._.{REDUCTION_NAMES[name]}()"
    return f"{source_of(function, code)}(ibis.selectors.across({columns}, {reduction}))"


def _reductions_listed(code: str) -> list[str]:
    """The names of ``t.agg(["sum", "mean"])``'s list (pandas' reductions), else []."""
    tree = parse(code) or ast.Module(body=[], type_ignores=[])
    for call in calls_to(tree, "agg", "aggregate"):
        given = call.args[0] if len(call.args) == 1 else None
        names = string_items(given) if isinstance(given, ast.List | ast.Tuple) else None
        if names and set(names) <= AGG_OF_EVERY_NUMBER:
            return names
    return []


def _reductions_by_name(names: list[str]) -> Diagnosis:
    """Advice for pandas' ``agg(["sum", "mean"])``: which columns, and their names, are
    the user's call (pandas' answer has a column level per reduction)."""
    each = ", ".join(f"x_{n}=t.x.{REDUCTION_NAMES[n]}()" for n in names)
    across = ", ".join(f"{n!r}: ibis._.{REDUCTION_NAMES[n]}()" for n in names)
    return Diagnosis(
        "pandas habit",
        f"`agg({names!r})` is pandas' list of reductions for every numeric column; Ibis's "
        f"`agg` reads strings as column names: name each reduction, "
        f"`t.group_by(k).agg({each})`, or for every numeric column "
        f"`ibis.selectors.across(ibis.selectors.numeric(), {{{across}}})`",
    )


def reduction_by_name(failure: Failure) -> Diagnosis | None:
    """pandas' ``t.agg("mean")``: the reduction of every numeric column; Ibis looks for a
    column named ``mean``. Across the numeric columns with ``ibis.selectors.across``."""
    name = _missing_name(failure)
    if name not in AGG_OF_EVERY_NUMBER:
        return None
    listed = _reductions_listed(failure.code)
    if listed:
        return _reductions_by_name(listed)
    if replace_each_call(failure.code, ("agg", "aggregate"), _reduction_by_name) is None:
        return None
    return Diagnosis(
        "pandas habit",
        f"`agg({name!r})` is pandas' {name} of every numeric column; Ibis reads a string as "
        f"a column's name. Each numeric column's {name}: `t.agg(ibis.selectors.across("
        f"ibis.selectors.numeric(), ibis._.{REDUCTION_NAMES[name]}()))`",
        lambda code: replace_each_call(code, ("agg", "aggregate"), _reduction_by_name),
    )


def replace_with_mapping(failure: Failure) -> Diagnosis | None:
    """``col.replace({old: new})``: Ibis's ``replace`` takes one text and its replacement.
    Advice only: pandas' whole-value meaning (``substitute``) and a replace of text per
    pair are both meant (development batches: one wanted the first, two the second, and
    each fix was a wrong checked fix for the others)."""
    if "missing 1 required positional argument: 'replacement'" not in str(failure.error):
        return None
    tree = parse(failure.code) or ast.Module(body=[], type_ignores=[])
    if not any(c.args and isinstance(c.args[0], ast.Dict) for c in calls_to(tree, "replace")):
        return None
    return Diagnosis(
        "pandas habit",
        "`col.replace` takes one text and its replacement, not a mapping: to swap whole "
        "values as pandas' `replace({old: new})` does, `col.substitute({old: new})`; to "
        'replace text inside values, one call per pair, `col.replace("a", "b")'
        '.replace("c", "d")`',
    )


def _patterns_in_turn(call: ast.Call, code: str) -> str | None:
    """``s.re_replace({p1: r1, p2: r2})`` → ``s.re_replace(p1, r1).re_replace(p2, r2)``."""
    mapping = call.args[0] if len(call.args) == 1 and not call.keywords else None
    function = call.func
    if not isinstance(mapping, ast.Dict) or not isinstance(function, ast.Attribute):
        return None
    if any(key is None for key in mapping.keys):
        return None
    links = "".join(
        f".re_replace({source_of(key, code)}, {source_of(value, code)})"
        for key, value in zip(mapping.keys, mapping.values, strict=True)
        if key is not None
    )
    return f"{source_of(function.value, code)}{links}"


def patterns_as_mapping(failure: Failure) -> Diagnosis | None:
    """``col.re_replace({pattern: replacement, ...})``: one pattern and its replacement per
    call, applied in the mapping's order."""
    if "missing 1 required positional argument: 'replacement'" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "string method",
        "`re_replace` takes one pattern and its replacement: several are one call each, in "
        'order, `col.re_replace(r"a+", "b").re_replace(r"\\s+", " ")`',
        ("re_replace",),
        _patterns_in_turn,
    )


# -- methods used without calling them ------------------------------------------------------

#: An operator given a method itself (``~t.x.isnan``, ``t.d.year > 2020``, ``a.f - b.f``),
#: or an attribute asked of it (``t.x.type.is_decimal()``).
UNCALLED_OPERAND = re.compile(
    r"(unsupported operand type\(s\) for |bad operand type for unary |"
    r"not supported between instances of ).*'method'"
    r"|^'(?:method|function)' object has no attribute '\w+'"
)


def _uncalled_methods(code: str, namespace: Mapping[str, object]) -> list[ast.Attribute]:
    """``t.col.year``, ``avg.as_scalar``: a method of an expression, not called."""
    tree = parse(code)
    if tree is None:
        return []
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in called:
            continue
        owner = value_of(node.value, namespace)
        if owner is not None and inspect.ismethod(getattr(owner, node.attr, None)):
            found.append(node)
    return found


DEPRECATED = re.compile(r"^Deprecated - use `(\w+)`")


def _current_name(owner: object, name: str) -> str:
    """``name``, or the method Ibis's deprecation says to use instead (``to_array`` →
    ``as_scalar``): a deprecated method may no longer compile."""
    found = DEPRECATED.match(inspect.getdoc(getattr(owner, name, None)) or "")
    return found.group(1) if found and callable(getattr(owner, found.group(1), None)) else name


def method_in_expression(failure: Failure) -> Diagnosis | None:
    """``2024 - t.birth_date.year``: the method itself, not its value, in arithmetic."""
    if not isinstance(failure.error, TypeError | AttributeError):
        return None
    if not UNCALLED_OPERAND.search(str(failure.error)):
        return None
    namespace = failure.namespace
    found = _uncalled_methods(failure.code, namespace)
    if not found:
        return None
    shown = source_of(found[0], failure.code)
    owner = value_of(found[0].value, namespace)
    temporal = isinstance(owner, ibis.Value) and owner.type().is_temporal()

    def fix(code: str) -> str | None:
        targets = {source_of(node, code) for node in _uncalled_methods(code, namespace)}

        def wanted(node: ast.AST) -> bool:
            return isinstance(node, ast.Attribute) and source_of(node, code) in targets

        def render(node: ast.AST, text: str) -> str:
            assert isinstance(node, ast.Attribute)  # noqa: S101 - wanted() chose attributes
            name = _current_name(value_of(node.value, namespace), node.attr)
            return f"{owner_source(node.value, text)}.{name}()"

        return rewrite_nodes(code, wanted, render)

    return Diagnosis(
        "dates and intervals" if temporal else "wrong argument",
        f"`{shown}` is a method: call it, `{shown}()`, to get its value",
        fix,
    )


def _takes_nothing(name: str) -> bool:
    """``ibis.<name>`` is a function that can be called without arguments."""
    function = getattr(ibis, name, None)
    if not inspect.isfunction(function):
        return False
    required = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return not any(
        p.kind in required and p.default is p.empty
        for p in inspect.signature(function).parameters.values()
    )


def _uncalled_functions(code: str) -> list[ast.Attribute]:
    """``ibis.now`` or ``ibis.null`` passed as a value (the function, not its result)."""
    tree = parse(code)
    if tree is None:
        return []
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and id(node) not in called
        and isinstance(node.value, ast.Name)
        and node.value.id == "ibis"
        and _takes_nothing(node.attr)
    ]


def function_uncalled(failure: Failure) -> Diagnosis | None:
    """``t.mutate(returned=ibis.null)``, ``t.ts < ibis.now``: an ``ibis`` function given
    where its value belongs."""
    found = _uncalled_functions(failure.code)
    if not found:
        return None
    shown = source_of(found[0], failure.code)

    def fix(code: str) -> str | None:
        found: list[ast.AST] = list(_uncalled_functions(code))
        return rewrite_at(code, found, lambda node, text: f"{source_of(node, text)}()")

    return Diagnosis("wrong argument", f"`{shown}` is a function: call it, `{shown}()`", fix)


def _union_call(call: ast.Call, code: str) -> str | None:
    """``pd.concat([a, b])`` → ``ibis.union(a, b, distinct=False)`` (pandas keeps
    duplicate rows)."""
    tables = call.args[0] if len(call.args) == 1 else None
    ignorable = all(k.arg == "ignore_index" for k in call.keywords)
    if not isinstance(tables, ast.List | ast.Tuple) or len(tables.elts) < 2 or not ignorable:
        return None
    names = ", ".join(source_of(table, code) for table in tables.elts)
    return f"ibis.union({names}, distinct=False)"


def pandas_function_on_tables(failure: Failure) -> Diagnosis | None:
    """``pd.merge(a, b, on=...)`` and ``pd.concat([a, b])`` given Ibis tables."""
    text = str(failure.error)
    if "Table" not in text:
        return None
    if text.startswith("Can only merge Series or DataFrame objects"):
        return call_rewrite(
            failure.code,
            "pandas habit",
            "`pd.merge` is pandas's and takes DataFrames; Ibis tables join themselves: "
            '`a.join(b, "key", how="left")`',
            ("merge",),
            translate.join_call,
        )
    if text.startswith("cannot concatenate object of type"):
        return call_rewrite(
            failure.code,
            "pandas habit",
            "`pd.concat` is pandas's and takes DataFrames; Ibis stacks tables with "
            "`ibis.union(a, b, distinct=False)` (or `a.union(b, distinct=False)`)",
            ("concat",),
            _union_call,
        )
    return None


def _keys_apart(call: ast.Call, code: str) -> str | None:
    """``ibis.desc(["a", "b"])`` or ``ibis.desc("a", "b")`` → ``ibis.desc("a"),
    ibis.desc("b")`` (one key each)."""
    listed = call.args[0] if len(call.args) == 1 else None
    keys = listed.elts if isinstance(listed, ast.List | ast.Tuple) else call.args
    if call.keywords or len(keys) < 2:
        return None
    function = source_of(call.func, code)
    return ", ".join(f"{function}({source_of(key, code)})" for key in keys)


#: ``ibis.desc`` given a list, or several keys.
SEVERAL_KEYS = re.compile(
    r"^'(list|tuple)' object has no attribute '(desc|asc)'"
    r"|^(desc|asc)\(\) takes 1 positional argument but \d+ were given"
)


def sort_key_list(failure: Failure) -> Diagnosis | None:
    """``ibis.desc(["a", "b"])``, ``ibis.desc("a", "b")``: ``desc`` takes one key."""
    if not SEVERAL_KEYS.match(str(failure.error)):
        return None
    return call_rewrite(
        failure.code,
        "wrong argument",
        '`ibis.desc` (and `ibis.asc`) take one key: `order_by(ibis.desc("a"), ibis.desc("b"))`',
        ("desc", "asc"),
        _keys_apart,
    )


ONE_ROW_TABLE = re.compile(
    r"(?:not supported between instances of|unsupported operand type\(s\) for .+:) "
    r"'\w+' and '(?:Table|Join)'|'(?:Table|Join)' and '\w+'"
)

TWO_TABLES = re.compile(r"'(?:Table|Join)' and '(?:Table|Join)'")


def _one_row(node: ast.AST, names: set[str]) -> bool:
    """``node`` is one of the tables ``names`` or an aggregation of a whole table
    (``t.aggregate(avg=...)``, no ``by=``, not after ``group_by``; ``t.select(t.x.mean())``)."""
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Call) and called_name(node) == "select":
        values = [*node.args, *(k.value for k in node.keywords)]
        return bool(values) and all(
            isinstance(v, ast.Call) and called_name(v) in REDUCTIONS for v in values
        )
    if not isinstance(node, ast.Call) or called_name(node) not in {"aggregate", "agg"}:
        return False
    owner = node.func.value if isinstance(node.func, ast.Attribute) else None
    grouped = isinstance(owner, ast.Call) and called_name(owner) == "group_by"
    by_position = len(node.args) > 1  # aggregate(metrics, by)
    return not grouped and not by_position and all(k.arg != "by" for k in node.keywords)


def _operand_names(code: str, names: set[str]) -> list[ast.expr]:
    """Tables among ``names``, or whole-table aggregations, used as an operand of a
    comparison or arithmetic."""
    tree = parse(code)
    found = []
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
        elif isinstance(node, ast.BinOp):
            operands = [node.left, node.right]
        else:
            continue
        found += [o for o in operands if _one_row(o, names)]
    return found


def table_as_value(failure: Failure) -> Diagnosis | None:
    """``t.filter(t.fare > avg)`` where ``avg = t.agg(...)``: a one-row table used as a
    value; ``avg.as_scalar()`` is its value."""
    text = str(failure.error)
    if not ONE_ROW_TABLE.search(text) or TWO_TABLES.search(text):
        return None  # two tables: a set operation, said by its own rule
    tables = failure.table_names
    found = _operand_names(failure.code, tables)
    if not found:
        return None
    name = source_of(found[0], failure.code)

    def fix(code: str) -> str | None:
        uses: list[ast.AST] = list(_operand_names(code, tables))
        return rewrite_at(code, uses, lambda node, text: f"{source_of(node, text)}.as_scalar()")

    return Diagnosis(
        "aggregation",
        f"`{name}` is a table (one row, from an aggregation), not a value: its value is "
        f"`{name}.as_scalar()`",
        fix,
    )


def conversion_errors(failure: Failure) -> Diagnosis | None:
    """pandas' ``errors="coerce"`` on ``cast``/``try_cast``: Ibis says it by the method
    (on a table the keyword would become a column of the schema)."""
    if "'errors'" not in str(failure.error):
        return None
    tree = parse(failure.code) or ast.Module(body=[], type_ignores=[])
    if not any(keyword(call, "errors") for call in calls_to(tree, "cast", "try_cast")):
        return None
    message = (
        "`errors=` is pandas's: in Ibis a conversion that gives null where a value does not "
        'convert is `try_cast(...)` (`errors="coerce"`; with `errors="ignore"` too, as a '
        "column has one type), one that fails is `cast(...)`"
    )
    found = call_rewrite(
        failure.code, "types and casts", message, ("cast", "try_cast"), translate.conversion_call
    )
    return found or Diagnosis("types and casts", message)


def _schema_by_position(call: ast.Call, code: str) -> str | None:
    """``t.cast(schema={...})`` → ``t.cast({...})``."""
    schema = keyword(call, "schema")
    if schema is None or call.args or len(call.keywords) != 1:
        return None
    return f"{source_of(call.func, code)}({source_of(schema, code)})"


def schema_keyword(failure: Failure) -> Diagnosis | None:
    """``t.try_cast(schema={"d": "date"})``: a table's ``cast``/``try_cast`` takes the schema
    by position; its keywords are columns, so ``schema=`` was read as a column's type."""
    if "{'schema':" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "argument shape",
        "a table's `cast`/`try_cast` takes the schema by position, `t.cast({'col': 'date'})`; "
        "its keywords are column names (`t.cast(col='date')`), so `schema=` was read as a "
        "column called `schema`",
        ("cast", "try_cast"),
        _schema_by_position,
    )


UNDEFINED_NAME = re.compile(r"^name '(\w+)' is not defined")
#: Calls whose keywords name the columns they make.
NAMING_CALLS = ("mutate", "agg", "aggregate", "select")


def new_column_as_name(failure: Failure) -> Diagnosis | None:
    """``t.agg(n=t.count()).filter(n > 5)``: a column made by an earlier call, used as a
    Python variable; it is ``_.n``."""
    match = UNDEFINED_NAME.match(str(failure.error))
    tree = parse(failure.code)
    if match is None or tree is None or not isinstance(failure.error, NameError):
        return None
    name = match.group(1)
    made = {k.arg for call in calls_to(tree, *NAMING_CALLS) for k in call.keywords}
    if name not in made:
        return None
    deferred = "_" if "_" in failure.namespace else "ibis._"

    def wanted(node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)

    return Diagnosis(
        "unknown column",
        f"`{name}` is a column made by an earlier call, not a Python variable: refer to it "
        f"through the table, `{deferred}.{name}` (`{deferred}` stands for the table the "
        "call is on)",
        lambda code: rewrite_nodes(code, wanted, lambda _n, _c: f"{deferred}.{name}"),
    )


def _sort_key(node: ast.expr, code: str, nulls_first: str | None) -> str | None:
    """One sort key as Ibis writes it: a ``(name, ascending)`` tuple or a key that
    ``nulls_first=`` applies to."""
    if isinstance(node, ast.Tuple) and len(node.elts) == 2:
        key, ascending = node.elts
        if not (isinstance(ascending, ast.Constant) and isinstance(ascending.value, bool)):
            return None
        function = "ibis.asc" if ascending.value else "ibis.desc"
        return f"{function}({source_of(key, code)}{nulls_first or ''})"
    if nulls_first is None:
        return source_of(node, code)
    if isinstance(node, ast.Call) and called_name(node) in ("desc", "asc") and not node.keywords:
        inner = ", ".join(source_of(argument, code) for argument in node.args)
        return f"{source_of(node.func, code)}({inner}{nulls_first})"
    return f"ibis.asc({source_of(node, code)}{nulls_first})"


def _sort_keys(call: ast.Call, code: str) -> str | None:
    """``order_by([("x", False)])`` → ``order_by([ibis.desc("x")])``; ``order_by(k,
    nulls_first=True)`` → ``order_by(ibis.asc(k, nulls_first=True))``."""
    flag = keyword(call, "nulls_first")
    if any(k.arg != "nulls_first" for k in call.keywords):
        return None
    nulls_first = f", nulls_first={source_of(flag, code)}" if flag is not None else None
    keys = [element for argument in call.args for element in _listed(argument)]
    has_tuples = any(isinstance(key, ast.Tuple) for key in keys)
    if not keys or not (has_tuples or nulls_first):
        return None
    written = [_sort_key(key, code, nulls_first) for key in keys]
    if None in written:
        return None
    return f"{source_of(call.func, code)}({', '.join(k for k in written if k)})"


def _listed(node: ast.expr) -> list[ast.expr]:
    return list(node.elts) if isinstance(node, ast.List) else [node]


def sort_keys(failure: Failure) -> Diagnosis | None:
    """Sort keys written the old or pandas way: ``("x", False)`` pairs, ``nulls_first=``
    on ``order_by``."""
    return call_rewrite(
        failure.code,
        "wrong argument",
        'a descending key is `ibis.desc("x")` (not a `("x", False)` pair), and where '
        'nulls go is said per key: `ibis.desc("x", nulls_first=True)`',
        ("order_by",),
        _sort_keys,
    )


UNKNOWN_DIALECT = re.compile(r"^Unknown dialect (.+)$")


def dialect_name(failure: Failure) -> Diagnosis | None:
    """``ibis.to_sql(expr, dialect="postgresql")``: Ibis's name is ``postgres``."""
    match = UNKNOWN_DIALECT.match(str(failure.error))
    if match is None:
        return None
    given = match.group(1)
    name = closest_dialect(given)
    if name is None:
        listed = ", ".join(valid_dialects())
        return Diagnosis("wrong argument", f"Ibis has no dialect {given!r}; it has {listed}")
    return Diagnosis(
        "wrong argument",
        f"Ibis calls the dialect {name!r}, not {given!r}",
        lambda code: rewrite_nodes(
            code, lambda node: string_value(node) == given, lambda _n, _c: repr(name)
        ),
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


def _joined_text(node: ast.AST) -> list[ast.expr]:
    """The operands of ``a + b + c`` (a chain of ``+``), left to right."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [*_joined_text(node.left), *_joined_text(node.right)]
    return [node] if isinstance(node, ast.expr) else []


def text_plus_number(failure: Failure) -> Diagnosis | None:
    """``t.title + " (" + t.year + ")"``: ``+`` joins text only; a number or date column
    in the chain is cast to text first, ``t.year.cast("string")``."""
    text = str(failure.error)
    if "StringConcat" not in text or "has failed" not in text:
        return None
    namespace = failure.namespace

    def non_text(node: ast.AST) -> bool:
        value = value_of(node, namespace)
        return isinstance(value, ibis.Value) and not value.type().is_string()

    def chains(code: str) -> set[tuple[int, int, int | None, int | None]]:
        tree = parse(code)
        found = set()
        for node in ast.walk(tree) if tree else []:
            operands = _joined_text(node)
            if len(operands) > 1 and any(string_value(o) is not None for o in operands):
                found |= {position(o) for o in operands if non_text(o)}
        return found

    if not chains(failure.code):
        return None

    def fix(code: str) -> str | None:
        targets = chains(code)
        return rewrite_nodes(
            code,
            lambda node: position(node) in targets,
            lambda node, text: f'{source_of(node, text)}.cast("string")',
        )

    return Diagnosis(
        "types",
        '`+` joins text only: cast a number or date to text first, `t.x.cast("string")` '
        '(or format it: `t.day.strftime("%Y-%m-%d")`)',
        fix,
    )


#: Table methods that reduce the whole table, whose column twin a pandas user means when
#: naming a column: ``df.nunique("x")`` is ``t.x.nunique()``.
TABLE_REDUCTIONS = ("nunique", "count")


def _reduction_indexed(node: ast.AST) -> str | None:
    """pandas' ``df.nunique()["x"]`` (every column's count, then one) → ``df["x"].nunique()``."""
    if not isinstance(node, ast.Subscript) or not isinstance(node.value, ast.Call):
        return None
    call, name = node.value, string_value(node.slice)
    function = call.func
    if name is None or call.args or call.keywords or not isinstance(function, ast.Attribute):
        return None
    if function.attr not in TABLE_REDUCTIONS:
        return None
    return f"{ast.unparse(function.value)}[{name!r}].{function.attr}()"


def _column_reduction(node: ast.AST, namespace: Mapping[str, object]) -> str | None:
    """``t.nunique("x")`` / ``t.nunique(t.x)`` → ``t.x.nunique()``; ``t.nunique()["x"]``
    (where the error says the count is no mapping) → ``t["x"].nunique()``; None for other
    code."""
    if (indexed := _reduction_indexed(node)) is not None:
        return indexed
    function = getattr(node, "func", None)
    if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute):
        return None
    table = value_of(function.value, namespace)
    if function.attr not in TABLE_REDUCTIONS or not isinstance(table, ibis.Table):
        return None
    if len(node.args) != 1 or node.keywords:
        return None
    name, owner = string_value(node.args[0]), ast.unparse(function.value)
    given = value_of(node.args[0], namespace)
    column = None
    if function.attr == "count" and isinstance(given, ir.BooleanValue):
        return f"{owner}.count(where={ast.unparse(node.args[0])})"  # the rows where it holds
    if name is None and isinstance(given, ibis.Column):
        column = ast.unparse(node.args[0])
    elif name is not None and name in table.columns:
        column = f"{owner}.{name}" if name.isidentifier() else f"{owner}[{name!r}]"
    return f"{column}.{function.attr}()" if column else None


def table_reduction_of_a_column(failure: Failure) -> Diagnosis | None:
    """pandas' ``df.nunique("x")``: a table's ``nunique``/``count`` reduce the whole table
    and take no column; the column's own method counts it."""
    if not isinstance(failure.error, TypeError):
        return None
    namespace = failure.namespace
    indexed = "object is not subscriptable" in str(failure.error)
    tree = parse(failure.code) or ast.Module(body=[], type_ignores=[])
    found = [
        node
        for node in ast.walk(tree)
        if (isinstance(node, ast.Call) or indexed) and _column_reduction(node, namespace)
    ]
    if not found:
        return None
    shown, fixed = source_of(found[0], failure.code), _column_reduction(found[0], namespace)
    counted = found[0].value if isinstance(found[0], ast.Subscript) else found[0]
    name = called_name(counted) if isinstance(counted, ast.Call) else "nunique"
    lead = "here" if "where=" in (fixed or "") else "the column's own is"
    return Diagnosis(
        "pandas habit",
        f"`{shown}`: a table's `{name}()` counts over the whole table and takes no column "
        f"(its result is one number, not one per column; a condition goes in `where=`); "
        f"{lead} `{fixed}`",
        lambda code: rewrite_rendered(code, lambda node, _: _column_reduction(node, namespace)),
    )


def _distinct_of_columns(call: ast.Call, code: str) -> str | None:
    """``t.distinct("a", "b")`` (dplyr's ``distinct(df, a, b)``, SQL's ``SELECT DISTINCT
    a, b``) → ``t.select("a", "b").distinct()``: the distinct combinations of those
    columns (pandas' list of columns keeps rows whole: ``distinct(on=[...])``)."""
    if not call.args or call.keywords or not isinstance(call.func, ast.Attribute):
        return None
    if any(isinstance(argument, ast.List | ast.Tuple) for argument in call.args):
        return None  # pandas' list of columns: ``distinct(on=[...])``, the signature's search
    columns = ", ".join(source_of(argument, code) for argument in call.args)
    return f"{owner_source(call.func.value, code)}.select({columns}).distinct()"


def distinct_of_columns(failure: Failure) -> Diagnosis | None:
    """``t.distinct("director")``: columns given by position to ``distinct``."""
    if "distinct() takes 1 positional argument" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "wrong argument",
        "`distinct()` takes no columns by position: the distinct values of some columns are "
        "`t.select('a', 'b').distinct()` (SQL's `SELECT DISTINCT a, b`); one whole row per "
        "value is `t.distinct(on='a')` (pandas' `drop_duplicates(subset=...)`)",
        ("distinct",),
        _distinct_of_columns,
    )


def _equals_value(node: ast.AST) -> bool:
    """``t.x.equals("tcp")``: ``equals`` given a plain value."""
    function = getattr(node, "func", None)
    given = node.args if isinstance(node, ast.Call) else []
    is_equals = isinstance(function, ast.Attribute) and function.attr == "equals"
    return is_equals and len(given) == 1 and isinstance(given[0], ast.Constant)


def equals_for_comparison(failure: Failure) -> Diagnosis | None:
    """``t.x.equals("tcp")``: ``equals`` asks whether two expressions are the same
    expression (pandas' whether two Series are equal); a comparison per row is ``==``."""
    if not str(failure.error).startswith("invalid equality comparison between Expr"):
        return None
    found = matching_calls(failure.code, _equals_value)
    if not found:
        return None

    def render(node: ast.AST, code: str) -> str:
        function = getattr(node, "func", node)
        value = getattr(node, "args", [node])[0]
        return f"({source_of(getattr(function, 'value', node), code)} == {source_of(value, code)})"

    return Diagnosis(
        "wrong name",
        f"`{source_of(found[0], failure.code)}`: `equals` tells whether two expressions are "
        "the same expression; compare each row's value with `==`: `t.x == value`",
        lambda code: rewrite_nodes(code, _equals_value, render),
    )


#: The old case builder's chain, and its names in other tools (PySpark's ``otherwise``).
CASE_CHAIN = {"when": "when", "else_": "else_", "otherwise": "else_"}


def _unfinished_case(node: ast.AST) -> bool:
    """``x.case().when(...)...else_(v)`` (or ``.otherwise(v)``) not closed by ``.end()``."""
    function = getattr(node, "func", None)
    if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute):
        return False
    if function.attr not in CASE_CHAIN:
        return False
    inner_calls = [n for n in ast.walk(function.value) if isinstance(n, ast.Call)]
    return any(called_name(inner) == "case" for inner in inner_calls)


def case_builder_end(failure: Failure) -> Diagnosis | None:
    """``t.s.case().when("a", 1).else_(0)`` used as a value: the builder needs ``.end()``
    (PySpark's ``otherwise`` is ``else_``); ``t.s.cases(("a", 1), else_=0)`` is shorter."""
    if "CaseBuilder" not in str(failure.error):
        return None
    if not matching_calls(failure.code, _unfinished_case):
        return None

    def render(node: ast.AST, code: str) -> str:
        function = getattr(node, "func", node)
        chain = source_of(getattr(function, "value", node), code)
        given = ", ".join(source_of(a, code) for a in getattr(node, "args", []))
        return f"{chain}.{CASE_CHAIN[getattr(function, 'attr', 'else_')]}({given}).end()"

    return Diagnosis(
        "conditional",
        "a `case()` builder is a value only after `.end()` (PySpark's `otherwise` is "
        '`else_`): `t.s.case().when("a", 1).else_(0).end()`, or `t.s.cases(("a", 1), '
        "else_=0)`",
        lambda code: rewrite_nodes(code, _unfinished_case, render),
    )


RULES = (
    table_reduction_of_a_column,
    case_builder_end,
    equals_for_comparison,
    sql_string,
    text_plus_number,
    cast_type_name,
    len_of_table,
    rename_reversed,
    rename_columns_keyword,
    rename_by_position,
    star_column,
    struct_fields_star,
    named_aggregation,
    table_cast_to_one_type,
    distinct_of_columns,
    grouped_subscript,
    grouped_count_name,
    aggregate_dict,
    reduction_by_name,
    mutate_name_by_position,
    replace_with_mapping,
    patterns_as_mapping,
    method_in_expression,
    function_uncalled,
    pandas_function_on_tables,
    dialect_name,
    new_column_as_name,
    sort_keys,
    sort_key_list,
    table_as_value,
    conversion_errors,
    schema_keyword,
)
