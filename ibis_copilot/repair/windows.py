"""Aggregation versus window context: a window function (``cumsum``, ``lag``, ``rank``,
``row_number``...) written inside ``agg``, where only reductions belong.

Ibis refuses the aggregate; what the user meant is one value per row, computed over the
group: ``group_by(keys).mutate(...)``. Functions whose result depends on row order get a
first candidate ordered by the table's only date or timestamp column (said in the reason),
then one without an order.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable, Collection

import ibis.expr.types as ir

from ibis_copilot.repair.edits import (
    UNEXPECTED_KEYWORD,
    Candidate,
    Search,
    arguments_of,
    call_rewrite,
    called_name,
    calls_to,
    parse,
    replace_call,
    replace_each_call,
    string_items,
    string_value,
    whole_number,
    written_arguments,
)
from ibis_copilot.repair.failure import Diagnosis, Failure, Rewrite
from ibis_copilot.repair.rewrite import rewrite_nodes, rewrite_rendered, source_of

#: Column methods and ``ibis`` functions that compute over a window.
WINDOW_FUNCTIONS = frozenset(
    {
        "cumsum",
        "cummean",
        "cummin",
        "cummax",
        "cumany",
        "cumall",
        "lag",
        "lead",
        "rank",
        "dense_rank",
        "percent_rank",
        "cume_dist",
        "ntile",
        "row_number",
        "nth",
    }
)
#: Those whose result depends on an order the call did not give.
ORDER_DEPENDENT = frozenset(
    {"cumsum", "cummean", "cummin", "cummax", "lag", "lead", "row_number", "nth"}
)
#: Ibis's operation names for them, as the Aggregate's error prints them.
WINDOW_OPERATIONS = re.compile(
    r"WindowFunction|RowNumber|Lag|Lead|MinRank|DenseRank|PercentRank|CumeDist|NTile|NthValue"
)


def _window_calls(call: ast.Call, names: Collection[str] = WINDOW_FUNCTIONS) -> list[ast.Call]:
    """The calls of ``names`` (window functions) inside ``call``'s arguments."""
    return [
        node
        for value in arguments_of(call)
        for node in ast.walk(value)
        if isinstance(node, ast.Call) and called_name(node) in names
    ]


def _only_temporal_column(call: ast.Call, tables: dict[str, ir.Table]) -> str | None:
    """The one date/timestamp column of the table the aggregate is over, if exactly one."""
    names = [n.id for n in ast.walk(call.func) if isinstance(n, ast.Name) and n.id in tables]
    if not names:
        return None
    schema = tables[names[0]].schema()
    temporal = [name for name, dtype in schema.items() if dtype.is_temporal()]
    return temporal[0] if len(temporal) == 1 else None


def _nth_per_group(call: ast.Call, code: str, order: str) -> str | None:
    """``t.group_by("k").agg(x=t.v.nth(1))`` → ``t.select("k", x=t.v.nth(1).over(
    group_by="k", order_by=order)).distinct()``: one row per group, as ``agg`` gives."""
    grouping = call.func.value if isinstance(call.func, ast.Attribute) else None
    if not isinstance(grouping, ast.Call) or not isinstance(grouping.func, ast.Attribute):
        return None
    keys = [string_value(key) for key in grouping.args]
    if not keys or None in keys or grouping.keywords or call.args:
        return None
    table, by = source_of(grouping.func.value, code), ", ".join(repr(k) for k in keys)
    window = f"group_by=[{by}], order_by={order!r}"
    values = [f"{k.arg}={source_of(k.value, code)}.over({window})" for k in call.keywords if k.arg]
    return replace_call(code, call, f"{table}.select({by}, {', '.join(values)}).distinct()")


