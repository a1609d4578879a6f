"""Other libraries' functions called on a column (pandas', ``hashlib``'s, ``re``'s,
``str.join``, ``str.maketrans``, ``"*" * n``): they want data now, while an Ibis column is
an expression, and Ibis has a method that does the same per row."""

from __future__ import annotations

import ast

import ibis.expr.types as ir

from ibis_copilot.repair.eager import UNBOUND
from ibis_copilot.repair.edits import keyword, matching_calls, parse, string_value, value_of
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.rewrite import (
    mentions,
    owner_source,
    rewrite_nodes,
    rewrite_rendered,
    source_of,
)

PANDAS_MODULES = frozenset({"pd", "pandas"})
#: pandas' null tests of one column and the Ibis method that does the same per row
#: (``to_datetime`` and ``to_numeric`` are casts, read with their keywords).
PANDAS_NULL_TESTS = {"isna": "isnull", "isnull": "isnull", "notna": "notnull", "notnull": "notnull"}
PANDAS_FUNCTIONS = frozenset({"to_datetime", "to_numeric", "to_timedelta", *PANDAS_NULL_TESTS})
#: pandas' ``to_timedelta`` units of a number, as Ibis's ``as_interval`` writes them.
TIMEDELTA_UNITS = {
    "D": "D", "days": "D", "day": "D", "h": "h", "hours": "h", "hour": "h",
    "m": "m", "min": "m", "minute": "m", "minutes": "m", "s": "s", "sec": "s",
    "second": "s", "seconds": "s", "ms": "ms", "us": "us", "ns": "ns", "W": "W",
}  # fmt: skip
#: pandas' ``unit=`` of a number since the epoch that Ibis's ``as_timestamp`` takes too.
EPOCH_UNITS = frozenset({"s", "ms", "us", "ns"})
HASHES = frozenset({"md5", "sha1", "sha256", "sha512"})
#: Python's ``re`` functions of (pattern, text[, ...]) and the column method for them.
REGEX_FUNCTIONS = {"search": "re_search", "sub": "re_replace", "split": "re_split"}


#: Whose functions these are, for the message (``pd.to_numeric`` is pandas').
LIBRARIES = {"pd": "pandas' ", "pandas": "pandas' ", "re": "Python's ", "hashlib": "Python's "}


def _module_function(node: ast.AST, modules: frozenset[str]) -> str | None:
    """``pd.to_datetime`` → ``to_datetime`` when ``node`` is a call of ``modules``'."""
    function = getattr(node, "func", None)
    if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute):
        return None
    owner = function.value
    return function.attr if isinstance(owner, ast.Name) and owner.id in modules else None


def _quantile_buckets(call: ast.AST, tables: set[str]) -> str | None:
    """pandas' ``pd.qcut(t.x, 4, labels=False)`` → ``.ntile(4)`` (buckets from 0)."""
    if _module_function(call, PANDAS_MODULES) != "qcut" or not isinstance(call, ast.Call):
        return None
    if not call.args or not mentions(call.args[0], tables):
        return None
    buckets, labels = call.args[1:], keyword(call, "labels")
    numbered = labels is None or (isinstance(labels, ast.Constant) and labels.value is False)
    if len(buckets) != 1 or not numbered or len(call.keywords) > (labels is not None):
        return None
    whole = isinstance(buckets[0], ast.Constant) and isinstance(buckets[0].value, int)
    return f".ntile({ast.unparse(buckets[0])})" if whole else None


def _pandas_call(node: ast.AST, tables: set[str]) -> str | None:
    """The Ibis form of ``pd.to_datetime(t.s, format=...)``, ``pd.isna(t.x)``... (given
    without the column, which comes first), or None."""
    name = _module_function(node, PANDAS_MODULES)
    if name not in PANDAS_FUNCTIONS or not isinstance(node, ast.Call) or len(node.args) != 1:
        return None
    if not mentions(node.args[0], tables):
        return None
    given = {k.arg for k in node.keywords}
    if name in PANDAS_NULL_TESTS:
        return None if given else f".{PANDAS_NULL_TESTS[name]}()"
    return _pandas_conversion(name, node, given)


