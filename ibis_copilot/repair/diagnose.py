"""Deterministic diagnoses of failing Ibis code: instant, no model, each rule small.

Every rule looks at a :class:`Failure` (the exception, the failing code and the
namespace's tables) and either says what went wrong and what to write instead, or says
nothing. Where the fix is mechanical the finding carries the rewritten code.
"""

from __future__ import annotations

import ast
import difflib
import functools
import itertools
import re
from collections.abc import Callable, Mapping

import ibis
import ibis.selectors

from ibis_copilot.repair import (
    applied_functions,
    arguments,
    call_habits,
    eager,
    habits,
    intervals,
    library_functions,
    literals,
    polars_habits,
    pyspark_habits,
    python_names,
    python_syntax,
    rewrite,
    set_operations,
    sql_names,
    structs,
    translate,
    units,
    windows,
)
from ibis_copilot.repair.edits import (
    REDUCTIONS,
    call_rewrite,
    calls_to,
    keyword,
    parse,
    replace_each_call,
)
from ibis_copilot.repair.failure import Diagnosis, Failure, Rewrite
from ibis_copilot.repair.raising_call import raising_call
from ibis_copilot.repair.renames import find_rename
from ibis_copilot.repair.signatures import choice_spelling, signature_mismatch

#: Python's "'X' object has no attribute 'y'", and Ibis's own "GroupedTable has no
#: attribute y".
NO_ATTRIBUTE = re.compile(r"^'?(\w+)'? (?:object )?has no attribute '?(\w+)'?")
IBIS_HINT = re.compile(r"has no attribute '(\w+)', did you mean '(\w+)'")
MISSING_COLUMN = re.compile(
    r"(?:Column '|Columns \[')(\w+(?:\.\w+)?)'"
    r"(?: is not found in table|(?:, '\w+')*\] are not present in)"
)
EXISTING_COLUMNS = re.compile(r"Existing columns: (.+?)\.?$")
SEMI_OR_ANTI = re.compile(r"\b(?:semi|anti)_join\(|how\s*=\s*['\"](?:semi|anti)['\"]")
ANOTHER_RELATION = "belong to another relation"
NOT_A_REDUCTION = re.compile(r"Aggregate\(.*has failed", re.DOTALL)