def window_in_aggregate(failure: Failure) -> Search | None:
    """``group_by(k).agg(x=t.v.cumsum())`` → ``group_by(k).mutate(x=...)``."""
    text = str(failure.error)
    if "Aggregate(" not in text or not WINDOW_OPERATIONS.search(text):
        return None
    tree = parse(failure.code)
    if tree is None:
        return None
    candidates = []
    for call in calls_to(tree, "agg", "aggregate"):
        windows = _window_calls(call)
        function = call.func
        if not windows or not isinstance(function, ast.Attribute):
            continue
        base = source_of(function.value, failure.code)
        arguments = written_arguments(call, failure.code)
        grouped = isinstance(function.value, ast.Call) and called_name(function.value) == "group_by"
        unordered = any(
            called_name(w) in ORDER_DEPENDENT and not any(k.arg == "order_by" for k in w.keywords)
            for w in windows
        )
        column = _only_temporal_column(call, failure.tables) if unordered and grouped else None
        if all(called_name(w) == "nth" for w in windows):  # one value per group, ordered
            one_per_group = _nth_per_group(call, failure.code, column) if column else None
            reason = f"the n-th value of each group, ordered by `{column}`"
            candidates += [Candidate(one_per_group, reason)] if one_per_group else []
            continue
        if column is not None:
            ordered = replace_call(
                failure.code, call, f"{base}.order_by({column!r}).mutate{arguments}"
            )
            if ordered is not None:
                reason = (
                    f"one value per row with `mutate`, ordered by `{column}` (the table's "
                    "only date/time column)"
                )
                candidates.append(Candidate(ordered, reason))
        plain = replace_call(failure.code, call, f"{base}.mutate{arguments}")
        if plain is not None:
            candidates.append(Candidate(plain, "one value per row with `mutate`"))
    if not candidates:
        return None
    message = (
        "window functions (cumulative sums, lag/lead, ranks, row numbers) give one value per "
        "row, so they belong in `mutate` (over the group with `group_by(...).mutate(...)`), "
        "not in `agg`, which keeps one row per group"
    )
    return Search(Diagnosis("wrong aggregation", message), candidates)


#: ``'StringColumn' object has no attribute 'tail'``: pandas' first or last rows of a group.
ROWS_OF_GROUP = re.compile(r"^'\w+Column' object has no attribute '(head|tail)'")
ONE_VALUE_OF_ROWS = {"head": "first", "tail": "last"}


def first_or_last_of_group(failure: Failure) -> Search | None:
    """``group_by(k).agg(x=t.v.tail(1))``: pandas' last row of each group is one value,
    ``t.v.last(order_by=...)``; ordered by the table's only date/time column."""
    match = ROWS_OF_GROUP.match(str(failure.error))
    tree = parse(failure.code)
    if match is None or tree is None:
        return None
    method = match.group(1)
    reduction = ONE_VALUE_OF_ROWS[method]
    inside = [
        node
        for call in calls_to(tree, "agg", "aggregate")
        for node in _window_calls(call, (method,))
        if not node.keywords
    ]
    one_row = [c for c in inside if not c.args or ast.unparse(c.args[0]) == "1"]
    message = (
        f"a column has no `{method}`; in an aggregation one value per group is "
        f'`t.x.{reduction}(order_by="at")` (rows of a table have no order unless one is '
        f"given), and a table's first rows are `t.head(n)`"
    )
    candidates = []
    for call in one_row[:1]:
        column = _only_temporal_column(call, failure.tables)
        if column is None or not isinstance(call.func, ast.Attribute):
            continue
        text = f"{source_of(call.func.value, failure.code)}.{reduction}(order_by={column!r})"
        if (edited := replace_call(failure.code, call, text)) is not None:
            reason = f"ordered by `{column}` (the table's only date/time column)"
            candidates.append(Candidate(edited, reason))
    return Search(Diagnosis("aggregation", message), candidates) if inside else None


def _pandas_window(
    code: str,
    tables: dict[str, ir.Table],
    method: str,
    window: Callable[[ast.Call, str, str], str | None],
) -> str | None:
    """``t.x.<method>(...).mean()`` → ``t.x.mean().over(<window>)``, ordered by the
    table's only date or timestamp column (without one, nothing says which rows come
    before). ``window(call, code, order)`` writes the window of the pandas call, or None
    where its arguments do not fit."""

    def parts(node: ast.AST) -> tuple[ast.Call, ast.Call, str] | None:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            return None
        inner = node.func.value
        if not (isinstance(inner, ast.Call) and called_name(inner) == method):
            return None
        order = _only_temporal_column(inner, tables)
        if node.args or node.keywords or not order or window(inner, code, order) is None:
            return None
        return node, inner, order

    def render(node: ast.AST, text: str) -> str:
        found = parts(node)
        assert found is not None  # noqa: S101 - wanted() checked it
        outer, inner, order = found
        column = inner.func.value if isinstance(inner.func, ast.Attribute) else inner
        reduction = outer.func.attr if isinstance(outer.func, ast.Attribute) else "mean"
        return f"{source_of(column, text)}.{reduction}().over({window(inner, text, order)})"

    return rewrite_nodes(code, lambda node: parts(node) is not None, render)


