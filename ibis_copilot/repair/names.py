"""Names that code uses but that do not exist: columns, table methods, column methods and
``ibis`` functions, each with the closest real names.

Read from the syntax tree and the installed Ibis against unbound tables built from the
schemas (data only): nothing of the code runs here. What this cannot see statically (a
name deep in a chain) the check process finds, and :func:`from_error` reads its error.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import asdict, dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from ibis_copilot.expressions.namespace import TableSpecs
from ibis_copilot.repair.diagnose import MISSING_COLUMN, NO_ATTRIBUTE


@dataclass(frozen=True)
class UnknownName:
    """``name`` (as written, e.g. ``t.amout``) is not a ``kind``; ``closest`` are real."""

    name: str
    kind: str  # "column", "method", "ibis function"
    closest: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "closest": list(self.closest)}


def public_names(names: object) -> list[str]:
    """The attributes of ``names`` that do not start with ``_``."""
    return [name for name in dir(names) if not name.startswith("_")]


#: A column's reductions asked of an array (pandas', polars' list namespace): Ibis reduces
#: each row's array with the plural. Only for arrays: elsewhere ``mean`` is ``mean``.
ARRAY_REDUCTIONS = {
    "any": "anys",
    "all": "alls",
    "sum": "sums",
    "mean": "means",
    "min": "mins",
    "max": "maxs",
    "mode": "modes",
}

#: Names from SQL, pandas and other libraries, and the Ibis name for the same thing.
SYNONYMS = {
    "avg": "mean",
    # SQL, Spark and DuckDB function names, and Python's str methods
    "array_min": "mins",
    "array_max": "maxs",
    "array_sum": "sums",
    "map_keys": "keys",
    "map_values": "values",
    "casefold": "lower",
    "string_agg": "group_concat",
    "any_value": "arbitrary",
    "listagg": "group_concat",
    "title": "capitalize",
    "signum": "sign",
    "power": "pow",
    "to_frame": "as_table",
    "types": "fields",
    "dtype": "type",
    "average": "mean",
    "count_distinct": "nunique",
    "n_unique": "nunique",
    "where": "filter",
    "sort": "order_by",
    "sort_values": "order_by",
    "groupby": "group_by",
    "fillna": "fill_null",
    "dropna": "drop_null",
    "isna": "isnull",
    "notna": "notnull",
    "len": "length",
    "concat": "union",
    "is_in": "isin",
    "not_in": "notin",
    "to_unix": "epoch_seconds",
    "unix_timestamp": "epoch_seconds",
    "epoch": "epoch_seconds",
    "ljust": "rpad",  # Python's and pandas' padding
    "rjust": "lpad",
    "trim": "strip",
    "ltrim": "lstrip",
    "rtrim": "rstrip",
    "size": "length",
    "char_length": "length",
    "ceiling": "ceil",
    "truncate_date": "truncate",
    "date_trunc": "truncate",
    "stddev": "std",
    "stdev": "std",
    "variance": "var",
    "to_datetime": "as_timestamp",
    "strptime": "as_timestamp",
    "approx_count_distinct": "approx_nunique",
    "starts_with": "startswith",
    "ends_with": "endswith",
    "regexp_replace": "re_replace",
    "regexp_extract": "re_extract",
    "extract": "re_extract",  # pandas' str.extract
    "rlike": "re_search",
    "regexp_like": "re_search",
    "to_char": "strftime",
    "date_format": "strftime",
    "dayofmonth": "day",
    "dayofweek": "day_of_week",
    "cum_max": "cummax",  # polars
    "cum_min": "cummin",
    "cum_sum": "cumsum",
    "dayofyear": "day_of_year",
    "week": "week_of_year",
    "weekofyear": "week_of_year",
    "isoweek": "week_of_year",
    "find": "index",  # an array's; a string has find
    "index": "find",  # Python's str.index; an array has index
    "percentile_approx": "approx_quantile",  # PySpark's
    "collect_list": "collect",
    "qcut": "ntile",  # pandas' quantile buckets
    "approx_percentile": "approx_quantile",
    "index_of": "index",
    "array_position": "index",
    "list_position": "index",
    "array_contains": "contains",
    "list_contains": "contains",
    "array_distinct": "unique",
    "list_distinct": "unique",
    "array_sort": "sort",
    "list_sort": "sort",
    "array_length": "length",
    "cardinality": "length",
    "is_not_distinct_from": "identical_to",
    "null_safe_eq": "identical_to",
    "nth_value": "nth",  # SQL's NTH_VALUE
    "eq_null_safe": "identical_to",
    # polars' names
    "is_infinite": "isinf",
    "is_nan": "isnan",
    "replace_all": "re_replace",  # a regular expression unless literal=True
    "to_uppercase": "upper",
    "to_lowercase": "lower",
    "strip_chars": "strip",
    "len_chars": "length",
    "pad_start": "lpad",
    "pad_end": "rpad",
    "strip_chars_start": "lstrip",
    "strip_chars_end": "rstrip",
    "to_titlecase": "capitalize",
    "ordinal_day": "day_of_year",
    "to_string": "strftime",
    "arg_max": "argmax",
    "arg_min": "argmin",
    "drop_nulls": "drop_null",
    # SQL's names of the same thing
    "instr": "find",
    "locate": "find",
    "position": "find",
    "charindex": "find",
    "regexp_substr": "re_extract",
    "str_to_date": "as_date",
    "percentile_cont": "quantile",
    "approx_distinct": "approx_nunique",
    "bool_or": "any",
    "bool_and": "all",
    "every": "all",
    "first_value": "first",
    "last_value": "last",
    "to_period": "truncate",  # pandas' period codes ("M", "Q", "W", "D") are Ibis's units
    "safe_cast": "try_cast",  # BigQuery's SAFE_CAST
    "summarise": "aggregate",  # dplyr's
    "summarize": "aggregate",
    "except_": "difference",  # SQL's EXCEPT / MINUS
    "minus": "difference",
    # PySpark's
    "unionbyname": "union",
    "sortwithinpartitions": "order_by",
    "eqnullsafe": "identical_to",
    # dplyr's and SQL's joins
    "full_join": "outer_join",
    "full_outer_join": "outer_join",
}


def _closest(name: str, candidates: list[str]) -> tuple[str, ...]:
    """Up to three real names like ``name``: its Ibis synonym first, then by spelling."""
    pool = sorted(set(candidates))
    synonym = SYNONYMS.get(name.lower())
    first = [synonym] if synonym in pool else []
    similar = difflib.get_close_matches(name, pool, n=3, cutoff=0.6)
    return tuple(dict.fromkeys(first + similar))[:3]


def unbound_tables(specs: TableSpecs) -> dict[str, ir.Table]:
    """Unbound Ibis tables with the schemas' columns (skipping schemas Ibis rejects)."""
    tables = {}
    for variable, spec in specs.items():
        try:
            tables[variable] = ibis.table(ibis.schema(spec["schema"]), name=spec["name"])
        except Exception:  # noqa: BLE001, S112 - a schema Ibis rejects is skipped
            continue
    return tables