def _pandas_conversion(name: str, call: ast.Call, given: set[str | None]) -> str | None:
    """``to_datetime``, ``to_timedelta`` and ``to_numeric`` with their keywords, as casts
    and conversions of the column."""
    unit = string_value(keyword(call, "unit"))
    if name == "to_datetime" and given == {"unit"} and unit in EPOCH_UNITS:
        return f".as_timestamp({unit!r})"  # a number since the epoch
    if name == "to_datetime" and given <= {"format"}:
        fmt = string_value(keyword(call, "format"))
        return f".as_timestamp({fmt!r})" if fmt else '.cast("timestamp")'
    if name == "to_timedelta" and given == {"unit"} and unit in TIMEDELTA_UNITS:
        return f".as_interval({TIMEDELTA_UNITS[unit]!r})"  # a number of units
    if name == "to_numeric" and given <= {"errors"}:
        coerce = string_value(keyword(call, "errors")) == "coerce"
        return f'.{"try_cast" if coerce else "cast"}("float64")'
    return None


def _regex_call(node: ast.AST, tables: set[str], code: str) -> str | None:
    """``re.search(p, t.s)`` → ``t.s.re_search(p)``; ``re.sub(p, r, t.s)`` →
    ``t.s.re_replace(p, r)``; ``re.split(p, t.s)`` → ``t.s.re_split(p)``."""
    name = _module_function(node, frozenset({"re"}))
    if name not in REGEX_FUNCTIONS or not isinstance(node, ast.Call) or node.keywords:
        return None
    *given, text = node.args
    if len(node.args) != (3 if name == "sub" else 2) or not mentions(text, tables):
        return None
    arguments = ", ".join(source_of(argument, code) for argument in given)
    return f"{source_of(text, code)}.{REGEX_FUNCTIONS[name]}({arguments})"


#: ``datetime``'s constructors from a value and what the value is in Ibis (``{}`` is the
#: column; ``datetime.fromtimestamp`` reads seconds since the epoch).
DATETIME_CONSTRUCTORS = {
    "fromtimestamp": '{}.as_timestamp("s")',
    "utcfromtimestamp": '{}.as_timestamp("s")',
    "fromisoformat": '{}.cast("timestamp")',
}
DATE_CONSTRUCTORS = {
    "fromtimestamp": '{}.as_timestamp("s").date()',
    "fromisoformat": '{}.cast("date")',
}


def _datetime_call(node: ast.AST, tables: set[str], code: str) -> str | None:
    """``datetime.datetime.fromtimestamp(t.epoch_s)`` (or ``datetime.fromtimestamp``,
    ``date.fromtimestamp``, ``fromisoformat``, ``strptime(t.s, fmt)``) → the column's
    own conversion, ``t.epoch_s.as_timestamp("s")``."""
    function = getattr(node, "func", None)
    if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute) or node.keywords:
        return None
    owner = ast.unparse(function.value)
    if owner not in {"datetime", "datetime.datetime", "date", "datetime.date"}:
        return None
    if not node.args or not mentions(node.args[0], tables):
        return None
    column, is_date = source_of(node.args[0], code), owner.endswith("date")
    if function.attr == "strptime" and len(node.args) == 2 and not is_date:
        return f"{column}.as_timestamp({source_of(node.args[1], code)})"
    pattern = (DATE_CONSTRUCTORS if is_date else DATETIME_CONSTRUCTORS).get(function.attr)
    return pattern.format(column) if pattern and len(node.args) == 1 else None


