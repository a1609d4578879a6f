"""Pasted error messages as search queries: what the repair rules say about them.

An Ibis error pasted into the search names the wrong things: the expression classes of
its values (``IntegerColumn``), the exception class, a table's repr column by column, an
internal operation (``StringContains``). The page that helps is the one for the method
to write instead. The repair rules already know it from the message alone (``sort_values``
→ ``order_by``, a value of the wrong type → ``cast``), so the query is read as a failure
known only as text (with the failing code, where the user pasted it before the error), the
rules' diagnosis is searched with the message, and the methods the rules' fix writes into
that code, then those the diagnosis names, are the API pages looked up by name (never the
attribute the error says the object lacks). Nothing runs: the rules read text.

Users paste errors in many shapes: after a line of their own ("getting this:", the
failing code), under a deprecation warning, with the module's name (``ibis.common.
exceptions.RelationError``), as a whole traceback, or as Python's message without the
exception's name. The error is found in all of them; what the user wrote around it is
searched too, and of a traceback only the user's own source lines are kept.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass

#: ``[module.]SomeError: message``: an exception as Python prints it, anywhere in the query.
EXCEPTION = re.compile(
    r"(?<![\w.])(?:[A-Za-z_]\w*\.)*([A-Z]\w*(?:Error|Exception)): (?=\S)", re.MULTILINE
)
#: Python's own messages, recognised without the exception's name (from where the message
#: starts): the exception they belong to.
BARE_MESSAGES = (
    (re.compile(r"'[\w.]+' object has no attribute '"), "AttributeError"),
    (re.compile(r"module '[\w.]+' has no attribute '"), "AttributeError"),
    (re.compile(r"[\w.]+\(\) got an unexpected keyword argument '"), "TypeError"),
    (re.compile(r"'\S+' not supported between instances of"), "TypeError"),
    (re.compile(r"unsupported operand type\(s\) for"), "TypeError"),
    (re.compile(r"[\w.]+\(\) takes \d+ positional arguments? but \d+ w\w+ given"), "TypeError"),
    (re.compile(r"[\w.]+\(\) missing \d+ required (?:positional|keyword-only)"), "TypeError"),
    (re.compile(r"'\w+' object is not (?:callable|iterable|subscriptable)"), "TypeError"),
)
#: Where a printed traceback starts (Python's header, IPython's rule of dashes).
TRACEBACK_START = re.compile(r"^(?:-{5,}|\w+\s+Traceback \(most|Traceback \(most)", re.MULTILINE)
#: A frame of the user's own code: a notebook cell, the console, an IPython input.
USER_FRAME = re.compile(r'^\s*(?:Cell In\s*\[|File "<|<ipython-input-|Input In \[)')
#: Any frame's header line.
FRAME = re.compile(r"^\s*(?:Cell In\s*\[|File |<ipython-input-|Input In \[)")
#: A source line IPython marks as the one that ran: ``----> 3 code``.
MARKED_LINE = re.compile(r"^-*> ?\d+\s(.*)$")
#: A table's repr: ``r0 := UnboundTable: t`` and its ``  column  type`` lines.
REPR_LINE = re.compile(r"^\s*(?:r\d+ := \w+: \w+|\w+\s+[\w<>\[\], ()]+|ibis\.Schema \{|\})\s*$")
#: Inside a line: ``<... object at 0x...>``, ``r0 := UnboundTable: t``, ``r0.``.
REPR_FRAGMENT = re.compile(r"<[\w.]+ object(?: at 0x[0-9a-f]+)?>|r\d+ := \w+: \w+|\br\d+\.")
#: A method the diagnosis writes as code: a call (``t.filter(``, ``ibis.desc(``) or a lone
#: attribute (``.group_by``); bare names there are columns and arguments.
CODE = re.compile(r"`([^`]+)`")
CALLED = re.compile(r"\b([a-z]\w*)\s*\(")
SIGNATURE_NOTE = re.compile(r"; signature: `[^`]*`")
ATTRIBUTE = re.compile(r"^\.([a-z_]\w*)$")
SIGNATURE_OPERATION = re.compile(r"^(\w+)\(")
#: An expression class the message names (``FloatingColumn``, ``JSONValue``): searched as
#: words ("floating column"), so that the class's own page does not outrank the method
#: to write (dev, 35 pasted errors: MRR@10 0.715 → 0.735).
EXPRESSION_CLASS = re.compile(
    r"\b((?:[A-Z]+|[A-Z][a-z]+)(?:[A-Z][a-z]+)*(?:Column|Scalar|Value))\b"
)
MAX_NAMES = 3
#: Ibis's operators as the API names their pages have (``&`` is ``ibis.and_`` and
#: ``BooleanValue.__and__``), for diagnoses and fixes that write an operator, not a call.
OPERATOR_NAMES = {
    ast.BitAnd: ("and_", "__and__"), ast.BitOr: ("or_", "__or__"), ast.Invert: ("negate",)
}  # fmt: skip
OPERATOR_SYMBOLS = {"&": ast.BitAnd, "|": ast.BitOr, "~": ast.Invert}
#: ``'X' object has no attribute 'name'``: the name the object lacks.
MISSING_ATTRIBUTE = re.compile(r"has no attribute '(\w+)'")
#: Where a lead's pieces of code end: lines, and `` | `` as one-line pastes join them.
LEAD_PARTS = re.compile(r"\n| \| ")
#: Nodes that make a piece of the lead code rather than prose.
DOING = (ast.Call, ast.Attribute, ast.Subscript, ast.Compare, ast.BinOp)
ATTRIBUTE_USE = re.compile(r"\.(\w+)")
#: Lines of prose longer than this are not searched for a call inside them.
MAX_PROSE_WORDS = 40


@dataclass(frozen=True)
class ErrorQuery:
    """A pasted error read for search: the text to search and the API names to pin."""

    text: str
    names: list[str]
    #: What the user wrote before the error (their words, the failing line).
    lead: str = ""


def read_error_query(query: str) -> ErrorQuery | None:
    """The search text and API names for a query that is a pasted error, else None."""
    pasted = _split_error(query.strip())
    if pasted is None:
        return None
    lead, kind, message = pasted
    code = lead_code(lead)
    findings, names = _diagnosis(kind, message, code)
    counterparts = _python_operators(code)
    essential = _without_reprs(message)
    for finding in findings:
        for span in CODE.findall(SIGNATURE_NOTE.sub("", finding)):
            if span.startswith(("'", '"')):
                continue  # a literal value the error quotes
            attribute = ATTRIBUTE.match(span)
            found = [attribute.group(1)] if attribute else CALLED.findall(span)
            if (operator := OPERATOR_SYMBOLS.get(span)) is not None:
                wanted = not counterparts or operator in counterparts
                found = list(OPERATOR_NAMES[operator]) if wanted else []
            names += [name for name in found if name not in names]
    if missing := MISSING_ATTRIBUTE.search(message):  # the object lacks it: not the answer
        names = [name for name in names if name != missing.group(1)]
    names = names[:MAX_NAMES]
    if not names and (operation := SIGNATURE_OPERATION.match(message)):
        names = _operation_names(operation.group(1))
    text = EXPRESSION_CLASS.sub(_as_words, " ".join([lead, kind, essential, *findings]))
    return ErrorQuery(text=text.strip(), names=names, lead=lead)


def _split_error(query: str) -> tuple[str, str, str] | None:
    """What the user wrote before the error, the exception's name and its message: the
    last exception that starts a line (a traceback ends with the one raised), else the
    first one in the text, else a Python message recognised without its name."""
    found = list(EXCEPTION.finditer(query))
    starting = [m for m in found if not query[: m.start()].rpartition("\n")[2].strip()]
    chosen = starting[-1] if starting else found[0] if found else None
    if chosen is not None:
        lead, kind, message = query[: chosen.start()], chosen.group(1), query[chosen.end() :]
    else:
        bare = ((pattern.search(query), kind) for pattern, kind in BARE_MESSAGES)
        found_bare = next(((match, kind) for match, kind in bare if match), None)
        if found_bare is None:
            return None
        match, kind = found_bare
        lead, message = query[: match.start()], query[match.start() :]
    if traceback := TRACEBACK_START.search(lead):
        lead = " ".join([lead[: traceback.start()], *_user_lines(lead[traceback.start() :])])
    return lead.strip(), kind, message.strip()


def _user_lines(traceback: str) -> list[str]:
    """The source lines of the user's own frames in a printed traceback (the line IPython
    marks with an arrow, or the one line Python prints under ``File "<stdin>"``); the
    library's frames say nothing about what the user wrote."""
    lines: list[str] = []
    in_user_frame = first_line = False
    for line in traceback.splitlines():
        if FRAME.match(line):
            in_user_frame = first_line = bool(USER_FRAME.match(line))
            continue
        if not in_user_frame or not line.strip():
            continue
        if marked := MARKED_LINE.match(line.strip()):
            lines.append(marked.group(1).strip())
        elif first_line and not re.match(r"\s*\d+\s", line):
            lines.append(line.strip())
        first_line = False
    return lines


