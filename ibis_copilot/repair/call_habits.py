"""Calls written the way pandas, NumPy or PySpark read them, where Ibis has one clear
counterpart: a reduction asked for its first row (``t.x.mode().iloc[0]``, ``.item()``),
``a.max(b)`` for the larger of two values (``np.maximum``), ``t.cast("col", "type")`` for
one column's type, ``t.columns.tolist()``, ``t.code[-4:]`` and ``pd.DateOffset(months=1)``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

import ibis
import ibis.expr.types as ir

from ibis_copilot.repair.arguments import selector_aliases
from ibis_copilot.repair.edits import (
    call_rewrite,
    called_name,
    epoch_unit,
    keyword,
    node_rewrite,
    parse,
    position,
    render_call,
    string_value,
    value_name,
    value_of,
    whole_number,
    written_arguments,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import (
    COMPARISON_SYMBOLS,
    owner_source,
    rewrite_rendered,
    source_of,
)
from ibis_copilot.repair.translate import KIND_JOINS

SCALAR_ATTRIBUTE = re.compile(r"^'(\w+Scalar)' object has no attribute '(iloc|iat|values|item)'")
#: Python's message when a reduction that takes no value is given one.
ONE_POSITIONAL = re.compile(r"^(?:\w+\.)?(max|min)\(\) takes 1 positional argument but 2 were")
TABLE_CAST = re.compile(
    r"^Table\.(cast|try_cast)\(\) takes from 1 to 2 positional arguments but 3 were"
)
#: The reductions of a column that give one value (pandas returns a Series for ``mode``).
ONE_VALUE = frozenset(
    {"mode", "sum", "mean", "min", "max", "median", "first", "last", "nunique", "count",
     "std", "var", "quantile", "arbitrary", "approx_median", "approx_nunique"}
)  # fmt: skip
ROW_ACCESSORS = frozenset({"iloc", "iat", "values"})
NAME_LISTS = frozenset({"tolist", "to_list", "values"})
PAIRWISE = {"max": "greatest", "min": "least"}


def _first_of_reduction(node: ast.AST, code: str) -> str | None:
    """``X.iloc[0]``, ``X.iat[0]``, ``X.values[0]`` or ``X.item()`` of a reduction ``X``:
    ``X`` itself."""
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        accessor, accessors = node.func, frozenset({"item"})
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        accessor, accessors = node.value, ROW_ACCESSORS if node.slice.value == 0 else frozenset()
    else:
        return None
    if not isinstance(accessor, ast.Attribute) or accessor.attr not in accessors:
        return None
    reduction = accessor.value
    if not (isinstance(reduction, ast.Call) and isinstance(reduction.func, ast.Attribute)):
        return None
    return source_of(reduction, code) if reduction.func.attr in ONE_VALUE else None


def first_row_of_reduction(failure: Failure) -> Diagnosis | None:
    """``t.x.mode().iloc[0]``: in pandas ``mode`` gives a Series; in Ibis a reduction is
    already one value, so there is no first row to take."""
    found = SCALAR_ATTRIBUTE.match(str(failure.error))
    if found is None:
        return None
    return node_rewrite(
        failure.code,
        "pandas habit",
        f"a reduction is one value (a `{found[1]}`), not a Series: drop `.{found[2]}`; the "
        "reduction itself goes into `agg(...)` or `mutate(...)`",
        _first_of_reduction,
    )


def pairwise_extreme(failure: Failure) -> Diagnosis | None:
    """``t.a.max(t.b)``: NumPy's ``maximum`` and Python's ``max(a, b)`` pick the larger of
    two values per row; in Ibis that is ``ibis.greatest(t.a, t.b)`` (``max`` reduces a
    column)."""
    found = ONE_POSITIONAL.match(str(failure.error))
    if found is None:
        return None
    method = found[1]

    def pairwise(call: ast.Call, code: str) -> str | None:
        if len(call.args) != 1 or call.keywords or not isinstance(call.func, ast.Attribute):
            return None
        if _a_condition(call.args[0], failure) or isinstance(string_value(call.args[0]), str):
            return None  # older Ibis's positional `where`, or a name: not a second value
        values = ", ".join(source_of(n, code) for n in (call.func.value, call.args[0]))
        return f"ibis.{PAIRWISE[method]}({values})"

    return call_rewrite(
        failure.code,
        "argument shape",
        f"`.{method}()` reduces a column to one value and takes no other value; the "
        f"{'larger' if method == 'max' else 'smaller'} of two values per row is "
        f"`ibis.{PAIRWISE[method]}(a, b)`",
        (method,),
        pairwise,
    )


def _a_condition(node: ast.AST, failure: Failure) -> bool:
    """A test (``t.x > 0``, ``~t.ok``, ``a & b``) or a boolean column."""
    tests = ast.Compare | ast.BoolOp | ast.UnaryOp
    logical = isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr)
    return (
        isinstance(node, tests)
        or logical
        or isinstance(value_of(node, failure.namespace), ir.BooleanValue)
    )


def table_cast_pair(failure: Failure) -> Diagnosis | None:
    """``t.cast("price", "float64")`` (or ``try_cast``): a table's ``cast`` takes one
    mapping of column names to types."""
    if (match := TABLE_CAST.match(str(failure.error))) is None:
        return None
    method = match.group(1)

    def as_mapping(call: ast.Call, code: str) -> str | None:
        name, kind = (string_value(a) for a in call.args) if len(call.args) == 2 else (None, None)
        if name is None or kind is None or call.keywords:
            return None
        return f"{source_of(call.func, code)}({{{name!r}: {kind!r}}})"

    return call_rewrite(
        failure.code,
        "argument shape",
        f"a table's `{method}` takes one mapping of column names to types: "
        f'`t.{method}({{"price": "float64"}})` (one column: `t.price.{method}("float64")`)',
        (method,),
        as_mapping,
    )


COLUMN_NAMES_AS = re.compile(r"^'tuple' object has no attribute '(tolist|to_list|values)'")


def _names_listed(node: ast.AST, code: str) -> str | None:
    """``t.columns.tolist()`` / ``t.columns.values`` → ``list(t.columns)``."""
    accessor = node.func if isinstance(node, ast.Call) and not node.args else node
    if not isinstance(accessor, ast.Attribute) or accessor.attr not in NAME_LISTS:
        return None
    if (accessor.attr == "values") == isinstance(node, ast.Call):
        return None  # ``values`` is read, the others are called
    names = accessor.value
    if not (isinstance(names, ast.Attribute) and names.attr == "columns"):
        return None
    return f"list({source_of(names, code)})"


def column_names_as_list(failure: Failure) -> Diagnosis | None:
    """``t.columns.tolist()``: pandas' column index; an Ibis table's ``columns`` is a
    tuple of names already (``list(t.columns)`` for a list)."""
    if COLUMN_NAMES_AS.match(str(failure.error)) is None:
        return None
    return node_rewrite(
        failure.code,
        "pandas habit",
        "`t.columns` is a tuple of the column names, not pandas' Index: `list(t.columns)` "
        "for a list",
        _names_listed,
    )


NEGATIVE_START = re.compile(r"^Negative slicing not yet supported, got start value of -(\d+)")


def _last_characters(node: ast.AST, code: str) -> str | None:
    """``t.code[-4:]`` → ``t.code.right(4)``."""
    if not (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice)):
        return None
    window = node.slice
    start = window.lower
    negative = isinstance(start, ast.UnaryOp) and isinstance(start.op, ast.USub)
    count = start.operand if negative and isinstance(start, ast.UnaryOp) else None
    if window.upper is not None or window.step is not None:
        return None
    if not (isinstance(count, ast.Constant) and isinstance(count.value, int)):
        return None
    return f"{owner_source(node.value, code)}.right({count.value})"


def text_slice_from_end(failure: Failure) -> Diagnosis | None:
    """``t.code[-4:]``: Ibis slices text from its start only; the last characters are
    ``right(n)``."""
    found = NEGATIVE_START.match(str(failure.error))
    if found is None:
        return None
    message = (
        "Ibis slices text from its start only: the last characters are "
        f"`.right({found[1]})`; others, `.substr(start, length)` with "
        "`.length()` for the end"
    )
    return node_rewrite(failure.code, "string method", message, _last_characters) or Diagnosis(
        "string method", message
    )


#: pandas' calendar offsets, and the ``ibis.interval`` keywords they share.
OFFSET_UNITS = frozenset(
    {"years", "months", "weeks", "days", "hours", "minutes", "seconds", "milliseconds",
     "microseconds"}
)  # fmt: skip


def _offset_as_interval(node: ast.AST, code: str) -> str | None:
    """``pd.DateOffset(months=1)`` → ``ibis.interval(months=1)``."""
    if not isinstance(node, ast.Call) or node.args or not node.keywords:
        return None
    function = node.func
    if not (isinstance(function, ast.Attribute) and function.attr == "DateOffset"):
        return None
    if any(k.arg not in OFFSET_UNITS for k in node.keywords):
        return None
    given = ", ".join(f"{k.arg}={source_of(k.value, code)}" for k in node.keywords)
    return f"ibis.interval({given})"


def pandas_offset(failure: Failure) -> Diagnosis | None:
    """``t.day + pd.DateOffset(months=1)``: a pandas offset is no Ibis value; an interval
    is ``ibis.interval(months=1)``."""
    if "DateOffset" not in str(failure.error):
        return None
    return node_rewrite(
        failure.code,
        "dates and intervals",
        "a pandas `DateOffset` is no Ibis value: an interval is `ibis.interval(months=1)`",
        _offset_as_interval,
    )


NAME_READ = re.compile(r"^Value\.name\(\) missing 1 required positional argument: 'name'")


def name_read_as_call(failure: Failure) -> Diagnosis | None:
    """``col.name()``: pandas' ``Series.name``; an Ibis value's ``name(...)`` renames it,
    and its name is read with ``get_name()``."""
    if NAME_READ.match(str(failure.error)) is None:
        return None

    def unnamed(call: ast.Call, code: str) -> str | None:
        if call.args or call.keywords or not isinstance(call.func, ast.Attribute):
            return None
        return f"{source_of(call.func.value, code)}.get_name()"

    return call_rewrite(
        failure.code,
        "pandas habit",
        "`name(...)` gives a value a new name; the name it has is `col.get_name()`",
        ("name",),
        unnamed,
    )


def _values_to_one(call: ast.Call, code: str) -> str | None:
    """``col.substitute(["a", "b"], "x")`` → ``col.substitute({"a": "x", "b": "x"})``;
    pandas' ``replace(["a", "b"], ["x", "y"])``, value by value → ``{"a": "x", "b": "y"}``."""
    values = call.args[0] if len(call.args) == 2 and not call.keywords else None
    if not isinstance(values, ast.List | ast.Tuple | ast.Set) or not values.elts:
        return None
    replacement = call.args[1]
    if isinstance(replacement, ast.List | ast.Tuple):
        if len(replacement.elts) != len(values.elts) or isinstance(values, ast.Set):
            return None
        news = [source_of(new, code) for new in replacement.elts]
    else:
        news = [source_of(replacement, code)] * len(values.elts)
    pairs = zip(values.elts, news, strict=True)
    items = ", ".join(f"{source_of(old, code)}: {new}" for old, new in pairs)
    return f"{source_of(call.func, code)}({{{items}}})"