#: pandas habits: the Ibis way, and the method that replaces them where it is a rename.
PANDAS_HABITS: dict[str, tuple[str, str | None]] = {
    "loc": ("rows are chosen with `t.filter(predicate)` and columns with `t.select(...)`", None),
    "iloc": ("Ibis rows have no positions: use `t.order_by(...).limit(n, offset=k)`", None),
    "apply": ("write a column expression, or a UDF with `@ibis.udf.scalar.python`", None),
    "groupby": ("`t.group_by(keys).agg(name=t.col.sum())`", "group_by"),
    "values": ("get data with `t.to_pandas()` or `t.to_pyarrow()`", None),
    "str": ("string methods are on the column itself: `t.name.upper()`", None),
    "dt": ("date parts are methods of the column itself: `t.ts.year()`", None),
    "sort_values": ("`t.order_by(ibis.desc('col'))`", "order_by"),
    "drop_duplicates": ("`t.distinct()` (or `t.distinct(on=...)`)", "distinct"),
    "fillna": ("`t.fill_null(value)` or `t.col.fill_null(value)`", "fill_null"),
    "dropna": ("`t.drop_null()`", "drop_null"),
    "isna": ("`t.col.isnull()`", "isnull"),
    "notna": ("`t.col.notnull()`", "notnull"),
    "iterrows": ("Ibis tables are not iterated: `t.to_pandas()` first", None),
    "shape": ("`t.count().execute()` for rows, `len(t.columns)` for columns", None),
    "dtypes": ("`t.schema()`", None),
    "merge": ("`left.join(right, predicates, how='left')`", None),
    "between_time": ("times of day: `(t.ts.time() >= ibis.time(a)) & (... <= ...)`", None),
    "merge_asof": ("`left.asof_join(right, on=..., predicates=...)`", None),
    "combine_first": ("`col.coalesce(other)` (the first value that is not null)", "coalesce"),
    "json_normalize": (
        "a struct's fields become columns: `t.unpack('col')` or `t.col.lift()`",
        None,
    ),
    "melt": ("`t.pivot_longer(columns, names_to=..., values_to=...)`", None),
    "unpivot": ("`t.pivot_longer(columns, names_to=..., values_to=...)`", None),
    "astype": ("`col.cast('float64')`", "cast"),
    "shift": ("`col.lag(n)` (and `col.lead(n)`)", None),
    "explode": ("`col.unnest()` (a table: `t.unnest('col')`)", "unnest"),
    "where": ("`t.filter(predicate)`", "filter"),
    "query": ("`t.filter(t.a > 1)`, with expressions, not a string", None),
    "assign": ("`t.mutate(name=expression)`", "mutate"),
    "with_columns": ("`t.mutate(name=expression)`", "mutate"),
    "withColumn": ("`t.mutate(name=expression)`", None),
    "unique": ("`t.distinct()`", "distinct"),
    "nlargest": ("`t.order_by(ibis.desc(col)).limit(n)`", None),
    "tail": (
        "Ibis tables have no last rows: order the other way and take the first, "
        "`t.order_by(ibis.desc(col)).head(n)`",
        None,
    ),
    "nsmallest": ("`t.order_by(col).limit(n)`", None),
    "pivot": ("`t.pivot_wider(id_cols=..., names_from=..., values_from=...)`", None),
    "pivot_table": ("`t.pivot_wider(..., values_agg='sum')`", None),
    "concat": ("`ibis.union(a, b)` (or `a.union(b)`)", None),
    "diff": ("`col - col.lag()`", None),
    "map": ("`col.substitute({old: new})`", None),
    "replace": (
        "missing values are filled with `col.fill_null(value)`, values swapped with "
        "`col.substitute({old: new})`, a value made missing with `col.nullif(value)`",
        None,
    ),
    "rolling": (
        "a moving window is a reduction `.over(...)` a frame: "
        "`col.mean().over(ibis.window(order_by=..., preceding=n - 1, following=0))`",
        None,
    ),
    "expanding": (
        "a running total is a reduction `.over(...)` a cumulative window: "
        "`col.sum().over(ibis.cumulative_window(order_by=...))` (or `col.cumsum(order_by=...)`)",
        None,
    ),
    "slice": ("`col.substr(start, length)`", None),
    "weekday": ("`col.day_of_week.index()` (Monday is 0)", "day_of_week.index"),
    "day_name": ("`col.day_of_week.full_name()`", "day_of_week.full_name"),
    "month_name": ('`col.strftime("%B")`', None),
    "percentile": ("`col.quantile(0.9)`: a fraction, not a percent", None),
    "subtract": ("the rows of one table not in another are `a.difference(b)`", "difference"),
    "copy": (
        "an Ibis table is never changed in place, so it needs no copy; a second reference "
        "to it, for a self-join, is `t.view()`",
        "view",
    ),
    "transform": (
        "a reduction per group is the reduction itself in a grouped `mutate`: "
        "`t.group_by(k).mutate(avg=t.x.mean())` (or `t.x.mean().over(group_by=k)`)",
        None,
    ),
    "timestamp": ("seconds since the epoch are `col.epoch_seconds()`", "epoch_seconds"),
    "isocalendar": (
        "the ISO year is `col.iso_year()`, the ISO week `col.week_of_year()`, the ISO "
        "weekday `col.day_of_week.index() + 1`",
        None,
    ),
    "extract": ("`col.re_extract(pattern, 1)` (the first group)", None),
    "toordinal": (
        "days since 1970-01-01 are `col.epoch_days()`; Python's ordinal (days since "
        "0001-01-01, that day being 1) is `col.epoch_days() + 719163`",
        None,
    ),
    "cat": ("`col.concat(other)` (with a separator: `col.concat(sep, other)`)", None),
    "zfill": ('`col.lpad(width, "0")`', None),
    "isnumeric": ('`col.re_search(r"^[0-9]+$")`', None),
    "isdigit": ('`col.re_search(r"^[0-9]+$")`', None),
    "isdecimal": ('`col.re_search(r"^[0-9]+$")`', None),
    "match": (
        "`col.re_search(pattern)` (pandas' `match` anchors at the start: begin the "
        "pattern with `^` for the same rows)",
        "re_search",
    ),
}
#: pandas habits that an array column has a method of its own for.
ARRAY_HABITS = {
    "apply": ("map", "an array's elements are mapped with `col.map(lambda x: ...)`"),
    "drop_duplicates": ("unique", "an array's distinct elements are `col.unique()`"),
}
#: Habits that are methods of pandas' DataFrame only (a column's ``.where`` is not ``filter``).
TABLE_HABITS = frozenset(
    {"where", "query", "assign", "with_columns", "withColumn", "unique", "nlargest",
     "nsmallest", "pivot", "pivot_table", "loc", "iloc", "shape", "merge", "melt", "unpivot",
     "tail", "subtract", "copy"}
)  # fmt: skip
#: pandas' Series methods that Ibis spells as a query or a window, where a close Ibis name
#: is another operation (``unique`` is not ``nunique``): advice only.
COLUMN_HABITS = {
    "unique": "the distinct values are a table, `t.select('col').distinct()` (their number: "
    "`col.nunique()`)",
    "nlargest": "`t.order_by(ibis.desc('col')).limit(n)`",
    "nsmallest": "`t.order_by('col').limit(n)`",
    "cumcount": "a row's number in its group is "
    "`ibis.row_number().over(group_by=..., order_by=...)`",
    "idxmax": "the key of the row with the largest value is `t.key.argmax(t.col)`",
    "idxmin": "the key of the row with the smallest value is `t.key.argmin(t.col)`",
    "pct_change": "`(col - col.lag()) / col.lag()`, over a window ordered by time",
    "cumprod": "no running product: `col.ln().cumsum().exp()` for positive values",
    "describe": "`t.describe()` summarises every column (`t.select('col').describe()` one)",
}
#: SQL's names of column methods, and Ibis's.
SQL_METHODS: dict[str, str] = {
    "as_": "name",
    "alias": "name",
    "is_null": "isnull",
    "is_not_null": "notnull",
    "isnotnull": "notnull",
    "ifnull": "coalesce",
    "nvl": "coalesce",
    "substring": "substr",
    "char_length": "length",
    "lcase": "lower",
    "ucase": "upper",
    "array_agg": "collect",
    "list_agg": "collect",
    "isNull": "isnull",  # PySpark's
    "isNotNull": "notnull",
    "startsWith": "startswith",
    "endsWith": "endswith",
}
#: Reductions that need numbers.
NUMERIC_REDUCTIONS = frozenset({"mean", "sum", "std", "var", "median", "quantile", "approx_median"})


def _columns(failure: Failure) -> dict[str, str]:
    """Every column of the namespace's tables with its type."""
    columns: dict[str, str] = {}
    for table in failure.tables.values():
        try:
            columns.update({name: str(dtype) for name, dtype in table.schema().items()})
        except Exception:  # noqa: BLE001, S112 - a broken table is skipped
            continue
    return columns


def _missing_attribute(error: BaseException) -> tuple[str, str] | None:
    """(type name, attribute) of an AttributeError, else None (``?`` when the message is
    only the name, as Ibis's struct columns say it)."""
    if not isinstance(error, AttributeError):
        return None
    if re.fullmatch(r"\w+", str(error)):
        return "?", str(error)
    match = NO_ATTRIBUTE.match(str(error)) or re.match(
        r"^module '(\w+)' has no attribute '(\w+)'", str(error)
    )
    if match is None:
        return None
    owner = "module" if str(error).startswith("module") else match.group(1)
    return owner, match.group(2)


def _columns_naming(failure: Failure, name: str) -> list[str]:
    """Columns of the tables the code reads ``.name`` from that have ``name`` as a word
    (``accounts.id`` → ``customer_id``), when exactly one table column does."""
    found: list[str] = []
    for variable, table in failure.tables.items():
        if re.search(rf"\b{re.escape(variable)}\.{re.escape(name)}\b", failure.code):
            found += [c for c in table.columns if name in c.split("_") and c != name]
    return found if len(found) == 1 else []


