"""pandas (and SQL) calls written in Ibis's own terms, argument by argument.

Each translator takes one call as the user wrote it and returns the Ibis call that means
the same (or None when an argument has no sure Ibis meaning): ``merge(on=, left_on=,
right_on=, how=, suffixes=)`` is ``join(predicates, how=, lname=, rname=)``,
``drop_duplicates(subset=, keep=False)`` is ``distinct(on=, keep=None)``, ``melt`` is
``pivot_longer``, ``sort_values(ascending=)`` and ``order_by(ascending=)`` wrap keys in
``ibis.desc``, ``drop(columns=[...])`` takes the names as arguments,
``count(distinct=True)`` is ``nunique()``, ``rename(columns={old: new})`` is
``rename({new: old})``. Nothing here runs code; the check process judges the result.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from ibis_copilot.repair import sql_strings
from ibis_copilot.repair.edits import (
    called_name,
    elements,
    is_nan,
    keyword,
    receiver,
    string_value,
    whole_number,
    written_arguments,
)
from ibis_copilot.repair.rewrite import IDENTIFIER, owner_source, rewrite_nodes, source_of
from ibis_copilot.repair.windows import RANKING, WINDOW_KEYWORDS

Translator = Callable[[ast.Call, str], str | None]

#: pandas' and SQL's names of join kinds, and Ibis's.
JOIN_KINDS = {
    "full": "outer",
    "full_outer": "outer",
    "fullouter": "outer",
    "outer_join": "outer",
    "left_outer": "left",
    "leftouter": "left",
    "right_outer": "right",
    "rightouter": "right",
    "left_semi": "semi",
    "leftsemi": "semi",
    "left_anti": "anti",
    "leftanti": "anti",
    "inner_join": "inner",
    # SQL's words, as written in a join clause
    "left outer": "left",
    "right outer": "right",
    "full outer": "outer",
    "left semi": "semi",
    "left anti": "anti",
}
#: pandas keywords that change nothing an Ibis join computes.
JOIN_KEYWORDS_WITHOUT_MEANING = frozenset({"sort", "validate", "copy"})


def _text(node: ast.AST, code: str) -> str:
    return source_of(node, code)


def _names(node: ast.AST) -> list[str] | None:
    """``"a"`` or ``["a", "b"]`` as column names, else None."""
    single = string_value(node)
    if single is not None:
        return [single]
    items = elements(node)
    if items is None:
        return None
    names = [string_value(item) for item in items]
    return [name for name in names if name is not None] if None not in names else None


def _equalities(left: str | None, right: str, left_on: list[str], right_on: list[str]) -> str:
    """``left.a == right.b`` for each pair (a list when several), or ``[("a", "b")]``
    when the left table has no name to write."""
    simple = left is not None and IDENTIFIER.match(left) and IDENTIFIER.match(right)
    names_ok = all(IDENTIFIER.match(name) for name in left_on + right_on)
    if simple and names_ok:
        pairs = [f"{left}.{a} == {right}.{b}" for a, b in zip(left_on, right_on, strict=True)]
        return pairs[0] if len(pairs) == 1 else f"[{', '.join(pairs)}]"
    return "[" + ", ".join(f"({a!r}, {b!r})" for a, b in zip(left_on, right_on, strict=True)) + "]"


def _suffix_keywords(call: ast.Call) -> list[str] | None:
    """``suffixes=("_a", "_b")`` (or ``lsuffix=``/``rsuffix=``) as ``lname=``/``rname=``;
    [] when there are none; None when they are not literal strings."""
    given = keyword(call, "suffixes")
    pair = elements(given) if given is not None else None
    if given is not None and (pair is None or len(pair) != 2):
        return None
    left_node = pair[0] if pair else keyword(call, "lsuffix")
    right_node = pair[1] if pair else keyword(call, "rsuffix")
    parts = []
    for name, node in (("lname", left_node), ("rname", right_node)):
        if node is None:
            continue
        suffix = string_value(node)
        if suffix is None:
            return None
        parts.append(f"{name}={'{name}' + suffix!r}")
    return parts


#: Modules whose join function takes the left table first (``pd.merge(a, b, on=...)``).
FUNCTION_FORMS = frozenset({"ibis", "pd", "pandas"})


def join_call(call: ast.Call, code: str) -> str | None:
    """``left.merge(right, on=..., how=..., suffixes=...)`` (or ``join`` with pandas
    keywords, or ``ibis.join(left, right, on=...)``) → ``left.join(right, predicates,
    how=..., lname=..., rname=...)``."""
    left, arguments_given = receiver(call, code), list(call.args)
    if left in FUNCTION_FORMS and arguments_given:  # ``ibis.join(a, b, ...)``: a is the left
        left, arguments_given = _text(arguments_given[0], code), arguments_given[1:]
    if left is None or left in FUNCTION_FORMS or any(k.arg is None for k in call.keywords):
        return None
    given = {k.arg: k.value for k in call.keywords if k.arg is not None}
    right_node = arguments_given[0] if arguments_given else given.get("right")
    method = called_name(call) if called_name(call) in KIND_JOINS else "join"
    if right_node is None or (method != "join" and "how" in given):
        return None  # nothing to join, or a kind given twice
    right = _text(right_node, code)
    predicates = _text(arguments_given[1], code) if len(arguments_given) > 1 else None
    on = given.get("on") or given.get("predicates")
    if on is not None:
        predicates = _text(on, code)
    left_on = _names(given["left_on"]) if "left_on" in given else None
    right_on = _names(given["right_on"]) if "right_on" in given else None
    if left_on is not None and right_on is not None and len(left_on) == len(right_on):
        predicates = _equalities(left, right, left_on, right_on)
    elif "left_on" in given or "right_on" in given:
        return None
    arguments = [right] + ([predicates] if predicates is not None else [])
    how = given.get("how")
    if how is not None:
        kind = string_value(how)
        shown = repr(JOIN_KINDS.get(kind.lower(), kind)) if kind else _text(how, code)
        arguments.append(f"how={shown}")
    suffixes = _suffix_keywords(call)
    if suffixes is None:
        return None
    arguments += suffixes
    known = {"right", "on", "predicates", "left_on", "right_on", "how", "suffixes"}
    known |= {"lsuffix", "rsuffix"} | JOIN_KEYWORDS_WITHOUT_MEANING
    for name, value in given.items():
        if name in {"lname", "rname"}:
            arguments.append(f"{name}={_text(value, code)}")
        elif name not in known:
            return None
    return f"{left}.{method}({', '.join(arguments)})"


#: Join methods named for their kind; they take what ``join`` takes, without ``how=``.
KIND_JOINS = frozenset(
    {"inner_join", "left_join", "right_join", "outer_join", "semi_join", "anti_join"}
)


def join_kind(call: ast.Call, code: str) -> str | None:
    """``how="full"`` (pandas/SQL names) → ``how="outer"`` (Ibis's)."""
    how = string_value(keyword(call, "how"))
    if how is None or how.lower() not in JOIN_KINDS:
        return None
    return join_call(call, code)


def _desc(key: str) -> str:
    return f"ibis.desc({key})"


def order_call(call: ast.Call, code: str, method: str = "order_by") -> str | None:
    """``order_by(keys, ascending=False)`` (or pandas' ``sort_values(by=...)``, polars'
    ``descending=True``) → ``order_by(ibis.desc(key), ...)``; a list of booleans goes key
    by key."""
    table = receiver(call, code)
    if table is None or any(k.arg not in {"ascending", "descending", "by"} for k in call.keywords):
        return None
    by = keyword(call, "by")
    given = list(call.args) + ([by] if by is not None else [])
    if len(given) == 1 and elements(given[0]) is not None:
        given = elements(given[0]) or []
    keys = [_text(key, code) for key in given]
    ascending = keyword(call, "ascending")
    descending = keyword(call, "descending")
    flags: list[object]
    if isinstance(descending, ast.Constant) and isinstance(descending.value, bool):
        flags = [not descending.value] * len(keys)
    elif ascending is None:
        flags = [True] * len(keys)
    elif isinstance(ascending, ast.Constant):
        flags = [ascending.value] * len(keys)
    else:
        items = elements(ascending)
        flags = [item.value if isinstance(item, ast.Constant) else None for item in items or []]
    if not keys or len(flags) != len(keys) or any(not isinstance(f, bool) for f in flags):
        return None
    written = [key if up else _desc(key) for key, up in zip(keys, flags, strict=True)]
    return f"{table}.{method}({', '.join(written)})"


def drop_call(call: ast.Call, code: str) -> str | None:
    """``drop(columns=["a", "b"])`` → ``drop("a", "b")``."""
    table, columns = receiver(call, code), keyword(call, "columns")
    if table is None or columns is None or call.args or len(call.keywords) != 1:
        return None
    items = elements(columns)
    names = [_text(item, code) for item in items] if items is not None else None
    written = names if names is not None else [_text(columns, code)]
    return f"{table}.drop({', '.join(written)})"


def count_call(call: ast.Call, code: str) -> str | None:
    """``col.count(distinct=True)`` → ``col.nunique()`` (``where=`` kept)."""
    column, distinct = receiver(call, code), keyword(call, "distinct")
    if column is None or not (isinstance(distinct, ast.Constant) and distinct.value is True):
        return None
    if call.args or any(k.arg not in {"distinct", "where"} for k in call.keywords):
        return None
    where = keyword(call, "where")
    return f"{column}.nunique({f'where={_text(where, code)}' if where is not None else ''})"


def distinct_call(call: ast.Call, code: str) -> str | None:
    """``drop_duplicates(subset=..., keep=False)`` or ``distinct(subset=..., keep=False)``
    → ``distinct(on=..., keep=None)`` (Ibis's None drops every duplicated row, as
    pandas' False does)."""
    table = receiver(call, code)
    if table is None or any(k.arg is None for k in call.keywords):
        return None
    arguments = []
    on = call.args[0] if call.args else keyword(call, "subset") or keyword(call, "on")
    if on is not None:
        arguments.append(f"on={_text(on, code)}")
    keep = keyword(call, "keep")
    if keep is not None:
        dropped = isinstance(keep, ast.Constant) and keep.value is False
        arguments.append(f"keep={'None' if dropped else _text(keep, code)}")
    if any(k.arg not in {"subset", "on", "keep", "ignore_index"} for k in call.keywords):
        return None
    return f"{table}.distinct({', '.join(arguments)})"


#: polars' keywords of ``unpivot`` (and its ``melt``) and pandas' for the same thing.
POLARS_LONGER = {"on": "value_vars", "index": "id_vars", "variable_name": "var_name"}


def longer_call(call: ast.Call, code: str) -> str | None:
    """``melt(id_vars=, value_vars=, var_name=, value_name=)`` (or ``pivot_longer`` with
    those keywords; polars' ``unpivot(on=, index=, variable_name=)``) →
    ``pivot_longer(columns, names_to=, values_to=)``."""
    table = receiver(call, code)
    if table is None or any(k.arg is None for k in call.keywords):
        return None
    given = {POLARS_LONGER.get(k.arg, k.arg): k.value for k in call.keywords if k.arg is not None}
    columns = call.args[0] if call.args else given.get("value_vars") or given.get("col")
    kept = given.get("id_vars")
    if columns is not None:
        selected = _text(columns, code)
    elif kept is not None:
        names = _names(kept)
        if names is None:
            return None
        selected = f"~ibis.selectors.cols({', '.join(repr(name) for name in names)})"
    else:
        return None
    arguments = [selected]
    renames = {"var_name": "names_to", "value_name": "values_to"}
    for name, value in given.items():
        if name in renames or name in renames.values():
            arguments.append(f"{renames.get(name, name)}={_text(value, code)}")
        elif name not in {"id_vars", "value_vars", "col", "ignore_index"}:
            return None
    return f"{table}.pivot_longer({', '.join(arguments)})"


def rename_columns_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``rename(columns={"old": "new"})`` → ``rename({"new": "old"})``."""
    table, mapping = receiver(call, code), keyword(call, "columns")
    if table is None or not isinstance(mapping, ast.Dict) or call.args or len(call.keywords) != 1:
        return None
    return f"{table}.rename({flipped(mapping, code)})"


def flipped(mapping: ast.Dict, code: str) -> str:
    """A dict literal with keys and values swapped."""
    pairs = [
        f"{_text(value, code)}: {_text(key, code)}"
        for key, value in zip(mapping.keys, mapping.values, strict=True)
        if key is not None
    ]
    return "{" + ", ".join(pairs) + "}"


def shift_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``col.shift(n)`` → ``col.lag(n)`` (``shift(-n)`` → ``lead(n)``; an
    offset of 1 is left out, as Ibis's default)."""
    column = receiver(call, code)
    if column is None or call.keywords or len(call.args) > 1:
        return None
    if not call.args:
        return f"{column}.lag()"
    amount = call.args[0]
    if isinstance(amount, ast.UnaryOp) and isinstance(amount.op, ast.USub):
        return f"{column}.lead({_offset(amount.operand, code)})"
    return f"{column}.lag({_offset(amount, code)})"


def _offset(amount: ast.expr, code: str) -> str:
    """A lag or lead's offset as written, none for 1 (Ibis's default)."""
    one = isinstance(amount, ast.Constant) and amount.value == 1 and type(amount.value) is int
    return "" if one else _text(amount, code)


#: pandas' (and polars') ``rank(method=...)`` ties, and Ibis's function with the same ranks.
RANK_METHODS = {
    "min": "rank",
    "dense": "dense_rank",
    "first": "row_number",
    "ordinal": "row_number",
}


def rank_call(call: ast.Call, code: str) -> str | None:
    """``col.rank(ascending=False)`` → ``ibis.desc(col).rank()``; pandas'
    ``rank(method="dense")`` (polars' ``rank("dense", descending=True)``) →
    ``col.dense_rank()`` (``ibis.desc(col).dense_rank()``); ``"average"`` and ``"max"``
    have no Ibis function; ``rank(pct=True)`` has two readings: the rule's advice names both."""
    column = receiver(call, code)
    given = {k.arg: k.value for k in call.keywords if k.arg}
    if column is None or len(call.args) > 1 or len(given) != len(call.keywords):
        return None
    method = call.args[0] if call.args else given.pop("method", None)
    descending = given.pop("descending", None)
    if method is None and descending is None:
        return ranked_in_order(call, code)
    name = RANK_METHODS.get(string_value(method) or "") if method is not None else "rank"
    flag = descending.value if isinstance(descending, ast.Constant) else descending is None
    if name is None or given or not isinstance(flag, bool):
        return None
    key = f"ibis.desc({column})" if descending is not None and flag else column
    if name == "row_number":  # a column has no row_number: the window says the order
        return f"ibis.row_number().over(order_by={key})"
    return f"{key}.{name}()"


def ranked_in_order(call: ast.Call, code: str) -> str | None:
    """``col.cume_dist(ascending=False)`` → ``ibis.desc(col).cume_dist()``: a column's
    ranking function orders by the column, descending when the column is a ``desc`` key."""
    column, ascending = receiver(call, code), keyword(call, "ascending")
    method = getattr(call.func, "attr", "")
    if column is None or call.args or len(call.keywords) != 1:
        return None
    if not (isinstance(ascending, ast.Constant) and isinstance(ascending.value, bool)):
        return None
    return f"{column}.{method}()" if ascending.value else f"ibis.desc({column}).{method}()"


WIDER_KEYWORDS = {
    "index": "id_cols",
    "columns": "names_from",
    "values": "values_from",
    "aggfunc": "values_agg",
    "fill_value": "values_fill",
}


def wider_call(call: ast.Call, code: str) -> str | None:
    """``pivot(index=, columns=, values=)`` / ``pivot_table(..., aggfunc=, fill_value=)`` →
    ``pivot_wider(id_cols=, names_from=, values_from=, values_agg=, values_fill=)``."""
    table = receiver(call, code)
    if table is None or call.args or any(k.arg is None for k in call.keywords):
        return None
    parts = [
        f"{WIDER_KEYWORDS.get(k.arg or '', k.arg)}={_text(k.value, code)}" for k in call.keywords
    ]
    return f"{table}.pivot_wider({', '.join(parts)})"


def largest_call(call: ast.Call, code: str) -> str | None:
    """``t.nlargest(n, "col")`` → ``t.order_by(ibis.desc("col")).limit(n)`` (and
    ``nsmallest`` without ``desc``)."""
    table = receiver(call, code)
    given = {k.arg: k.value for k in call.keywords if k.arg is not None}
    arguments = list(call.args) + [given[name] for name in ("n", "columns") if name in given]
    if table is None or len(arguments) != 2 or len(given) + len(call.args) != 2:
        return None
    count, columns = (_text(argument, code) for argument in arguments)
    items = elements(arguments[1])
    keys = [_text(item, code) for item in items] if items is not None else [columns]
    if isinstance(call.func, ast.Attribute) and call.func.attr == "nlargest":
        keys = [_desc(key) for key in keys]
    return f"{table}.order_by({', '.join(keys)}).limit({count})"


def tail_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``t.order_by("k").tail(n)`` (the last n rows) → ``t.order_by(ibis.desc("k"))
    .head(n)``: the same rows, the order reversed; a table that is not ordered has no
    last rows (None)."""
    ordered = call.func.value if isinstance(call.func, ast.Attribute) else None
    if not isinstance(ordered, ast.Call) or called_name(ordered) != "order_by":
        return None
    keys = [argument for argument in ordered.args if string_value(argument) is not None]
    if ordered.keywords or not keys or len(keys) != len(ordered.args) or call.keywords:
        return None
    table = receiver(ordered, code)
    if table is None or len(call.args) > 1:
        return None
    count = _text(call.args[0], code) if call.args else "5"  # pandas' default
    reversed_keys = ", ".join(_desc(_text(key, code)) for key in keys)
    return f"{table}.order_by({reversed_keys}).head({count})"


def with_column_call(call: ast.Call, code: str) -> str | None:
    """PySpark's ``t.withColumn("name", expr)`` → ``t.mutate(name=expr)``."""
    table = receiver(call, code)
    name = string_value(call.args[0]) if call.args else None
    if table is None or name is None or len(call.args) != 2 or call.keywords:
        return None
    value = _text(call.args[1], code)
    argument = f"{name}={value}" if IDENTIFIER.match(name) else f"**{{{name!r}: {value}}}"
    return f"{table}.mutate({argument})"


def concat_call(call: ast.Call, code: str) -> str | None:
    """``ibis.concat([a, b])`` (pandas' ``pd.concat``) → ``ibis.union(a, b)``."""
    items = elements(call.args[0]) if len(call.args) == 1 else None
    if not items or call.keywords:
        return None
    return f"ibis.union({', '.join(_text(item, code) for item in items)})"


def diff_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``col.diff()`` → ``col - col.lag()`` (``diff(n)`` → ``col - col.lag(n)``)."""
    column = receiver(call, code)
    if column is None or call.keywords or len(call.args) > 1:
        return None
    offset = _text(call.args[0], code) if call.args else ""
    return f"({column} - {column}.lag({offset}))"


def substitute_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``col.replace({old: new})`` / ``col.map({old: new})`` →
    ``col.substitute({old: new})``."""
    column = receiver(call, code)
    if column is None or len(call.args) != 1 or not isinstance(call.args[0], ast.Dict):
        return None
    return f"{column}.substitute({_text(call.args[0], code)})"


def row_count(call: ast.Call) -> int | None:
    """The whole number ``t.sample(100)`` is given by position (pandas' ``n``), else None."""
    given = call.args[0] if len(call.args) == 1 and not call.keywords else None
    value = given.value if isinstance(given, ast.Constant) else None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value


def top_rows_call(call: ast.Call, code: str) -> str | None:
    """``t.topk(5, by="fare")`` (pandas' ``nlargest``) → ``t.order_by(ibis.desc("fare"))
    .limit(5)``; ``t.sample(n=100)`` or ``t.sample(100)`` (pandas' number of rows) →
    ``t.order_by(ibis.random()).limit(100)``."""
    table, method = receiver(call, code), called_name(call)
    given = {k.arg: k.value for k in call.keywords}
    if table is None or any(name is None for name in given):
        return None
    if method == "topk" and set(given) == {"by"} and len(call.args) == 1:
        by = _text(given["by"], code)
        return f"{table}.order_by({_desc(by)}).limit({_text(call.args[0], code)})"
    if method != "sample":
        return None
    if set(given) == {"n"} and not call.args:
        return f"{table}.order_by(ibis.random()).limit({_text(given['n'], code)})"
    rows = row_count(call)
    return f"{table}.order_by(ibis.random()).limit({rows})" if rows else None


def _missing(node: ast.AST) -> bool:
    """``None``, or pandas' ``np.nan``: a missing value."""
    return (isinstance(node, ast.Constant) and node.value is None) or is_nan(node)


def replace_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``col.replace(None, 0)`` → ``col.fill_null(0)``; ``col.replace(0, None)`` (or
    ``np.nan``) → ``col.nullif(0)``; ``col.replace(a, b)`` and ``col.replace({a: b})`` →
    ``col.substitute({a: b})``."""
    column = receiver(call, code)
    if column is None or call.keywords:
        return None
    if len(call.args) == 1:
        return substitute_call(call, code)
    if len(call.args) != 2:
        return None
    old, new = (_text(argument, code) for argument in call.args)
    if _missing(call.args[0]):
        return f"{column}.fill_null({new})"
    if _missing(call.args[1]):
        return f"{column}.nullif({old})"  # a value made null
    return f"{column}.substitute({{{old}: {new}}})"


def query_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``t.query("a > 1 and b == 'x'")`` → ``t.filter((t.a > 1) & (t.b == 'x'))``."""
    table, text = receiver(call, code), string_value(call.args[0]) if call.args else None
    if table is None or text is None or len(call.args) != 1 or call.keywords:
        return None
    predicate = sql_strings.condition(text, table if IDENTIFIER.match(table) else "ibis._")
    return f"{table}.filter({predicate})" if predicate else None


def _subscript_of(node: ast.AST, attribute: str) -> tuple[ast.expr, ast.expr] | None:
    """(``x``, index) of ``x.attribute[index]``."""
    if not isinstance(node, ast.Subscript) or not isinstance(node.value, ast.Attribute):
        return None
    return (node.value.value, node.slice) if node.value.attr == attribute else None


def shape_to_count(code: str) -> str | None:
    """pandas' ``t.shape[0]`` → ``t.count()``."""

    def wanted(node: ast.AST) -> bool:
        found = _subscript_of(node, "shape")
        return found is not None and isinstance(found[1], ast.Constant) and found[1].value == 0

    def render(node: ast.AST, text: str) -> str:
        found = _subscript_of(node, "shape")
        return f"{_text(found[0], text)}.count()" if found else _text(node, text)

    return rewrite_nodes(code, wanted, render)


def iloc_to_limit(code: str) -> str | None:
    """pandas' ``t.iloc[:n]`` → ``t.limit(n)``; ``t.iloc[a:b]`` → ``t.limit(b - a, offset=a)``;
    ``t.iloc[k]`` → ``t.limit(1, offset=k)``."""

    def bounds(node: ast.AST) -> tuple[ast.expr, int, int] | None:
        found = _subscript_of(node, "iloc")
        index = found[1] if found else None
        if isinstance(index, ast.Constant) and isinstance(index.value, int) and index.value >= 0:
            assert found is not None  # noqa: S101 - index came from it
            return found[0], index.value, index.value + 1  # one row: ``iloc[k]``
        if found is None or not isinstance(index, ast.Slice) or index.step is not None:
            return None
        low = index.lower.value if isinstance(index.lower, ast.Constant) else 0
        high = index.upper.value if isinstance(index.upper, ast.Constant) else None
        if not isinstance(low, int) or not isinstance(high, int) or high <= low:
            return None
        return found[0], low, high

    def render(node: ast.AST, text: str) -> str:
        found = bounds(node)
        if found is None:
            return _text(node, text)
        table, low, high = found
        offset = f", offset={low}" if low else ""
        return f"{_text(table, text)}.limit({high - low}{offset})"

    return rewrite_nodes(code, lambda node: bounds(node) is not None, render)


def slice_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``col.str.slice(start, stop)`` → ``col.substr(start, stop - start)``."""
    column = receiver(call, code)
    if column is None or call.keywords or len(call.args) != 2:
        return None
    start, stop = call.args
    if isinstance(start, ast.Constant) and isinstance(stop, ast.Constant):
        if not (isinstance(start.value, int) and isinstance(stop.value, int)):
            return None
        return f"{column}.substr({start.value}, {stop.value - start.value})"
    begin = _text(start, code)
    return f"{column}.substr({begin}, {_text(stop, code)} - {begin})"


def cat_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``col.str.cat(other, sep=" - ")`` → ``col.concat(" - ", other)``."""
    column = receiver(call, code)
    sep = keyword(call, "sep")
    if column is None or len(call.args) != 1 or any(k.arg != "sep" for k in call.keywords):
        return None
    if isinstance(call.args[0], ast.List | ast.Tuple):
        return None  # several columns: each needs its own separator
    parts = ([_text(sep, code)] if sep is not None else []) + [_text(call.args[0], code)]
    return f"{column}.concat({', '.join(parts)})"


def zfill_call(call: ast.Call, code: str) -> str | None:
    """``col.zfill(n)`` → ``col.lpad(n, "0")``."""
    column = receiver(call, code)
    if column is None or call.keywords or len(call.args) != 1:
        return None
    return f'{column}.lpad({_text(call.args[0], code)}, "0")'


#: Python's ordinal of 1970-01-01 (``date(1970, 1, 1).toordinal()``), where Ibis's
#: ``epoch_days`` starts counting.
EPOCH_ORDINAL = 719163


def ordinal_call(call: ast.Call, code: str) -> str | None:
    """Python's ``d.toordinal()`` (days since 0001-01-01, that day being 1) →
    ``(d.epoch_days() + 719163)``."""
    column = receiver(call, code)
    if column is None or call.args or call.keywords:
        return None
    return f"({column}.epoch_days() + {EPOCH_ORDINAL})"


#: The parts of pandas' ``isocalendar()`` and Ibis's methods for them.
ISO_PARTS = {"year": "iso_year()", "week": "week_of_year()", "day": "day_of_week.index() + 1"}


def iso_calendar_part(node: ast.AST, code: str) -> str | None:
    """pandas' ``d.isocalendar().week`` (or ``["week"]``) → ``d.week_of_year()``; ``.year``
    → ``d.iso_year()``; ``.day`` → ``(d.day_of_week.index() + 1)`` (Monday is 1)."""
    if isinstance(node, ast.Attribute):
        inner, part = node.value, node.attr
    elif isinstance(node, ast.Subscript):
        inner, part = node.value, string_value(node.slice) or ""
    else:
        return None
    if not isinstance(inner, ast.Call) or called_name(inner) != "isocalendar":
        return None
    if part not in ISO_PARTS:
        return None
    column = receiver(inner, code)
    if column is None or inner.args or inner.keywords:
        return None
    method = f"{column}.{ISO_PARTS[part]}"
    return f"({method})" if part == "day" else method


def extract_call(call: ast.Call, code: str) -> str | None:
    r"""pandas' ``col.str.extract(r"(\w+)$")`` → ``col.re_extract(r"(\w+)$", 1)``: the first
    group (pandas' one column for a pattern of one group)."""
    column = receiver(call, code)
    if column is None or len(call.args) != 1 or call.keywords:
        return None
    pattern = string_value(call.args[0])
    if pattern is None or re.compile(pattern).groups != 1:
        return None
    return f"{column}.re_extract({_text(call.args[0], code)}, 1)"


def digits_call(call: ast.Call, code: str) -> str | None:
    """``col.isnumeric()`` / ``isdigit()`` / ``isdecimal()`` → ``col.re_search(r"^[0-9]+$")``."""
    column = receiver(call, code)
    if column is None or call.args or call.keywords:
        return None
    return f'{column}.re_search(r"^[0-9]+$")'


def regex_keyword_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``regex=True`` and ``case=False``: ``col.replace(p, r, regex=True)`` →
    ``col.re_replace(p, r)``; ``col.contains(p, regex=True)`` → ``col.re_search(p)``;
    ``col.contains("Rock", case=False)`` → ``col.lower().contains("rock")``."""
    column = receiver(call, code)
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    given = {k.arg: k.value for k in call.keywords}
    regex, case = given.get("regex"), given.get("case")
    regex_on = isinstance(regex, ast.Constant) and regex.value is True
    case_off = isinstance(case, ast.Constant) and case.value is False
    if column is None or set(given) - {"regex", "case"} or (regex_on and case is not None):
        return None  # a case-insensitive pattern needs a flag Ibis spells in the pattern
    arguments = ", ".join(_text(argument, code) for argument in call.args)
    if regex_on:
        return f"{column}.{REGEX_METHODS[method]}({arguments})"
    if not case_off or method != "contains" or len(call.args) != 1:
        return None
    needle = string_value(call.args[0])
    lowered = repr(needle.lower()) if needle is not None else f"{arguments}.lower()"
    return f"{column}.lower().contains({lowered})"


#: Characters that make a pattern a regular expression rather than plain text.
REGEX_SYNTAX = re.compile(r"[\\^$.*+?()\[\]{}|]")


def accessor_contains_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``s.str.contains(pattern)`` reads the pattern as a regular expression (its
    ``regex=True`` default): ``s.re_search(pattern)`` where the pattern has regex syntax."""
    accessor = call.func.value if isinstance(call.func, ast.Attribute) else None
    if not isinstance(accessor, ast.Attribute) or accessor.attr != "str":
        return None
    pattern = string_value(call.args[0]) if len(call.args) == 1 else None
    if call.keywords or pattern is None or not REGEX_SYNTAX.search(pattern):
        return None
    return f"{_text(accessor.value, code)}.re_search({_text(call.args[0], code)})"


#: Other tools' flags for what a failed conversion gives, and the Ibis method that gives it:
#: SQL's TRY_CAST as ``try_=True``/``safe=True``, pandas' ``errors="coerce"``/``"raise"``.
CONVERSION_FLAGS: dict[tuple[str, object], str] = {
    ("try_", True): "try_cast",
    ("safe", True): "try_cast",
    ("errors", "coerce"): "try_cast",
    ("errors", "ignore"): "try_cast",  # a column has one type: what fails becomes null
    ("errors", "raise"): "cast",
    ("strict", False): "try_cast",
    ("strict", True): "cast",
}


def conversion_call(call: ast.Call, code: str) -> str | None:
    """``col.cast("int", try_=True)`` or ``errors="coerce"`` → ``col.try_cast("int")``;
    ``errors="raise"`` → ``col.cast("int")`` (a table's other keywords are its schema's
    columns, and stay)."""
    column = receiver(call, code)
    flags = [k for k in call.keywords if k.arg in {name for name, _ in CONVERSION_FLAGS}]
    flag = flags[0] if len(flags) == 1 else None
    value = flag.value.value if flag and isinstance(flag.value, ast.Constant) else None
    method = next(
        (
            name
            for (keyword_name, wanted), name in CONVERSION_FLAGS.items()
            if flag and flag.arg == keyword_name and type(value) is type(wanted) and value == wanted
        ),
        None,
    )
    if column is None or method is None:
        return None
    arguments = [_text(argument, code) for argument in call.args]
    arguments += [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k is not flag]
    return f"{column}.{method}({', '.join(arguments)})"


#: polars' ``fill_null(strategy=)`` as one fill value (of the column itself where it is a
#: reduction of it).
FILL_STRATEGIES = {
    "zero": "0",
    "one": "1",
    "mean": "{}.mean()",
    "min": "{}.min()",
    "max": "{}.max()",
}


def fill_strategy_call(call: ast.Call, code: str) -> str | None:
    """polars' ``col.fill_null(strategy="zero")`` → ``col.fill_null(0)``;
    ``strategy="mean"`` → ``col.fill_null(col.mean())``."""
    column, strategy = receiver(call, code), string_value(keyword(call, "strategy"))
    if column is None or call.args or len(call.keywords) != 1 or strategy not in FILL_STRATEGIES:
        return None
    return f"{column}.fill_null({FILL_STRATEGIES[strategy].format(column)})"


def concat_separator_call(call: ast.Call, code: str) -> str | None:
    """``a.concat(b, separator=" - ")`` (pandas' ``str.cat(others, sep=)``) →
    ``a.concat(" - ", b)``: the separator goes before each value."""
    separator = call.keywords[0] if len(call.keywords) == 1 else None
    if separator is None or separator.arg not in {"separator", "sep"} or not call.args:
        return None
    between = source_of(separator.value, code)
    parts = [part for value in call.args for part in (between, source_of(value, code))]
    return f"{source_of(call.func, code)}({', '.join(parts)})"


def substr_end_call(call: ast.Call, code: str) -> str | None:
    """``s.substr(0, end=4)`` (a slice's end, as in Python and SQL's ``substring``'s
    habit) → ``s.substr(0, 4)``: Ibis takes a length."""
    end = call.keywords[0] if len(call.keywords) == 1 else None
    start = call.args[0] if len(call.args) == 1 else None
    if end is None or end.arg not in {"end", "stop"} or start is None:
        return None
    if not (isinstance(start, ast.Constant) and isinstance(end.value, ast.Constant)):
        return None
    first, last = start.value, end.value.value
    if not (whole_number(first) and whole_number(last)):
        return None
    return f"{source_of(call.func, code)}({first}, {last - first})"


def names_separator_call(call: ast.Call, code: str) -> str | None:
    """tidyr's ``pivot_longer(cols, names_to=["a", "b"], names_sep="_")`` → the pattern
    ``names_pattern="(.*?)_(.*)"`` (the first separator splits)."""
    separator = string_value(keyword(call, "names_sep"))
    names_to = keyword(call, "names_to")
    names = _names(names_to) if names_to is not None else None
    if not separator or names is None or len(names) < 2:
        return None
    groups = "(.*?)" + "".join(f"{re.escape(separator)}(.*?)" for _ in names[2:])
    pattern = f"{groups}{re.escape(separator)}(.*)"
    kept = [f"{k.arg}={_text(k.value, code)}" for k in call.keywords if k.arg != "names_sep"]
    arguments = [_text(argument, code) for argument in call.args]
    return (
        f"{_text(call.func, code)}({', '.join([*arguments, *kept, f'names_pattern={pattern!r}'])})"
    )


def ddof_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``col.std(ddof=0)`` → ``col.std(how="pop")`` (``ddof=1`` is Ibis's default,
    the sample)."""
    given = {k.arg: k.value for k in call.keywords}
    ddof = given.pop("ddof", None)
    degrees = ddof.value if isinstance(ddof, ast.Constant) else None
    if degrees not in (0, 1) or any(name is None for name in given) or call.args:
        return None
    kept = [f"{name}={_text(value, code)}" for name, value in given.items()]
    how = ['how="pop"'] if degrees == 0 else []
    return f"{_text(call.func, code)}({', '.join(kept + how)})"


#: Python's ``re`` flags and the inline flag each is in a pattern.
INLINE_FLAGS = {
    "I": "i", "IGNORECASE": "i", "M": "m", "MULTILINE": "m", "S": "s", "DOTALL": "s"
}  # fmt: skip


def _inline_flags(node: ast.expr) -> str | None:
    """``re.I | re.M`` → ``"im"``; None for anything else."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _inline_flags(node.left), _inline_flags(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return INLINE_FLAGS.get(node.attr) if node.value.id == "re" else None
    return None


def regex_flags_call(call: ast.Call, code: str) -> str | None:
    """Python's ``flags=re.IGNORECASE`` → the pattern's inline flag:
    ``col.rlike("^the", flags=re.I)`` → ``col.rlike("(?i)^the")``."""
    given = {k.arg: k.value for k in call.keywords}
    flags = _inline_flags(given["flags"]) if set(given) == {"flags"} else None
    pattern = string_value(call.args[0]) if call.args else None
    if not flags or pattern is None:
        return None
    inline = repr(f"(?{''.join(dict.fromkeys(flags))}){pattern}")
    rest = [_text(argument, code) for argument in call.args[1:]]
    return f"{_text(call.func, code)}({', '.join([inline, *rest])})"


#: The regular-expression method of a string method that pandas switches with ``regex=True``.
REGEX_METHODS = {"replace": "re_replace", "contains": "re_search", "split": "re_split"}


def split_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``col.str.split(" ", expand=True)`` → ``col.split(" ")`` (an array; index it);
    ``col.str.split(p, regex=True)`` → ``col.re_split(p)``."""
    if [k.arg for k in call.keywords] == ["regex"]:
        return regex_keyword_call(call, code)
    column = receiver(call, code)
    if column is None or [k.arg for k in call.keywords] != ["expand"] or len(call.args) != 1:
        return None
    return f"{column}.split({_text(call.args[0], code)})"


def month_name_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``col.dt.month_name()`` → ``col.strftime("%B")``."""
    column = receiver(call, code)
    return f'{column}.strftime("%B")' if column and not call.args and not call.keywords else None


def percentile_call(call: ast.Call, code: str) -> str | None:
    """NumPy's ``col.percentile(90)`` → ``col.quantile(0.9)`` (a fraction; 0.9 stays)."""
    column = receiver(call, code)
    value = call.args[0] if len(call.args) == 1 and not call.keywords else None
    number = value.value if isinstance(value, ast.Constant) else None
    if column is None or not isinstance(number, int | float) or isinstance(number, bool):
        return None
    fraction = number / 100 if number > 1 else number
    return f"{column}.quantile({fraction:g})"


def between_time_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``ts.between_time("08:00", "16:00")`` → ``(ts.time() >= ibis.time("08:00"))
    & (ts.time() <= ibis.time("16:00"))``: the time of day between two times, both
    included (``TimeValue.between`` does not compile on DuckDB in Ibis 12)."""
    column = receiver(call, code)
    times = [string_value(argument) for argument in call.args]
    if column is None or call.keywords or len(times) != 2 or None in times:
        return None
    low, high = (f"ibis.time({t!r})" for t in times)
    return f"(({column}.time() >= {low}) & ({column}.time() <= {high}))"


def where_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``col.where(cond)`` (the value where ``cond`` holds, else null) →
    ``ibis.ifelse(cond, col, ibis.null())``; ``col.where(cond, other)`` → ``other`` there;
    ``col.mask(cond, other)`` the other way round, and ``col.mask(col == x)`` is
    ``col.nullif(x)``."""
    column = receiver(call, code)
    if column is None or call.keywords or len(call.args) not in (1, 2):
        return None
    condition, *other = (source_of(argument, code) for argument in call.args)
    replacement = other[0] if other else "ibis.null()"
    if called_name(call) != "mask":
        return f"ibis.ifelse({condition}, {column}, {replacement})"
    equal_to = _compared_for_equality(call.args[0], column, code)
    if not other and equal_to is not None:
        return f"{column}.nullif({source_of(equal_to, code)})"
    return f"ibis.ifelse({condition}, {replacement}, {column})"


def _compared_for_equality(test: ast.expr, column: str, code: str) -> ast.expr | None:
    """The ``value`` of a ``test`` that is ``column == value``; else None."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    if isinstance(test.ops[0], ast.Eq) and source_of(test.left, code) == column:
        return test.comparators[0]
    return None


#: pandas' reductions by name, as ``transform`` and ``agg`` take them.
TRANSFORM_REDUCTIONS = frozenset(
    {"mean", "sum", "min", "max", "count", "median", "std", "var", "nunique", "first", "last"}
)


def transform_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``col.transform("mean")`` → ``col.mean()`` (per group in a grouped
    ``mutate``); ``t.group_by(k).col.transform("mean")`` → ``t.col.mean().over(group_by=k)``;
    ``t.group_by(k).transform(m=t.x.mean())`` → ``t.group_by(k).mutate(m=t.x.mean())``."""
    name = string_value(call.args[0]) if len(call.args) == 1 and not call.keywords else None
    column = call.func.value if isinstance(call.func, ast.Attribute) else None
    grouped_keywords = call.keywords and not call.args
    if isinstance(column, ast.Call) and called_name(column) == "group_by" and grouped_keywords:
        return f"{source_of(column, code)}.mutate{written_arguments(call, code)}"
    if name not in TRANSFORM_REDUCTIONS or column is None:
        return None
    grouped = column.value if isinstance(column, ast.Attribute) else None
    if (
        isinstance(column, ast.Attribute)
        and isinstance(grouped, ast.Call)
        and (called_name(grouped) == "group_by")
    ):
        table = grouped.func.value if isinstance(grouped.func, ast.Attribute) else None
        keys = [source_of(key, code) for key in grouped.args]
        if table is None or not keys or grouped.keywords:
            return None
        by = keys[0] if len(keys) == 1 else f"[{', '.join(keys)}]"
        return f"{owner_source(table, code)}.{column.attr}.{name}().over(group_by={by})"
    return f"{owner_source(column, code)}.{name}()"


#: pandas (and polars/PySpark) method → its Ibis translation (the advice is the rule's).
PANDAS_CALLS: dict[str, Translator] = {
    "between_time": between_time_call,
    "transform": transform_call,
    "month_name": month_name_call,
    "percentile": percentile_call,
    "merge": join_call,
    "drop_duplicates": distinct_call,
    "melt": longer_call,
    "unpivot": longer_call,
    "shift": shift_call,
    "pivot": wider_call,
    "pivot_table": wider_call,
    "nlargest": largest_call,
    "nsmallest": largest_call,
    "tail": tail_call,
    "withColumn": with_column_call,
    "concat": concat_call,
    "diff": diff_call,
    "map": substitute_call,
    "query": query_call,
    "replace": replace_call,
    "slice": slice_call,
    "cat": cat_call,
    "zfill": zfill_call,
    "isnumeric": digits_call,
    "isdigit": digits_call,
    "isdecimal": digits_call,
    "toordinal": ordinal_call,
    "extract": extract_call,
}


#: Ibis method → translation of the pandas keywords it was given.
def set_operation_call(call: ast.Call, code: str) -> str | None:
    """SQL's ``t.intersect(u, all=True)`` → ``t.intersect(u, distinct=False)``."""
    every = keyword(call, "all")
    if not (isinstance(every, ast.Constant) and isinstance(every.value, bool)):
        return None
    kept = [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k.arg != "all"]
    arguments = [source_of(argument, code) for argument in call.args]
    arguments += [*kept, f"distinct={not every.value}"]
    return f"{source_of(call.func, code)}({', '.join(arguments)})"


def arbitrary_call(call: ast.Call, code: str) -> str | None:
    """The removed ``col.arbitrary(how="first")`` → ``col.first()`` (``"last"``:
    ``col.last()``)."""
    how, column = keyword(call, "how"), receiver(call, code)
    if column is None or call.args or not isinstance(how, ast.Constant):
        return None
    if how.value not in ("first", "last"):
        return None
    kept = [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k.arg != "how"]
    return f"{column}.{how.value}({', '.join(kept)})"


def ordered_keyword_call(call: ast.Call, code: str) -> str | None:
    """``col.collect(order_by="at", descending=True)`` (polars' flag, pandas'
    ``ascending=False``) → ``col.collect(order_by=ibis.desc("at"))``."""
    order = keyword(call, "order_by")
    ascending, descending = keyword(call, "ascending"), keyword(call, "descending")
    flag = descending if descending is not None else ascending
    if order is None or flag is None or (ascending is not None and descending is not None):
        return None
    if not (isinstance(flag, ast.Constant) and isinstance(flag.value, bool)):
        return None
    reverse = flag.value == (descending is not None)
    keys = elements(order) or [order]
    ordered = [f"ibis.desc({_text(k, code)})" if reverse else _text(k, code) for k in keys]
    kept = [
        f"{k.arg}={source_of(k.value, code)}"
        for k in call.keywords
        if k.arg not in {"order_by", "ascending", "descending"}
    ]
    order_text = ordered[0] if len(ordered) == 1 else f"[{', '.join(ordered)}]"
    arguments = [source_of(a, code) for a in call.args] + kept + [f"order_by={order_text}"]
    return f"{source_of(call.func, code)}({', '.join(arguments)})"


def distinct_concat_call(call: ast.Call, code: str) -> str | None:
    """``col.group_concat(", ", distinct=True)`` (SQL's ``GROUP_CONCAT(DISTINCT ...)``) →
    ``col.collect(distinct=True).join(", ")``: the distinct values collected, then
    joined."""
    flag = keyword(call, "distinct")
    column = receiver(call, code)
    if column is None or not (isinstance(flag, ast.Constant) and flag.value is True):
        return None
    separator = keyword(call, "sep")
    if separator is None and len(call.args) == 1:
        separator = call.args[0]
    if separator is None or len(call.args) + len(call.keywords) != 2:
        return None
    return f"{column}.collect(distinct=True).join({_text(separator, code)})"


#: Analytic functions that take their window from ``.over(...)``, not from keywords.
OVER_ONLY = frozenset({"lag", "lead", "ntile", "nth", "percent_rank", "cume_dist", "dense_rank"})


def window_keywords_call(call: ast.Call, code: str) -> str | None:
    """``col.lag(1, order_by=t.at)`` → ``col.lag(1).over(order_by=t.at)``: the window of
    an analytic function is given to ``.over``."""
    moved = [k for k in call.keywords if k.arg in WINDOW_KEYWORDS]
    if not moved:
        return ranked_in_order(call, code) if getattr(call.func, "attr", "") in RANKING else None
    kept = [k for k in call.keywords if k not in moved]
    inner = [source_of(a, code) for a in call.args]
    inner += [f"{k.arg}={source_of(k.value, code)}" for k in kept]
    window = ", ".join(f"{WINDOW_KEYWORDS[k.arg or '']}={source_of(k.value, code)}" for k in moved)
    return f"{source_of(call.func, code)}({', '.join(inner)}).over({window})"


#: pandas' ``between(..., inclusive=)``: the comparison for each bound.
INCLUSIVE = {"neither": (">", "<"), "left": (">=", "<"), "right": (">", "<=")}


def between_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``x.between(a, b, inclusive="left")`` → ``((x >= a) & (x < b))``: Ibis's
    ``between`` includes both bounds (``inclusive="both"`` is just dropped)."""
    column, inclusive = receiver(call, code), string_value(keyword(call, "inclusive"))
    if column is None or len(call.args) != 2 or len(call.keywords) != 1:
        return None
    if inclusive not in INCLUSIVE:
        return None
    (low, high), (above, below) = (_bound(a, code) for a in call.args), INCLUSIVE[inclusive]
    return f"(({column} {above} {low}) & ({column} {below} {high}))"


TIME_OF_DAY = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?$")


def _bound(node: ast.AST, code: str) -> str:
    """A bound as written; a time of day as text (``"18:00"``) as ``ibis.time("18:00")``,
    which a time column compares with (``between`` took the text for it)."""
    text = string_value(node)
    return f"ibis.time({text!r})" if text and TIME_OF_DAY.match(text) else source_of(node, code)


def case_insensitive_like(call: ast.Call, code: str) -> str | None:
    """``col.like("%a%", case_sensitive=False)`` → ``col.ilike("%a%")``."""
    flag = keyword(call, "case_sensitive")
    column = receiver(call, code)
    if column is None or len(call.keywords) != 1 or not isinstance(flag, ast.Constant):
        return None
    method = "ilike" if flag.value is False else "like" if flag.value is True else None
    arguments = ", ".join(_text(argument, code) for argument in call.args)
    return f"{column}.{method}({arguments})" if method else None


def unnamed_memtable(call: ast.Call, code: str) -> str | None:
    """``ibis.memtable(data, name="t")`` → ``ibis.memtable(data)``."""
    kept = [f"{k.arg}={_text(k.value, code)}" for k in call.keywords if k.arg != "name"]
    if len(kept) == len(call.keywords):
        return None
    given = [_text(argument, code) for argument in call.args] + kept
    return f"{_text(call.func, code)}({', '.join(given)})"


def unseeded_call(call: ast.Call, code: str) -> str | None:
    """``ibis.random(seed=42)`` → ``ibis.random()``: Ibis's random numbers take no seed."""
    seed_only = not call.args and [k.arg for k in call.keywords] == ["seed"]
    return f"{source_of(call.func, code)}()" if seed_only else None


def inverted_isin_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``col.isin(values, invert=True)`` (NumPy's ``isin`` keyword) →
    ``col.notin(values)``."""
    column, invert = receiver(call, code), keyword(call, "invert")
    if column is None or len(call.keywords) != 1 or not isinstance(invert, ast.Constant):
        return None
    method = "notin" if invert.value is True else "isin"
    return f"{column}.{method}({', '.join(_text(a, code) for a in call.args)})"


def value_counts_subset_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``t.value_counts(subset=["a", "b"])`` (or the names given by position,
    ``t.value_counts("a", "b")``) → ``t.select("a", "b").value_counts()``."""
    table, subset = receiver(call, code), keyword(call, "subset")
    if subset is not None:
        names = _names(subset) if not call.args and len(call.keywords) == 1 else None
    elif len(call.args) == 1 and not call.keywords:
        names = _names(call.args[0])
    else:
        listed = [string_value(a) for a in call.args]
        names = None if call.keywords or None in listed else [n for n in listed if n]
    if table is None or not names:
        return None
    return f"{table}.select({', '.join(repr(n) for n in names)}).value_counts()"


def fill_subset_call(call: ast.Call, code: str) -> str | None:
    """PySpark's ``t.fillna(0, subset=["a", "b"])`` → ``t.fill_null({"a": 0, "b": 0})``."""
    table, subset = receiver(call, code), keyword(call, "subset")
    names = _names(subset) if subset is not None else None
    if table is None or not names or len(call.args) != 1 or len(call.keywords) != 1:
        return None
    value = _text(call.args[0], code)
    pairs = ", ".join(f"{name!r}: {value}" for name in names)
    return f"{table}.fill_null({{{pairs}}})"


def fill_null_call(call: ast.Call, code: str) -> str | None:
    """``fill_null``'s keywords from polars (``strategy=``) and PySpark (``subset=``)."""
    return fill_strategy_call(call, code) or fill_subset_call(call, code)


#: pandas' ``DataFrame.filter`` keywords: they choose columns by name, and the selector
#: that chooses them in Ibis.
COLUMN_FILTERS = {"regex": "matches", "like": "contains"}


def column_filter_call(call: ast.Call, code: str) -> str | None:
    """pandas' ``df.filter(regex="^km")`` / ``like="km"`` / ``items=["a", "b"]`` choose
    columns, not rows: ``t.select(ibis.selectors.matches("^km"))``, ``t.select("a", "b")``."""
    table = receiver(call, code)
    if table is None or call.args or len(call.keywords) != 1:
        return None
    (given,) = call.keywords
    if given.arg in COLUMN_FILTERS and string_value(given.value) is not None:
        selector = f"ibis.selectors.{COLUMN_FILTERS[given.arg]}({_text(given.value, code)})"
        return f"{table}.select({selector})"
    names = _names(given.value) if given.arg == "items" else None
    return f"{table}.select({', '.join(repr(n) for n in names)})" if names else None


def typed_constructor_call(call: ast.Call, code: str) -> str | None:
    """``ibis.array([...], type="array<string>")`` (``ibis.literal``'s keyword) →
    ``ibis.array([...]).cast("array<string>")``: the value is built, then cast."""
    given = keyword(call, "type")
    if given is None or len(call.keywords) != 1:
        return None
    arguments = ", ".join(_text(argument, code) for argument in call.args)
    return f"{source_of(call.func, code)}({arguments}).cast({_text(given, code)})"


KEYWORD_CALLS: dict[str, Translator] = {
    "filter": column_filter_call,
    **dict.fromkeys(("array", "map", "struct"), typed_constructor_call),
    "isin": inverted_isin_call,
    "value_counts": value_counts_subset_call,
    "fillna": fill_subset_call,
    "arbitrary": arbitrary_call,
    "random": unseeded_call,
    "like": case_insensitive_like,
    "memtable": unnamed_memtable,
    "between": between_call,
    **dict.fromkeys(("union", "intersect", "difference"), set_operation_call),
    "join": join_call,
    **dict.fromkeys(KIND_JOINS, join_call),
    "order_by": order_call,
    "drop": drop_call,
    "count": count_call,
    "distinct": distinct_call,
    "pivot_longer": lambda call, code: longer_call(call, code) or names_separator_call(call, code),
    "rename": rename_columns_call,
    "rank": rank_call,
    "topk": top_rows_call,
    "sample": top_rows_call,
    "replace": regex_keyword_call,
    "contains": regex_keyword_call,
    "split": split_call,
    **dict.fromkeys(
        ("re_search", "rlike", "re_extract", "re_replace", "re_split"), regex_flags_call
    ),
    "std": ddof_call,
    "var": ddof_call,
    "cast": conversion_call,
    "try_cast": conversion_call,
    "concat": concat_separator_call,
    "fill_null": fill_null_call,
    "substr": substr_end_call,
    **dict.fromkeys(("collect", "first", "last"), ordered_keyword_call),
    "group_concat": lambda call, code: (
        ordered_keyword_call(call, code) or distinct_concat_call(call, code)
    ),
    **dict.fromkeys(OVER_ONLY, window_keywords_call),
}