def substitute_of_several(failure: Failure) -> Diagnosis | None:
    """``col.substitute(["a", "b"], "x")``: one replacement for several values (or one
    each) is a mapping with an entry for each."""
    if "are not comparable" not in str(failure.error) or "array<" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "argument shape",
        "`substitute(value, replacement)` swaps one value; several values for one "
        'replacement (or one each) are a mapping: `col.substitute({"a": "x", "b": "y"})`',
        ("substitute",),
        _values_to_one,
    )


def _nullif_each(call: ast.Call, code: str) -> str | None:
    """``x.nullif(["", "N/A"])`` → ``x.nullif("").nullif("N/A")``."""
    listed = call.args[0] if len(call.args) == 1 and not call.keywords else None
    owner = call.func.value if isinstance(call.func, ast.Attribute) else None
    if not isinstance(listed, ast.List | ast.Tuple | ast.Set) or not listed.elts or owner is None:
        return None
    chained = "".join(f".nullif({source_of(value, code)})" for value in listed.elts)
    return f"{owner_source(owner, code)}{chained}"


def nullif_of_several(failure: Failure) -> Diagnosis | None:
    """``col.nullif(["", "N/A"])``: ``nullif`` compares with one value; several values
    made null are one ``nullif`` each."""
    if "array<" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "null handling",
        "`nullif(value)` makes one value null, and a list is one (array) value: for several, "
        'one `nullif` each, `col.nullif("").nullif("N/A")` (or '
        "`ibis.ifelse(col.isin(values), ibis.null(), col)`)",
        ("nullif",),
        _nullif_each,
    )