def _made_in_same_call(code: str, name: str) -> ast.Call | None:
    """The call that defines ``name=`` and then uses ``_.name`` or ``t.name`` in a later
    keyword (a call sees only the table it is called on)."""

    def uses_it(node: ast.AST) -> bool:
        return any(isinstance(n, ast.Attribute) and n.attr == name for n in ast.walk(node))

    tree = parse(code)
    for call in calls_to(tree, *habits.NAMING_CALLS) if tree else ():
        names = [k.arg for k in call.keywords]
        if name in names and any(uses_it(k.value) for k in call.keywords[names.index(name) + 1 :]):
            return call
    return None


def _inline_one(code: str, name: str) -> str | None:
    """Each later use of ``name`` in the call that defines it replaced by its definition."""
    call = _made_in_same_call(code, name)
    if call is None:
        return None
    names = [k.arg for k in call.keywords]
    definition = f"({rewrite.source_of(call.keywords[names.index(name)].value, code)})"
    uses: list[ast.AST] = [
        node
        for k in call.keywords[names.index(name) + 1 :]
        for node in ast.walk(k.value)
        if isinstance(node, ast.Attribute) and node.attr == name
    ]
    return rewrite.rewrite_at(code, uses, lambda _node, _text: definition)


def _inlined(code: str, name: str) -> str | None:
    """``name`` and every other column the same call makes and uses, inlined in turn."""
    call = _made_in_same_call(code, name)
    made = [k.arg for k in call.keywords if k.arg] if call is not None else []
    fixed = code
    for made_name in made:
        fixed = _inline_one(fixed, made_name) or fixed
    return fixed if fixed != code else None


def column_made_in_same_call(failure: Failure) -> Diagnosis | None:
    """``t.mutate(y=_.x * 2, z=_.y + 1)``: ``y`` does not exist yet where ``z`` is made."""
    name = _missing_name(failure)
    if name is None or _made_in_same_call(failure.code, name) is None:
        return None
    return Diagnosis(
        "unknown column",
        f"`{name}` is made in the same call that uses it, and a call sees only the columns of "
        f"the table it is called on: use `{name}`'s expression itself there, or a second "
        f"call (`.mutate(...)` after it)",
        lambda code: _inlined(code, name),
    )


def _unqualified(code: str, qualifier: str, columns: set[str]) -> str | None:
    """Every ``"qualifier.column"`` of the code as ``"column"``."""
    fixed = code
    for bare in set(re.findall(rf"""['"]{re.escape(qualifier)}\.(\w+)['"]""", code)) & columns:
        fixed = rewrite.rename_column(fixed, f"{qualifier}.{bare}", bare) or fixed
    return fixed if fixed != code else None


def unknown_column(failure: Failure) -> Diagnosis | None:
    """A misspelt column: name the closest real ones; fix with the closest."""
    text = str(failure.error)
    name = _missing_name(failure)
    if name is None or name in PANDAS_HABITS or IBIS_HINT.search(text):
        return None
    if (
        pyspark_habits.pyspark_method(failure)  # ``t.na.fill(0)`` is no misspelt ``t.n``
        or habits.rename_reversed(failure)  # a new column's name, not a misspelt one
        or habits.mutate_name_by_position(failure)
        or habits.reduction_by_name(failure)  # pandas' ``agg("mean")``
        or structs.struct_of_dotted_name(name, failure.tables)  # ``"s.field"``
    ):
        return None
    columns = _columns(failure)
    if name in columns:
        return _column_of_another_table(failure, name)
    qualifier, _, bare = name.rpartition(".")
    if qualifier.isidentifier() and bare in columns:
        return Diagnosis(
            "sql habit",
            f"`{name}` is SQL's `table.column`; Ibis names a table's column alone, `{bare}` "
            f"(or `{qualifier}.{bare}` as Python, when `{qualifier}` is the table's variable)",
            lambda code: _unqualified(code, qualifier, set(columns)),
        )
    close = difflib.get_close_matches(name, sorted(columns), n=3, cutoff=0.6)
    close = close or _columns_naming(failure, name)
    if not close:
        return None
    options = " or ".join(f"`{column}`" for column in close)
    return Diagnosis(
        "unknown column",
        f"`{name}` is not a column; did you mean {options}?",
        lambda code: rewrite.rename_column(code, name, close[0]),
    )


def _column_of_another_table(failure: Failure, name: str) -> Diagnosis | None:
    """A real column looked up in a table that lacks it (a join key named differently on
    each side, a column dropped by an earlier ``select``): say whose column it is."""
    owners = [v for v, table in failure.tables.items() if name in table.columns]
    existing = EXISTING_COLUMNS.search(str(failure.error))
    if not owners:
        return None
    whose = f", whose columns are {existing.group(1)}" if existing else ""
    message = (
        f"`{name}` is a column of {' and '.join(f'`{v}`' for v in owners)}, but not of the "
        f"table it was looked up in{whose}"
    )
    if SEMI_OR_ANTI.search(failure.code):
        message += (
            ": a semi or anti join keeps the left table's columns only; an inner join "
            "(`a.join(b, ...)`) brings the right table's columns too"
        )
    elif "join" in failure.code:
        message += (
            f": to join on columns named differently, give the condition, e.g. "
            f"`{owners[0]}.{name} == other.key`"
        )
    return Diagnosis("unknown column", message)


def not_a_window_function(failure: Failure) -> Diagnosis | None:
    """``.over(...)`` on something that is neither a reduction nor an analytic function."""
    if windows.NOT_A_WINDOW not in str(failure.error):
        return None
    return Diagnosis(
        "window",
        "`.over(...)` goes after a reduction (`sum()`, `mean()`, `count()`, `max()`, ...) or "
        "an analytic function (`rank()`, `row_number()`, `lag()`, `cumsum()`, ...), not "
        "after a plain column or a row-wise expression: e.g. `t.x.sum().over(window)`",
    )


