"""Generate and validate: edits enumerated mechanically from the error and the installed API.

Where no hand-written rule fits, the error message still names what went wrong: the
method and the keyword it does not take (Python's own signature errors), the literal whose
type does not compare with a column (Ibis's type system), the integer added to a date, the
attribute a type lacks. Each family turns such a message into a finding and a few
candidate edits, most plausible first, using the installed Ibis's signatures and names:
signatures and names here, the type system's in :mod:`ibis_copilot.repair.dates_and_types`,
aggregation vs window context in :mod:`ibis_copilot.repair.windows`.
Nothing here runs code: the engine checks the candidates in the check process and keeps
the first that builds and compiles (:func:`ibis_copilot.repair.engine.check_fix`).
"""

from __future__ import annotations

import ast
import difflib
import importlib
import inspect
import re
import sys
import types
from collections.abc import Callable, Mapping

import ibis
import ibis.expr.types as ir
import ibis.selectors
from ibis.expr.types.groupby import GroupedTable

from ibis_copilot.repair import dates_and_types, signatures, translate, windows
from ibis_copilot.repair.diagnose import NO_ATTRIBUTE, diagnose, is_label_column, last_resort
from ibis_copilot.repair.edits import (
    UNEXPECTED_KEYWORD,
    Candidate,
    Family,
    Search,
    arguments_of,
    called_name,
    calls_to,
    matching_calls,
    parse,
    position,
    receiver,
    render_call,
    replace_call,
    replace_each_call,
    string_value,
    value_name,
    value_of,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.names import ARRAY_REDUCTIONS, SYNONYMS
from ibis_copilot.repair.rewrite import owner_source, rewrite_nodes, source_of

#: At most this many candidates are checked for one failure.
MAX_CANDIDATES = 8
#: Names this short are not corrected by spelling (``as_`` is not ``as_time``).
MIN_GUESSED_NAME = 3

POSITIONAL_AS_KEYWORD = re.compile(
    r"(?:(\w+)\.)?(\w+)\(\) got some positional-only arguments passed as keyword arguments"
)
TOO_MANY_POSITIONAL = re.compile(
    r"(?:(\w+)\.)?(\w+)\(\) takes (?:from \d+ to )?\d+ positional arguments? "
    r"but \d+ (?:positional arguments? \(and \d+ keyword-only arguments?\) )?(?:were|was) given"
)
MISSING_ARGUMENT = re.compile(
    r"(?:(\w+)\.)?(\w+)\(\) missing \d+ required (?:positional|keyword-only) arguments?: (.+)$"
)


def search(failure: Failure) -> list[Search]:
    """Every family's finding for ``failure`` (a family that fails is skipped)."""
    found = []
    for family in FAMILIES:
        try:
            result = family(failure)
        except Exception:  # noqa: BLE001, S112 - one broken family never hides the others
            continue
        if result is not None:
            found.append(result)  # a finding without an edit still says what went wrong
    return found


def findings(failure: Failure, searches: list[Search] | None = None) -> list[Diagnosis]:
    """What is said about ``failure``, most trusted first: the rules' diagnosis, else the
    mechanical searches' findings (``searches``, run here only when needed if None),
    else the last resort."""
    found = diagnose(failure)
    if not found:
        searched = search(failure) if searches is None else searches
        found = [result.diagnosis for result in searched] or last_resort(failure)
    return found


def candidates_of(searches: list[Search], code: str) -> list[Candidate]:
    """The candidates of every search, without repeats or the unchanged code."""
    seen, kept = {code}, []
    for found in searches:
        for candidate in found.candidates:
            if candidate.code not in seen:
                seen.add(candidate.code)
                kept.append(candidate)
    return kept[:MAX_CANDIDATES]


# -- signatures ----------------------------------------------------------------------------

#: The modules of ``ibis.expr.types`` that define expression classes.
EXPRESSION_MODULES = (
    "arrays", "binary", "collections", "core", "generic", "groupby", "json", "logical",
    "maps", "numeric", "relations", "strings", "structs", "temporal", "uuid",
)  # fmt: skip
#: Their names, and ``ibis.expr.types``'s own (private mixins included).
EXPRESSION_NAMESPACES = (
    vars(ir),
    *(vars(importlib.import_module(f"ibis.expr.types.{m}")) for m in EXPRESSION_MODULES),
)


def _owner_class(owner: str) -> type | None:
    """The expression class an error names (``StringColumn``, ``GroupedTable``, or a
    private mixin such as ``_TimeComponentMixin``, which Python names for the methods
    defined there)."""
    found = (names.get(owner) for names in EXPRESSION_NAMESPACES)
    return next((cls for cls in found if isinstance(cls, type)), None)


def _callable(owner: str | None, name: str) -> Callable[..., object] | None:
    """``ir.<owner>.<name>``, or ``ibis.<name>`` (else ``ibis.selectors.<name>``) for a
    module function."""
    holder = _owner_class(owner) if owner else ibis
    found = getattr(holder, name, None) if holder is not None else None
    if found is None and owner is None:
        found = getattr(ibis.selectors, name, None)
    return found if callable(found) else None


def _shown(owner: str | None, name: str) -> str:
    """How a message names the method or function: ``Table.join()``, ``ibis.date()``,
    ``ibis.selectors.if_any()``."""
    if owner:
        return f"{owner}.{name}()"
    return f"ibis.{name}()" if hasattr(ibis, name) else f"ibis.selectors.{name}()"


def _aliases(owner: str | None, name: str, function: Callable[..., object]) -> tuple[str, ...]:
    """Every public name ``function`` has where ``name`` was found (``rlike`` is
    ``re_search``); the module's own names only, so that no backend is imported."""
    holder = _owner_class(owner) if owner else ibis
    names = dir(holder) if owner else list(vars(ibis))
    same = [n for n in names if not n.startswith("_") and getattr(holder, n, None) is function]
    return tuple(dict.fromkeys([name, *same]))


def _parameters(function: Callable[..., object]) -> list[inspect.Parameter]:
    """Named parameters, without ``self`` and without ``*args``/``**kwargs``."""
    named = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [
        p
        for p in inspect.signature(function).parameters.values()
        if p.name != "self" and p.kind not in named
    ]


#: Keywords from pandas, SQL and Python, and the Ibis parameters they can mean.
KEYWORD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "value": ("replacement", "fill_value", "replacements"),
    "fill_value": ("replacement", "values_fill", "default"),
    "dtype": ("target_type",),
    "to": ("target_type",),
    "type": ("target_type",),
    "sep": ("delimiter", "sep"),
    "separator": ("sep", "delimiter"),
    "pat": ("substr", "pattern", "delimiter"),
    "left": ("lower",),
    "right": ("upper",),
    "low": ("lower",),
    "high": ("upper",),
    "decimals": ("digits",),
    "ndigits": ("digits",),
    "frac": ("fraction",),
    "random_state": ("seed",),
    "n": ("k", "n"),
    "suffix": ("end",),
    "prefix": ("start",),
    "tz": ("timezone",),
    "fmt": ("format_str",),
    "format": ("format_str",),
    # pandas and SQL words for Ibis's table, window and case arguments
    "on": ("predicates",),
    "using": ("predicates",),  # SQL's JOIN ... USING (key)
    "subset": ("on",),
    "skip": ("offset",),
    "partition_by": ("group_by",),
    "partition": ("group_by",),
    "rows_between": ("rows",),
    "rows": ("preceding",),  # trailing_window(rows=n): the rows before
    "range_between": ("range",),
    "default": ("else_",),
    "then": ("true_expr",),
    "else_": ("false_expr",),
    "func": ("predicate", "func"),
    "fn": ("func", "predicate"),
    "function": ("func", "predicate"),
    "otherwise": ("else_", "false_expr"),
    "min": ("lower",),
    "max": ("upper",),
    "index": ("id_cols", "offset"),
    "by": ("predicates", "key"),  # a join's keys; argmax(by=...): the value maximised
    "columns": ("names_from",),
    "values": ("values_from",),
    "aggfunc": ("values_agg",),
    "values_fn": ("values_agg",),
    "var_name": ("names_to",),
    "value_name": ("values_to",),
    "value_vars": ("col",),
    "periods": ("offset",),
    "q": ("quantile",),
    "percentiles": ("quantile",),
    "year": ("value_or_year",),
    "na_position": ("nulls_first",),
    "nulls_last": ("nulls_first",),
}
#: Keywords whose values change with their names: pandas' ``na_position="first"`` is
#: ``nulls_first=True``.
KEYWORD_VALUES: dict[str, dict[str | bool, bool | int | str]] = {
    "na_position": {"first": True, "last": False},
    "nulls_last": {True: False, False: True},
}
#: Words whose swap turns a name into its opposite: a keyword spelt like a parameter
#: but for one of these (``nulls_last`` / ``nulls_first``) means the reverse.
OPPOSITES = frozenset(
    {("first", "last"), ("before", "after"), ("left", "right"), ("start", "end"),
     ("min", "max"), ("lower", "upper"), ("asc", "desc"), ("include", "exclude")}
)  # fmt: skip