def _hashed(node: ast.AST, tables: set[str]) -> tuple[str, ast.expr] | None:
    """``hashlib.sha256(t.s).hexdigest()`` or ``hashlib.sha256(t.s)`` (of ``t.s`` or
    ``t.s.encode()``): the hash and the column."""
    function = getattr(node, "func", None)
    if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute):
        return None
    digest = function.attr == "hexdigest" and not node.args and not node.keywords
    inner = function.value if digest else node
    name = _module_function(inner, frozenset({"hashlib"}))
    if name not in HASHES or not isinstance(inner, ast.Call):
        return None
    if len(inner.args) != 1 or inner.keywords or not mentions(inner.args[0], tables):
        return None
    value = inner.args[0]
    encoded = getattr(value, "func", None)
    if isinstance(value, ast.Call) and isinstance(encoded, ast.Attribute):
        value = encoded.value if encoded.attr == "encode" else value
    return name, value


def _anchored_or_first(node: ast.AST, tables: set[str], code: str) -> str | None:
    """``re.findall(p, t.s)[0]`` → ``t.s.re_extract(p, 0)`` (the first match);
    ``re.match(p, t.s)`` → ``t.s.re_search("^p")`` (a match at the start)."""
    first = isinstance(node, ast.Subscript) and ast.unparse(node.slice) == "0"
    call = node.value if isinstance(node, ast.Subscript) and first else node
    name = _module_function(call, frozenset({"re"}))
    if not isinstance(call, ast.Call) or len(call.args) != 2 or call.keywords:
        return None
    pattern, text = call.args
    if not mentions(text, tables):
        return None
    if name == "findall" and first:
        return f"{source_of(text, code)}.re_extract({source_of(pattern, code)}, 0)"
    written = string_value(pattern)
    if name in {"match", "fullmatch"} and written is not None and not first:
        anchored = f"^(?:{written})" + ("$" if name == "fullmatch" else "")
        return f"{source_of(text, code)}.re_search({anchored!r})"
    return None


def _ibis_form(node: ast.AST, tables: set[str], code: str) -> str | None:
    """``node`` written with the column's own method, when it is one of the calls above."""
    if (
        regex := _regex_call(node, tables, code) or _anchored_or_first(node, tables, code)
    ) is not None:
        return regex
    if (converted := _datetime_call(node, tables, code)) is not None:
        return converted
    if (hashed := _hashed(node, tables)) is not None:
        name, column = hashed
        return f"{source_of(column, code)}.hexdigest({name!r})"
    method = _quantile_buckets(node, tables) or _pandas_call(node, tables)
    return (
        f"{source_of(node.args[0], code)}{method}"
        if isinstance(node, ast.Call) and method
        else None
    )


def library_function(failure: Failure) -> Diagnosis | None:
    """``pd.to_datetime(t.s, format=...)`` → ``t.s.as_timestamp(...)``, ``pd.isna(t.x)``
    → ``t.x.isnull()``, ``hashlib.sha256(t.s).hexdigest()`` → ``t.s.hexdigest("sha256")``,
    ``re.search(p, t.s)`` → ``t.s.re_search(p)``."""
    error = failure.error  # an AttributeError: ``t.s.encode()`` before hashing
    if not isinstance(error, TypeError | ValueError | AttributeError) and UNBOUND not in str(error):
        return None
    tables = failure.expression_names
    tree = parse(failure.code) or ast.Module(body=[], type_ignores=[])
    found = [n for n in ast.walk(tree) if _ibis_form(n, tables, failure.code) is not None]
    if not found:
        return None
    called = found[0].value if isinstance(found[0], ast.Subscript) else found[0]
    function = getattr(called, "func", called)  # pd.to_datetime, or hashlib.sha256(...).hexdigest
    hashed = getattr(function, "value", None)
    shown = source_of(hashed.func if isinstance(hashed, ast.Call) else function, failure.code)
    library = LIBRARIES.get(shown.split(".")[0], "")
    here = _ibis_form(found[0], tables, failure.code)
    return Diagnosis(
        "eager use",
        f"{library}`{shown}(...)` works on data in memory now; an Ibis column is an expression "
        f"with no data until it runs: here `{here}`. Use the column's own methods, e.g. "
        "`t.s.as_timestamp(format)` "
        '(or `.cast("timestamp")`) for `pd.to_datetime`, `.cast("float64")` for '
        "`pd.to_numeric`, `.isnull()`/`.notnull()` for `pd.isna`/`pd.notna`, "
        '`t.s.hexdigest("sha256")` for hashlib, `t.s.re_search(pattern)` for `re.search`, '
        "`t.x.ntile(4)` (buckets numbered from 0) for `pd.qcut(t.x, 4, labels=False)`, "
        '`t.n.as_timestamp("s")` for `datetime.fromtimestamp(n)`',
        lambda code: rewrite_rendered(code, lambda node, text: _ibis_form(node, tables, text)),
    )