def last_resort(failure: Failure) -> list[Diagnosis]:
    """What is said when neither a rule nor a mechanical candidate explains the failure:
    two types that do not mix, a name that is no column (and spelt like none) with the
    tables' columns listed, ``.over`` after no reduction, the argument an Ibis
    operation's signature refused, else the Ibis call that raised and what it takes. Never
    a fix: these say what is wrong, not what was meant."""
    text = str(failure.error)
    if mixed := MIXED_TYPES.search(text):
        first, second = mixed.groups()
        calls = [name for name in MIXING_CALLS if re.search(rf"\b{name}\(", failure.code)]
        where = (
            f"`{calls[0]}(...)` mixes {first} and {second} values"
            if len(calls) == 1
            else f"this expression mixes {first} and {second} values"
        )
        return [
            Diagnosis(
                "types",
                f"{where} (the branches of `ifelse`/`cases`, the arguments of "
                "`coalesce`/`fill_null`, a map's values or a default, or the two sides of an "
                f'operator): give them one type, e.g. with `.cast("{first}")`',
            )
        ]
    if compared := COMPARED_TYPES.search(text):
        name, first, second = compared.groups()
        return [
            Diagnosis(
                "types",
                f"`{name}` is {first} and is compared with a {second} value: compare values "
                f'of one type: cast one side (e.g. `.cast("{second}")`) or write the '
                f"value as {first}",
            )
        ]
    name = _missing_name(failure)
    found = (
        _not_a_column(failure, name)
        if name
        else not_a_window_function(failure) or signature_mismatch(failure) or raising_call(failure)
    )
    return [found] if found is not None else []


def _missing_name(failure: Failure) -> str | None:
    """The name a table lacked: Ibis's "Column 'x' is not found", or a missing attribute
    of a table or join (None for other objects' attributes and other errors)."""
    missing = MISSING_COLUMN.search(str(failure.error))
    attribute = _missing_attribute(failure.error)
    if attribute and attribute[0] not in {"Table", "Join"}:
        return None
    return missing.group(1) if missing else attribute[1] if attribute else None


def _not_a_column(failure: Failure, name: str) -> Diagnosis | None:
    """A name with no close column: say so and list the columns of the tables the code
    reads columns from (no fix: which one was meant is the user's call)."""
    from ibis.expr.types import Table

    if difflib.get_close_matches(name, dir(Table), n=1, cutoff=0.75):
        return None  # more likely a misspelt method: other rules speak to that
    used = [v for v in failure.tables if re.search(rf"\b{re.escape(v)}\s*[.\[]", failure.code)]
    tables = {v: failure.tables[v] for v in used} or failure.tables
    listed = []
    for variable, table in list(tables.items())[:2]:
        columns = ", ".join(f"`{c}`" for c in list(table.columns)[:MAX_LISTED_COLUMNS])
        more = ", ..." if len(table.columns) > MAX_LISTED_COLUMNS else ""
        listed.append(f"`{variable}` has {columns}{more}")
    if not listed:
        return None
    return Diagnosis(
        "unknown column",
        f"`{name}` is not a column, and no column is spelt like it: " + "; ".join(listed),
    )


def ibis_hint(failure: Failure) -> Diagnosis | None:
    """Ibis's own "did you mean" hint (``groupby`` → ``group_by``, ``sort_by`` → ``order_by``)."""
    match = IBIS_HINT.search(str(failure.error))
    if match is None:
        return None
    old, new = match.groups()
    return Diagnosis(
        "renamed API",
        f"`.{old}` is `.{new}` in Ibis",
        lambda code: rewrite.rename_attribute(code, old, new),
    )


def renamed_api(failure: Failure) -> Diagnosis | None:
    """An API that Ibis removed or renamed (from its release notes): the current one."""
    attribute = _missing_attribute(failure.error)
    found = find_rename(*attribute) if attribute else None
    if found is None:
        return None
    where = "ibis." if found.owner == "ibis" else "."
    message = f"`{where}{found.old}` was removed in Ibis {found.release}; use `{where}{found.new}`"
    tables = failure.table_names
    special: dict[str, Rewrite] = {
        "relabel": lambda code: rewrite.relabel_to_rename(code, tables),
        "case": rewrite.case_to_cases,
        "destructure": lambda code: structs.destructure_to_fields(code, failure.tables),
    }
    fix: Rewrite | None = special.get(found.old)
    if found.rewrite:
        fix = lambda code: rewrite.rename_attribute(code, found.old, found.new)  # noqa: E731
    return Diagnosis("renamed API", f"{message}: {found.hint}" if found.hint else message, fix)


def _without_date_accessor(code: str) -> str | None:
    """``t.d.dt.weekday`` → ``t.d.day_of_week.index()``: the accessor dropped, then
    pandas' date names in Ibis's."""
    renames = [
        functools.partial(rewrite.rename_attribute, old=name, new=replacement)
        for name, (_, replacement) in PANDAS_HABITS.items()
        if replacement and replacement.startswith("day_of_week")
    ]
    month_names = functools.partial(
        replace_each_call, names=("month_name",), translate=translate.month_name_call
    )
    return _edits_in_turn(
        code, functools.partial(rewrite.drop_accessor, accessor="dt"), *renames, month_names
    )


#: polars' string namespace's names that mean another thing on a column (pandas'
#: ``tail(1)`` of a group is its last row), and Ibis's string methods for them.
POLARS_STRING_CALLS = {"head": "left", "tail": "right"}


def _polars_string_call(node: ast.AST, code: str) -> str | None:
    """``s.str.head(3)`` → ``s.str.left(3)`` (the accessor is dropped next)."""
    function = getattr(node, "func", None)
    if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute):
        return None
    accessor = function.value
    if function.attr not in POLARS_STRING_CALLS or getattr(accessor, "attr", "") != "str":
        return None
    arguments = ", ".join(rewrite.source_of(argument, code) for argument in node.args)
    return f"{rewrite.source_of(accessor, code)}.{POLARS_STRING_CALLS[function.attr]}({arguments})"


def _without_string_accessor(code: str) -> str | None:
    """``s.str.upper()`` → ``s.upper()``; pandas' ``s.str.contains(r"^Ep\\d")``, a regular
    expression, → ``s.re_search(r"^Ep\\d")``; polars' ``s.str.head(3)`` → ``s.left(3)``."""
    searches = functools.partial(
        replace_each_call, names=("contains",), translate=translate.accessor_contains_call
    )
    polars_names = functools.partial(rewrite.rewrite_rendered, render=_polars_string_call)
    return _edits_in_turn(
        code, searches, polars_names, functools.partial(rewrite.drop_accessor, accessor="str")
    )