def _rolling_window(call: ast.Call, code: str, order: str) -> str | None:
    """``rolling(7)``: the row and the six before it."""
    if len(call.args) != 1 or call.keywords:
        return None
    rows = call.args[0]
    count = rows.value if isinstance(rows, ast.Constant) else None
    size = str(count - 1) if isinstance(count, int) else f"{source_of(rows, code)} - 1"
    return f"ibis.window(order_by={order!r}, preceding={size}, following=0)"


def _expanding_window(call: ast.Call, _code: str, order: str) -> str | None:
    """``expanding()``: every row up to this one."""
    return None if call.args or call.keywords else f"ibis.cumulative_window(order_by={order!r})"


def rolling_to_window(code: str, tables: dict[str, ir.Table]) -> str | None:
    """pandas' ``t.x.rolling(7).mean()`` → ``t.x.mean().over(ibis.window(order_by=...,
    preceding=6, following=0))``."""
    return _pandas_window(code, tables, "rolling", _rolling_window)


def expanding_to_window(code: str, tables: dict[str, ir.Table]) -> str | None:
    """pandas' ``t.x.expanding().sum()`` → ``t.x.sum().over(ibis.cumulative_window(...))``."""
    return _pandas_window(code, tables, "expanding", _expanding_window)


#: Keywords that belong to the window, not to the function computed over it.
WINDOW_KEYWORDS = {"order_by": "order_by", "group_by": "group_by", "partition_by": "group_by"}
RANKING = frozenset({"row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile"})


def _over_call(call: ast.Call, code: str) -> str | None:
    """``ibis.row_number(order_by=t.x)`` → ``ibis.row_number().over(order_by=t.x)``; a
    column's ``t.x.ntile(4, group_by=t.g)`` (which orders by ``t.x`` already) →
    ``ibis.ntile(4).over(group_by=t.g, order_by=t.x)``."""
    window = [k for k in call.keywords if k.arg in WINDOW_KEYWORDS]
    if not window or len(window) != len(call.keywords):
        return None
    arguments = ", ".join(source_of(argument, code) for argument in call.args)
    parts = {WINDOW_KEYWORDS[k.arg or ""]: source_of(k.value, code) for k in window}
    function = call.func
    if isinstance(function, ast.Attribute) and source_of(function.value, code) != "ibis":
        parts.setdefault("order_by", source_of(function.value, code))
        name = f"ibis.{function.attr}"
    else:
        name = source_of(function, code)
    over = ", ".join(f"{key}={value}" for key, value in parts.items())
    return f"{name}({arguments}).over({over})"


#: ``rank() takes 0 positional arguments but 1 was given`` (the column to rank by).
POSITIONAL_RANKING = re.compile(r"^(\w+)\(\) takes 0 positional arguments but 1 was given")


def _ordered_over(call: ast.Call, code: str) -> str | None:
    """``ibis.rank(t.x)`` → ``ibis.rank().over(order_by=t.x)``."""
    if len(call.args) != 1 or call.keywords or not isinstance(call.func, ast.Attribute):
        return None
    order = source_of(call.args[0], code)
    return f"{source_of(call.func, code)}().over(order_by={order})"