def _as_words(match: re.Match[str]) -> str:
    """``FloatingColumn`` → ``floating column``, ``JSONValue`` → ``json value``."""
    return re.sub(r"([a-z])([A-Z])|([A-Z])([A-Z][a-z])", r"\1\3 \2\4", match.group(1)).lower()


def _doing(piece: str) -> bool:
    """``piece`` parses as Python that does something (a call, an attribute, ...)."""
    try:
        tree = ast.parse(piece)
    except SyntaxError:
        return False
    return any(isinstance(node, DOING) for node in ast.walk(tree))


def _code_in_prose(line: str) -> str | None:
    """The longest run of whole words of ``line`` that is code doing something
    (``t.mutate(n=len(t.tags))`` of "so t.mutate(n=len(t.tags)) raises"), if any."""
    words = line.split()
    if len(words) > MAX_PROSE_WORDS:
        return None
    for size in range(len(words) - 1, 0, -1):
        for start in range(len(words) - size + 1):
            piece = " ".join(words[start : start + size]).rstrip(":,;")
            if "(" in piece and not words[start].endswith(":") and _doing(piece):
                return piece
    return None


def lead_code(lead: str) -> str:
    """The code the user pasted before the error: backtick spans and lines (or `` | ``
    separated parts) that parse as Python and do something (a call, an attribute, an
    index or an operator), or the call a line of prose carries; prose that happens to
    parse (``getting this``) does not."""
    pieces = CODE.findall(lead) + [part.strip().rstrip(":") for part in LEAD_PARTS.split(lead)]
    code: list[str] = []
    for piece in pieces:
        found = piece if _doing(piece) else _code_in_prose(piece)
        if found and found not in code:
            code.append(found)
    return "\n".join(code)