def _opposite(keyword: str, name: str) -> bool:
    """``nulls_last`` and ``nulls_first`` differ by words that mean the reverse."""
    apart = set(keyword.split("_")) ^ set(name.split("_"))
    return any({a, b} <= apart for a, b in OPPOSITES)


def _keyword_mapping(given: list[str], free: list[inspect.Parameter]) -> dict[str, str] | None:
    """The free parameter each keyword means: a known synonym, else the one spelt most
    alike; None unless every keyword maps onto a different parameter (a keyword that
    resembles no parameter, like ``count(distinct=True)``, is never guessed)."""
    names = [p.name for p in free]
    mapping: dict[str, str] = {}
    for keyword in given:
        synonyms = [name for name in KEYWORD_SYNONYMS.get(keyword, ()) if name in names]
        close = synonyms or difflib.get_close_matches(keyword, names, n=1, cutoff=0.6)
        if not close or (not synonyms and _opposite(keyword, close[0])):
            return None
        mapping[keyword] = close[0]
    return mapping if len(set(mapping.values())) == len(given) else None


def _sole_whole_number(
    call: ast.Call, unknown: list[str], free: list[inspect.Parameter]
) -> dict[str, str] | None:
    """``s.left(n=2)``, ``arr.repeat(times=2)``: one whole number under a name the method
    lacks, where the one required parameter left takes a whole number: that parameter."""
    value = next((k.value for k in call.keywords if k.arg in unknown), None)
    whole = isinstance(value, ast.Constant) and type(value.value) is int
    required = [p for p in free if p.default is p.empty and p.kind is not p.KEYWORD_ONLY]
    if len(unknown) != 1 or not whole or len(required) != 1:
        return None
    takes_int = re.match(r"int\b", str(required[0].annotation)) is not None
    return {unknown[0]: required[0].name} if takes_int else None


def _call_with(
    call: ast.Call, code: str, parameters: list[inspect.Parameter], mapping: dict[str, str]
) -> str | None:
    """``call`` with its keywords renamed by ``mapping``; keywords that land on
    positional-only parameters become positional (in the signature's order)."""
    keywords = [
        (mapping.get(k.arg, k.arg), _translated(k.arg, k.value))
        for k in call.keywords
        if k.arg is not None
    ]
    if any(k.arg is None for k in call.keywords):
        return None  # a ``**kwargs`` spread: nothing to rename safely
    keywords = [(n, _as_join_conditions(call, v) if n == "predicates" else v) for n, v in keywords]
    if any(n == "predicates" and isinstance(v, ast.Dict) for n, v in keywords):
        return None  # a dict Ibis would compare with itself as a map: always true
    kinds = {p.name: p for p in parameters}
    positional = list(call.args)
    only = [p.name for p in parameters if p.kind is inspect.Parameter.POSITIONAL_ONLY]
    moved = {name: value for name, value in keywords if name in only}
    for name in only[len(positional) :]:
        if name not in moved:
            break
        positional.append(moved.pop(name))
    if moved:
        return None  # a positional-only parameter would come after a missing one
    kept = [(n, v) for n, v in keywords if n not in only and n in kinds]
    if len(kept) + len(positional) - len(call.args) != len(keywords):
        return None
    return replace_call(code, call, render_call(call, code, positional, kept))


def _translated(keyword: str, value: ast.expr) -> ast.expr:
    """``value`` as the renamed keyword takes it (``"first"`` → ``True``, ``nulls_last=True``
    → ``nulls_first=False``)."""
    values = KEYWORD_VALUES.get(keyword, {})
    constant = value.value if isinstance(value, ast.Constant) else None
    if isinstance(constant, str | bool) and constant in values:
        return ast.Constant(values[constant])
    return value


def _as_join_conditions(call: ast.Call, value: ast.expr) -> ast.expr:
    """pandas' ``by={"left_key": "right_key"}`` → ``[left.left_key == right.right_key]``;
    other values as they are."""
    function = call.func
    if not isinstance(value, ast.Dict) or not isinstance(function, ast.Attribute) or not call.args:
        return value
    keys = [(string_value(key) if key else None) or "" for key in value.keys]
    pairs = list(zip(keys, [string_value(v) or "" for v in value.values], strict=True))
    if not pairs or not all(a.isidentifier() and b.isidentifier() for a, b in pairs):
        return value
    left, right = function.value, call.args[0]
    conditions: list[ast.expr] = [
        ast.Compare(
            left=ast.Attribute(value=left, attr=a, ctx=ast.Load()),
            ops=[ast.Eq()],
            comparators=[ast.Attribute(value=right, attr=b, ctx=ast.Load())],
        )
        for a, b in pairs
    ]
    return conditions[0] if len(conditions) == 1 else ast.List(elts=conditions, ctx=ast.Load())


#: pandas keywords whose value is what Ibis always does (reductions skip nulls).
IGNORABLE_KEYWORDS: dict[str, object] = {
    "skipna": True,
    "dropna": True,
    "inclusive": "both",  # between's bounds are both included
    "axis": 0,  # a reduction of a column is along it (reductions only: see below)
    "inplace": False,  # Ibis always gives a new expression
    "verbose": True,  # ``info()`` lists every column
    "regex": False,  # ``contains``/``replace`` take text literally
    "case": True,  # and match case
    "ignore_index": True,  # Ibis tables have no index to renumber
}
#: Approximations' precision knobs (PySpark's ``rsd=``, ``accuracy=``): Ibis leaves the
#: precision to the backend, so any value is dropped from an ``approx_*`` call.
APPROXIMATION_KNOBS = frozenset({"rsd", "relativeSD", "accuracy"})
#: Methods whose ``axis=0`` is what Ibis does (``drop("x", axis=0)`` is not: rows).
ALONG_THE_COLUMN = frozenset(
    {"sum", "mean", "min", "max", "std", "var", "count", "median", "nunique", "any", "all",
     "quantile", "mode", "first", "last"}
)  # fmt: skip