def _ordered_window(code: str, name: str) -> str | None:
    """``ibis.rank(t.x).over(group_by=t.g)`` → ``ibis.rank().over(group_by=t.g,
    order_by=t.x)``; a window that orders already keeps its order; other calls of
    ``name`` as :func:`_ordered_over` writes them."""

    def ranked(node: ast.AST) -> ast.Call | None:
        function = node.func if isinstance(node, ast.Call) else None
        inner = function.value if isinstance(function, ast.Attribute) else None
        if getattr(function, "attr", "") != "over" or not isinstance(inner, ast.Call):
            return None
        return inner if called_name(inner) == name and len(inner.args) == 1 else None

    def render(node: ast.AST, text: str) -> str:
        assert isinstance(node, ast.Call)  # noqa: S101 - chosen ``.over`` calls
        inner = ranked(node)
        assert inner is not None  # noqa: S101 - chosen for having one
        given = [source_of(a, text) for a in node.args]
        given += [f"{k.arg}={source_of(k.value, text)}" for k in node.keywords if k.arg]
        if not any(k.arg == "order_by" for k in node.keywords):
            given.append(f"order_by={source_of(inner.args[0], text)}")
        return f"{source_of(inner.func, text)}().over({', '.join(given)})"

    windowed = rewrite_nodes(code, lambda node: ranked(node) is not None, render) or code
    return replace_each_call(windowed, (name,), _ordered_over) or (
        windowed if windowed != code else None
    )


NOT_A_WINDOW = "No reduction or analytic function found to construct a window expression"


def _column_ranking(node: ast.AST, code: str) -> str | None:
    """``t.x.ntile(4).over(order_by="x")`` → ``ibis.ntile(4).over(order_by="x")``: a
    column's ranking orders by the column already and takes no second order; the window's
    own order is kept (the column's where it gives none)."""
    function = node.func if isinstance(node, ast.Call) else None
    inner = function.value if isinstance(function, ast.Attribute) else None
    if getattr(function, "attr", "") != "over" or not isinstance(inner, ast.Call):
        return None
    ranking = inner.func
    if not isinstance(ranking, ast.Attribute) or ranking.attr not in RANKING - {"row_number"}:
        return None
    column = source_of(ranking.value, code)
    if column == "ibis" or inner.keywords or not isinstance(node, ast.Call):
        return None
    given = [source_of(a, code) for a in node.args]
    given += [f"{k.arg}={source_of(k.value, code)}" for k in node.keywords if k.arg]
    if not any(k.arg == "order_by" for k in node.keywords):
        given.append(f"order_by={column}")
    arguments = ", ".join(source_of(a, code) for a in inner.args)
    return f"ibis.{ranking.attr}({arguments}).over({', '.join(given)})"


def column_ranking_over(failure: Failure) -> Diagnosis | None:
    """``t.fare.ntile(4).over(order_by="fare")``: a column's ``ntile``/``rank``... is a
    window ordered by that column already; with a window of one's own it is ``ibis``'s."""
    if NOT_A_WINDOW not in str(failure.error):
        return None
    if rewrite_rendered(failure.code, _column_ranking) is None:
        return None
    return Diagnosis(
        "window",
        "a column's `ntile`/`rank`/`percent_rank`... is ordered by that column already and "
        "takes no window of its own: with one, use Ibis's function, "
        '`ibis.ntile(4).over(group_by=..., order_by="fare")`',
        lambda code: rewrite_rendered(code, _column_ranking),
    )


#: pandas' first rows of each group and the row numbers (from 0) they keep.
GROUP_ROWS = {"head": "< {n}", "nth": "== {n}"}
GROUPED_CALL = re.compile(r"'Grouped\w+' object is not callable|^GroupedTable has no attribute")


def _listed(call: ast.Call, code: str) -> str:
    """A call's arguments as one value: the argument itself, or a list of several."""
    values = [source_of(a, code) for a in call.args]
    return values[0] if len(values) == 1 else f"[{', '.join(values)}]"