def _diagnosis(kind: str, message: str, code: str) -> tuple[list[str], list[str]]:
    """What the rules say about the error raised by ``code`` (the rules, else the
    searches where the code's tables could be told from the message, else the last
    resort; nothing runs: the rules read the code and the message), and the methods the
    rules' fixes (and the searches' first candidates) write into the code, first."""
    from ibis_copilot.repair.candidates import findings, search
    from ibis_copilot.repair.engine import rebuild_error
    from ibis_copilot.repair.failure import Failure

    namespace = guessed_tables(code, message)
    failure = Failure(rebuild_error(kind, message), code=code, namespace=namespace)
    try:  # without tables, nothing to search
        searches = search(failure) if namespace else []
        found = findings(failure, searches=searches)
    except Exception:  # noqa: BLE001 - a rule that trips on odd text leaves the query as it is
        return [], []
    fixed: list[str] = []
    for finding in found:
        try:
            fixed.append((finding.fix(code) if finding.fix and code else None) or "")
        except Exception:  # noqa: BLE001, S112 - as above
            continue
    fixed += [result.candidates[0].code for result in searches if result.candidates]
    written = set(CALLED.findall(code)) | set(ATTRIBUTE_USE.findall(code))
    names: list[str] = []
    for text in fixed:
        for name in [*_operators_added(code, text), *CALLED.findall(text)]:
            if name not in written and name not in names:
                names.append(name)
    return [finding.message for finding in found], names