#: ... and in a filter's condition, where a null condition drops the row: pandas' string
#: methods' ``na=False``.
IGNORABLE_IN_FILTERS: dict[str, object] = {**IGNORABLE_KEYWORDS, "na": False}


def _in_filter(tree: ast.AST, call: ast.Call) -> bool:
    """``call`` is part of a ``filter(...)`` condition."""
    return any(
        call in ast.walk(argument)
        for outer in calls_to(tree, "filter")
        for argument in arguments_of(outer)
    )


def _result_used(tree: ast.Module, call: ast.Call) -> bool:
    """``call``'s value is kept: assigned, or the cell's last expression (its output)."""
    last = tree.body[-1] if tree.body else None
    kept = [n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)]
    if isinstance(last, ast.Expr):
        kept.append(last.value)
    return any(call in ast.walk(value) for value in kept)


def _without_ignorable(
    call: ast.Call,
    code: str,
    unknown: list[str],
    in_filter: bool = False,
    result_used: bool = False,
) -> Candidate | None:
    """``col.sum(skipna=True)`` → ``col.sum()``, when every unknown keyword says what Ibis
    does anyway (``s.startswith("a", na=False)`` too, in a filter's condition)."""
    values = {k.arg: k.value for k in call.keywords if k.arg in unknown}
    method = called_name(call) or ""
    ignorable = IGNORABLE_IN_FILTERS if in_filter else IGNORABLE_KEYWORDS
    if result_used:  # pandas' ``inplace=True`` changes the frame; Ibis gives the result
        ignorable = {**ignorable, "inplace": True}
    if "axis" in values and method not in ALONG_THE_COLUMN:
        return None
    if method in translate.KIND_JOINS:  # ``left_join(..., how="left")``
        ignorable = {**ignorable, "how": method.removesuffix("_join")}
    knobs = APPROXIMATION_KNOBS if method.startswith("approx_") else frozenset()
    if not values or any(
        not isinstance(value, ast.Constant)
        or (name not in knobs and (name not in ignorable or value.value != ignorable[name]))
        for name, value in values.items()
    ):
        return None
    kept = [(k.arg, k.value) for k in call.keywords if k.arg is not None and k.arg not in values]
    edited = replace_call(code, call, render_call(call, code, list(call.args), kept))
    said = ", ".join(f"`{name}=`" for name in values)
    return Candidate(edited, f"{said} dropped: Ibis does that already") if edited else None


def _caller_of_keyword(code: str, message: str) -> tuple[str | None, str]:
    """The one Table method in ``code`` that is passed the keyword ``message`` names."""
    found = UNEXPECTED_KEYWORD.search(message)
    if found is None:
        return None, ""
    calls = matching_calls(code, lambda call: any(k.arg == found.group(3) for k in call.keywords))
    names = {
        called
        for call in calls
        if (called := called_name(call)) is not None and hasattr(ir.Table, called)
    }
    return ("Table", names.pop()) if len(names) == 1 else (None, "")


def wrong_keyword(failure: Failure) -> Search | None:
    """``t.sample(frac=0.1)``: keywords the method does not take, mapped onto its real
    parameters (positional where the signature says so)."""
    if not isinstance(failure.error, TypeError):
        return None
    text = str(failure.error)
    match = UNEXPECTED_KEYWORD.search(text) or POSITIONAL_AS_KEYWORD.search(text)
    if match is None:
        return None
    owner, name = match.group(1), match.group(2)
    function = _callable(owner, name)
    if function is None:  # a wrapper's name (``inner_join`` is ``..<locals>.f``)
        owner, name = _caller_of_keyword(failure.code, text)
        function = _callable(owner, name) if name else None
    if function is None:
        return None
    parameters = _parameters(function)
    accepted = {p.name for p in parameters if p.kind is not inspect.Parameter.POSITIONAL_ONLY}
    shown = _shown(owner, name)
    real = ", ".join(p.name for p in parameters) or "no arguments"
    tree = ast.parse(failure.code)
    candidates, unknown_all = [], []
    fillable = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    aliases = _aliases(owner, name, function)
    for call in calls_to(tree, *aliases):
        translator = translate.KEYWORD_CALLS.get(called_name(call) or "")
        given = [k.arg for k in call.keywords if k.arg is not None]
        unknown = [k for k in given if k not in accepted]
        if not unknown:
            continue
        unknown_all += unknown
        dropped = _without_ignorable(
            call, failure.code, unknown, _in_filter(tree, call), _result_used(tree, call)
        )
        if dropped is not None:
            candidates.append(dropped)
        translated = translator(call, failure.code) if translator else None
        edited = replace_call(failure.code, call, translated) if translated else None
        if edited is not None:
            candidates.append(Candidate(edited, f"{shown}: pandas' keywords in Ibis's terms"))
        taken = set(given) - set(unknown)
        filled = {p.name for p in fillable[: len(call.args)]}
        free = [p for p in parameters if p.name not in filled | taken]
        renames = _keyword_mapping(unknown, free) or _sole_whole_number(call, unknown, free)
        edited = _call_with(call, failure.code, parameters, renames) if renames else None
        if renames and edited is not None:
            said = ", ".join(f"`{k}=` → `{v}`" for k, v in renames.items())
            candidates.append(Candidate(edited, f"{shown}: {said}"))
    if not unknown_all:
        return None
    written = [called_name(call) for call in calls_to(tree, *aliases)]
    if name not in written and written and written[0]:  # the user wrote an alias
        shown = _shown(owner, written[0])
    keywords = ", ".join(f"`{k}=`" for k in dict.fromkeys(unknown_all))
    message = f"{shown} has no parameter {keywords}; its parameters: {real}"
    if name in NO_ARGUMENT_ADVICE:
        message += f"; {NO_ARGUMENT_ADVICE[name]}"
    message += "".join(
        f"; {KEYWORD_ADVICE[name, k]}" for k in unknown_all if (name, k) in KEYWORD_ADVICE
    )
    return Search(Diagnosis("wrong argument", message), candidates)


#: Methods of one value whose result takes the same method again: several values are one
#: call each (``arr.remove("a", "b")`` → ``arr.remove("a").remove("b")``).
CHAINED = frozenset({"remove"})