def _attribute_of_table(table: ir.Table, variable: str, attribute: str) -> UnknownName | None:
    if attribute in table.columns or hasattr(table, attribute):
        return None
    candidates = list(table.columns) + public_names(table)
    return UnknownName(f"{variable}.{attribute}", "column", _closest(attribute, candidates))


def _attribute_of_column(
    table: ir.Table, variable: str, column: str, attribute: str
) -> UnknownName | None:
    value = table[column]
    if hasattr(value, attribute):
        return None
    where = f"{variable}.{column}.{attribute}"
    return UnknownName(where, f"method of {value.type()}", _closest(attribute, public_names(value)))


def _reassigned(tree: ast.Module) -> set[str]:
    """Variables the code assigns (their type may change, so they are not judged)."""
    return {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }


def unknown_names(code: str, specs: TableSpecs) -> list[UnknownName]:
    """Names in ``code`` that the schemas or the installed Ibis lack (empty when none, or
    when the code does not parse)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    reassigned = _reassigned(tree)
    tables = {name: t for name, t in unbound_tables(specs).items() if name not in reassigned}
    found: dict[str, UnknownName] = {}
    for node in ast.walk(tree):
        unknown = _judge(node, tables, reassigned)
        if unknown is not None:
            found.setdefault(unknown.name, unknown)
    return list(found.values())


def _judge_subscript(node: ast.Subscript, tables: dict[str, ir.Table]) -> UnknownName | None:
    """``t["col"]`` with a column ``t`` lacks."""
    if not isinstance(node.value, ast.Name) or node.value.id not in tables:
        return None
    table, key = tables[node.value.id], node.slice
    if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
        return None
    if key.value in table.columns:
        return None
    name = f"{node.value.id}[{key.value!r}]"
    return UnknownName(name, "column", _closest(key.value, list(table.columns)))


def _judge(node: ast.AST, tables: dict[str, ir.Table], reassigned: set[str]) -> UnknownName | None:
    if isinstance(node, ast.Subscript):
        return _judge_subscript(node, tables)
    if not isinstance(node, ast.Attribute):
        return None
    owner = node.value
    if isinstance(owner, ast.Name):
        if owner.id == "ibis" and "ibis" not in reassigned and not hasattr(ibis, node.attr):
            closest = _closest(node.attr, public_names(ibis))
            return UnknownName(f"ibis.{node.attr}", "ibis function", closest)
        if owner.id in tables:
            return _attribute_of_table(tables[owner.id], owner.id, node.attr)
    if (
        isinstance(owner, ast.Attribute)
        and isinstance(owner.value, ast.Name)
        and owner.value.id in tables
        and owner.attr in tables[owner.value.id].columns
    ):
        table = tables[owner.value.id]
        return _attribute_of_column(table, owner.value.id, owner.attr, node.attr)
    return None


def from_error(reason: str, specs: TableSpecs) -> list[UnknownName]:
    """The unknown name in a check-process failure (``run: AttributeError: 'Table' object
    has no attribute 'x'`` or Ibis's missing-column message), with the closest names."""
    columns = sorted({c for spec in specs.values() for c in spec.get("schema", {})})
    if match := MISSING_COLUMN.search(reason):
        return [UnknownName(match.group(1), "column", _closest(match.group(1), columns))]
    message = reason.split(": ", 2)[-1]  # "run: AttributeError: <message>"
    match = NO_ATTRIBUTE.match(message)
    if match is None:
        return []
    owner, attribute = match.groups()
    kind = getattr(ir, owner, None)
    candidates = public_names(kind) if isinstance(kind, type) else []
    if owner == "Table":
        candidates += columns
    return [UnknownName(attribute, f"attribute of {owner}", _closest(attribute, candidates))]
