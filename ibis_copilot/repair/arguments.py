"""Arguments Ibis reads differently from what was meant: a selector passed without being
called, ``cases`` given a list, a dict, flat pairs or the old ``.else_().end()`` ending,
``isin`` of one value, pandas' join kinds and ``distinct(keep=False)``, ``across``'s name
template, the removed ``aggregate(having=)``, a window's frame given twice or as text, and
one fill value for a table whose columns do not all take it.
"""

from __future__ import annotations

import ast
import inspect
import re
import types
from collections.abc import Callable, Mapping

import ibis
import ibis.expr.types as ir
import ibis.selectors

from ibis_copilot.repair import translate
from ibis_copilot.repair.edits import (
    INTERVAL_UNITS,
    call_rewrite,
    called_name,
    calls_to,
    interval_words,
    keyword,
    matching_calls,
    named_differences,
    parse,
    position,
    replace_each_call,
    string_items,
    string_value,
    value_of,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.renames import find_rename
from ibis_copilot.repair.rewrite import (
    COMPARISON_SYMBOLS,
    owner_source,
    rewrite_nodes,
    rewrite_rendered,
    source_of,
)

# -- arguments Ibis reads differently ------------------------------------------------------


def selector_aliases(failure: Failure) -> set[str]:
    """Names the code or the namespace gives the ``ibis.selectors`` module, and its own."""
    aliases = {
        name
        for name, value in failure.namespace.items()
        if isinstance(value, types.ModuleType) and value is ibis.selectors
    }
    aliases |= set(re.findall(r"import\s+ibis\.selectors\s+as\s+(\w+)", failure.code))
    return aliases | {"ibis.selectors"}


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


NOTHING_SELECTED = "You must select at least one column"
#: Selectors that match names by a piece of text, and the wildcards other tools put in it.
TEXT_SELECTORS = ("startswith", "endswith", "contains")
WILDCARDS = "*%"


def selector_wildcards(failure: Failure) -> Diagnosis | None:
    """``s.endswith("*_deg")``: a glob or SQL ``LIKE`` pattern given to a selector that
    matches the text itself, so it matches no column; the text without its wildcards."""
    if NOTHING_SELECTED not in str(failure.error):
        return None
    aliases = selector_aliases(failure)

    def wanted(node: ast.AST) -> bool:
        function = getattr(node, "func", None)
        return (
            isinstance(node, ast.Call)
            and isinstance(function, ast.Attribute)
            and function.attr in TEXT_SELECTORS
            and source_of(function.value, failure.code) in aliases
            and any(c in (string_value(a) or "") for a in node.args for c in WILDCARDS)
        )

    def render(node: ast.AST, code: str) -> str:
        assert isinstance(node, ast.Call)  # noqa: S101 - wanted() chose calls
        texts = [repr((string_value(a) or "").strip(WILDCARDS)) for a in node.args]
        return f"{source_of(node.func, code)}({', '.join(texts)})"

    found = matching_calls(failure.code, wanted)
    if not found:
        return None
    shown = source_of(found[0], failure.code)
    return Diagnosis(
        "selector",
        f"`{shown}` matches the text as written, wildcards included, so no column matches: "
        "give the text alone (a pattern is `s.matches(regex)`)",
        lambda code: rewrite_nodes(code, wanted, render),
    )


def _glob_selector(pattern: str) -> str | None:
    """``"*_at"`` → ``endswith("_at")``, ``"temp*"`` → ``startswith("temp")``,
    ``"*id*"`` → ``contains("id")``; None for other patterns."""
    inner = pattern.strip("*")
    if not inner or any(c in inner for c in "*?[%"):
        return None
    if pattern.startswith("*") and pattern.endswith("*"):
        return f"contains({inner!r})"
    if pattern.startswith("*"):
        return f"endswith({inner!r})"
    return f"startswith({inner!r})" if pattern.endswith("*") else None


#: Selectors given globs: ``cols`` takes names, ``matches`` a regular expression (where a
#: leading ``*`` repeats nothing).
GLOB_TAKERS = ("cols", "matches")


def _selector_rewrite(
    failure: Failure,
    methods: tuple[str, ...],
    render: Callable[[str, ast.Call, str], str | None],
    advice: Callable[[str], str],
) -> Diagnosis | None:
    """A finding for the calls of the selectors module's ``methods`` that ``render``
    rewrites (given the module's name as the code writes it, the call and the code);
    ``advice`` says why, given the first such call as written."""
    aliases = selector_aliases(failure)

    def rendered(node: ast.AST, code: str) -> str | None:
        function = getattr(node, "func", None)
        if not isinstance(node, ast.Call) or not isinstance(function, ast.Attribute):
            return None
        module = source_of(function.value, code)
        if function.attr not in methods or module not in aliases:
            return None
        return render(module, node, code)

    found = matching_calls(failure.code, lambda node: rendered(node, failure.code) is not None)
    if not found:
        return None
    shown = source_of(found[0], failure.code)
    return Diagnosis("selector", advice(shown), lambda code: rewrite_rendered(code, rendered))


def glob_in_cols(failure: Failure) -> Diagnosis | None:
    """``s.cols("*_at")``, ``s.matches("*_ip")``: a glob where names or a regular
    expression go; the text selectors match a piece of the name."""
    text = str(failure.error)
    if "are not present in" not in text and "nothing to repeat" not in text:
        return None

    def render(module: str, call: ast.Call, _code: str) -> str | None:
        if not call.args or call.keywords:
            return None
        selectors = [_glob_selector(string_value(a) or "") for a in call.args]
        return None if None in selectors else " | ".join(f"{module}.{s}" for s in selectors)

    return _selector_rewrite(
        failure,
        GLOB_TAKERS,
        render,
        lambda shown: (
            f"`{shown}` is given a glob, which `cols` (names) and `matches` (a "
            "regular expression) do not read: match a piece of the name with "
            "`s.endswith(...)`, `s.startswith(...)` or `s.contains(...)`"
        ),
    )


#: Selectors of one type or pattern, given a list: each is its own selector, joined by ``|``.
ONE_VALUE_SELECTORS = ("of_type", "matches")


def selector_list(failure: Failure) -> Diagnosis | None:
    """``s.of_type(["float64", "float32"])``, ``s.matches(["^a", "^b"])``: these take one
    type or pattern; several are ``s.of_type("float64") | s.of_type("float32")``."""
    if not isinstance(failure.error, TypeError):
        return None

    def render(module: str, call: ast.Call, code: str) -> str | None:
        listed = call.args[0] if len(call.args) == 1 and not call.keywords else None
        if not isinstance(listed, ast.List | ast.Tuple) or len(listed.elts) < 2:
            return None
        method = getattr(call.func, "attr", "")
        return f"({' | '.join(f'{module}.{method}({source_of(i, code)})' for i in listed.elts)})"

    return _selector_rewrite(
        failure,
        ONE_VALUE_SELECTORS,
        render,
        lambda shown: (
            f"`{shown}` takes one type or pattern, not a list: join one selector "
            'per value with `|`, `s.of_type("float64") | s.of_type("float32")`'
        ),
    )


#: Selector functions whose first argument selects the columns.
OVER_COLUMNS = ("if_any", "if_all", "across")


def names_for_selector(failure: Failure) -> Diagnosis | None:
    """``s.if_all(["a", "b"], pred)``: a list of names where a selector goes; the names
    are selected with ``s.cols("a", "b")``."""
    if "selector" not in str(failure.error):
        return None

    def render(module: str, call: ast.Call, code: str) -> str | None:
        names = string_items(call.args[0]) if call.args else None
        if not names or not isinstance(call.args[0], ast.List | ast.Tuple):
            return None
        rest = [source_of(a, code) for a in call.args[1:]]
        rest += [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k.arg]
        columns = f"{module}.cols({', '.join(map(repr, names))})"
        return f"{module}.{getattr(call.func, 'attr', '')}({', '.join([columns, *rest])})"

    return _selector_rewrite(
        failure,
        OVER_COLUMNS,
        render,
        lambda shown: (
            f"`{shown}` is given a list of names where a selector goes: select "
            'the names with `s.cols("a", "b")`'
        ),
    )


def selector_count(failure: Failure) -> Diagnosis | None:
    """``s.first(2)`` / ``s.last(2)``: those select one column; several by position are
    ``s.index[:2]`` / ``s.index[-2:]``."""
    if not isinstance(failure.error, TypeError):
        return None

    def render(module: str, call: ast.Call, _code: str) -> str | None:
        count = call.args[0] if len(call.args) == 1 and not call.keywords else None
        n = count.value if isinstance(count, ast.Constant) else None
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            return None
        first = getattr(call.func, "attr", "") == "first"
        return f"{module}.index[:{n}]" if first else f"{module}.index[-{n}:]"

    return _selector_rewrite(
        failure,
        ("first", "last"),
        render,
        lambda shown: (
            f"`{shown}`: `s.first()`/`s.last()` select one column; several by "
            "position are `s.index[:n]` (the first n) or `s.index[-n:]` (the last n)"
        ),
    )


def _selects(node: ast.AST, namespace: Mapping[str, object]) -> bool:
    """``node`` is a selector: ``s.numeric()``, ``s.a() | s.b()``, or a name bound to one."""
    if isinstance(node, ast.BinOp):
        return _selects(node.left, namespace) or _selects(node.right, namespace)
    if isinstance(node, ast.Name):
        return isinstance(namespace.get(node.id), ibis.selectors.Selector)
    function = node.func if isinstance(node, ast.Call) else None
    module = function.value if isinstance(function, ast.Attribute) else None
    if isinstance(module, ast.Attribute):  # ``ibis.selectors.numeric()``
        return ast.unparse(module) == "ibis.selectors"
    return isinstance(module, ast.Name) and namespace.get(module.id) is ibis.selectors


def selector_arguments_swapped(failure: Failure) -> Diagnosis | None:
    """``s.if_all(_ > 0, s.numeric())``: the columns come first, then the test,
    ``s.if_all(s.numeric(), _ > 0)`` (also ``if_any`` and ``across``)."""
    if "`selector`" not in str(failure.error):
        return None
    namespace = failure.namespace

    def render(call: ast.Call, code: str) -> str | None:
        if len(call.args) != 2:  # the columns and the test
            return None
        test, columns = call.args
        if not _selects(columns, namespace) or _selects(test, namespace):
            return None
        rest = [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k.arg]
        given = ", ".join([source_of(columns, code), source_of(test, code), *rest])
        return f"{source_of(call.func, code)}({given})"

    return call_rewrite(
        failure.code,
        "selector",
        "the columns come first, then the test: `s.if_all(s.numeric(), _ > 0)` "
        "(`if_any` and `across` alike)",
        ("if_all", "if_any", "across"),
        render,
    )


def selector_compared(failure: Failure) -> Diagnosis | None:
    """``s.if_any(s.numeric() > 100)``: a selector is no column to compare; the test is a
    function of each column, ``s.if_any(s.numeric(), lambda c: c > 100)``."""
    if not isinstance(failure.error, TypeError) or "not supported between" not in str(
        failure.error
    ):
        return None
    namespace = failure.namespace

    def render(_module: str, call: ast.Call, code: str) -> str | None:
        test = call.args[0] if len(call.args) == 1 and not call.keywords else None
        if not isinstance(test, ast.Compare) or len(test.ops) != 1:
            return None
        operator = COMPARISON_SYMBOLS.get(type(test.ops[0]))
        if operator is None or not _selects(test.left, namespace):
            return None
        columns, other = source_of(test.left, code), source_of(test.comparators[0], code)
        return f"{source_of(call.func, code)}({columns}, lambda c: c {operator} {other})"

    return _selector_rewrite(
        failure,
        ("if_any", "if_all"),
        render,
        lambda shown: (
            f"`{shown}` compares the selector, which is no column: give the columns, then "
            "the test of each, `s.if_any(s.numeric(), lambda c: c > 100)`"
        ),
    )


def _name_test(module: str, call: ast.Call, _code: str) -> str | None:
    """``s.where(lambda c: c.startswith("temp"))`` → ``s.startswith("temp")`` (also
    ``endswith``, and ``"x" in c`` → ``s.contains("x")``); a test of the column's type,
    ``s.where(lambda c: c.is_floating())`` → ``lambda c: c.type().is_floating()``; None
    for other code."""
    test = call.args[0] if len(call.args) == 1 and not call.keywords else None
    parameters = [a.arg for a in test.args.args] if isinstance(test, ast.Lambda) else []
    if not isinstance(test, ast.Lambda) or len(parameters) != 1:
        return None
    (column,), body = parameters, test.body
    method = getattr(body, "func", None)
    owner = getattr(method, "value", None)
    if isinstance(body, ast.Call) and isinstance(owner, ast.Name) and owner.id == column:
        name = getattr(method, "attr", "")
        text = string_value(body.args[0]) if len(body.args) == 1 else None
        if name in ("startswith", "endswith") and text is not None:
            return f"{module}.{name}({text!r})"
        if name.startswith("is_") and not body.args:  # a dtype's test
            return f"{module}.where(lambda {column}: {column}.type().{name}())"
    if isinstance(body, ast.Compare) and isinstance(body.ops[0], ast.In):
        (right,) = body.comparators
        text = string_value(body.left)
        if text is not None and isinstance(right, ast.Name) and right.id == column:
            return f"{module}.contains({text!r})"
    return None


def selector_on_names(failure: Failure) -> Diagnosis | None:
    """``s.where(lambda c: c.startswith("temp"))``: ``s.where`` hands its function each
    column, not its name; names are matched by ``s.startswith``/``endswith``/``contains``."""
    # a string column's startswith gives no bool: Ibis says the function's value is not one
    wrong = isinstance(failure.error, AttributeError) or "is not a bool" in str(failure.error)
    if not wrong:
        return None
    return _selector_rewrite(
        failure,
        ("where",),
        _name_test,
        lambda shown: (
            f"`{shown}`: `s.where` calls its function with each column (an expression), not "
            "its name or type: names are matched with `s.startswith(...)`, "
            "`s.endswith(...)` or `s.contains(...)`, a type is `col.type()` "
            "(`lambda col: col.type().is_floating()`)"
        ),
    )


SELECTOR_MINUS = re.compile(r"^unsupported operand type\(s\) for -: '\w+' and '\w+'")


def selector_minus_names(failure: Failure) -> Diagnosis | None:
    """``s.all() - "id"`` (or ``- s.numeric()``): a selector leaves columns out with ``~``
    (and ``&`` to combine): ``~s.cols("id")``, ``s.numeric() & ~s.cols("id")``."""
    if not SELECTOR_MINUS.match(str(failure.error)):
        return None
    aliases = selector_aliases(failure)

    def names(node: ast.AST) -> list[str] | None:
        found = string_items(node)
        return found if found is not None and all(found) else None

    def selector(node: ast.AST) -> str | None:
        function = node.func if isinstance(node, ast.Call) else None
        owner = function.value if isinstance(function, ast.Attribute) else None
        text = ast.unparse(owner) if owner is not None else ""
        return text if text in aliases else None

    def wanted(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Sub)
            and selector(node.left) is not None
            and (names(node.right) is not None or selector(node.right) is not None)
        )

    def render(node: ast.AST, code: str) -> str:
        assert isinstance(node, ast.BinOp)  # noqa: S101 - wanted() chose subtractions
        module, left = selector(node.left), node.left
        quoted = ", ".join(repr(name) for name in names(node.right) or [])
        everything = (
            isinstance(left, ast.Call) and getattr(left.func, "attr", "") == "all" and not left.args
        )
        given = names(node.right) is None  # a selector: ``s.all() - s.numeric()``
        dropped = f"~{source_of(node.right, code)}" if given else f"~{module}.cols({quoted})"
        return dropped if everything else f"{source_of(left, code)} & {dropped}"

    if rewrite_nodes(failure.code, wanted, render) is None:
        return None
    return Diagnosis(
        "selector",
        "selectors leave columns out with `~s.cols(...)`, combined with `&`: "
        '`~s.cols("id")` is every column but `id`, `s.numeric() & ~s.cols("id")` the '
        "numeric ones but it",
        lambda code: rewrite_nodes(code, wanted, render),
    )