def too_many_positional(failure: Failure) -> Search | None:
    """``col.isin("a", "b")``: several values where the method takes one list;
    ``col.strip(" ")``: an argument where the method takes none."""
    if not isinstance(failure.error, TypeError):
        return None
    match = TOO_MANY_POSITIONAL.search(str(failure.error))
    if match is None:
        return None
    owner, name = match.groups()
    function = _callable(owner, name) if owner else None
    names = _aliases(owner, name, function) if function is not None else (name,)
    calls = [call for call in calls_to(ast.parse(failure.code), *names) if call.args]
    if not calls:  # the value went in elsewhere (``s.numeric`` passed uncalled)
        return None
    of_ibis = not owner and any(source_of(c.func, failure.code) == f"ibis.{name}" for c in calls)
    function = _callable(None, name) if of_ibis else function
    written = called_name(calls[0]) or name  # ``agg`` is ``aggregate``
    shown = f"{owner}.{written}()" if owner else f"ibis.{name}()" if of_ibis else f"{name}()"
    by_keyword = [_keyword_only(owner, name, call, failure) for call in calls]
    if function is not None and not _positional(function) and not any(by_keyword):
        return _without_arguments(failure.code, name, shown, function)
    candidates: list[Candidate] = []
    takes_list = function is None or _takes_a_list(function)
    for call, keyword_only in zip(calls, by_keyword, strict=True):
        if name in CHAINED and not call.keywords and (owner_text := receiver(call, failure.code)):
            links = "".join(f".{name}({source_of(a, failure.code)})" for a in call.args)
            edited = replace_call(failure.code, call, f"{owner_text}{links}")
            candidates += [Candidate(edited, f"one `.{name}()` per value")] if edited else []
            continue
        option = isinstance(call.args[-1], ast.Constant)  # ``delta(d, "day")``: an option
        if len(call.args) < 2 or (keyword_only and option) or not takes_list:
            candidates += keyword_only
            continue
        values = "[" + ", ".join(source_of(a, failure.code) for a in call.args) + "]"
        keywords = [f"{k.arg}={source_of(k.value, failure.code)}" for k in call.keywords if k.arg]
        text = f"{source_of(call.func, failure.code)}({', '.join([values, *keywords])})"
        edited = replace_call(failure.code, call, text)
        if edited is not None:
            candidates.append(Candidate(edited, f"the values of `.{name}()` as one list"))
        candidates += keyword_only
    if name in CHAINED:
        message = f"{shown} takes one value; several are one call each, `.{name}(a).{name}(b)`"
    elif candidates and not candidates[0].reason.startswith("the values"):
        message = f"{shown} takes that argument by keyword: {candidates[0].reason}"
    elif function is not None and not takes_list:
        positional = _positional(function)
        listed = ", ".join(f"`{p.name}`" for p in positional)
        count = "one value" if len(positional) == 1 else f"{len(positional)} values"
        message = f"{shown} takes {count} by position ({listed}); the call gives it more"
    else:
        message = f"{shown} takes the values as one list, not as separate arguments"
    return Search(Diagnosis("wrong argument", message), candidates)


#: Annotations of a parameter that takes several values in one argument.
LIST_TYPES = ("Sequence", "Iterable", "Collection", "list", "tuple", "Selector")


def _takes_a_list(function: Callable[..., object]) -> bool:
    """Whether the first positional parameter takes a list (``isin(values)``,
    ``agg(metrics)``), so that separate values were meant as one list; ``union(other)``
    and ``ntile(buckets)`` take one value."""
    positional = _positional(function)
    return not positional or any(kind in str(positional[0].annotation) for kind in LIST_TYPES)


def _positional(function: Callable[..., object]) -> list[inspect.Parameter]:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p for p in _parameters(function) if p.kind in kinds]


def _without_arguments(code: str, name: str, shown: str, function: Callable[..., object]) -> Search:
    """``col.strip(" ")``: the method takes no positional argument. Only the strip family
    gets an edit, exact either way: whitespace is what it strips anyway; other characters
    are a regular expression (``lstrip("0")`` → ``re_replace("^[0]+", "")``)."""
    keywords = ", ".join(f"`{p.name}=`" for p in _parameters(function))
    takes = f"only {keywords}" if keywords else "no arguments"
    calls = [call for call in calls_to(ast.parse(code), name) if call.args]
    written = f"`{source_of(calls[0], code)}`" if calls else f"`.{name}(...)`"
    message = f"{shown} takes {takes}: {written} was given a value it has no place for"
    if name in STRIP_PATTERNS:
        message += "; it strips whitespace only, other characters need `re_replace`"
    elif name in NO_ARGUMENT_ADVICE:
        message += f"; {NO_ARGUMENT_ADVICE[name]}"
    candidates = []
    for call in calls:
        fixer = NO_ARGUMENT_FIXES.get(name)
        text = fixer(call, code) if fixer else None
        edited = replace_call(code, call, text) if text else None
        if edited is not None:
            candidates.append(Candidate(edited, f"{written} as {text}"))
    return Search(Diagnosis("wrong argument", message), candidates)


#: The regular expression of Python's ``lstrip``/``rstrip``/``strip`` of a set of characters.
STRIP_PATTERNS = {"lstrip": "^[{0}]+", "rstrip": "[{0}]+$", "strip": "^[{0}]+|[{0}]+$"}


def _strip_call(call: ast.Call, code: str) -> str | None:
    """``col.lstrip("0")`` → ``col.re_replace('^0+', '')``; ``col.strip(" ")`` →
    ``col.strip()``."""
    function = call.func
    chars = string_value(call.args[0]) if len(call.args) == 1 and not call.keywords else None
    if not chars or not isinstance(function, ast.Attribute):
        return None
    column = owner_source(function.value, code)
    if not chars.strip():
        return f"{column}.{function.attr}()"
    escaped = "".join(f"\\{c}" if c in "\\]^-[" else c for c in chars)
    pattern = STRIP_PATTERNS[function.attr].format(escaped)
    if len(chars) == 1 and chars.isalnum():  # one plain character needs no brackets
        pattern = pattern.replace(f"[{chars}]", chars)
    return f"{column}.re_replace({pattern!r}, '')"


def _hexdigest_call(call: ast.Call, code: str) -> str | None:
    """``col.hash("md5")`` → ``col.hexdigest("md5")``: a named digest is ``hexdigest``'s."""
    digest = string_value(call.args[0]) if len(call.args) == 1 else None
    function = call.func
    if digest is None or not isinstance(function, ast.Attribute):
        return None
    known = ("md5", "sha1", "sha256", "sha512")
    named = digest.lower().replace("-", "")
    return f"{owner_source(function.value, code)}.hexdigest({named!r})" if named in known else None


def _unseeded_call(call: ast.Call, code: str) -> str | None:
    """``ibis.random(42)`` → ``ibis.random()``: Ibis's random takes no seed. Two values
    are a range (``random(0, 100)``), whose scale the rest of the code relies on: no edit."""
    return f"{source_of(call.func, code)}()" if len(call.args) == 1 and not call.keywords else None


def _unnamed_view(call: ast.Call, code: str) -> str | None:
    """``t.view("prev")`` → ``t.view()``: a view is told apart by its variable."""
    named = len(call.args) == 1 and string_value(call.args[0]) is not None
    return f"{source_of(call.func, code)}()" if named and not call.keywords else None


def _named_elements(call: ast.Call, code: str) -> str | None:
    """``t.tags.unnest("tag")`` → ``t.tags.unnest().name("tag")``."""
    name = string_value(call.args[0]) if len(call.args) == 1 and not call.keywords else None
    return f"{source_of(call.func, code)}().name({name!r})" if name else None


#: ``ln`` given a base: the logarithm Ibis names for it.
NAMED_BASES = {2: "log2()", 10: "log10()"}