def _value_class(name: str) -> bool:
    """``name`` is an Ibis value class's (``IntegerColumn``, ``StringScalar``)."""
    return name.endswith(("Column", "Scalar", "Value"))


def column_where(failure: Failure) -> Diagnosis | None:
    """pandas' ``col.where(cond)`` and ``col.mask(cond)`` (a table's ``where`` is
    ``filter``: :func:`pandas_habit`)."""
    attribute = _missing_attribute(failure.error)
    if attribute is None or attribute[1] not in COLUMN_CONDITIONALS:
        return None
    if not _value_class(attribute[0]):
        return None
    name = attribute[1]
    return Diagnosis(
        "pandas habit",
        f"`.{name}(cond)` on a column is pandas' {COLUMN_CONDITIONALS[name]}",
        lambda code: replace_each_call(code, (name,), translate.where_call),
    )


#: pandas' conditional methods of a column, and what they mean in Ibis.
COLUMN_CONDITIONALS = {
    "where": "'the value where `cond` holds, else null'; in Ibis: "
    "`ibis.ifelse(cond, col, ibis.null())` (or `col.nullif(x)`)",
    "mask": "'null where `cond` holds, else the value'; in Ibis: "
    "`ibis.ifelse(cond, ibis.null(), col)` (or `col.nullif(x)`)",
}


def pandas_habit(failure: Failure) -> Diagnosis | None:
    """pandas spellings on Ibis objects: the Ibis way (and the rewrite where it is one)."""
    attribute = _missing_attribute(failure.error)
    if attribute is None or IBIS_HINT.search(str(failure.error)):
        return None  # Ibis's own hint is more precise
    name = attribute[1]
    if name in COLUMN_HABITS and attribute[0] not in {"Table", "Join"}:
        return Diagnosis("pandas habit", f"`.{name}` is pandas; in Ibis: {COLUMN_HABITS[name]}")
    if name not in PANDAS_HABITS:
        return None
    if name in TABLE_HABITS and attribute[0] not in {"Table", "Join", "?"}:
        return None
    advice, replacement = PANDAS_HABITS[name]
    if name in ARRAY_HABITS and attribute[0].startswith("Array"):
        method, advice = ARRAY_HABITS[name]
        return Diagnosis(
            "pandas habit",
            f"`.{name}` is pandas; {advice}",
            lambda code: rewrite.rename_attribute(code, name, method),
        )
    tables = failure.table_names
    fixes: dict[str, Rewrite] = {
        "str": _without_string_accessor,
        "dt": _without_date_accessor,
        "loc": lambda code: rewrite.loc_to_filter(code, tables),
        "shape": translate.shape_to_count,
        "iloc": translate.iloc_to_limit,
        "rolling": lambda code: windows.rolling_to_window(code, failure.tables),
        "expanding": lambda code: windows.expanding_to_window(code, failure.tables),
        "dtypes": lambda code: rewrite.rename_attribute(code, "dtypes", "schema()"),
        "isocalendar": lambda code: rewrite.rewrite_rendered(code, translate.iso_calendar_part),
    }
    if name in translate.PANDAS_CALLS:
        translator = translate.PANDAS_CALLS[name]
        fixes[name] = lambda code: replace_each_call(code, (name,), translator)
    elif name == "sort_values":
        fixes[name] = lambda code: replace_each_call(code, (name,), translate.order_call)
    elif replacement:
        fixes[name] = lambda code: rewrite.rename_attribute(code, name, replacement)
    return Diagnosis("pandas habit", f"`.{name}` is pandas; in Ibis: {advice}", fixes.get(name))


#: SQL functions that are an Ibis method with a fixed argument.
SQL_CALLS: dict[str, str] = {
    "zeroifnull": "fill_null(0)",
    "nullifzero": "nullif(0)",
    # PySpark's orderings with nulls placed
    "desc_nulls_last": "desc(nulls_first=False)",
    "desc_nulls_first": "desc(nulls_first=True)",
    "asc_nulls_last": "asc(nulls_first=False)",
    "asc_nulls_first": "asc(nulls_first=True)",
    # SQL's (and PySpark's) digests
    "md5": 'hexdigest("md5")',
    "sha1": 'hexdigest("sha1")',
    "sha256": 'hexdigest("sha256")',
    "sha512": 'hexdigest("sha512")',
}


def sql_habit(failure: Failure) -> Diagnosis | None:
    """SQL's names for column methods (``as_``, ``is_null``, ``ifnull``): Ibis's names."""
    attribute = _missing_attribute(failure.error)
    if attribute is not None and attribute[1] in SQL_CALLS:
        name, call = attribute[1], SQL_CALLS[attribute[1]]
        pattern = re.compile(rf"\.{name}\(\s*\)")
        return Diagnosis(
            "sql habit",
            f"`.{name}()` is SQL's (or PySpark's); in Ibis it is `.{call}`",
            lambda code: pattern.sub(f".{call}", code) if pattern.search(code) else None,
        )
    if attribute is None or attribute[1] not in SQL_METHODS or attribute[0] in {"Table", "Join"}:
        return None
    old, new = attribute[1], SQL_METHODS[attribute[1]]
    return Diagnosis(
        "sql habit",
        f"`.{old}` is SQL's name; in Ibis it is `.{new}`",
        lambda code: rewrite.rename_attribute(code, old, new),
    )


def item_assignment(failure: Failure) -> Diagnosis | None:
    """``t["c"] = ...``: Ibis tables are immutable; ``mutate`` returns a new one."""
    if "does not support item assignment" not in str(failure.error):
        return None
    return Diagnosis(
        "pandas habit",
        "Ibis tables are immutable: `t = t.mutate(new_column=expression)`",
        lambda code: rewrite.item_assignment(code, failure.table_names),
    )


NOT_CALLED = re.compile(r"(\w+)\(\) takes \d+ positional arguments? but \d+ were given")