def selector_not_called(failure: Failure) -> Diagnosis | None:
    """``t.select(s.numeric)``: a selector is made by calling it, ``s.numeric()`` (Python's
    TypeError, or Ibis's signature error for a function given where a selector goes)."""
    error = failure.error
    refused = type(error).__name__ == "SignatureValidationError" and "<function " in str(error)
    if not isinstance(error, TypeError) and not refused:
        return None
    aliases = selector_aliases(failure)
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


def _cases_default_last(call: ast.Call, code: str) -> str | None:
    """``ibis.cases((c, v), ..., "B")`` (SQL's trailing ``ELSE``) → ``else_="B"``."""
    *pairs, last = call.args or [ast.Tuple(elts=[])]
    if not pairs or not all(isinstance(pair, ast.Tuple) for pair in pairs):
        return None
    if isinstance(last, ast.Tuple | ast.List | ast.Dict) or any(
        k.arg == "else_" for k in call.keywords
    ):
        return None
    parts = [source_of(pair, code) for pair in pairs]
    parts += [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k.arg]
    return f"{source_of(call.func, code)}({', '.join([*parts, f'else_={source_of(last, code)}'])})"


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
        (("cases",), _cases_default_last),
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


def _one_row(call: ast.Call, code: str) -> str | None:
    """``ibis.memtable({"a": 1, "b": "x"})`` → ``ibis.memtable({"a": [1], "b": ["x"]})``."""
    given = call.args[0] if len(call.args) == 1 else None
    if not isinstance(given, ast.Dict) or None in given.keys or not given.values:
        return None
    if any(isinstance(value, ast.List | ast.Tuple | ast.Dict) for value in given.values):
        return None
    items = [
        f"{source_of(key, code)}: [{source_of(value, code)}]"
        for key, value in zip(given.keys, given.values, strict=True)
        if key is not None
    ]
    rest = [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k.arg]
    return f"{source_of(call.func, code)}({', '.join(['{' + ', '.join(items) + '}', *rest])})"