def _filled_by_column(call: ast.Call, code: str) -> str | None:
    """``t.fill_null({"a": t.b})`` → ``t.mutate(a=t.a.fill_null(t.b))``."""
    given = call.args[0] if len(call.args) == 1 and not call.keywords else None
    table = call.func.value if isinstance(call.func, ast.Attribute) else None
    if not isinstance(given, ast.Dict) or table is None or None in given.keys:
        return None
    names = [string_value(key) for key in given.keys]
    if not names or not all(name and name.isidentifier() for name in names):
        return None
    owner = owner_source(table, code)
    filled = ", ".join(
        f"{name}={owner}.{name}.fill_null({source_of(value, code)})"
        for name, value in zip(names, given.values, strict=True)
    )
    return f"{owner}.mutate({filled})"


def fill_null_from_column(failure: Failure) -> Diagnosis | None:
    """``t.fill_null({"a": t.b})``: a table's ``fill_null`` takes values; a column's
    nulls filled from another column are the column's ``fill_null`` in a ``mutate``."""
    if "Unable to infer datatype of value" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "null handling",
        "a table's `fill_null({...})` takes plain values; to fill a column's nulls from "
        "another column, call the column's own `fill_null` in a `mutate`: "
        "`t.mutate(a=t.a.fill_null(t.b))`",
        ("fill_null", "fillna"),
        _filled_by_column,
    )


#: SQL's sort directions, written as arguments after the column they sort.
DIRECTIONS = {"desc": "ibis.desc({})", "asc": "{}", "descending": "ibis.desc({})"}


def _directions_applied(call: ast.Call, code: str) -> str | None:
    """``order_by("tip", "desc")`` → ``order_by(ibis.desc("tip"))``."""
    given = [string_value(argument) for argument in call.args]
    if call.keywords or not any(g and g.lower() in DIRECTIONS for g in given[1:]):
        return None
    keys: list[str] = []
    for argument, text in zip(call.args, given, strict=True):
        direction = DIRECTIONS.get(text.lower()) if text else None
        if direction is None:
            keys.append(source_of(argument, code))
        elif keys:
            keys[-1] = direction.format(keys[-1])
        else:
            return None
    return f"{source_of(call.func, code)}({', '.join(keys)})"


def direction_as_argument(failure: Failure) -> Diagnosis | None:
    """``t.order_by("tip", "desc")``: SQL's ``ORDER BY tip DESC`` read as two columns."""
    missing = re.search(r"'(\w+)'", str(failure.error))
    if missing is None or missing.group(1).lower() not in DIRECTIONS:
        return None
    return call_rewrite(
        failure.code,
        "sql habit",
        '`order_by` reads each text as a column, so `"desc"` is looked up as one: sort '
        'descending with `ibis.desc("tip")` (or `t.tip.desc()`)',
        ("order_by",),
        _directions_applied,
    )


def _padding_in_order(call: ast.Call, code: str) -> str | None:
    """``s.rpad(".", 20)`` → ``s.rpad(20, ".")``: the width first, then the character."""
    if len(call.args) != 2 or call.keywords:
        return None
    fill, width = call.args
    if string_value(fill) is None or not whole_number(getattr(width, "value", None)):
        return None
    return f"{source_of(call.func, code)}({source_of(width, code)}, {source_of(fill, code)})"


def padding_arguments_swapped(failure: Failure) -> Diagnosis | None:
    """``s.lpad("0", 5)``: the padding character given before the width."""
    if "invalid literal for int()" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "argument shape",
        "`lpad`/`rpad` take the width first, then the character to pad with: "
        '`s.rpad(20, ".")` (the argument order of Python\'s `str.ljust`)',
        ("lpad", "rpad"),
        _padding_in_order,
    )


def _shares_counted(call: ast.Call, code: str) -> str | None:
    """``t.k.value_counts(normalize=True)`` → the counts with each one's share."""
    column = call.func.value if isinstance(call.func, ast.Attribute) else None
    normalize = keyword(call, "normalize")
    if not isinstance(column, ast.Attribute) or call.args or len(call.keywords) != 1:
        return None
    if not (isinstance(normalize, ast.Constant) and normalize.value is True):
        return None
    count = f"{column.attr}_count"  # pandas' shares replace the counts
    share = f"share=ibis._.{count} / ibis._.{count}.sum()"
    return f"{owner_source(column, code)}.value_counts().mutate({share}).drop({count!r})"


def value_shares(failure: Failure) -> Diagnosis | None:
    """pandas' ``value_counts(normalize=True)``: the shares are the counts over their sum."""
    if "unexpected keyword argument 'normalize'" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "pandas habit",
        "`value_counts()` has no `normalize=`: each value's share is its count over the "
        "counts' sum, `t.k.value_counts().mutate(share=_.k_count / _.k_count.sum())` "
        "(then `.drop('k_count')` for pandas' shares alone)",
        ("value_counts",),
        _shares_counted,
    )


def _named_group_count(call: ast.Call, code: str) -> str | None:
    """``t.group_by(k).size(name="n")`` → ``t.group_by(k).agg(n=t.count())``."""
    grouped = call.func.value if isinstance(call.func, ast.Attribute) else None
    name = string_value(keyword(call, "name"))
    if not isinstance(grouped, ast.Call) or called_name(grouped) != "group_by":
        return None
    table = grouped.func.value if isinstance(grouped.func, ast.Attribute) else None
    if table is None or name is None or not name.isidentifier() or call.args:
        return None
    return f"{source_of(grouped, code)}.agg({name}={owner_source(table, code)}.count())"


def grouped_size_named(failure: Failure) -> Diagnosis | None:
    """pandas' ``groupby(k).size()`` named with ``name=`` (its ``reset_index(name=)``):
    a named count per group is ``agg(n=t.count())``."""
    if "GroupedTable.count() got an unexpected keyword argument 'name'" not in str(failure.error):
        return None  # Ibis's ``size`` is its ``count``
    return call_rewrite(
        failure.code,
        "pandas habit",
        "a grouped table's `size()` takes no `name=`: a count per group with its own name is "
        "`t.group_by(k).agg(n=t.count())`",
        ("size", "count"),
        _named_group_count,
    )