def _first_rows_per_group(call: ast.Call, code: str) -> str | None:
    """``t.group_by(k).order_by(o).head(n)`` → the rows numbered below ``n`` in each group:
    ``t.mutate(_row=ibis.row_number().over(group_by=k, order_by=o)).filter(ibis._._row <
    n).drop("_row")``; ``nth(n)`` keeps the row numbered ``n``. Only with an order."""
    name = called_name(call)
    ordered = call.func.value if isinstance(call.func, ast.Attribute) else None
    count = call.args[0] if len(call.args) == 1 and not call.keywords else None
    if name not in GROUP_ROWS or not isinstance(ordered, ast.Call):
        return None
    if called_name(ordered) != "order_by" or not isinstance(ordered.func, ast.Attribute):
        return None
    grouped = ordered.func.value
    if not isinstance(grouped, ast.Call) or called_name(grouped) != "group_by":
        return None
    if not isinstance(count, ast.Constant) or not whole_number(count.value):
        return None
    if grouped.keywords or ordered.keywords or not grouped.args or not ordered.args:
        return None
    table = source_of(grouped.func.value, code) if isinstance(grouped.func, ast.Attribute) else ""
    window = f"group_by={_listed(grouped, code)}, order_by={_listed(ordered, code)}"
    kept = GROUP_ROWS[name].format(n=count.value)
    return (
        f"{table}.mutate(_row=ibis.row_number().over({window}))"
        f'.filter(ibis._._row {kept}).drop("_row")'
    )


def first_rows_per_group(failure: Failure) -> Diagnosis | None:
    """pandas' ``df.groupby(k).head(n)``: a grouped table has no rows to take; number the
    rows of each group in order and keep the first ``n``."""
    if not GROUPED_CALL.search(str(failure.error)):
        return None
    tree = parse(failure.code)
    if tree is None or not list(calls_to(tree, *GROUP_ROWS, "tail")):
        return None
    message = (
        "a grouped table has no first rows: number each group's rows in order and keep "
        'the first n, `t.mutate(_row=ibis.row_number().over(group_by="k", '
        'order_by="ts")).filter(ibis._._row < n).drop("_row")` (row numbers start at 0; '
        "the last rows: order descending)"
    )

    def fix(code: str) -> str | None:
        return replace_each_call(code, tuple(GROUP_ROWS), _first_rows_per_group)

    return Diagnosis("window", message, fix if fix(failure.code) else None)


#: ``ibis.ntile(t.x, 4)``: the column to order by given beside the number of buckets.
NTILE_WITH_ORDER = re.compile(r"^ntile\(\) takes 1 positional argument but 2 were given")


def _ntile_over(call: ast.Call, code: str) -> str | None:
    """``ibis.ntile(t.x, 4)`` (or ``(4, t.x)``) → ``ibis.ntile(4).over(order_by=t.x)``."""
    if len(call.args) != 2 or call.keywords:
        return None
    counts = [a for a in call.args if isinstance(a, ast.Constant) and whole_number(a.value)]
    if len(counts) != 1:
        return None
    order = next(a for a in call.args if a is not counts[0])
    buckets, by = source_of(counts[0], code), source_of(order, code)
    return f"{source_of(call.func, code)}({buckets}).over(order_by={by})"


def window_keywords(failure: Failure) -> Diagnosis | None:
    """``ibis.row_number(order_by=...)`` or ``ibis.rank(t.x)``: the order is the
    window's, given to ``.over``."""
    text = str(failure.error)
    match = UNEXPECTED_KEYWORD.search(text)
    fix: Rewrite
    if match and match.group(2) in RANKING and match.group(3) in WINDOW_KEYWORDS:
        name = match.group(2)
        fix = functools.partial(replace_each_call, names=(name,), translate=_over_call)
    elif (positional := POSITIONAL_RANKING.match(text)) and positional.group(1) in RANKING:
        name = positional.group(1)
        fix = functools.partial(_ordered_window, name=name)
    elif NTILE_WITH_ORDER.match(text):
        name = "ntile"
        fix = functools.partial(replace_each_call, names=(name,), translate=_ntile_over)
    else:
        return None
    return Diagnosis(
        "window",
        f"`{name}()` takes its order from the window: `ibis.{name}().over(order_by=..., "
        "group_by=...)`",
        fix,
    )


def window_of_names(failure: Failure) -> Diagnosis | None:
    """``.over("symbol")``: a column name given where the window goes; the name is
    what to group by, ``.over(group_by="symbol")``."""
    if not str(failure.error).startswith("Unexpected window type"):
        return None

    def render(call: ast.Call, code: str) -> str | None:
        if len(call.args) != 1 or call.keywords or string_items(call.args[0]) is None:
            return None
        owner = source_of(call.func, code)
        return f"{owner}(group_by={source_of(call.args[0], code)})"

    return call_rewrite(
        failure.code,
        "window",
        "`.over(...)` takes a window, or its parts by keyword: "
        '`.over(group_by="col", order_by="other")`',
        ("over",),
        render,
    )