def memtable_of_scalars(failure: Failure) -> Diagnosis | None:
    """``ibis.memtable({"team": "T1", "bonus": 100})``: one value per column where a
    table takes a list of values (its rows) per column."""
    if "If using all scalar values, you must pass an index" not in str(failure.error):
        return None
    return call_rewrite(
        failure.code,
        "argument shape",
        "a table's columns are lists of values, one per row, even for one row: "
        "`ibis.memtable({'team': ['T1'], 'bonus': [100]})`",
        ("memtable",),
        _one_row,
    )


def _isin_scalar(call: ast.Call, code: str) -> str | None:
    """``col.isin("a")`` → ``col.isin(["a"])``."""
    if len(call.args) != 1 or not isinstance(call.args[0], ast.Constant) or call.keywords:
        return None
    return f"{source_of(call.func, code)}([{source_of(call.args[0], code)}])"


def _isin_table(call: ast.Call, code: str, tables: dict[str, ibis.Table]) -> str | None:
    """``t.key.isin(other)`` → ``t.key.isin(other.key)`` (``other`` a table, or a chain on
    one: ``other.filter(...)``): the column of the same name, or the table's only column."""
    function = call.func
    if len(call.args) != 1 or call.keywords or not isinstance(function, ast.Attribute):
        return None
    tested = function.value
    argument = call.args[0]
    roots = [n.id for n in ast.walk(argument) if isinstance(n, ast.Name) and n.id in tables]
    if not roots or isinstance(argument, ast.Attribute) or not isinstance(tested, ast.Attribute):
        return None
    columns = tables[roots[0]].columns
    if isinstance(argument, ast.Call) and called_name(argument) == "select":
        return None  # a selection of columns: its schema is not known here
    name = tested.attr if tested.attr in columns else columns[0] if len(columns) == 1 else None
    if name is None:
        return None
    return f"{source_of(function, code)}({source_of(argument, code)}.{name})"