STRUCT_KEYS = re.compile(r"^'?keys'?$|^'\w*(?:Struct|JSON)\w*' object has no attribute 'keys'$")


def struct_keys(failure: Failure) -> Diagnosis | None:
    """``t.point.keys()``: a dict's keys; a struct's field names are ``t.point.names``, a
    JSON object's keys ``t.doc.map.keys()``."""
    if not isinstance(failure.error, AttributeError) or not STRUCT_KEYS.match(str(failure.error)):
        return None

    def render(node: ast.AST, code: str) -> str | None:
        function = node.func if isinstance(node, ast.Call) and not node.args else None
        if not isinstance(function, ast.Attribute) or function.attr != "keys":
            return None
        value = value_of(function.value, failure.namespace)
        if isinstance(value, ir.JSONValue):  # a JSON object's keys, read as a map
            return f"{owner_source(function.value, code)}.map.keys()"
        if isinstance(value, ir.StructValue):
            return f"{owner_source(function.value, code)}.names"
        return None

    return node_rewrite(
        failure.code,
        "nested data",
        "a struct's field names are `t.s.names` (a property; `t.s.types` their types), not "
        "a dict's `keys()`; a JSON object's keys are `t.j.map.keys()`",
        render,
    )


#: Selectors of names by their text, which take several texts as one tuple.
TEXT_SELECTORS = frozenset({"contains", "startswith", "endswith"})


def selector_texts_apart(failure: Failure) -> Diagnosis | None:
    """``s.contains("temp", "melt")``: several texts go to a name selector as one tuple,
    ``s.contains(("temp", "melt"))`` (a second one is taken as ``how=`` or refused)."""
    selectors = selector_aliases(failure)

    def together(call: ast.Call, code: str) -> str | None:
        function = call.func
        owner = source_of(function.value, code) if isinstance(function, ast.Attribute) else ""
        if owner not in selectors or call.keywords or len(call.args) < 2:
            return None
        if any(string_value(a) is None for a in call.args):
            return None
        texts = ", ".join(source_of(a, code) for a in call.args)
        return f"{source_of(function, code)}(({texts}))"

    return call_rewrite(
        failure.code,
        "selector",
        'a name selector takes several texts as one tuple: `s.contains(("a", "b"))`',
        tuple(TEXT_SELECTORS),
        together,
    )


def selectors_as_list(failure: Failure) -> Diagnosis | None:
    """``s.all_of([s.numeric(), s.startswith("b")])``: the combinators take the selectors
    apart, ``s.all_of(s.numeric(), s.startswith("b"))`` (a list is read as one selector of
    names, so ``all_of`` of a list is no intersection)."""
    selectors = selector_aliases(failure)

    def apart(call: ast.Call, code: str) -> str | None:
        function = call.func
        owner = source_of(function.value, code) if isinstance(function, ast.Attribute) else ""
        listed = call.args[0] if len(call.args) == 1 and not call.keywords else None
        if owner not in selectors or not isinstance(listed, ast.List | ast.Tuple):
            return None
        if len(listed.elts) < 2 or not all(isinstance(e, ast.Call) for e in listed.elts):
            return None
        return f"{source_of(function, code)}({', '.join(source_of(e, code) for e in listed.elts)})"

    return call_rewrite(
        failure.code,
        "selector",
        "`all_of`/`any_of` take the selectors as separate arguments, not a list: "
        '`s.all_of(s.numeric(), s.startswith("b"))`',
        ("all_of", "any_of"),
        apart,
    )


def _having_first(call: ast.Call, code: str) -> str | None:
    """``t.group_by(k).agg(...).having(p)`` → ``t.group_by(k).having(p).agg(...)``."""
    function = call.func
    aggregated = function.value if isinstance(function, ast.Attribute) else None
    if not isinstance(aggregated, ast.Call) or called_name(aggregated) not in ("agg", "aggregate"):
        return None
    grouped = aggregated.func.value if isinstance(aggregated.func, ast.Attribute) else None
    if not isinstance(grouped, ast.Call) or called_name(grouped) != "group_by":
        return None
    conditions, measures = written_arguments(call, code), written_arguments(aggregated, code)
    return f"{source_of(grouped, code)}.having{conditions}.{called_name(aggregated)}{measures}"


def having_after_aggregate(failure: Failure) -> Diagnosis | None:
    """SQL's order, ``t.group_by(k).agg(...).having(...)``: Ibis's ``having`` belongs to the
    grouping, before ``agg``: ``t.group_by(k).having(t.count() > 100).agg(...)``."""
    if "has no attribute 'having'" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "sql habit",
        "`having` filters groups, so in Ibis it goes on the grouping, before the "
        "aggregation: `t.group_by(k).having(t.count() > 100).agg(n=t.count())` (after "
        "`agg`, filter on the new column: `.filter(_.n > 100)`)",
        ("having",),
        _having_first,
    )


def _filter_first(call: ast.Call, code: str, namespace: Mapping[str, object]) -> str | None:
    """``t.group_by(k).having(row_condition).agg(...)`` →
    ``t.filter(row_condition).group_by(k).agg(...)`` (``t.count()`` there as
    ``ibis._.count()``, the count of the filtered rows)."""
    having = call.func.value if isinstance(call.func, ast.Attribute) else None
    if not isinstance(having, ast.Call) or called_name(having) != "having":
        return None
    grouped = having.func.value if isinstance(having.func, ast.Attribute) else None
    if not isinstance(grouped, ast.Call) or called_name(grouped) != "group_by":
        return None
    table = grouped.func.value if isinstance(grouped.func, ast.Attribute) else None
    conditions = [value_of(argument, namespace) for argument in having.args]
    if table is None or having.keywords or not conditions:
        return None
    if not all(isinstance(condition, ir.Column) for condition in conditions):
        return None  # a reduction (``t.count() > 1``) is what ``having`` is for
    kept = ", ".join(source_of(argument, code) for argument in having.args)
    table_text = source_of(table, code)
    grouping = source_of(grouped, code)[len(table_text) :]
    measures = written_arguments(call, code)
    if isinstance(table, ast.Name):
        measures = re.sub(rf"\b{table.id}\.count\(\)", "ibis._.count()", measures)
    return f"{owner_source(table, code)}.filter({kept}){grouping}.{called_name(call)}{measures}"