def _logarithm_of_base(call: ast.Call, code: str) -> str | None:
    """``col.ln(10)`` → ``col.log10()``; another base → ``col.log(base)``."""
    function = call.func
    if not isinstance(function, ast.Attribute) or len(call.args) != 1 or call.keywords:
        return None
    base = call.args[0]
    value = base.value if isinstance(base, ast.Constant) else None
    column = owner_source(function.value, code)
    named = NAMED_BASES.get(value) if isinstance(value, int) else None
    return f"{column}.{named}" if named else f"{column}.log({source_of(base, code)})"


#: A median's quantile method: ``median`` → ``quantile``, ``approx_median`` → ``approx_quantile``.
QUANTILE_OF_MEDIAN = {"median": "quantile", "approx_median": "approx_quantile"}


def _median_quantile(call: ast.Call, code: str) -> str | None:
    """``col.median(0.5)`` → ``col.median()``; another fraction → ``col.quantile(q)``."""
    function = call.func
    given = call.args[0] if len(call.args) == 1 and not call.keywords else None
    fraction = given.value if isinstance(given, ast.Constant) else None
    if not isinstance(function, ast.Attribute) or not isinstance(fraction, float):
        return None
    if fraction == 0.5:
        return f"{source_of(function, code)}()"
    quantile = QUANTILE_OF_MEDIAN[function.attr]
    return (
        f"{owner_source(function.value, code)}.{quantile}({fraction})" if 0 < fraction < 1 else None
    )


def _mapped_reduction(call: ast.Call, code: str) -> str | None:
    """``arr.anys(lambda x: x > 3)`` → ``arr.map(lambda x: x > 3).anys()``."""
    function = call.func
    if not isinstance(function, ast.Attribute) or len(call.args) != 1 or call.keywords:
        return None
    if not isinstance(call.args[0], ast.Lambda):
        return None
    array, test = owner_source(function.value, code), source_of(call.args[0], code)
    return f"{array}.map({test}).{function.attr}()"


#: What to say when a method that takes nothing was given something.
NO_ARGUMENT_ADVICE = {
    "view": "a view needs no name: it is told apart by its variable, `prev = t.view()`",
    "unnest": "an array's elements are named like any value: `t.tags.unnest().name('tag')`",
    "memtable": "Ibis 12's memtable takes no name (a backend names the tables it creates: "
    "`con.create_table(name, data)`)",
    "anys": "a test of each element is mapped first: `arr.map(lambda x: x > 3).anys()`",
    "alls": "a test of each element is mapped first: `arr.map(lambda x: x > 3).alls()`",
    "hash": "a named digest (md5, sha256...) is `hexdigest(...)`",
    "random": "Ibis's random numbers take no seed (`Table.sample(..., seed=)` is repeatable) "
    "and no range: they lie in [0, 1), so a range is `low + (high - low) * ibis.random()`",
}
#: Keywords with two Ibis readings: advice naming both, no fix (the user's intent decides).
KEYWORD_ADVICE = {
    ("rank", "pct"): "pandas' `rank(pct=True)` is a share of the rows: `percent_rank()` is "
    "(rank - 1) / (n - 1), `cume_dist()` is rank / n (pandas' values where none tie)",
}
NO_ARGUMENT_FIXES: dict[str, Callable[[ast.Call, str], str | None]] = {
    **dict.fromkeys(STRIP_PATTERNS, _strip_call),
    "hash": _hexdigest_call,
    "random": _unseeded_call,
    "view": _unnamed_view,
    "unnest": _named_elements,
    "anys": _mapped_reduction,
    "alls": _mapped_reduction,
    "value_counts": translate.value_counts_subset_call,
    "ln": _logarithm_of_base,
    **dict.fromkeys(QUANTILE_OF_MEDIAN, _median_quantile),
}


#: Values for a required argument the call left out, where one is the usual meaning.
USUAL_ARGUMENTS = {"delimiter": '" "', "index": "1"}


def missing_argument(failure: Failure) -> Search | None:
    """``col.split()``: a required argument left out; its usual value where it has one
    (a space to split on, the first group of a regular expression)."""
    if not isinstance(failure.error, TypeError):
        return None
    match = MISSING_ARGUMENT.search(str(failure.error))
    if match is None:
        return None
    owner, name, listed = match.groups()
    missing = re.findall(r"'(\w+)'", listed)
    function = _callable(owner, name)
    shown = _shown(owner, name)
    signature = f"{name}{inspect.signature(function)}" if function is not None else shown
    signature = signature.replace("(self, ", "(").replace("(self)", "()")
    needed = " and ".join(f"`{argument}`" for argument in missing)
    message = f"{shown} needs {needed}: `{signature}`"
    candidates = []
    if missing and all(argument in USUAL_ARGUMENTS for argument in missing):
        added = ", ".join(USUAL_ARGUMENTS[argument] for argument in missing)
        for call in calls_to(ast.parse(failure.code), name):
            if call.keywords:
                continue  # where the value goes among keywords is not for us to guess
            text = source_of(call, failure.code)
            inner = text[text.index("(") + 1 : -1].strip()
            arguments = f"{inner}, {added}" if inner else added
            function_text = source_of(call.func, failure.code)
            edited = replace_call(failure.code, call, f"{function_text}({arguments})")
            if edited is not None:
                said = ", ".join(f"`{a}={USUAL_ARGUMENTS[a]}`" for a in missing)
                candidates.append(Candidate(edited, f"{said}, its usual value"))
    for call in calls_to(ast.parse(failure.code), name):
        if spread := _list_spread(call, failure.code, len(missing)):
            candidates.append(Candidate(spread, "the list's values as the arguments"))
    return Search(Diagnosis("wrong argument", message), candidates)


def _list_spread(call: ast.Call, code: str, missing: int) -> str | None:
    """``x.between([1, 9])``: one list holding the values of the arguments the call
    lacks, and of the one it fills, as ``x.between(1, 9)``."""
    listed = call.args[0] if len(call.args) == 1 and not call.keywords else None
    if not isinstance(listed, ast.List | ast.Tuple) or len(listed.elts) != missing + 1:
        return None
    return replace_call(code, call, render_call(call, code, listed.elts, []))


def _more_of_the_same(first: ast.AST, second: ast.AST, columns: set[str]) -> bool:
    """Two numbers (SQL's ``LIMIT offset, count``) or two column names: the user gave
    several of one thing, so the second is no keyword's value (``join(t, "id", "left")``
    is: ``"left"`` names no column)."""
    values = [n.value if isinstance(n, ast.Constant) else None for n in (first, second)]
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    return numbers or all(isinstance(v, str) and v in columns for v in values)


def _keyword_only(
    owner: str | None, name: str, call: ast.Call, failure: Failure
) -> list[Candidate]:
    """``t.distinct(["a"])``: one positional too many, given to the first keyword-only
    parameter (``on=``) when the call does not name it already; a value that is no
    condition skips ``where=`` (``first(t.hired)`` is ``first(order_by=t.hired)``)."""
    function = _callable(owner, name)
    if function is None:
        return []
    parameters = _parameters(function)
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    only = [p for p in parameters if p.kind is p.KEYWORD_ONLY]
    given = {k.arg for k in call.keywords}
    if len(call.args) != len(positional) + 1 or not only or only[0].name in given:
        return []
    extra = call.args[-1]
    columns = {column for table in failure.tables.values() for column in table.columns}
    if len(call.args) > 1 and _more_of_the_same(call.args[-2], extra, columns):
        return []  # ``unnest("a", "b")``, ``limit(20, 10)``: more of the first, not a keyword
    if only[0].name == "where" and _no_condition(extra, failure.namespace):
        only = [p for p in only[1:] if p.name not in given]
    if only and _window_ambiguous(only, given):
        chosen = _window_role(extra, failure)
        only = [p for p in only if p.name == chosen]
    if not only:
        return []
    code = failure.code
    keywords = [(k.arg, k.value) for k in call.keywords if k.arg is not None]
    text = render_call(call, code, call.args[:-1], [(only[0].name, extra), *keywords])
    edited = replace_call(code, call, text)
    reason = f"`{only[0].name}=` (`.{name}()` takes it by keyword only)"
    return [Candidate(edited, reason)] if edited else []