def _text_join(node: ast.AST, failure: Failure) -> str | None:
    """``", ".join([t.a, t.b])`` → ``ibis.literal(", ").join([t.a, t.b])``; ``", ".join(t.s)``
    → ``t.s.group_concat(", ")`` (an array column: ``t.tags.join(", ")``); else None."""
    function = getattr(node, "func", None)
    if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute):
        return None
    separator = string_value(function.value)
    if function.attr != "join" or separator is None or len(node.args) != 1 or node.keywords:
        return None
    (joined,) = node.args
    if not mentions(joined, failure.table_names):
        return None
    text = ast.unparse(joined)
    if isinstance(joined, ast.List | ast.Tuple):
        return f"ibis.literal({separator!r}).join({text})"
    value = value_of(joined, failure.namespace)
    if isinstance(value, ir.ArrayValue):
        return f"{text}.join({separator!r})"
    return f"{text}.group_concat({separator!r})" if isinstance(value, ir.StringValue) else None


def text_join(failure: Failure) -> Diagnosis | None:
    """Python's ``str.join`` given columns: it joins Python strings now; Ibis joins per row
    (``ibis.literal(sep).join([...])``), per group (``group_concat``) or per array."""
    if not isinstance(failure.error, TypeError):
        return None
    found = matching_calls(failure.code, lambda node: _text_join(node, failure) is not None)
    if not found:
        return None
    return Diagnosis(
        "string method",
        f"`{source_of(found[0], failure.code)}`: Python's `str.join` joins Python strings "
        "now; an Ibis column has no value yet. Join per row with "
        '`ibis.literal(", ").join([t.a, t.b])`, a group\'s values with '
        '`t.s.group_concat(", ")`, an array\'s items with `t.tags.join(", ")`',
        lambda code: rewrite_rendered(code, lambda node, _: _text_join(node, failure)),
    )


def _maketrans(node: ast.AST) -> list[ast.expr] | None:
    """The two texts of ``col.translate(str.maketrans("ab", "xy"))``; else None."""
    function = getattr(node, "func", None)
    table = node.args[0] if isinstance(node, ast.Call) and len(node.args) == 1 else None
    if not isinstance(function, ast.Attribute) or function.attr != "translate" or table is None:
        return None
    made = getattr(table, "func", None)
    owner = getattr(made, "value", None)
    if not (isinstance(made, ast.Attribute) and made.attr == "maketrans"):
        return None
    if not (isinstance(owner, ast.Name) and owner.id == "str"):
        return None
    texts = getattr(table, "args", [])
    return texts if len(texts) in (2, 3) and not getattr(table, "keywords", []) else None