def row_condition_in_having(failure: Failure) -> Diagnosis | None:
    """``t.group_by(k).having(t.x > 5)``: ``having`` keeps groups by a reduction; a
    condition on each row is a ``filter`` before the grouping."""
    if "belong to another relation" not in str(failure.error):
        return None
    namespace = failure.namespace

    def moved(call: ast.Call, code: str) -> str | None:
        return _filter_first(call, code, namespace)

    return call_rewrite(
        failure.code,
        "sql habit",
        "`having` keeps whole groups by a reduction (`having(t.count() > 3)`); a condition "
        "on each row, as SQL's WHERE, is a `filter` before the grouping: "
        "`t.filter(t.x > 5).group_by(k).agg(...)`",
        ("agg", "aggregate"),
        moved,
    )


def _pair_as_equality(call: ast.Call, code: str) -> str | None:
    """``a.join(b, [a.id, b.id])`` → ``a.join(b, a.id == b.id)``: the two key columns,
    one of each table, given as a pair (pandas' ``left_on``/``right_on`` read together)."""
    predicates = call.args[1] if len(call.args) == 2 else keyword(call, "predicates")
    if not isinstance(predicates, ast.List | ast.Tuple) or len(predicates.elts) != 2:
        return None
    left, right = predicates.elts
    owners = [
        getattr(side.value, "id", None) for side in (left, right) if isinstance(side, ast.Attribute)
    ]
    if len(owners) != 2 or None in owners or owners[0] == owners[1]:
        return None
    equality = f"{source_of(left, code)} == {source_of(right, code)}"
    call_text, list_text = source_of(call, code), source_of(predicates, code)
    return call_text.replace(list_text, equality, 1)


def _names_as_equality(call: ast.Call, code: str, namespace: Mapping[str, object]) -> str | None:
    """``a.join(b, ["team_a", "team"])`` → ``a.join(b, a.team_a == b.team)``: a column of
    each table by name, the first only the left's and the second only the right's."""
    predicates = call.args[1] if len(call.args) == 2 else None
    if not isinstance(predicates, ast.List | ast.Tuple) or len(predicates.elts) != 2:
        return None
    names = [string_value(element) for element in predicates.elts]
    left_node = call.func.value if isinstance(call.func, ast.Attribute) else None
    left, right = (
        value_of(left_node, namespace) if left_node else None,
        value_of(call.args[0], namespace),
    )
    if not isinstance(left, ibis.Table) or not isinstance(right, ibis.Table) or None in names:
        return None
    mine, theirs = names
    if mine not in left.columns or mine in right.columns or theirs not in right.columns:
        return None
    if theirs in left.columns or left_node is None:
        return None
    left_text, right_text = owner_source(left_node, code), source_of(call.args[0], code)
    equality = f"{left_text}[{mine!r}] == {right_text}[{theirs!r}]"
    return source_of(call, code).replace(source_of(predicates, code), equality, 1)


def join_names_as_pair(failure: Failure) -> Diagnosis | None:
    """``matches.join(players, ["team_a", "team"])``: a list of names is keys each table
    has; one key of each, named differently, is one condition."""
    if "is not found in table" not in str(failure.error):
        return None
    namespace = failure.namespace
    return call_rewrite(
        failure.code,
        "join",
        "a list of names joins on columns both tables have under each name; a key named "
        "differently on each side is one condition, `a.join(b, a.team_a == b.team)`",
        ("join", *sorted(KIND_JOINS)),
        lambda call, code: _names_as_equality(call, code, namespace),
    )


def join_keys_as_pair(failure: Failure) -> Diagnosis | None:
    """``runs.inner_join(lines, [runs.line_id, lines.line_id])``: a list of predicates
    holds conditions; two key columns are one condition, ``runs.line_id == lines.line_id``."""
    text = str(failure.error)
    if "JoinLink(" not in text or "predicates" not in text:
        return None
    return call_rewrite(
        failure.code,
        "join",
        "a join's list of predicates holds conditions, not the key columns: the keys of "
        "the two tables are one condition, `a.join(b, a.id == b.id)` (the same name on "
        'both sides: `a.join(b, "id")`)',
        ("join", *sorted(KIND_JOINS)),
        _pair_as_equality,
    )


#: Python's builtins passed to ``across`` with their arguments, and the method per column.
BUILTIN_METHODS = frozenset({"round", "abs"})


def _builtin_across(call: ast.Call, code: str) -> str | None:
    """``s.across(sel, round, 2)`` → ``s.across(sel, lambda c: c.round(2))``."""
    if len(call.args) < 3 or call.keywords:
        return None
    selector, function, *rest = call.args
    if not isinstance(function, ast.Name) or function.id not in BUILTIN_METHODS:
        return None
    arguments = ", ".join(source_of(a, code) for a in rest)
    applied = f"lambda c: c.{function.id}({arguments})"
    return f"{source_of(call.func, code)}({source_of(selector, code)}, {applied})"


def builtin_across(failure: Failure) -> Diagnosis | None:
    """``across(sel, round, 2)``: ``across`` takes one function of a column (its third
    argument is the names); the arguments go into a lambda, ``lambda c: c.round(2)``."""
    if "Across(" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "selector",
        "`across(selector, func)` calls `func` with each column alone (its next argument "
        "names the results): give the other arguments in a lambda, "
        "`s.across(s.numeric(), lambda c: c.round(2))`",
        ("across",),
        _builtin_across,
    )


DESCENDING_SORT = re.compile(
    r"^ArrayValue\.sort\(\) got an unexpected keyword argument '(reverse|descending|ascending)'"
)
#: The keyword values that ask for the largest first.
LARGEST_FIRST = {"reverse": True, "descending": True, "ascending": False}