def isin_table(failure: Failure) -> Diagnosis | None:
    """``isin`` of a table: it takes a column (``other.key``), a semi-join in SQL."""
    if "InValues(" not in str(failure.error):
        return None
    tables = failure.tables

    def translate(call: ast.Call, code: str) -> str | None:
        return _isin_table(call, code, tables)

    if replace_each_call(failure.code, ("isin", "notin"), translate) is None:
        return None
    tree = parse(failure.code) or ast.Module(body=[], type_ignores=[])
    method = "isin" if any(calls_to(tree, "isin")) else "notin"
    join = "semi_join" if method == "isin" else "anti_join"
    return Diagnosis(
        "wrong argument",
        f"`{method}` takes a column of the other table, not the table: "
        f"`t.key.{method}(other.key)` (or `t.{join}(other, 'key')`)",
        lambda code: replace_each_call(code, ("isin", "notin"), translate),
    )


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


JOIN_KIND = re.compile(r"JoinLink\('(\w+(?: \w+)?)'")


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


#: ``s.across(..., names=...)`` fills ``{col}`` and ``{fn}``; what people write instead.
ACROSS_FIELDS = {"column": "col", "name": "col", "c": "col", "func": "fn", "function": "fn"}


def _across_field(failure: Failure) -> tuple[str, str] | None:
    """The template field written (``{column}``, dplyr's glue ``{.col}``) and Ibis's."""
    if "across(" not in failure.code:
        return None
    if isinstance(failure.error, IndexError) and "Replacement index" in str(failure.error):
        glue = re.search(r"\{\.(col|fn)\}", failure.code)  # read as ``{0.col}``
        return (glue.group(0), f"{{{glue.group(1)}}}") if glue else None
    match = re.fullmatch(r"'(\w+)'", str(failure.error))
    if not isinstance(failure.error, KeyError) or match is None:
        return None
    field = match.group(1)
    if field not in ACROSS_FIELDS or f"{{{field}}}" not in failure.code:
        return None
    return f"{{{field}}}", f"{{{ACROSS_FIELDS[field]}}}"