def method_not_called(failure: Failure) -> Diagnosis | None:
    """``agg(n=t.id.count)``: the method itself was passed, not its result."""
    match = NOT_CALLED.search(str(failure.error))
    if not isinstance(failure.error, TypeError) or match is None:
        return None
    method = match.group(1)
    if re.search(rf"\.{method}\b(?!\s*\()", failure.code) is None:
        return None
    return Diagnosis(
        "wrong aggregation" if method in REDUCTIONS else "wrong argument",
        f"`.{method}` without `()` passes the method, not a value: write `.{method}()`",
        lambda code: rewrite.call_method(code, method),
    )


#: What Python says when ``&``/``|``/``~`` took a comparison's operand.
MISGROUPED = re.compile(
    r"unsupported operand type\(s\) for [&|]|bad operand type for unary ~|"
    r"truth value of an Ibis expression is not defined|are not comparable"
)


def operator_precedence(failure: Failure) -> Diagnosis | None:
    """``t.a > 1 & t.b < 2``: ``&``/``|``/``~`` bind tighter than comparisons."""
    if not MISGROUPED.search(str(failure.error)):
        return None
    if rewrite.operator_precedence(failure.code) is None:
        return None
    return Diagnosis(
        "python boolean operators",
        "`&`, `|` and `~` bind tighter than comparisons in Python: `t.a > 1 & t.b < 2` "
        "reads as `t.a > (1 & t.b) < 2`; put each comparison in parentheses, "
        "`(t.a > 1) & (t.b < 2)`, `~(t.s == 'x')`",
        rewrite.operator_precedence,
    )


def _range_bounds(node: ast.AST) -> tuple[ast.expr | None, ast.expr] | None:
    """(start or None, stop) of ``range(stop)`` / ``range(start, stop)``; else None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return None
    if node.func.id != "range" or node.keywords or len(node.args) not in (1, 2):
        return None
    return (node.args[0] if len(node.args) == 2 else None), node.args[-1]


def _membership_in_values(code: str, namespace: Mapping[str, object]) -> str | None:
    """``g in regulars`` / ``t.a not in [1, 2]`` → ``g.isin(regulars)`` /
    ``t.a.notin([1, 2])``: an expression looked up in Python's values."""

    def values(node: ast.AST) -> bool:
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return True
        bound = namespace.get(node.id) if isinstance(node, ast.Name) else None
        return isinstance(bound, list | tuple | set | frozenset)

    def wanted(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], ast.In | ast.NotIn)
            and not isinstance(node.left, ast.Constant)
            and (values(node.comparators[0]) or _range_bounds(node.comparators[0]) is not None)
        )

    def render(node: ast.AST, text: str) -> str:
        assert isinstance(node, ast.Compare)  # noqa: S101 - wanted() chose comparisons only
        needle = rewrite.owner_source(node.left, text)
        bounds = _range_bounds(node.comparators[0])
        if bounds is not None:
            low, high = (rewrite.source_of(bound, text) if bound else "0" for bound in bounds)
            last = str(int(high) - 1) if high.isdigit() else f"{high} - 1"
            between = f"{needle}.between({low}, {last})"
            return between if isinstance(node.ops[0], ast.In) else f"~{between}"
        method = "isin" if isinstance(node.ops[0], ast.In) else "notin"
        return f"{needle}.{method}({rewrite.source_of(node.comparators[0], text)})"

    return rewrite.rewrite_nodes(code, wanted, render)


def list_membership(failure: Failure) -> Diagnosis | None:
    """``g in regulars``: Python's ``in`` over a list asks each ``==`` for one truth value;
    Ibis tests membership per row with ``isin``."""
    if "truth value of an Ibis expression is not defined" not in str(failure.error):
        return None
    namespace = failure.namespace
    if _membership_in_values(failure.code, namespace) is None:
        return None
    return Diagnosis(
        "python boolean operators",
        "Python's `in` over a list compares the expression with each value and needs one "
        "truth value; Ibis tests membership per row: `col.isin(values)` "
        "(`col.notin(values)` for `not in`; `in range(a, b)` is `col.between(a, b - 1)`)",
        lambda code: _membership_in_values(code, namespace),
    )


def _or_as_default(code: str) -> str | None:
    """``x or 0.0`` (Python's default for a missing value) → ``ibis.coalesce(x, 0.0)``."""

    def wanted(node: ast.AST) -> bool:
        if not (isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or)):
            return False
        default = node.values[-1]
        return (
            len(node.values) == 2  # a value and its default
            and isinstance(default, ast.Constant)
            and isinstance(default.value, int | float | str)
            and not isinstance(default.value, bool)
        )

    def render(node: ast.AST, text: str) -> str:
        assert isinstance(node, ast.BoolOp)  # noqa: S101 - wanted() chose these only
        value, default = (rewrite.source_of(v, text) for v in node.values)
        return f"ibis.coalesce({value}, {default})"

    return rewrite.rewrite_nodes(code, wanted, render)


def or_as_default(failure: Failure) -> Diagnosis | None:
    """``t.fees.get("pilotage") or 0.0``: Python's ``or`` as a default needs one truth
    value; Ibis's default for a missing (null) value is ``coalesce``."""
    if "truth value of an Ibis expression is not defined" not in str(failure.error):
        return None
    if _or_as_default(failure.code) is None:
        return None
    return Diagnosis(
        "null handling",
        "`x or default` asks Python for one truth value; a default for missing (null) "
        "values is `ibis.coalesce(x, default)` (or `x.fill_null(default)`)",
        _or_as_default,
    )


def python_boolean_operators(failure: Failure) -> Diagnosis | None:
    """``and`` / ``or`` / ``not`` (or ``if``) on expressions."""
    if "truth value of an Ibis expression is not defined" not in str(failure.error):
        return None
    if rewrite.operator_precedence(failure.code) is not None:
        return None  # a comparison grouped around ``&``: the rule above
    if _membership_in_values(failure.code, failure.namespace) is not None:
        return None  # ``x in values``: the rule above
    if _or_as_default(failure.code) is not None:
        return None  # ``x or 0``: a default, the rule above
    return Diagnosis(
        "python boolean operators",
        "Python's `and`/`or`/`not` cannot combine Ibis expressions: use `&`, `|`, `~` with "
        "parentheses, e.g. `(t.a > 1) & (t.b < 2)` (also for `1 < t.a < 2`); `if expr:` "
        "needs `ibis.ifelse(...)`",
        lambda code: _edits_in_turn(
            code,
            lambda text: rewrite.bitwise_boolean_operators(text, _expression_names(failure)),
            lambda text: rewrite.conditional_expressions(text, failure.table_names),
        ),
    )