def array_sorted_descending(failure: Failure) -> Diagnosis | None:
    """``t.scores.sort(reverse=True)``: an array sorts smallest first only (Ibis 12 has no
    reverse); a numeric one sorts largest first negated, ``map(-x).sort().map(-x)``."""
    found = DESCENDING_SORT.match(str(failure.error))
    if found is None:
        return None
    advice = (
        "an array sorts smallest first only (`.sort()` takes no order); a numeric array "
        "sorts largest first negated: `arr.map(lambda x: -x).sort().map(lambda x: -x)`"
    )

    def negated(call: ast.Call, code: str) -> str | None:
        flag = call.keywords[0] if len(call.keywords) == 1 and not call.args else None
        wanted = LARGEST_FIRST.get(flag.arg or "") if flag else None
        if flag is None or not isinstance(flag.value, ast.Constant) or flag.value.value != wanted:
            return None
        if not isinstance(call.func, ast.Attribute):
            return None
        array = value_of(call.func.value, failure.namespace)
        if not (isinstance(array, ir.ArrayValue) and array.type().value_type.is_numeric()):
            return None
        return f"{owner_source(call.func.value, code)}.map(lambda x: -x).sort().map(lambda x: -x)"

    return call_rewrite(failure.code, "nested data", advice, ("sort",), negated) or Diagnosis(
        "nested data", advice
    )


def _without_index(node: ast.AST, code: str) -> str | None:
    """``g.size().reset_index(name="n")`` → ``g.agg(n=ibis._.count())``; a table's
    ``.reset_index()`` → the table (its group keys are columns already)."""
    if not isinstance(node, ast.Call) or node.args or called_name(node) != "reset_index":
        return None
    owner = node.func.value if isinstance(node.func, ast.Attribute) else None
    named = string_value(keyword(node, "name"))
    if owner is None or any(k.arg not in {"name", "drop"} for k in node.keywords):
        return None
    if named is None:
        return owner_source(owner, code)
    if not (isinstance(owner, ast.Call) and called_name(owner) == "size" and not owner.args):
        return None
    sized = owner.func
    if not isinstance(sized, ast.Attribute) or not named.isidentifier():
        return None
    return f"{owner_source(sized.value, code)}.agg({named}=ibis._.count())"


def reset_index(failure: Failure) -> Diagnosis | None:
    """pandas' ``reset_index()``: an Ibis table has no index, and its group keys are
    columns; a grouped ``size()`` named with ``reset_index(name=)`` is a named count."""
    if "object has no attribute 'reset_index'" not in str(failure.error):
        return None
    return node_rewrite(
        failure.code,
        "pandas habit",
        "an Ibis table has no index to reset: group keys are columns already; a count per "
        'group named "n" is `t.group_by(k).agg(n=ibis._.count())`',
        _without_index,
    )


#: The units ``IntegerValue.as_timestamp`` takes.
TIMESTAMP_UNITS = frozenset({"s", "ms", "us"})
AS_TIMESTAMP_UNIT = re.compile(r"^IntegerValue\.as_timestamp\(\) missing 1 required .*'unit'")


def epoch_unit_from_name(failure: Failure) -> Diagnosis | None:
    """``t.epoch_ms.as_timestamp()``: the unit is required; a column named ``*_ms`` holds
    milliseconds (``*_s`` seconds, ``*_us`` microseconds)."""
    if AS_TIMESTAMP_UNIT.match(str(failure.error)) is None:
        return None

    def with_unit(call: ast.Call, code: str) -> str | None:
        owner = call.func.value if isinstance(call.func, ast.Attribute) else None
        value = value_of(owner, failure.namespace) if owner is not None else None
        name = value_name(value) if isinstance(value, ir.IntegerValue) else ""
        unit = epoch_unit(name)
        if unit not in TIMESTAMP_UNITS or call.args or call.keywords:
            return None
        return f"{source_of(call.func, code)}({unit!r})"

    return call_rewrite(
        failure.code,
        "dates and intervals",
        "`as_timestamp` needs the unit of the number (`'s'`, `'ms'` or `'us'`); the "
        "proposed one is read off the column's name",
        ("as_timestamp",),
        with_unit,
    )


DELTA_UNIT = re.compile(
    r"^(?:Date|Timestamp|Time)Value\.delta\(\) missing 1 required keyword-only argument: 'unit'"
)
#: Words of a result's name that say which unit a difference counts (``days_valid``).
NAME_UNITS = {
    "years": "year", "quarters": "quarter", "months": "month", "weeks": "week", "days": "day",
    "hours": "hour", "hrs": "hour", "minutes": "minute", "mins": "minute", "seconds": "second",
    "secs": "second",
}  # fmt: skip


def _delta_units(code: str) -> dict[tuple[int, int, int | None, int | None], str]:
    """Where each ``delta`` call is, and the unit the name of what it computes says
    (``days_valid=a.delta(b)``, ``hours = a.delta(b)``): one unit word, or none."""
    units = {}
    for node in ast.walk(parse(code) or ast.Module(body=[], type_ignores=[])):
        if isinstance(node, ast.keyword) and node.arg:
            name, value = node.arg, node.value
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
        else:
            continue
        words = {NAME_UNITS[word] for word in name.lower().split("_") if word in NAME_UNITS}
        if len(words) != 1:
            continue
        for call in ast.walk(value):
            if isinstance(call, ast.Call) and called_name(call) == "delta":
                units[position(call)] = next(iter(words))
    return units


def delta_unit_from_name(failure: Failure) -> Diagnosis | None:
    """``t.mutate(days_valid=t.valid_to.delta(t.valid_from))``: ``delta`` needs the unit it
    counts in; the name of the result says it (``unit="day"``)."""
    if DELTA_UNIT.match(str(failure.error)) is None:
        return None

    def with_unit(call: ast.Call, code: str) -> str | None:
        unit = _delta_units(code).get(position(call))
        if unit is None or len(call.args) != 1 or call.keywords:
            return None
        return f"{source_of(call.func, code)}({source_of(call.args[0], code)}, unit={unit!r})"

    return call_rewrite(
        failure.code,
        "dates and intervals",
        "`delta` needs the unit it counts the difference in (`unit='day'`, `'hour'`, ...); "
        "the proposed one is read off the result's name",
        ("delta",),
        with_unit,
    )


SPLIT_LIMIT = re.compile(r"^StringValue\.split\(\) takes 2 positional arguments but 3 were")