def across_names(failure: Failure) -> Diagnosis | None:
    """``s.across(..., names="{column}_z")``: the template's fields are ``{col}``, ``{fn}``."""
    fields = _across_field(failure)
    if fields is None:
        return None
    written, field = fields
    return Diagnosis(
        "selector",
        f"`s.across(..., names=...)` fills `{{col}}` (the column's name) and `{{fn}}` (the "
        f"function's), not `{written}`",
        lambda code: code.replace(written, field),
    )


def across_function_name(failure: Failure) -> Diagnosis | None:
    """``s.across(s.numeric(), "mean")``: a function or deferred, ``ibis._.mean()``."""
    if "Across(" not in str(failure.error) and "`funcs`" not in str(failure.error):
        return None

    def named(call: ast.Call, code: str) -> str | None:
        function = call.args[1] if len(call.args) == 2 else None
        name = function.value if isinstance(function, ast.Constant) else None
        if not isinstance(name, str) or not name.isidentifier():
            return None
        return f"{source_of(call.func, code)}({source_of(call.args[0], code)}, ibis._.{name}())"

    if replace_each_call(failure.code, ("across",), named) is None:
        return None
    return Diagnosis(
        "selector",
        "`s.across` takes a function to apply, not its name: `ibis._.mean()` (or "
        "`lambda c: c.mean()`, or a dict of them)",
        lambda code: replace_each_call(code, ("across",), named),
    )


def having_keyword(failure: Failure) -> Diagnosis | None:
    """``t.aggregate(..., having=...)``: the keyword was removed; ``group_by().having()``."""
    calls = matching_calls(
        failure.code,
        lambda call: (
            called_name(call) in {"aggregate", "agg"}
            and any(k.arg == "having" for k in call.keywords)
        ),
    )
    if not calls:
        return None
    return Diagnosis(
        "removed api",
        "`aggregate(having=...)` is gone: filter groups with "
        "`t.group_by(keys).having(condition).aggregate(name=reduction)`",
    )


FRAME_TWICE = "Must only specify either `rows`, `range`, `between` or `preceding`/`following`"


def window_frame_twice(failure: Failure) -> Diagnosis | None:
    """``ibis.window(preceding=2, following=0, rows=True)``: the frame is given once."""
    if FRAME_TWICE not in str(failure.error):
        return None

    def without_flag(call: ast.Call, code: str) -> str | None:
        given = {k.arg for k in call.keywords}
        if not given & {"preceding", "following"}:
            return None
        flags = [
            k
            for k in call.keywords
            if k.arg in {"rows", "range"} and isinstance(k.value, ast.Constant)
        ]
        if not flags:
            return None
        kept = [k for k in call.keywords if k not in flags]
        parts = [source_of(a, code) for a in call.args] + [
            f"{k.arg}={source_of(k.value, code)}" for k in kept
        ]
        return f"{source_of(call.func, code)}({', '.join(parts)})"

    return Diagnosis(
        "window",
        "a window frame is given once: `preceding=`/`following=` (rows by default), or "
        "`rows=(start, end)`, or `range=(start, end)`, not `rows=True` beside them",
        lambda code: replace_each_call(code, ("window",), without_flag),
    )


#: SQL's words for a frame's ends, and Ibis's value for them.
SQL_BOUNDS = {"current": "0", "current row": "0", "current_row": "0", "unbounded": "None"}


def _bound_words(node: ast.AST) -> tuple[str, str] | None:
    value = getattr(node, "value", None)
    return interval_words(value) if isinstance(value, str) else None