def _expression_names(failure: Failure) -> set[str]:
    """The names that stand for expressions: the tables, and the parameters of the cell's
    lambdas (an array's element in ``arr.filter(lambda a: a > 0 and a < 5)``)."""
    tree = parse(failure.code)
    parameters = {
        argument.arg
        for node in (ast.walk(tree) if tree else ())
        if isinstance(node, ast.Lambda)
        for argument in node.args.args
    }
    return set(failure.table_names) | parameters


def _edits_in_turn(code: str, *edits: Rewrite) -> str | None:
    """Each edit applied in turn (those that change nothing skipped); None if none did."""
    fixed = code
    for edit in edits:
        if (edited := edit(fixed)) is not None:
            fixed = edited
    return fixed if fixed != code else None


def none_comparison(failure: Failure) -> Diagnosis | None:
    """``== None`` / ``is None`` on a column: ``isnull()`` says it, and works everywhere."""
    tables = failure.table_names
    if rewrite.none_comparisons(failure.code, tables) is None:
        return None
    return Diagnosis(
        "== None",
        "`col == None` is spelled `col.isnull()` in Ibis (`!= None` is `col.notnull()`); "
        "`col is None` is plain Python and always False",
        lambda code: rewrite.none_comparisons(code, tables),
    )


def mixed_tables(failure: Failure) -> Diagnosis | None:
    """Columns of two tables in one expression without a join; where the two share one
    key-like column and a statement uses both, the fix joins on it."""
    if ANOTHER_RELATION not in str(failure.error) or call_habits.row_condition_in_having(failure):
        return None
    used = sorted(name for name in failure.tables if re.search(rf"\b{name}\.", failure.code))
    for left, right in itertools.combinations(used, 2):
        columns = [set(failure.tables[name].columns) for name in (left, right)]
        if columns[0] <= columns[1] or columns[1] <= columns[0]:
            continue  # one table is derived from the other
        key = _join_key(columns[0] & columns[1])
        if key and rewrite.semi_join_filter(failure.code, (left, right), key) is not None:
            return Diagnosis(
                "mixed tables",
                f"`{left}` and `{right}` are used in one filter without a join: the proposed "
                f"fix keeps the rows that have a match with a semi-join on `{key}` (with their "
                "own columns; a join would add the other table's): check that it is the key",
                functools.partial(rewrite.semi_join_filter, tables=(left, right), key=key),
            )
        if key and rewrite.join_first(failure.code, (left, right), key) is not None:
            return Diagnosis(
                "mixed tables",
                f"this expression uses columns of `{left}` and `{right}` without a join: "
                f"join them first; the proposed fix joins on `{key}`, the column both "
                "have: check that it is the right key",
                functools.partial(rewrite.join_first, tables=(left, right), key=key),
            )
    named = " and ".join(f"`{name}`" for name in used) or "two tables"
    return Diagnosis(
        "mixed tables",
        f"this expression uses columns of {named} without a join: join them first, e.g. "
        "`joined = left.join(right, left.key == right.key)`, then use `joined`'s columns",
    )


def _join_key(shared: set[str]) -> str | None:
    """The one shared column that looks like a key (or the only shared column)."""
    if len(shared) == 1:
        return next(iter(shared))
    keys = [c for c in shared if c == "id" or c.endswith(("_id", "_key", "_code"))]
    return keys[0] if len(keys) == 1 else None


#: Other tools' names for ``aggregate``'s ``by=``, and older Ibis's ``metrics=``, which
#: ``aggregate`` would take for output columns' names.
GROUPING_KEYWORDS = frozenset({"groupby", "group_by", "groups"})
METRICS_KEYWORD = "metrics"
#: What Ibis says of such a keyword's value: no reduction, or a list it cannot type.
AGGREGATE_KEYWORD_ERRORS = re.compile(
    f"{NOT_A_REDUCTION.pattern}|Unable to infer datatype", re.DOTALL
)


def _aggregate_keywords(call: ast.Call, code: str) -> str | None:
    """``t.aggregate(groupby="k", n=...)`` → ``t.aggregate(by="k", n=...)``; older Ibis's
    ``t.aggregate(metrics=[...], by="k")`` → ``t.aggregate([...], by="k")``."""
    names = [k.arg for k in call.keywords]
    grouping = [name for name in names if name in GROUPING_KEYWORDS]
    metrics = keyword(call, METRICS_KEYWORD)
    if len(grouping) > 1 or (grouping and "by" in names) or (metrics and call.args):
        return None
    if "having" in names:  # the removed ``having=``: a rule of its own (renamed API)
        return None
    if not grouping and not isinstance(metrics, ast.List | ast.Tuple):
        return None
    first = [metrics] if metrics is not None else list(call.args)
    given = [rewrite.source_of(argument, code) for argument in first]
    given += [
        f"{'by' if k.arg in GROUPING_KEYWORDS else k.arg}={rewrite.source_of(k.value, code)}"
        for k in call.keywords
        if k.arg and k.arg != METRICS_KEYWORD
    ]
    return f"{rewrite.source_of(call.func, code)}({', '.join(given)})"


def aggregate_keywords(failure: Failure) -> Diagnosis | None:
    """``t.aggregate(groupby="k", ...)`` / ``metrics=[...]``: the groups are ``by=`` and
    the metrics go first; any other keyword names an output column, which needs a
    reduction."""
    if not AGGREGATE_KEYWORD_ERRORS.search(str(failure.error)):
        return None
    return call_rewrite(
        failure.code,
        "wrong argument",
        "`aggregate` takes its metrics first and groups by `by=`: "
        "`t.aggregate([t.x.sum()], by='k')` or `t.aggregate(total=t.x.sum(), by='k')`; "
        "its other keywords name output columns",
        ("aggregate", "agg"),
        _aggregate_keywords,
    )