def _first_piece(node: ast.AST, code: str) -> str | None:
    """``s.split("/", 1)[0]`` → ``s.split("/")[0]``: Python's ``maxsplit`` does not change
    the first piece."""
    if not isinstance(node, ast.Subscript) or not isinstance(node.value, ast.Call):
        return None
    split = node.value
    if called_name(split) != "split" or len(split.args) != 2 or split.keywords:
        return None
    index = node.slice
    if not (isinstance(index, ast.Constant) and index.value == 0):
        return None
    return f"{source_of(split.func, code)}({source_of(split.args[0], code)})[0]"


def split_limit(failure: Failure) -> Diagnosis | None:
    """``s.split("/", 1)``: Python's ``maxsplit``; Ibis splits at every delimiter (the
    first piece is the same; others need ``re_extract``)."""
    if SPLIT_LIMIT.match(str(failure.error)) is None:
        return None
    advice = (
        "Ibis's `split` takes only the delimiter and splits at each one (no `maxsplit`): "
        "the first piece is `s.split(d)[0]`; the rest after the first delimiter is "
        "`s.re_extract(r'^[^d]*d(.*)$', 1)`"
    )
    return node_rewrite(failure.code, "string method", advice, _first_piece) or Diagnosis(
        "string method", advice
    )


GROUPED_MISSING = re.compile(r"^GroupedTable has no attribute (\w+)$")


def grouped_reduction(failure: Failure) -> Diagnosis | None:
    """pandas' ``df.groupby("k").min()`` reduces every column; an Ibis grouped table is
    reduced with named reductions (which columns, and how, is the user's call)."""
    found = GROUPED_MISSING.match(str(failure.error))
    if found is None or found[1] not in ONE_VALUE:
        return None
    return Diagnosis(
        "pandas habit",
        f"a grouped table has no `.{found[1]}()` over every column, as pandas' has: name each "
        f"reduction, `t.group_by(k).agg(low=t.x.{found[1]}())`",
    )


STARTS_OR_ENDS = re.compile(
    r"^StringValue\.(startswith|endswith)\(\) takes 2 positional arguments but \d+ were"
)


def several_prefixes(failure: Failure) -> Diagnosis | None:
    """``s.startswith("St", "Sankt")``: Python's ``startswith`` takes a tuple of prefixes;
    Ibis's takes one, and several are one test each, joined with ``|``."""
    found = STARTS_OR_ENDS.match(str(failure.error))
    if found is None:
        return None
    method = found[1]

    def each(call: ast.Call, code: str) -> str | None:
        if len(call.args) < 2 or call.keywords or not isinstance(call.func, ast.Attribute):
            return None
        if any(string_value(a) is None for a in call.args):
            return None
        owner = owner_source(call.func.value, code)
        return "(" + " | ".join(f"{owner}.{method}({source_of(a, code)})" for a in call.args) + ")"

    return call_rewrite(
        failure.code,
        "string method",
        f"`{method}` takes one text; several are one test each: "
        f'`(s.{method}("a") | s.{method}("b"))`',
        (method,),
        each,
    )


YEAR_COMPARED = re.compile(
    r"^Arguments \w+:(date|timestamp\S*) and Literal\((\d{4})\):int\d+ are not"
)


def _a_year(node: ast.AST) -> bool:
    value = node.value if isinstance(node, ast.Constant) else None
    return whole_number(value) and 1000 <= value <= 2999


def year_compared(failure: Failure) -> Diagnosis | None:
    """``t.built < 1900``: a date compared with a year; its year is ``t.built.year()``."""
    if YEAR_COMPARED.match(str(failure.error)) is None:
        return None

    def render(node: ast.AST, code: str) -> str | None:
        if not isinstance(node, ast.Compare) or len(node.ops) != 1:
            return None
        symbol, sides = COMPARISON_SYMBOLS.get(type(node.ops[0])), (node.left, *node.comparators)
        year = next((side for side in sides if _a_year(side)), None)
        dated = [
            side
            for side in sides
            if isinstance(value_of(side, failure.namespace), ir.DateValue | ir.TimestampValue)
        ]
        if symbol is None or year is None or len(dated) != 1:
            return None
        left, right = (
            f"{owner_source(side, code)}.year()" if side is dated[0] else source_of(side, code)
            for side in sides
        )
        return f"{left} {symbol} {right}"

    return node_rewrite(
        failure.code,
        "dates and intervals",
        "a date is compared with a year: its year is `t.day.year()` (`t.day.year() < 1900`)",
        render,
    )


JSON_MISSING = re.compile(r"^'JSON(?:Column|Scalar|Value)' object has no attribute '(\w+)'")


def json_as_value(failure: Failure) -> Diagnosis | None:
    """``t.doc["sky"].lower()``: a JSON value has no text or number methods until it is
    read as one: ``t.doc["sky"].str.lower()`` (``.float`` for a number's)."""
    found = JSON_MISSING.match(str(failure.error))
    method = found[1] if found else ""
    reader = (
        "str" if hasattr(ir.StringValue, method) else "float" if hasattr(ir.NumericValue, method)
        else None
    )  # fmt: skip
    if reader is None or method in {"keys", "values"}:
        return None

    def render(node: ast.AST, code: str) -> str | None:
        owner = node.value if isinstance(node, ast.Attribute) and node.attr == method else None
        if owner is None or not isinstance(value_of(owner, failure.namespace), ir.JSONValue):
            return None
        return f"{owner_source(owner, code)}.{reader}.{method}"

    return node_rewrite(
        failure.code,
        "nested data",
        f"a JSON value has no `.{method}` until it is read as a {reader}: "
        f'`t.doc["field"].{reader}.{method}(...)`',
        render,
    )


STRUCT_OF_LIST = "cannot convert dictionary update sequence element"


def struct_of_columns(failure: Failure) -> Diagnosis | None:
    """``ibis.struct([t.a, t.b])``: a struct's fields have names; columns given in a list
    become fields named as the columns, ``ibis.struct({"a": t.a, "b": t.b})``."""
    if STRUCT_OF_LIST not in str(failure.error):
        return None

    def named(call: ast.Call, code: str) -> str | None:
        listed = call.args[0] if len(call.args) == 1 and not call.keywords else None
        items = listed.elts if isinstance(listed, ast.List | ast.Tuple) else []
        if not items or not all(isinstance(i, ast.Attribute) for i in items):
            return None
        names = [i.attr for i in items if isinstance(i, ast.Attribute)]
        if len(set(names)) != len(names):
            return None
        fields = ", ".join(
            f"{n!r}: {source_of(i, code)}" for n, i in zip(names, items, strict=True)
        )
        return f"{source_of(call.func, code)}({{{fields}}})"

    return call_rewrite(
        failure.code,
        "nested data",
        'a struct\'s fields have names: `ibis.struct({"a": t.a, "b": t.b})` (a list of '
        "values is `ibis.array([...])`)",
        ("struct",),
        named,
    )