def _window_ambiguous(free: list[inspect.Parameter], given: set[str | None]) -> bool:
    """A column given by position where both ``group_by=`` and ``order_by=`` are free:
    ``cummin(t.period)`` may mean either, so neither is guessed."""
    names = {p.name for p in free} - given
    return {"group_by", "order_by"} <= names


def _window_role(node: ast.AST, failure: Failure) -> str | None:
    """Which window keyword a column given by position is: a date or time orders
    (``cummax("harvested_on")``), a name or an id groups (``cummax("station_id")``);
    None for anything else (``cummin(t.period)`` may mean either)."""
    name = string_value(node)
    if name is not None:
        kinds = {str(t.schema()[name]) for t in failure.tables.values() if name in t.columns}
        kind = kinds.pop() if len(kinds) == 1 else ""
    else:
        value = value_of(node, failure.namespace)
        kind = str(value.type()) if isinstance(value, ir.Value) else ""
        name = value_name(value) if isinstance(value, ir.Value) else ""
    if kind.startswith(("date", "timestamp", "time")):
        return "order_by"
    return "group_by" if kind and is_label_column(name or "") else None


def _no_condition(node: ast.AST, namespace: Mapping[str, object]) -> bool:
    """``node`` is known to be a value that is not true or false (``t.hired``, ``0.5``)."""
    if string_value(node) is not None:  # a column's name: ``first("hired")``
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return not isinstance(node.value, bool)  # ``approx_median(0.5)``: a quantile
    value = value_of(node, namespace)
    return isinstance(value, ibis.Value) and not value.type().is_boolean()


#: A type lacking a method, the type that has it, and the cast between them:
#: ``isinf`` on a decimal is a float's, ``hour`` on a date a timestamp's.
CAST_FOR_METHOD = (
    ("IntegerValue", ir.FloatingValue, "float64"),
    ("DecimalValue", ir.FloatingValue, "float64"),
    ("DateValue", ir.TimestampValue, "timestamp"),
    # numbers and timestamps kept as text (``t.wind_dir.radians()``, ``t.sold_on.year()``)
    ("StringValue", ir.FloatingValue, "float64"),
    ("StringValue", ir.TimestampValue, "timestamp"),
)


def _lacking_member(failure: Failure) -> tuple[str, type, str] | None:
    """An ``AttributeError`` of an Ibis expression class: the class's name, the class and
    the member it lacks (``"DecimalColumn"``, ``ir.DecimalColumn``, ``"isinf"``)."""
    match = NO_ATTRIBUTE.match(str(failure.error))
    kind = getattr(ir, match.group(1), None) if match else None
    if match and match.group(1) == "GroupedTable":  # not in ``ibis.expr.types``' namespace
        kind = GroupedTable
    if match is None or not isinstance(failure.error, AttributeError) or not isinstance(kind, type):
        return None
    return match.group(1), kind, match.group(2)


def cast_for_method(failure: Failure) -> Search | None:
    """``t.price.isinf()`` on a decimal column: the method is another type's (a float's),
    so the column is cast to that type first."""
    if (lacking_member := _lacking_member(failure)) is None:
        return None
    shown, kind, attribute = lacking_member
    found = [
        (other, target)
        for lacking, other, target in CAST_FOR_METHOD
        if issubclass(kind, getattr(ir, lacking)) and callable(getattr(other, attribute, None))
    ]
    if not found:
        return None
    other, target = found[0]
    namespace = failure.namespace

    def lacking(node: ast.AST) -> bool:
        value = value_of(getattr(node, "value", node), namespace)
        if isinstance(value, ir.StringValue) and is_label_column(value_name(value)):
            return False  # a code or an id kept as text is no number to cast
        return getattr(node, "attr", None) == attribute and isinstance(value, kind)

    edited = rewrite_nodes(
        failure.code,
        lambda node: isinstance(node, ast.Attribute) and lacking(node),
        lambda node, code: (
            f'{source_of(getattr(node, "value", node), code)}.cast("{target}").{attribute}'
        ),
    )
    message = (
        f"{shown} has no `.{attribute}`: it is a method of {other.__name__}; cast "
        f'first, `.cast("{target}").{attribute}`'
    )
    candidates = [Candidate(edited, f"cast to {target} for `.{attribute}`")] if edited else []
    return Search(Diagnosis("types and casts", message), candidates)


#: How other tools spell a negated test (polars' ``is_not_nan``, SQL's ``not_like``).
NEGATIONS = (("is_not_", "is_"), ("not_", ""), ("not", ""))


def _positive_of(attribute: str, kind: type) -> str | None:
    """``like`` for ``not_like``, ``isnan`` for polars' ``is_not_nan``: the method of
    ``kind`` that the negated name negates; None when there is none."""
    for prefix, replacement in NEGATIONS:
        if attribute.startswith(prefix):
            name = replacement + attribute.removeprefix(prefix)
            name = name if hasattr(kind, name) else SYNONYMS.get(name, name)
            return name if callable(getattr(kind, name, None)) else None
    return None


def negated_method(failure: Failure) -> Search | None:
    """SQL's ``NOT LIKE`` as ``col.not_like(...)``: Ibis negates with ``~``,
    ``~col.like(...)`` (where the type has ``like``)."""
    if (lacking_member := _lacking_member(failure)) is None:
        return None
    shown, kind, attribute = lacking_member
    positive = _positive_of(attribute, kind)
    if positive is None:
        return None

    def render(node: ast.AST, code: str) -> str:
        assert isinstance(node, ast.Call)  # noqa: S101 - chosen calls of methods
        given = [source_of(a, code) for a in node.args]
        given += [f"{k.arg}={source_of(k.value, code)}" for k in node.keywords if k.arg]
        owner = source_of(getattr(node.func, "value", node.func), code)
        return f"(~{owner}.{positive}({', '.join(given)}))"

    edited = rewrite_nodes(
        failure.code,
        lambda node: isinstance(node, ast.Call) and getattr(node.func, "attr", None) == attribute,
        render,
    )
    message = (
        f"{shown} has no `.{attribute}`: negate `.{positive}` with `~`, `~col.{positive}(...)`"
    )
    candidates = [Candidate(edited, f"`.{attribute}(...)` → `~.{positive}(...)`")] if edited else []
    return Search(Diagnosis("sql habit", message), candidates)