def _sql_bound(node: ast.AST) -> str | None:
    """``"current row"`` → ``0``, ``ibis.following("current")`` → ``0``."""
    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("preceding", "following"):
        node = node.args[0] if len(node.args) == 1 and not node.keywords else node
    value = getattr(node, "value", None)
    return SQL_BOUNDS.get(value.strip().lower()) if isinstance(value, str) else None


BOUNDS = frozenset({"preceding", "following"})
#: Windows whose first argument is the bound before the row.
TRAILING = frozenset({"trailing_window", "trailing_range_window"})


def window_bound_text(failure: Failure) -> Diagnosis | None:
    """``ibis.window(preceding="7 days")`` (or pandas' ``"7D"``): an interval is
    ``ibis.interval(days=7)``; SQL's ``CURRENT ROW`` is ``0``, ``UNBOUNDED`` ``None``."""
    text = str(failure.error)
    if "WindowBoundary" not in text and "between instances of 'str' and 'int'" not in text:
        return None

    def wanted(node: ast.AST) -> bool:
        if _sql_bound(node) is not None:
            return True
        return isinstance(node, ast.Constant) and _bound_words(node) is not None

    def render(node: ast.AST, _code: str) -> str:
        if (bound := _sql_bound(node)) is not None:
            return bound
        amount, unit = _bound_words(node) or ("", "")
        return f"ibis.interval({unit}={amount})"

    def fix(code: str) -> str | None:
        tree = parse(code)
        calls = [node for node in (ast.walk(tree) if tree else []) if isinstance(node, ast.Call)]
        bounds = {position(k.value) for c in calls for k in c.keywords if k.arg in BOUNDS}
        bounds |= {position(c.args[0]) for c in calls if called_name(c) in TRAILING and c.args}
        return rewrite_nodes(code, lambda n: wanted(n) and position(n) in bounds, render)

    if "WindowBoundary" not in text and fix(failure.code) is None:
        return None  # a comparison of text and a number elsewhere in the code
    return Diagnosis(
        "window",
        "a window bound is a number of rows or an interval, not text: "
        '`preceding=ibis.interval(days=7)` for "7 days"; SQL\'s `CURRENT ROW` is '
        "`following=0`, `UNBOUNDED` is `None`",
        fix,
    )


FILL_NULL_TYPES = re.compile(
    r"Cannot fill_null on column '(\w+)' of type (\w+) with a value of type (\w+)"
)


def table_fill_value(failure: Failure) -> Diagnosis | None:
    """``t.fill_null(0)`` on a table with text or date columns: a mapping for the columns
    that take the value."""
    match = FILL_NULL_TYPES.search(str(failure.error))
    if match is None:
        return None
    column, kind, value_type = match.groups()

    def mapping(call: ast.Call, code: str) -> str | None:
        function = call.func
        table = function.value if isinstance(function, ast.Attribute) else None
        if not isinstance(table, ast.Name) or len(call.args) != 1 or call.keywords:
            return None
        found = failure.tables.get(table.id)
        if found is None:
            return None
        value = call.args[0]
        if not isinstance(value, ast.Constant) or isinstance(value.value, bool):
            return None
        wanted = "is_numeric" if isinstance(value.value, int | float) else "is_string"
        names = [n for n, t in found.schema().items() if getattr(t, wanted)()]
        if not names:
            return None
        text = source_of(value, code)
        pairs = ", ".join(f"{name!r}: {text}" for name in names)
        return f"{source_of(table, code)}.fill_null({{{pairs}}})"

    return Diagnosis(
        "null handling",
        f"one fill value for the whole table does not suit `{column}` ({kind}, the value is "
        f"{value_type}): give `fill_null` a mapping of the columns to fill, "
        "e.g. `t.fill_null({'amount': 0})`",
        lambda code: replace_each_call(code, ("fill_null", "fillna"), mapping),
    )


def self_join(failure: Failure) -> Diagnosis | None:
    """``t.join(t, t.manager_id == t.emp_id)``: one side needs its own name."""
    if "Ambiguous field reference" not in str(failure.error):
        return None
    same = matching_calls(
        failure.code,
        lambda call: (
            called_name(call) in {"join", "left_join", "inner_join", "asof_join"}
            and isinstance(call.func, ast.Attribute)
            and bool(call.args)
            and source_of(call.func.value, failure.code) == source_of(call.args[0], failure.code)
        ),
    )
    if not same:
        return None
    table = source_of(same[0].args[0], failure.code)
    return Diagnosis(
        "join",
        f"`{table}` is joined with itself, so `{table}.column` could be either side: give "
        f"one side its own name, `other = {table}.view()`, then "
        f"`{table}.join(other, {table}.a == other.b)`",
    )


#: pandas' function names, which the pandas rules translate.
PANDAS_NAMES = frozenset(translate.PANDAS_CALLS)
METHOD_HOLDERS = (
    "StringValue", "NumericValue", "TimestampValue", "DateValue", "ArrayValue", "Column",
    "Value",
)  # fmt: skip
#: SQL functions that take the unit before the value.
UNIT_FIRST = frozenset({"date_trunc", "datetrunc"})
#: What Python says when a function name is neither ``ibis``'s nor defined.
NOT_A_FUNCTION = re.compile(
    r"^(?:module 'ibis' has no attribute '(\w+)'|name '(\w+)' is not defined)"
)