def wrong_aggregation(failure: Failure) -> Diagnosis | None:
    """A numeric reduction of a non-numeric column, or a column where a reduction belongs."""
    text = str(failure.error)
    if NOT_A_REDUCTION.search(text) and windows.WINDOW_OPERATIONS.search(text):
        return Diagnosis(
            "wrong aggregation",
            "a window function (`nth`, `lag`/`lead`, ranks, running totals) gives one value "
            "per row, not per group: compute it over a window, "
            '`t.x.nth(1).over(group_by="k", order_by="at")`, in `mutate` (or in '
            "`select(...).distinct()` for one row per group)",
        )
    if NOT_A_REDUCTION.search(text):
        return Diagnosis(
            "wrong aggregation",
            "`agg` needs reductions (one value per group): `total=t.amount.sum()`, not "
            "`total=t.amount`; use `mutate` to keep one value per row",
        )
    attribute = _missing_attribute(failure.error)
    if attribute is None or attribute[1] not in NUMERIC_REDUCTIONS:
        return None
    if attribute[0].startswith("Array") and hasattr(ibis.expr.types.ArrayValue, f"{attribute[1]}s"):
        method = attribute[1]
        return Diagnosis(
            "wrong aggregation",
            f"`{method}` of an array column reduces rows; the {method} of each row's array "
            f"is `.{method}s()`",
            lambda code: rewrite.rename_attribute(code, method, f"{method}s"),
        )
    if _is_selector(attribute[0]):
        return _selector_method(attribute[1])
    kind, method = attribute[0].removesuffix("Column").removesuffix("Scalar").lower(), attribute[1]
    columns = [name for name, dtype in _columns(failure).items() if kind in dtype.lower()]
    used = [name for name in columns if re.search(rf"\.{name}\s*\.\s*{method}\b", failure.code)]
    fix: Rewrite | None = None
    if kind == "string" and used and not is_label_column(used[0]):
        fix = lambda code: rewrite.cast_before(code, used[0], method)  # noqa: E731
    if kind != "string":
        advice = "use `count()`, `nunique()`, `min()`/`max()` or `mode()`"
    elif used and is_label_column(used[0]):
        advice = f"`{used[0]}` names things: to count them, use `nunique()` or `count()`"
    else:
        advice = "if it holds numbers as text, cast it first: `.cast('float64')`"
    return Diagnosis(
        "wrong aggregation", f"`{method}` needs a numeric column, not a {kind} one; {advice}", fix
    )


def _is_selector(type_name: str) -> bool:
    found = getattr(ibis.selectors, type_name, None)
    return isinstance(found, type) and issubclass(found, ibis.selectors.Selector)


def _selector_method(method: str) -> Diagnosis:
    """``s.numeric().mean()``: a selector picks columns; ``s.across`` applies a function."""
    pattern = re.compile(rf"(\bs\.\w+\([^()]*\))\.{method}\(\s*\)")
    return Diagnosis(
        "selector",
        f"a selector picks columns but is not a column: apply `{method}` to each with "
        f"`s.across(selector, ibis._.{method}())`",
        lambda code: (
            pattern.sub(rf"s.across(\1, ibis._.{method}())", code) if pattern.search(code) else None
        ),
    )


#: Calls whose arguments must share one type.
MIXING_CALLS = (
    "ifelse", "cases", "coalesce", "fill_null", "get", "map", "greatest", "least", "nullif",
)  # fmt: skip
MIXED_TYPES = re.compile(r"Cannot compute precedence for `([^`]+)` and `([^`]+)` types")
COMPARED_TYPES = re.compile(r"Arguments (\w+):(\w+) and .+?:(\w+) are not comparable")
#: Columns listed per table when a name matches none of them.
MAX_LISTED_COLUMNS = 12
#: The last word of a column name that holds labels, not numbers written as text.
LABEL_WORDS = frozenset(
    ("id", "sku", "code", "key", "name", "email", "uuid", "status", "type", "category", "label")
)


def is_label_column(column: str) -> bool:
    """A string column whose name says it holds labels (``sku``, ``customer_id``): summing
    it cast to a number would check and still be wrong, so no cast is proposed."""
    return column.lower().rsplit("_", 1)[-1] in LABEL_WORDS


Rule = Callable[[Failure], Diagnosis | None]
RULES: tuple[Rule, ...] = (
    column_made_in_same_call,
    unknown_column,
    ibis_hint,
    renamed_api,
    column_where,
    pandas_habit,
    item_assignment,
    operator_precedence,
    list_membership,
    or_as_default,
    python_boolean_operators,
    none_comparison,
    mixed_tables,
    aggregate_keywords,
    wrong_aggregation,
    method_not_called,
    sql_habit,
    *habits.RULES,
    *structs.RULES,
    *arguments.RULES,
    *set_operations.RULES,
    *library_functions.RULES,
    *eager.RULES,
    *literals.RULES,
    *intervals.RULES,
    *python_syntax.RULES,
    *applied_functions.RULES,
    *polars_habits.RULES,
    *pyspark_habits.RULES,
    *python_names.RULES,
    *sql_names.RULES,
    *call_habits.RULES,
    *units.RULES,
    windows.window_keywords,
    windows.column_ranking_over,
    windows.first_rows_per_group,
    windows.window_of_names,
    windows.window_frame_signs,
    windows.grouped_window_method,
    windows.grouped_row_number,
    windows.boundary_as_keyword,
    choice_spelling,
)


def diagnose(failure: Failure) -> list[Diagnosis]:
    """Every rule's finding for ``failure`` (none when no rule applies)."""
    found: list[Diagnosis] = []
    for rule in RULES:
        try:
            diagnosis = rule(failure)
        except Exception:  # noqa: BLE001, S112 - one broken rule never hides the others
            continue
        if diagnosis is not None:
            found.append(diagnosis)
    return found


def rule_fix(code: str, findings: list[Diagnosis]) -> str | None:
    """Every finding's edit applied in turn to ``code``; None when nothing changed."""
    return _edits_in_turn(code, *(finding.fix for finding in findings if finding.fix is not None))