def unknown_method(failure: Failure) -> Search | None:
    """``t.name.lenght()``: the type's real methods closest to the name."""
    lacking_member = _lacking_member(failure)
    if lacking_member is None:
        return None
    shown, kind, attribute = lacking_member
    public = sorted(name for name in dir(kind) if not name.startswith("_"))
    snake = signatures.snake(attribute)  # PySpark's crossJoin is cross_join
    # PySpark's countDistinct is SQL's count_distinct
    synonym = SYNONYMS.get(attribute.lower()) or SYNONYMS.get(snake)
    if shown in {"Table", "Join"} and snake not in public and synonym not in public:
        return None  # a table's other missing names are columns: rules of their own
    if issubclass(kind, ir.ArrayValue):
        synonym = ARRAY_REDUCTIONS.get(attribute.lower(), synonym)
    close = [snake] if snake in public and snake != attribute else []
    close += [synonym] if synonym in public else []
    if len(attribute) > MIN_GUESSED_NAME:
        spelt = difflib.get_close_matches(attribute, public, n=3, cutoff=0.7)
        close += [name for name in spelt if not _another_word(attribute, name)]
    close = list(dict.fromkeys(close))[:3]
    candidates = []
    for name in close:
        is_method = callable(getattr(kind, name, None))
        edited = _rename_member(failure.code, attribute, name, called=is_method, add_call=is_method)
        if edited is not None and name == "type":
            edited = _type_names_as_types(edited) or edited
        if edited is not None:
            candidates.append(Candidate(edited, f"`.{attribute}` → `.{name}`"))
    if not candidates:
        return None
    options = " or ".join(f"`.{name}`" for name in close)
    message = f"{shown} has no `.{attribute}`; did you mean {options}?"
    return Search(Diagnosis("unknown method", message), candidates)


def _type_names_as_types(code: str) -> str | None:
    """``col.type() == "float64"`` is always false (a data type is not its name):
    ``col.type() == ibis.dtype("float64")``."""

    def compared(node: ast.AST) -> bool:
        if not isinstance(node, ast.Compare) or len(node.comparators) != 1:
            return False
        sides = (node.left, node.comparators[0])
        typed = any(
            isinstance(s, ast.Call) and getattr(s.func, "attr", "") == "type" for s in sides
        )
        named = any(isinstance(s, ast.Constant) and isinstance(s.value, str) for s in sides)
        return typed and named and isinstance(node.ops[0], ast.Eq | ast.NotEq)

    def render(node: ast.AST, code: str) -> str:
        assert isinstance(node, ast.Compare)  # noqa: S101 - chosen comparisons
        left, right = (
            f"ibis.dtype({source_of(s, code)})"
            if isinstance(s, ast.Constant)
            else source_of(s, code)
            for s in (node.left, node.comparators[0])
        )
        operator = "==" if isinstance(node.ops[0], ast.Eq) else "!="
        return f"{left} {operator} {right}"

    return rewrite_nodes(code, compared, render)


#: Words that add nothing to a method's name (``to_upper`` is ``upper``).
FILLER_WORDS = frozenset({"to", "as", "is", "get", "do", "make", "str", "dt"})


def _another_word(written: str, name: str) -> bool:
    """``between_time`` and ``between``, ``count`` and ``count_distinct``: one name is the
    other with a word more, which is another function (pandas' ``between_time`` compares
    times of day), not a misspelling of it."""
    words = set(written.lower().split("_")) - FILLER_WORDS
    other = set(name.lower().split("_")) - FILLER_WORDS
    return words != other and (words < other or other < words)


def _rename_member(
    code: str, old: str, new: str, *, called: bool, add_call: bool = False
) -> str | None:
    """``x.old(...)`` → ``x.new(...)``; when ``new`` is a property, ``x.old()`` → ``x.new``;
    with ``add_call`` (``new`` is a method) ``x.old`` read as a property → ``x.new()``."""
    tree = parse(code)
    if tree is None:
        return None
    call_targets = {position(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}

    def wanted(node: ast.AST) -> bool:
        if isinstance(node, ast.Call) and not called:
            function = node.func
            return isinstance(function, ast.Attribute) and function.attr == old and not node.args
        return isinstance(node, ast.Attribute) and node.attr == old

    def render(node: ast.AST, code: str) -> str:
        target = node.func if isinstance(node, ast.Call) else node
        if not isinstance(target, ast.Attribute):
            return source_of(node, code)
        read_as_property = add_call and position(target) not in call_targets
        return f"{owner_source(target.value, code)}.{new}{'()' if read_as_property else ''}"

    return rewrite_nodes(code, wanted, render)


#: What SQL, pandas and older Ibis call things in Ibis's modules.
MODULE_SYNONYMS = {
    "c": "cols",
    "col": "cols",
    "columns": "cols",
    "number": "numeric",
    "r": "index",  # the removed ``s.r[0:3]``
    "everything": "all",  # dplyr's
}
#: Other tools' names of ``ibis`` functions (NumPy, PySpark, SQL).
IBIS_SYNONYMS = {
    "arange": "range",
    "lit": "literal",
    "rand": "random",
    "current_date": "today",
    "current_timestamp": "now",
    "nvl": "coalesce",
    "ifnull": "coalesce",
    "iff": "ifelse",
    "if_else": "ifelse",
    "uuid4": "uuid",
    "except_": "difference",  # SQL's EXCEPT / MINUS
    "minus": "difference",
    "NULL": "null",  # SQL's NULL, pandas' NA: a typed null is ibis.null()
    "NA": "null",
    "null_literal": "null",
}
MODULE_ATTRIBUTE = re.compile(r"^module '(ibis[\w.]*)' has no attribute '(\w+)'")


def unknown_module_name(failure: Failure) -> Search | None:
    """``s.c("a")``, ``ibis.selectors.numerics()`` or ``ibis.arange(0, 5)``: the module's
    real names closest to it (names Ibis removed or made methods have rules of their own,
    which come first)."""
    match = MODULE_ATTRIBUTE.match(str(failure.error))
    module = sys.modules.get(match.group(1)) if match else None
    if match is None or module is None:
        return None
    attribute = match.group(2)
    public = sorted(name for name in dir(module) if not name.startswith("_"))
    synonyms = IBIS_SYNONYMS if match.group(1) == "ibis" else MODULE_SYNONYMS
    synonym = synonyms.get(attribute)
    close = [synonym] if synonym in public else []
    if len(attribute) > MIN_GUESSED_NAME:
        close += difflib.get_close_matches(attribute, public, n=3, cutoff=0.7)
    close = list(dict.fromkeys(close))[:3]
    candidates = [
        Candidate(edited, f"`{attribute}` → `{name}`")
        for name in close
        if (edited := _rename_member(failure.code, attribute, name, called=True))
    ]
    if not candidates:
        return None
    options = " or ".join(f"`{name}`" for name in close)
    message = f"`{match.group(1)}` has no `{attribute}`; did you mean {options}?"
    return Search(Diagnosis("unknown method", message), candidates)


def _takes_values_apart(call: ast.Call, namespace: Mapping[str, object]) -> str | None:
    """How ``t.unpack(["a"])`` / ``arr.concat([b, c])`` / ``ibis.coalesce([a, b])`` is
    shown when the callee takes its values one by one (``*columns``), else None."""
    function = call.func
    lists = [a for a in call.args if isinstance(a, ast.List | ast.Tuple) and a.elts]
    if len(lists) != 1 or call.keywords or not isinstance(function, ast.Attribute):
        return None
    owner = value_of(function.value, namespace)
    written = function.value.id if isinstance(function.value, ast.Name) else ""
    module = namespace.get(written) if written != "ibis" else ibis
    if isinstance(module, types.ModuleType):  # ibis.coalesce, s.cols
        holder: object = module
    elif owner is not None:
        holder = type(owner)
    elif isinstance(function.value, ast.Call):  # t.select("k").cross_join([...]): a table's
        holder = ibis.Table
    else:
        return None
    found = getattr(holder, function.attr, None)
    try:
        parameters = inspect.signature(found).parameters.values() if callable(found) else []
    except (TypeError, ValueError):
        return None
    spread = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters)
    named = written if isinstance(holder, types.ModuleType) else getattr(holder, "__name__", "")
    return f"{named}.{function.attr}()" if spread else None