def current_row(failure: Failure) -> Diagnosis | None:
    """``rows=(ibis.preceding(2), ibis.current_row())``: SQLAlchemy's frame bound; in Ibis
    the current row is ``0``."""
    if "has no attribute 'current_row'" not in str(failure.error):
        return None

    def render(node: ast.AST, code: str) -> str | None:
        function = node.func if isinstance(node, ast.Call) and not node.args else None
        written = source_of(function, code) if function is not None else ""
        return "0" if written in {"ibis.current_row", "current_row"} else None

    return node_rewrite(
        failure.code,
        "window",
        "Ibis has no `current_row()`: a frame's bounds are numbers, the current row `0` "
        "(`rows=(-2, 0)`, or `preceding=2, following=0`)",
        render,
    )


UNARY_MINUS = re.compile(r"^bad operand type for unary -: '\w+'")


def _negated(node: ast.AST) -> ast.expr | None:
    """``x`` of ``-x``, else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return node.operand
    return None


def _desc_keys(call: ast.Call, code: str) -> str | None:
    """``t.order_by(-t.name, "at")`` → ``t.order_by(t.name.desc(), "at")``."""
    first = call.args[0] if len(call.args) == 1 else None
    keys = first.elts if isinstance(first, ast.List) else call.args
    if not any(_negated(node) for node in keys):
        return None
    written = ", ".join(
        f"{owner_source(operand, code)}.desc()"
        if (operand := _negated(node)) is not None
        else source_of(node, code)
        for node in keys
    )
    parts = [f"[{written}]" if isinstance(first, ast.List) else written]
    parts += [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k.arg]
    return f"{source_of(call.func, code)}({', '.join(parts)})"


def negated_sort_key(failure: Failure) -> Diagnosis | None:
    """``t.order_by(-t.name)``: minus sorts numbers the other way in pandas' and SQL habit,
    but text and dates have no negative; a key is descending with ``.desc()``."""
    if UNARY_MINUS.match(str(failure.error)) is None:
        return None
    return call_rewrite(
        failure.code,
        "sorting",
        "only numbers can be negated; to sort a key from largest to smallest use "
        '`t.x.desc()` or `ibis.desc("x")`: `t.order_by(t.x.desc(), "y")`',
        ("order_by",),
        _desc_keys,
    )


RIGHT_NOT_A_TABLE = "Right side of join must be an Ibis table, got"
JOINS = tuple(
    f"{kind}join"
    for kind in ("", "inner_", "left_", "right_", "outer_", "semi_", "anti_", "any_inner_",
                 "any_left_", "asof_", "cross_")
)  # fmt: skip


def column_as_join_side(failure: Failure) -> Diagnosis | None:
    """``a.semi_join(b.key, "key")``: the right side of a join is the table; the key is
    given by name or condition."""
    if RIGHT_NOT_A_TABLE not in str(failure.error):
        return None
    tables = failure.tables

    def table_of(call: ast.Call, code: str) -> str | None:
        right = call.args[0] if call.args else None
        owner = getattr(right, "value", None)
        if not isinstance(owner, ast.Name) or owner.id not in tables:
            return None
        return render_call(
            call, code, [owner, *call.args[1:]], [(k.arg, k.value) for k in call.keywords if k.arg]
        )

    return call_rewrite(
        failure.code,
        "join",
        "the right side of a join is a table, not one of its columns: "
        '`a.semi_join(b, "key")` (the key by name, or `a.key == b.key`)',
        JOINS,
        table_of,
    )


def _offset_into_limit(node: ast.AST, code: str) -> str | None:
    """``t.limit(20).offset(40)`` (or ``t.offset(40).limit(20)``) →
    ``t.limit(20, offset=40)``."""
    outer = node if isinstance(node, ast.Call) and not node.keywords else None
    inner = getattr(getattr(outer, "func", None), "value", None)
    if outer is None or not isinstance(inner, ast.Call) or inner.keywords:
        return None
    calls = {called_name(outer): outer, called_name(inner): inner}
    limit, offset = calls.get("limit"), calls.get("offset")
    if limit is None or offset is None or len(limit.args) != 1 or len(offset.args) != 1:
        return None
    table = getattr(inner.func, "value", None)
    if table is None:
        return None
    rows, skipped = source_of(limit.args[0], code), source_of(offset.args[0], code)
    return f"{source_of(table, code)}.limit({rows}, offset={skipped})"


def offset_as_method(failure: Failure) -> Diagnosis | None:
    """SQL's ``LIMIT 20 OFFSET 40`` written as two calls: ``offset`` is ``limit``'s."""
    if str(failure.error) != "'Table' object has no attribute 'offset'":
        return None
    return Diagnosis(
        "sql habit",
        "a table has no `offset`: the rows to skip are `limit`'s, `t.limit(20, offset=40)` "
        "(SQL's `LIMIT 20 OFFSET 40`)",
        lambda code: rewrite_rendered(code, _offset_into_limit),
    )


RULES = (
    first_row_of_reduction,
    pairwise_extreme,
    table_cast_pair,
    column_names_as_list,
    text_slice_from_end,
    pandas_offset,
    name_read_as_call,
    substitute_of_several,
    nullif_of_several,
    fill_null_from_column,
    direction_as_argument,
    padding_arguments_swapped,
    value_shares,
    grouped_size_named,
    struct_keys,
    selector_texts_apart,
    selectors_as_list,
    having_after_aggregate,
    row_condition_in_having,
    join_keys_as_pair,
    join_names_as_pair,
    builtin_across,
    array_sorted_descending,
    reset_index,
    epoch_unit_from_name,
    delta_unit_from_name,
    split_limit,
    grouped_reduction,
    several_prefixes,
    year_compared,
    json_as_value,
    struct_of_columns,
    current_row,
    negated_sort_key,
    column_as_join_side,
    offset_as_method,
)