def _holder_of(name: str) -> str | None:
    """The first expression class that has a method ``name``."""
    return next(
        (h for h in METHOD_HOLDERS if callable(getattr(getattr(ir, h, None), name, None))), None
    )


def _as_method(call: ast.Call, code: str, written: str, method: str) -> str | None:
    """``written(t.col, a)`` → ``t.col.method(a)`` (``written`` is ``ibis.name`` or
    ``name``); SQL's ``date_trunc('month', t.ts)`` names the unit first."""
    if source_of(call.func, code) != written or not call.args:
        return None
    if any(k.arg is None for k in call.keywords):
        return None
    first, *rest = call.args
    if written.removeprefix("ibis.") in UNIT_FIRST and len(rest) == 1:
        first, rest = rest[0], [first]
    if isinstance(first, ast.Constant | ast.List | ast.Tuple | ast.Dict):
        return None  # not a column to call the method on
    parts = [source_of(a, code) for a in rest]
    parts += [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords]
    return f"{owner_source(first, code)}.{method}({', '.join(parts)})"


def method_as_function(failure: Failure) -> Diagnosis | None:
    """``ibis.levenshtein(t.name, "Ada")`` or SQL's ``upper(t.name)``,
    ``date_trunc('month', t.ts)``: a method of the value, ``t.name.levenshtein("Ada")``,
    ``t.name.upper()``, ``t.ts.truncate('month')``."""
    from ibis_copilot.repair.names import SYNONYMS  # names reads the diagnosis's patterns

    match = NOT_A_FUNCTION.match(str(failure.error))
    name = (match.group(1) or match.group(2)) if match else None
    if name is None or find_rename("module", name) or name in PANDAS_NAMES:
        return None  # a removed function or a pandas one has its own rule
    method = name if _holder_of(name) else SYNONYMS.get(name, "")
    holder = _holder_of(method) if method else None
    if holder is None:
        return None
    prefix = "ibis." if match and match.group(1) else ""
    where = "not a function of `ibis`" if prefix else "not a function"
    also = f" (`{name}` is `{method}` in Ibis)" if method != name else ""
    return call_rewrite(
        failure.code,
        "wrong name",
        f"`{name}` is a method of a {holder.removesuffix('Value').lower() or 'value'} "
        f"expression{also}, {where}: `t.col.{method}(...)`",
        (name,),
        lambda call, code: _as_method(call, code, f"{prefix}{name}", method),
    )


def property_called(failure: Failure) -> Diagnosis | None:
    """``t.columns()``, ``delta.weeks()``, ``t.payload.map()``: a property, read without
    calling it."""
    if not re.match(r"^'\w+' object is not callable", str(failure.error)):
        return None
    namespace = failure.namespace
    differences = named_differences(parse(failure.code) or ast.Module(body=[], type_ignores=[]))

    def reads_a_property(call: ast.Call) -> bool:
        function = call.func
        if call.args or call.keywords or not isinstance(function, ast.Attribute):
            return False
        owner = value_of(function.value, namespace)
        receiver = function.value
        if isinstance(receiver, ast.Name):
            receiver = differences.get(receiver.id, receiver)
        subtracted = isinstance(receiver, ast.BinOp) and isinstance(receiver.op, ast.Sub)
        if subtracted and function.attr in INTERVAL_UNITS:
            return False  # a unit of a difference is an interval, no number: ``delta``
        return isinstance(getattr(type(owner), function.attr, None), property)

    called = {
        source_of(call.func, failure.code)
        for call in matching_calls(failure.code, reads_a_property)
    }
    if len(called) != 1:
        return None
    shown = called.pop()

    def fix(code: str) -> str | None:
        tree = parse(code) or ast.Module(body=[], type_ignores=[])
        # ``day_of_week().full_name()``: the property is followed by one of its methods
        followed = {
            position(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)
        }

        def render(node: ast.AST, text: str) -> str:
            """The property read; one that is no expression itself (``day_of_week``, whose
            ``.index()`` and ``.full_name()`` are) read as its number, as pandas' is,
            unless one of its own methods follows."""
            function = getattr(node, "func", node)
            read = source_of(function, text)
            owner = value_of(getattr(function, "value", function), namespace)
            value = getattr(owner, getattr(function, "attr", ""), None)
            helper = type(value).__module__.startswith("ibis.") and not isinstance(value, ibis.Expr)
            number = helper and callable(getattr(value, "index", None))
            return f"{read}.index()" if number and position(node) not in followed else read

        return rewrite_nodes(
            code, lambda node: isinstance(node, ast.Call) and reads_a_property(node), render
        )

    return Diagnosis(
        "wrong name",
        f"`{shown}` is a property: read it without calling it, `{shown}`, not `{shown}()`",
        fix,
    )


def pipe_of_a_result(failure: Failure) -> Diagnosis | None:
    """``t.pipe(f(t))``: ``pipe`` takes the function and calls it with the table."""
    if not re.match(r"^'Table' object is not callable", str(failure.error)):
        return None

    def render(call: ast.Call, code: str) -> str | None:
        given = call.args[0] if len(call.args) == 1 and not call.keywords else None
        if not isinstance(given, ast.Call) or len(given.args) != 1 or given.keywords:
            return None
        return f"{source_of(call.func, code)}({source_of(given.func, code)})"

    return call_rewrite(
        failure.code,
        "argument shape",
        "`.pipe(f)` takes the function and calls it with the table: `t.pipe(f)`, not "
        "`t.pipe(f(t))`",
        ("pipe",),
        render,
    )