def _apart(node: ast.AST, code: str) -> str:
    """The call with its list's values as separate arguments."""
    assert isinstance(node, ast.Call)  # noqa: S101 - only called on chosen calls
    values = [
        item
        for argument in node.args
        for item in (argument.elts if isinstance(argument, ast.List | ast.Tuple) else [argument])
    ]
    return render_call(node, code, values, [])


def sample_count(failure: Failure) -> Search | None:
    """``t.sample(100)``: pandas' number of rows where Ibis takes a fraction; as
    ``t.sample(n=100)``, a random order limited to that many rows."""
    text = str(failure.error)
    if not text.startswith("Sample(") or "`fraction`" not in text:
        return None
    calls = [c for c in calls_to(ast.parse(failure.code), "sample") if translate.row_count(c)]
    if not calls:
        return None
    edited = replace_each_call(failure.code, ("sample",), translate.top_rows_call)
    message = (
        f"`.sample({translate.row_count(calls[0])})`: Ibis samples a fraction of the rows (0 to "
        "1), not a number of them; that many random rows are `t.order_by(ibis.random()).limit(n)`"
    )
    candidates = [Candidate(edited, "a random order, limited")] if edited else []
    return Search(Diagnosis("pandas habit", message), candidates)


def keywords_as_mapping(failure: Failure) -> Search | None:
    """``t.fill_null(tip=0, note="")``, ``ibis.struct(a=t.x, b=t.y)``: pandas' and
    polars' keywords where Ibis takes one mapping of name → value."""
    match = UNEXPECTED_KEYWORD.search(str(failure.error))
    if not isinstance(failure.error, TypeError) or match is None:
        return None
    owner, name = match.group(1), match.group(2)
    function = _callable(owner, name)
    parameters = _parameters(function) if function is not None else []
    first = parameters[0] if parameters else None
    if first is None or "Mapping" not in str(first.annotation):
        return None
    known = {p.name for p in parameters}

    def packed(call: ast.Call, code: str) -> str | None:
        loose = [k for k in call.keywords if k.arg is not None and k.arg not in known]
        if call.args or not loose:
            return None
        items = ", ".join(f"{k.arg!r}: {source_of(k.value, code)}" for k in loose)
        kept = [f"{k.arg}={source_of(k.value, code)}" for k in call.keywords if k not in loose]
        return f"{source_of(call.func, code)}({', '.join([f'{{{items}}}', *kept])})"

    edited = replace_each_call(failure.code, (name,), packed)
    if edited is None:
        return None
    shown = _shown(owner, name)
    message = f"{shown} takes one mapping of names to values (`{first.name}`), not keywords"
    return Search(
        Diagnosis("argument shape", message), [Candidate(edited, "the keywords as a dict")]
    )


#: Ibis's errors for a list where values go apart (Python's is a TypeError).
LIST_ERRORS = ("IbisTypeError", "InputTypeError", "SignatureValidationError")


def list_for_several(failure: Failure) -> Search | None:
    """``t.unpack(["a"])``, ``arr.concat([b, c])``, ``ibis.coalesce([a, b])``: one list
    where the method takes its values as separate arguments; the candidate passes them
    apart."""
    error = failure.error  # a list read as one name: 'list' object has no attribute ...
    listed = isinstance(error, AttributeError) and str(error).startswith("'list' object")
    if not isinstance(error, TypeError) and type(error).__name__ not in LIST_ERRORS and not listed:
        return None
    namespace = failure.namespace
    calls = matching_calls(failure.code, lambda c: _takes_values_apart(c, namespace) is not None)
    if not calls:
        return None
    chosen = {position(call) for call in calls}
    edited = rewrite_nodes(
        failure.code, lambda n: isinstance(n, ast.Call) and position(n) in chosen, _apart
    )
    shown = _takes_values_apart(calls[0], namespace)
    message = f"{shown} takes its values as separate arguments, not as one list"
    candidates = [Candidate(edited, "the list's values passed apart")] if edited else []
    return Search(Diagnosis("argument shape", message), candidates)


#: An operation that wants several values of a type (``ArrayConcat``, ``FindInSet``).
SEVERAL_VALUES = re.compile(
    r"is not (?:a tuple of coercibles|coercible) to a Value\[(Array|String)\b"
)


def _as_values(node: ast.AST, kind: str) -> str | None:
    """A literal given where values of ``kind`` go: ``"x"`` → ``["x"]`` for arrays,
    ``"a,b"`` → ``["a", "b"]`` for strings (SQL's comma-separated list); else None."""
    value = getattr(node, "value", None)
    if not isinstance(node, ast.Constant) or isinstance(value, bool) or value is None:
        return None
    if kind == "Array":
        return f"[{value!r}]"
    if isinstance(value, str) and "," in value:
        return repr([part.strip() for part in value.split(",")])
    return None


def literal_for_values(failure: Failure) -> Search | None:
    """``arr.concat("x")`` (a value where arrays go), ``s.find_in_set("a,b")`` (SQL's
    comma-separated text where a list of strings goes): the literal as a list."""
    text = str(failure.error)
    wanted, failed = SEVERAL_VALUES.search(text), signatures.SIGNATURE_FAILED.search(text)
    if wanted is None or failed is None:
        return None
    kind, method = wanted.group(1), signatures.called_method(failed.group(1), failure.code)
    if method is None:
        return None
    literals = {
        position(argument)
        for call in calls_to(ast.parse(failure.code), method)
        for argument in call.args
        if _as_values(argument, kind) is not None
    }
    edited = rewrite_nodes(
        failure.code,
        lambda node: isinstance(node, ast.Constant) and position(node) in literals,
        lambda node, _code: _as_values(node, kind) or "",
    )
    what = "arrays" if kind == "Array" else "a list of strings"
    message = f"`.{method}(...)` takes {what}: give the value as a list, `[...]`"
    candidates = [Candidate(edited, f"the value as a list for `.{method}()`")] if edited else []
    return Search(Diagnosis("argument shape", message), candidates) if candidates else None


FAMILIES: tuple[Family, ...] = (
    sample_count,
    keywords_as_mapping,
    wrong_keyword,
    too_many_positional,
    list_for_several,
    literal_for_values,
    missing_argument,
    dates_and_types.literal_type,
    dates_and_types.integer_to_temporal,
    dates_and_types.literal_in_arithmetic,
    dates_and_types.interval_unit,
    dates_and_types.fractional_interval,
    dates_and_types.temporal_constructor,
    dates_and_types.columns_of_two_types,
    dates_and_types.interval_method,
    dates_and_types.temporal_rounding,
    cast_for_method,
    negated_method,
    unknown_method,
    unknown_module_name,
    windows.window_in_aggregate,
    windows.first_or_last_of_group,
)