def translation_table(failure: Failure) -> Diagnosis | None:
    """``col.translate(str.maketrans("-", " "))``: Python's translation table; Ibis's
    ``translate`` takes the two texts, ``col.translate("-", " ")``."""
    if not isinstance(failure.error, TypeError):
        return None

    def render(node: ast.AST, code: str) -> str:
        texts = _maketrans(node) or []
        function = getattr(node, "func", node)
        swapped = ", ".join(source_of(t, code) for t in texts[:2])
        deleted = string_value(texts[2]) if len(texts) == 3 else ""
        if deleted is None:  # a third value that is no literal: left for the user
            return source_of(node, code)
        kept = string_value(texts[0]) != "" or len(texts) == 2
        column = owner_source(getattr(function, "value", function), code)
        text = f"{source_of(function, code)}({swapped})" if kept else column
        return text + "".join(f".replace({c!r}, '')" for c in deleted)

    def wanted(node: ast.AST) -> bool:
        return _maketrans(node) is not None

    if not matching_calls(failure.code, wanted):
        return None
    return Diagnosis(
        "string method",
        "`str.maketrans(...)` builds a Python translation table; Ibis's `translate` takes the "
        'two texts themselves, `col.translate("abc", "xyz")`, and characters to delete are '
        'each replaced by nothing, `col.replace("-", "")`',
        lambda code: rewrite_nodes(code, wanted, render),
    )


def _text_times(node: ast.AST, failure: Failure) -> str | None:
    """``"*" * t.n`` (or ``t.n * "*"``) → ``ibis.literal("*").repeat(t.n)``; else None."""
    if not isinstance(node, ast.BinOp) or not isinstance(node.op, ast.Mult):
        return None
    for text, count in ((node.left, node.right), (node.right, node.left)):
        value = value_of(count, failure.namespace)
        if string_value(text) is not None and isinstance(value, ir.IntegerValue):
            return f"ibis.literal({string_value(text)!r}).repeat({ast.unparse(count)})"
    return None


def text_times_column(failure: Failure) -> Diagnosis | None:
    """``"*" * t.stars``: Python repeats a string a Python number of times; Ibis repeats it
    per row with ``repeat``."""
    if not str(failure.error).startswith("can't multiply sequence by non-int"):
        return None
    tree = parse(failure.code) or ast.Module(body=[], type_ignores=[])
    if not any(_text_times(node, failure) for node in ast.walk(tree)):
        return None
    return Diagnosis(
        "python operator",
        "Python repeats text a Python number of times; per row, Ibis repeats it with "
        '`repeat`: `ibis.literal("*").repeat(t.n)`',
        lambda code: rewrite_rendered(code, lambda node, _: _text_times(node, failure)),
    )


def _reversed_text(node: ast.AST, failure: Failure) -> str | None:
    """``"".join(reversed(t.s))`` (or ``reversed(t.s)``) → ``t.s.reverse()``."""
    function = getattr(node, "func", None)
    if isinstance(node, ast.Call) and isinstance(function, ast.Attribute):
        joined = node.args[0] if len(node.args) == 1 else None
        is_join = function.attr == "join" and string_value(function.value) == ""
        return _reversed_text(joined, failure) if is_join and joined is not None else None
    if not (isinstance(node, ast.Call) and isinstance(function, ast.Name)):
        return None
    if function.id != "reversed" or len(node.args) != 1:
        return None
    text = node.args[0]
    return (
        f"{ast.unparse(text)}.reverse()"
        if isinstance(value_of(text, failure.namespace), ir.StringValue)
        else None
    )


def reversed_text(failure: Failure) -> Diagnosis | None:
    """``"".join(reversed(t.s))``: Python reverses a string in memory; a column's text is
    reversed per row with ``reverse()``."""
    if not isinstance(failure.error, TypeError):
        return None
    tree = parse(failure.code) or ast.Module(body=[], type_ignores=[])
    if not any(_reversed_text(node, failure) for node in ast.walk(tree)):
        return None
    return Diagnosis(
        "string method",
        "`reversed(...)` reverses a Python string now; a column's text is reversed per row "
        "with `t.s.reverse()`",
        lambda code: rewrite_rendered(code, lambda node, _: _reversed_text(node, failure)),
    )


RULES = (library_function, text_join, translation_table, text_times_column, reversed_text)