def _integer(node: ast.expr) -> int | None:
    """The integer ``node`` writes (``0``, ``-1``), else None."""
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _named_positions(call: ast.Call, code: str, tables: dict[str, ir.Table]) -> str | None:
    """``t.relocate("x", before=0)`` → ``t.relocate("x", before="<t's first column>")``."""
    table = call.func.value if isinstance(call.func, ast.Attribute) else None
    columns = list(tables[table.id].columns) if isinstance(table, ast.Name) else []
    keywords: list[str] = []
    for k in call.keywords:
        value = k.value
        position = _integer(value)
        if k.arg in ("before", "after") and position is not None and columns:
            if not -len(columns) <= position < len(columns):
                return None
            keywords.append(f"{k.arg}={columns[position]!r}")
        elif k.arg is None:
            return None
        else:
            keywords.append(f"{k.arg}={source_of(value, code)}")
    parts = [source_of(argument, code) for argument in call.args] + keywords
    written = f"{source_of(call.func, code)}({', '.join(parts)})"
    return written if written != source_of(call, code) else None


def relocate_position(failure: Failure) -> Diagnosis | None:
    """``t.relocate("x", before=0)``: a position where a column (or selector) belongs."""
    if not isinstance(failure.error, KeyError | IndexError):
        return None
    positional = matching_calls(
        failure.code,
        lambda call: (
            called_name(call) == "relocate"
            and any(
                k.arg in ("before", "after") and _integer(k.value) is not None
                for k in call.keywords
            )
        ),
    )
    if not positional:
        return None
    tables = failure.tables
    return Diagnosis(
        "wrong argument",
        "`relocate(before=...)` and `after=` take a column's name or a selector, not a "
        'position: `t.relocate("x", before="first_column")` (or `t.relocate("x")`, '
        "which moves it first)",
        lambda code: replace_each_call(
            code, ("relocate",), lambda call, text: _named_positions(call, text, tables)
        ),
    )


def _inner_join(call: ast.Call, code: str) -> str | None:
    """``a.cross_join(b, a.x != b.y)`` → ``a.join(b, a.x != b.y)``."""
    if not isinstance(call.func, ast.Attribute) or len(call.args) < 2 or call.keywords:
        return None
    right, *predicates = (source_of(argument, code) for argument in call.args)
    condition = predicates[0] if len(predicates) == 1 else f"[{', '.join(predicates)}]"
    return f"{source_of(call.func.value, code)}.join({right}, {condition})"


#: What a cross join was given besides tables: a condition, a key's name or a list of them.
JOIN_KEYS_GIVEN = ("Boolean", "<class 'str'>", "<class 'list'>", "<class 'tuple'>")


def cross_join_condition(failure: Failure) -> Diagnosis | None:
    """``a.cross_join(b, condition)`` or ``a.cross_join(b, "key")``: a cross join takes
    tables only; pairs that meet a condition (or share a key) are an inner join."""
    text = str(failure.error)
    if "join must be an Ibis table" not in text or not any(k in text for k in JOIN_KEYS_GIVEN):
        return None
    return call_rewrite(
        failure.code,
        "join",
        "`cross_join` pairs every row with every row and takes tables only; the pairs that "
        "meet a condition or share a key are `a.join(b, condition)`, `a.join(b, 'key')` "
        "(or `a.cross_join(b).filter(condition)`)",
        ("cross_join",),
        _inner_join,
    )


def topk_by_name(failure: Failure) -> Diagnosis | None:
    """``t.author.topk(5, by="likes")``: ``by`` is a reduction per value (the count by
    default), not a column's name. Advice only: which reduction (a total, a mean) is the
    user's call."""
    if "Aggregate(" not in str(failure.error):
        return None
    calls = calls_to(parse(failure.code) or ast.Module(body=[], type_ignores=[]), "topk")
    given = [keyword(c, "by") or (c.args[1] if len(c.args) > 1 else None) for c in calls]
    if not any(by is not None and string_value(by) is not None for by in given):
        return None
    return Diagnosis(
        "wrong argument",
        "`topk`'s `by` is a reduction per value (the count by default), not a column's "
        "name: e.g. `t.k.topk(5, by=t.x.sum())` or `by=t.x.mean()`",
    )


RULES = (
    topk_by_name,
    cross_join_condition,
    selector_wildcards,
    glob_in_cols,
    selector_count,
    names_for_selector,
    selector_list,
    selector_on_names,
    selector_arguments_swapped,
    selector_compared,
    relocate_position,
    selector_minus_names,
    pipe_of_a_result,
    method_as_function,
    property_called,
    across_names,
    across_function_name,
    having_keyword,
    window_frame_twice,
    window_bound_text,
    table_fill_value,
    self_join,
    selector_not_called,
    cases_arguments,
    memtable_of_scalars,
    isin_scalar,
    isin_table,
    join_kind,
    distinct_keep,
)