def _walked(code: str) -> list[ast.AST]:
    """Every node of ``code``, none where it does not parse."""
    try:
        return list(ast.walk(ast.parse(code)))
    except SyntaxError:
        return []


#: Python's boolean operators and the Ibis operators that say them of expressions.
PYTHON_OPERATORS = {ast.And: ast.BitAnd, ast.Or: ast.BitOr, ast.Not: ast.Invert}


def _python_operators(code: str) -> set[type]:
    """The Ibis operators (``ast.BitAnd``...) standing for the ``and``/``or``/``not`` of
    ``code``: the ones a diagnosis that lists all three means for this code."""
    return {
        PYTHON_OPERATORS[type(node.op)]
        for node in _walked(code)
        if isinstance(node, ast.BoolOp | ast.UnaryOp) and type(node.op) in PYTHON_OPERATORS
    }


def _operators_added(code: str, fixed: str) -> list[str]:
    """The API names of the operators ``fixed`` writes more often than ``code`` (Python's
    ``and`` rewritten as ``&``: ``and_``, ``__and__``)."""

    def counted(text: str) -> dict[type, int]:
        found: dict[type, int] = {}
        for node in _walked(text):
            if isinstance(node, ast.BinOp | ast.UnaryOp) and type(node.op) in OPERATOR_NAMES:
                found[type(node.op)] = found.get(type(node.op), 0) + 1
        return found

    before, after = counted(code), counted(fixed)
    return [
        name
        for operator, names in OPERATOR_NAMES.items()
        if after.get(operator, 0) > before.get(operator, 0)
        for name in names
    ]


#: ``'ArrayColumn'``: an expression class a message names, and the column type it stands
#: for (an array's elements and a decimal's precision are guesses the rules do not read).
NAMED_CLASS = re.compile(r"'([A-Z][A-Za-z]*?)(?:Column|Scalar|Value)'")
CLASS_TYPES = {
    "Array": "array<string>", "Boolean": "boolean", "Integer": "int64",
    "Floating": "float64", "Numeric": "float64", "Decimal": "decimal(12, 2)",
    "String": "string", "Date": "date", "Timestamp": "timestamp", "Time": "time",
    "Map": "map<string, string>", "JSON": "json", "Binary": "binary", "UUID": "uuid",
}  # fmt: skip
#: The type of a pasted column whose message names no class (``max(t.a, t.b)``'s
#: truth-value error): numbers, the commonest columns of the development questions' code.
GUESSED_TYPE = "float64"
#: The types a pasted column whose message names no class is tried as, in this order:
#: the first whose expressions have every method the code uses on the column is taken
#: (``t.departs_at.minute // 15`` is read with a timestamp; else ``GUESSED_TYPE``).
TRIED_TYPES = (
    "float64", "string", "timestamp", "date", "time", "array<string>",
    "map<string, string>", "json", "boolean",
)  # fmt: skip
#: Names in pasted code that are modules or Ibis, not tables.
NOT_TABLES = frozenset({"ibis", "np", "numpy", "pd", "pandas", "s", "math", "re", "datetime"})


def _key(node: ast.Subscript) -> object:
    """The constant ``t["col"]`` indexes with, else None."""
    return node.slice.value if isinstance(node.slice, ast.Constant) else None


