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
from collections.abc import Callable

from ibis_copilot.repair.edits import elements, keyword, receiver, string_value
from ibis_copilot.repair.rewrite import IDENTIFIER, source_of

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


def join_call(call: ast.Call, code: str) -> str | None:
    """``left.merge(right, on=..., how=..., suffixes=...)`` (or ``join`` with pandas
    keywords) → ``left.join(right, predicates, how=..., lname=..., rname=...)``."""
    left = receiver(call, code)
    if left is None or any(k.arg is None for k in call.keywords):
        return None
    given = {k.arg: k.value for k in call.keywords if k.arg is not None}
    right_node = call.args[0] if call.args else given.get("right")
    if right_node is None:
        return None
    right = _text(right_node, code)
    predicates = _text(call.args[1], code) if len(call.args) > 1 else None
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
    return f"{left}.join({', '.join(arguments)})"


def join_kind(call: ast.Call, code: str) -> str | None:
    """``how="full"`` (pandas/SQL names) → ``how="outer"`` (Ibis's)."""
    how = string_value(keyword(call, "how"))
    if how is None or how.lower() not in JOIN_KINDS:
        return None
    return join_call(call, code)


def _desc(key: str) -> str:
    return f"ibis.desc({key})"


def order_call(call: ast.Call, code: str, method: str = "order_by") -> str | None:
    """``order_by(keys, ascending=False)`` (or pandas' ``sort_values(by=...)``) →
    ``order_by(ibis.desc(key), ...)``; a list of booleans goes key by key."""
    table = receiver(call, code)
    if table is None or any(k.arg not in {"ascending", "by"} for k in call.keywords):
        return None
    by = keyword(call, "by")
    given = list(call.args) + ([by] if by is not None else [])
    if len(given) == 1 and elements(given[0]) is not None:
        given = elements(given[0]) or []
    keys = [_text(key, code) for key in given]
    ascending = keyword(call, "ascending")
    flags: list[object]
    if ascending is None:
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


def longer_call(call: ast.Call, code: str) -> str | None:
    """``melt(id_vars=, value_vars=, var_name=, value_name=)`` (or ``pivot_longer`` with
    those keywords) → ``pivot_longer(columns, names_to=, values_to=)``."""
    table = receiver(call, code)
    if table is None or any(k.arg is None for k in call.keywords):
        return None
    given = {k.arg: k.value for k in call.keywords if k.arg is not None}
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
    """pandas' ``col.shift(n)`` → ``col.lag(n)`` (``shift(-n)`` → ``lead(n)``)."""
    column = receiver(call, code)
    if column is None or call.keywords or len(call.args) > 1:
        return None
    if not call.args:
        return f"{column}.lag()"
    amount = call.args[0]
    if isinstance(amount, ast.UnaryOp) and isinstance(amount.op, ast.USub):
        return f"{column}.lead({_text(amount.operand, code)})"
    return f"{column}.lag({_text(amount, code)})"


#: pandas method → (its Ibis translation, what to say).
PANDAS_CALLS: dict[str, tuple[Translator, str]] = {
    "merge": (join_call, "`left.join(right, predicates, how=...)`"),
    "drop_duplicates": (distinct_call, "`t.distinct(on=..., keep=...)`"),
    "melt": (longer_call, "`t.pivot_longer(columns, names_to=..., values_to=...)`"),
    "shift": (shift_call, "`col.lag(n)` (and `col.lead(n)`)"),
}
#: Ibis method → translation of the pandas keywords it was given.
KEYWORD_CALLS: dict[str, Translator] = {
    "join": join_call,
    "order_by": order_call,
    "drop": drop_call,
    "count": count_call,
    "distinct": distinct_call,
    "pivot_longer": longer_call,
    "rename": rename_columns_call,
}