FRAME_ORDER = "Window frame's start point must be greater than its end point"
WINDOW_MAKERS = ("window", "rows_window", "range_window")


def _number(node: ast.AST | None) -> float | None:
    """The value of a number literal, signed (``-2``), else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return -inner if inner is not None else None
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    return None


def _signed_frame(call: ast.Call, code: str) -> str | None:
    """``preceding=-2`` → ``preceding=2``; ``between=(2, 0)`` → ``between=(-2, 0)``."""
    changed, keywords = False, []
    for item in call.keywords:
        value = source_of(item.value, code)
        number = _number(item.value)
        if item.arg == "preceding" and number is not None and number < 0:
            value, changed = value.lstrip("-").strip(), True
        bounds = item.value.elts if isinstance(item.value, ast.Tuple | ast.List) else []
        start = _number(bounds[0]) if item.arg == "between" and len(bounds) == 2 else None
        end = _number(bounds[1]) if start is not None else None
        if start is not None and end is not None and start > 0 and start > end:
            value, changed = f"(-{source_of(bounds[0], code)}, {source_of(bounds[1], code)})", True
        keywords.append(f"{item.arg}={value}" if item.arg else f"**{value}")
    arguments = [source_of(argument, code) for argument in call.args]
    first = _number(call.args[0]) if call.args and called_name(call) != "window" else None
    if first is not None and first < 0:  # ``rows_window(-2, 0)``: preceding comes first
        arguments[0], changed = arguments[0].lstrip("-").strip(), True
    if not changed:
        return None
    arguments += keywords
    return f"{source_of(call.func, code)}({', '.join(arguments)})"


def window_frame_signs(failure: Failure) -> Diagnosis | None:
    """``preceding=-2`` or ``between=(2, 0)``: Ibis counts ``preceding`` rows back as a
    positive number, and ``between`` from the current row, before it negative."""
    if not str(failure.error).startswith(FRAME_ORDER):
        return None
    return call_rewrite(
        failure.code,
        "window",
        "a frame's start comes before its end: `preceding=2` counts two rows back (a "
        "positive number), and `between=(-2, 0)` is from two rows before to the current one",
        WINDOW_MAKERS,
        _signed_frame,
    )


GROUPED_ATTRIBUTE = re.compile(r"^'Grouped\w*' object has no attribute '(\w+)'")
CUMULATIVE = frozenset({"cumsum", "cummean", "cummin", "cummax"})


def _per_group(call: ast.Call, code: str, tables: dict[str, ir.Table]) -> str | None:
    """``t.group_by(k).x.cummin()`` → ``t.x.cummin(group_by=k, order_by="day")`` (and
    ``lag``/``lead`` ``.over(...)`` the same window), ordered by the table's only date or
    timestamp column; None without one (pandas' row order has no Ibis equivalent)."""
    column = call.func.value if isinstance(call.func, ast.Attribute) else None
    grouped = column.value if isinstance(column, ast.Attribute) else None
    if not (isinstance(grouped, ast.Call) and called_name(grouped) == "group_by"):
        return None
    if grouped.keywords or not grouped.args or not isinstance(grouped.func, ast.Attribute):
        return None
    order = _only_temporal_column(grouped, tables)
    if order is None or call.keywords or not isinstance(column, ast.Attribute):
        return None
    keys = [source_of(argument, code) for argument in grouped.args]
    groups = keys[0] if len(keys) == 1 else f"[{', '.join(keys)}]"
    window = [f"group_by={groups}", f"order_by={order!r}"]
    given = [source_of(argument, code) for argument in call.args]
    target = f"{source_of(grouped.func.value, code)}.{column.attr}.{called_name(call)}"
    if called_name(call) in CUMULATIVE:
        return f"{target}({', '.join(given + window)})"
    return f"{target}({', '.join(given)}).over({', '.join(window)})"


def grouped_window_method(failure: Failure) -> Diagnosis | None:
    """pandas' ``t.groupby(k).x.cummin()``: Ibis computes a running value on the column,
    with the groups as its window."""
    match = GROUPED_ATTRIBUTE.match(str(failure.error))
    method = match.group(1) if match else ""
    if method not in CUMULATIVE | {"lag", "lead"}:
        return None
    example = (
        f"`t.x.{method}(group_by=k, order_by=...)`"
        if method in CUMULATIVE
        else f"`t.x.{method}().over(group_by=k, order_by=...)`"
    )
    tables = failure.tables
    return Diagnosis(
        "window",
        f"a grouped column has reductions only; `{method}` per group is computed on the "
        f"column, with the groups as its window: {example}",
        lambda code: replace_each_call(code, (method,), lambda c, t: _per_group(c, t, tables)),
    )


GROUPED_LACKS = re.compile(r"^GroupedTable has no attribute (cumcount|ngroup)$")


def _row_number_per_group(call: ast.Call, code: str, tables: dict[str, ir.Table]) -> str | None:
    """``t.group_by("k").cumcount()`` → ``ibis.row_number().over(group_by="k",
    order_by="day")``, ordered by the table's only date or timestamp column (with none
    or several, numbered in the order rows come, as pandas numbers them)."""
    grouped = call.func.value if isinstance(call.func, ast.Attribute) else None
    if not (isinstance(grouped, ast.Call) and called_name(grouped) == "group_by"):
        return None
    if grouped.keywords or not grouped.args or call.args or call.keywords:
        return None
    keys = [source_of(argument, code) for argument in grouped.args]
    groups = keys[0] if len(keys) == 1 else f"[{', '.join(keys)}]"
    order = _only_temporal_column(grouped, tables)
    ordered = f", order_by={order!r}" if order else ""  # else rows are numbered as they come
    return f"ibis.row_number().over(group_by={groups}{ordered})"


def grouped_row_number(failure: Failure) -> Diagnosis | None:
    """pandas' ``t.groupby(k).cumcount()``: a row's number within its group is
    ``row_number`` over the groups (from 0, as pandas counts)."""
    match = GROUPED_LACKS.match(str(failure.error))
    if match is None or match.group(1) != "cumcount":
        return None
    tables = failure.tables
    return Diagnosis(
        "window",
        "a row's number within its group (pandas' `cumcount`) is "
        "`ibis.row_number().over(group_by=k, order_by=...)`, counted from 0; give the "
        "order, which a table's rows do not have",
        lambda code: replace_each_call(
            code, ("cumcount",), lambda c, t: _row_number_per_group(c, t, tables)
        ),
    )


BOUNDARIES = ("preceding", "following")


def _unwrapped_bounds(call: ast.Call, code: str) -> str | None:
    """``ibis.window(preceding=ibis.preceding(3))`` → ``ibis.window(preceding=3,
    following=0)``: the keyword takes the number itself, and a frame given only its start
    otherwise runs to the end of the partition."""
    wrapped = {
        k.arg
        for k in call.keywords
        if k.arg in BOUNDARIES and isinstance(k.value, ast.Call) and called_name(k.value) == k.arg
    }
    if not wrapped or any(k.arg is None for k in call.keywords):
        return None
    parts = [source_of(argument, code) for argument in call.args]
    for k in call.keywords:
        value = k.value
        if k.arg in wrapped and isinstance(value, ast.Call) and len(value.args) == 1:
            parts.append(f"{k.arg}={source_of(value.args[0], code)}")
        elif k.arg in wrapped:
            return None
        else:
            parts.append(f"{k.arg}={source_of(value, code)}")
    given = {k.arg for k in call.keywords}
    if "preceding" in wrapped and "following" not in given:
        parts.append("following=0")
    return f"{source_of(call.func, code)}({', '.join(parts)})"


def boundary_as_keyword(failure: Failure) -> Diagnosis | None:
    """``preceding=ibis.preceding(3)``: a bound object where the keyword takes a number."""
    if "not supported between instances of" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "window",
        "`preceding=` and `following=` take the number of rows, `preceding=3`; "
        "`ibis.preceding(3)` is a bound for `rows=(start, end)` or `between=`. A frame "
        "given only `preceding` runs to the partition's end: `following=0` stops it at the "
        "current row",
        WINDOW_MAKERS,
        _unwrapped_bounds,
    )