def _columns_in_order(tree: ast.AST, table_methods: set[str]) -> list[tuple[str, str]]:
    """``(table, column)`` for each ``t.col`` and ``t["col"]`` of a name the code does
    not assign, in the order they are written, each once."""
    assigned = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    found: list[tuple[int, int, str, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute | ast.Subscript):
            continue
        named = _named_column(node)
        if named is None or named[0] in NOT_TABLES | assigned:
            continue
        if isinstance(node, ast.Attribute) and node.attr in table_methods:
            continue
        found.append((node.lineno, node.col_offset, *named))
    return list(dict.fromkeys((table, column) for *_, table, column in sorted(found)))


def _named_column(node: ast.AST) -> tuple[str, str] | None:
    """``(table, column)`` of a ``t.col`` or ``t["col"]`` node, else None."""
    owner = getattr(node, "value", None)
    if not isinstance(owner, ast.Name):
        return None
    if isinstance(node, ast.Attribute):
        return owner.id, node.attr
    if isinstance(node, ast.Subscript) and isinstance(column := _key(node), str):
        return owner.id, column
    return None


def guessed_tables(code: str, message: str) -> dict[str, object]:
    """Unbound tables for pasted code whose message names its columns' classes in the
    order the code writes the columns (``t.a + t.b`` → ``'DateColumn' and
    'IntegerColumn'``): the rules can then read the code as they would in the kernel.
    Where the message names one class (or none) for several columns, every column is of
    that class (or ``GUESSED_TYPE``); empty when two or more classes do not pair up one
    to one with the columns."""
    import ibis

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {}
    classes = [CLASS_TYPES.get(name) for name in NAMED_CLASS.findall(message)]
    columns = _columns_in_order(tree, set(dir(ibis.expr.types.Table)))
    if columns and not classes:
        used = _methods_used(tree)
        classes = [_type_with(used.get(column, set())) for column in columns]
    elif columns and len(columns) != len(classes) and len(set(classes)) < 2:
        # one class named for several columns: each is taken to be of that class, so
        # that the rules can still read the code
        classes = classes[:1] * len(columns)
    if not columns or len(columns) != len(classes) or None in classes:
        return {}
    schemas: dict[str, dict[str, str]] = {}
    for (table, column), dtype in zip(columns, classes, strict=True):
        schemas.setdefault(table, {})[column] = str(dtype)
    return {"ibis": ibis} | {t: ibis.table(schema, name=t) for t, schema in schemas.items()}


def _methods_used(tree: ast.AST) -> dict[tuple[str, str], set[str]]:
    """The names the code takes of each ``t.col`` and ``t["col"]`` (``t.col.minute``)."""
    used: dict[tuple[str, str], set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (named := _named_column(node.value)):
            used.setdefault(named, set()).add(node.attr)
    return used


@functools.cache
def _column_of_type(dtype: str) -> object:
    """An unbound column of ``dtype``, made once."""
    import ibis

    return ibis.table({"c": dtype}, name="t").c


def _type_with(methods: set[str]) -> str:
    """The first of ``TRIED_TYPES`` whose columns have all ``methods``, else
    ``GUESSED_TYPE``."""
    for dtype in TRIED_TYPES:
        if all(hasattr(_column_of_type(dtype), method) for method in methods):
            return dtype
    return GUESSED_TYPE


def _without_reprs(message: str) -> str:
    lines = [REPR_FRAGMENT.sub("", line) for line in message.splitlines()]
    return " ".join(line.strip() for line in lines if line.strip() and not REPR_LINE.match(line))


def _operation_names(operation: str) -> list[str]:
    """The API names an operation's name suggests, most specific first: ``StringContains``
    → ``string_contains``, ``stringvalue.contains``, ``stringcolumn.contains``,
    ``contains`` (the retriever skips names the API does not have)."""
    from ibis_copilot.repair.signatures import OPERATORS, operation_words

    if operation in OPERATORS:
        return []
    name = operation_words(operation)
    first, _, rest = name.partition("_")
    if not rest:
        return [name]
    return [name, f"{first}value.{rest}", f"{first}column.{rest}", rest]
