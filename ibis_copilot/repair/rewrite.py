"""Small, exact edits of user code that the diagnosis rules propose as fixes.

Each function returns the edited code, or None when it found nothing to change. Edits
work on tokens or on the AST's source positions, so the rest of the cell (comments,
formatting) stays as the user wrote it.
"""

from __future__ import annotations

import ast
import io
import itertools
import re
import tokenize
from collections.abc import Callable, Iterable
from typing import TypeGuard

Edit = tuple[int, int, str]  # absolute start, end, replacement


def _line_starts(code: str) -> list[int]:
    starts, total = [0], 0
    for line in code.splitlines(keepends=True):
        total += len(line)
        starts.append(total)
    return starts


def _offset(code_lines: list[str], starts: list[int], line: int, byte_col: int) -> int:
    """Absolute character offset of (1-based line, UTF-8 byte column)."""
    text = code_lines[line - 1] if line - 1 < len(code_lines) else ""
    return starts[line - 1] + len(text.encode()[:byte_col].decode(errors="ignore"))


def apply_edits(code: str, edits: Iterable[Edit]) -> str | None:
    ordered = sorted(set(edits), reverse=True)
    if not ordered:
        return None
    for start, end, replacement in ordered:
        code = code[:start] + replacement + code[end:]
    return code


def _tokens(code: str) -> list[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return []


def _token_offsets(code: str, token: tokenize.TokenInfo) -> tuple[int, int]:
    starts = _line_starts(code)
    return starts[token.start[0] - 1] + token.start[1], starts[token.end[0] - 1] + token.end[1]


def rename_attribute(code: str, old: str, new: str) -> str | None:
    """``x.old`` → ``x.new`` everywhere (attribute access only, not plain names)."""
    tokens = _tokens(code)
    edits = [
        (*_token_offsets(code, token), new)
        for previous, token in itertools.pairwise(tokens)
        if token.type == tokenize.NAME and token.string == old and previous.string == "."
    ]
    return apply_edits(code, edits)


def rename_column(code: str, old: str, new: str) -> str | None:
    """A column name as attribute (``t.old``) or as a string literal (``"old"``)."""
    tokens = _tokens(code)
    edits: list[Edit] = []
    for previous, token in itertools.pairwise(tokens):
        if token.type == tokenize.NAME and token.string == old and previous.string == ".":
            edits.append((*_token_offsets(code, token), new))
        elif token.type == tokenize.STRING and token.string in (f"'{old}'", f'"{old}"'):
            edits.append((*_token_offsets(code, token), f"{token.string[0]}{new}{token.string[0]}"))
    return apply_edits(code, edits)


def drop_accessor(code: str, accessor: str) -> str | None:
    """pandas' ``.str.upper()`` → ``.upper()``; ``.dt.year`` → ``.year()``."""
    tokens = _tokens(code)
    edits: list[Edit] = []
    for index in range(1, len(tokens) - 2):
        dot, name, next_dot, member = tokens[index - 1 : index + 3]
        if (dot.string, name.string, next_dot.string) == (".", accessor, "["):
            edits.append((*_token_offsets(code, dot)[:1], _token_offsets(code, name)[1], ""))
            continue  # ``.str[0]``: the column is indexed itself
        if (dot.string, name.string, next_dot.string) != (".", accessor, ".") or (
            member.type != tokenize.NAME
        ):
            continue
        start, _ = _token_offsets(code, dot)
        _, end = _token_offsets(code, next_dot)
        edits.append((start, end, "."))
        called = index + 3 < len(tokens) and tokens[index + 3].string == "("
        if not called:
            _, member_end = _token_offsets(code, member)
            edits.append((member_end, member_end, "()"))
    return apply_edits(code, edits)


def mentions(node: ast.AST, names: set[str]) -> bool:
    """``node`` uses one of ``names`` as a plain name."""
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def rewrite_nodes(
    code: str, wanted: Callable[[ast.AST], bool], render: Callable[[ast.AST, str], str]
) -> str | None:
    """Replace the outermost nodes ``wanted`` selects by ``render(node, code)``."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    lines, starts = code.splitlines(keepends=True), _line_starts(code)
    edits: list[Edit] = []
    taken: list[tuple[int, int]] = []
    for node in ast.walk(tree):  # breadth first: outer nodes come before inner ones
        if not isinstance(node, ast.expr | ast.stmt) or not wanted(node):
            continue
        start = _offset(lines, starts, node.lineno, node.col_offset)
        end = _offset(lines, starts, node.end_lineno or node.lineno, node.end_col_offset or 0)
        if any(s <= start and end <= e for s, e in taken):
            continue
        taken.append((start, end))
        edits.append((start, end, render(node, code)))
    return apply_edits(code, edits)


def rewrite_rendered(code: str, render: Callable[[ast.AST, str], str | None]) -> str | None:
    """Replace the outermost nodes for which ``render(node, code)`` gives a text by it."""
    return rewrite_nodes(
        code,
        lambda node: render(node, code) is not None,
        lambda node, text: render(node, text) or "",
    )


def rewrite_at(
    code: str, nodes: list[ast.AST], render: Callable[[ast.AST, str], str]
) -> str | None:
    """Replace the nodes of ``code`` at the places of ``nodes`` (found in ``code``'s own
    tree) by ``render(node, code)``."""

    def place(node: ast.AST) -> tuple[type, int, int]:
        return type(node), getattr(node, "lineno", 0), getattr(node, "col_offset", 0)

    places = {place(node) for node in nodes}
    return rewrite_nodes(code, lambda node: place(node) in places, render) if places else None


def source_of(node: ast.AST, code: str) -> str:
    """The text of ``node`` as written in ``code`` (unparsed when positions are missing)."""
    return ast.get_source_segment(code, node) or ast.unparse(node)


def owner_source(node: ast.AST, code: str) -> str:
    """The text of ``node`` to write a ``.member`` after: in parentheses unless it is a
    name, a member, a call or a subscript (``(t.a / 100).asin()``, not ``t.a / 100.asin()``)."""
    text = source_of(node, code)
    atomic = isinstance(node, ast.Name | ast.Attribute | ast.Call | ast.Subscript)
    return text if atomic else f"({text})"


def _operand(node: ast.AST, code: str) -> str:
    text = _bitwise(node, code)
    simple = isinstance(node, ast.Name | ast.Attribute | ast.Call | ast.Subscript | ast.Constant)
    null_check = isinstance(node, ast.Compare) and _is_none_comparison(node)
    return text if simple or null_check or text.startswith("~") else f"({text})"


COMPARISON_SYMBOLS = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="
}  # fmt: skip


def _bitwise(node: ast.AST, code: str) -> str:
    if isinstance(node, ast.BoolOp):
        joiner = " & " if isinstance(node.op, ast.And) else " | "
        return joiner.join(_operand(value, code) for value in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return f"~{_operand(node.operand, code)}"
    if isinstance(node, ast.Compare) and _is_none_comparison(node):
        return _null_check(node, code)
    if isinstance(node, ast.Compare) and len(node.ops) > 1:
        return _split_chain(node, code)
    return source_of(node, code)


def _split_chain(node: ast.Compare, code: str) -> str:
    """``a <= b <= c`` → ``(a <= b) & (b <= c)``."""
    operands = [node.left, *node.comparators]
    symbols = [COMPARISON_SYMBOLS.get(type(op), "?") for op in node.ops]
    parts = [
        f"({source_of(left, code)} {symbol} {source_of(right, code)})"
        for left, symbol, right in zip(operands, symbols, operands[1:], strict=False)
    ]
    return " & ".join(parts)


def bitwise_boolean_operators(code: str, tables: set[str]) -> str | None:
    """``a and b`` / ``a or b`` / ``not a`` on expressions of ``tables`` → ``&``, ``|``, ``~``."""

    def wanted(node: ast.AST) -> bool:
        is_boolean = (
            isinstance(node, ast.BoolOp)
            or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not))
            or (isinstance(node, ast.Compare) and len(node.ops) > 1)
        )
        return is_boolean and mentions(node, tables)

    return rewrite_nodes(code, wanted, _bitwise)


LOGICAL = (ast.BitAnd, ast.BitOr)


def _logical(node: ast.AST) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, LOGICAL)


def _comparison(node: ast.AST) -> TypeGuard[ast.Compare]:
    """``a < b``, ``a == b <= c``: comparisons only (not ``in`` or ``is``)."""
    return isinstance(node, ast.Compare) and all(type(op) in COMPARISON_SYMBOLS for op in node.ops)


def _misgrouped(node: ast.AST) -> bool:
    """A comparison that Python grouped around ``&``/``|`` or ``~`` (``a & b == c`` is
    ``(a & b) == c``; ``~a == b`` is ``(~a) == b``)."""
    if not _comparison(node):
        return False
    operands = [node.left, *node.comparators]
    inverted = isinstance(node.left, ast.UnaryOp) and isinstance(node.left.op, ast.Invert)
    return inverted or any(_logical(operand) for operand in operands)


def _items(node: ast.AST) -> list[ast.AST | str]:
    """``node`` as operands and operator symbols, looking through ``&``/``|`` and
    comparisons (a comparison inside ``&`` is parenthesized already: same result)."""
    if _logical(node):
        assert isinstance(node, ast.BinOp)  # noqa: S101 - _logical checked it
        symbol = "&" if isinstance(node.op, ast.BitAnd) else "|"
        return [*_items(node.left), symbol, *_items(node.right)]
    if _comparison(node):
        found = _items(node.left)
        for op, right in zip(node.ops, node.comparators, strict=True):
            found += [COMPARISON_SYMBOLS[type(op)], *_items(right)]
        return found
    return [node]


def _grouped(items: list[ast.AST | str], code: str) -> str:
    """Operands and symbols joined with comparisons first, then ``&``, then ``|``."""
    for symbol in ("|", "&"):
        if symbol in items:
            parts: list[list[ast.AST | str]] = [[]]
            for item in items:
                if item == symbol:
                    parts.append([])
                else:
                    parts[-1].append(item)
            return f" {symbol} ".join(_grouped(part, code) for part in parts)
    operands = [item for item in items if not isinstance(item, str)]
    symbols = [item for item in items if isinstance(item, str)]
    first, invert = operands[0], False
    if not symbols:
        return source_of(first, code)
    if isinstance(first, ast.UnaryOp) and isinstance(first.op, ast.Invert):
        first, invert = first.operand, True
    texts = [source_of(operand, code) for operand in [first, *operands[1:]]]
    pairs = [f"{texts[i]} {symbol} {texts[i + 1]}" for i, symbol in enumerate(symbols)]
    joined = " & ".join(f"({pair})" for pair in pairs)
    if not invert:
        return joined
    return f"~{joined}" if len(pairs) == 1 else f"~({joined})"


def operator_precedence(code: str) -> str | None:
    """``t.a > 1 & t.b < 2`` → ``(t.a > 1) & (t.b < 2)``; ``~t.s == "x"`` → ``~(t.s ==
    "x")``: comparisons grouped before ``&``/``|``/``~``, as the user meant."""
    return rewrite_nodes(code, _misgrouped, lambda node, text: _grouped(_items(node), text))


def conditional_expressions(code: str, tables: set[str]) -> str | None:
    """``"a" if t.x > 1 else "b"`` on expressions of ``tables`` → ``ibis.ifelse(t.x > 1,
    "a", "b")`` (Python's ``if`` asks for one truth value; Ibis decides per row)."""

    def wanted(node: ast.AST) -> bool:
        return isinstance(node, ast.IfExp) and mentions(node.test, tables)

    def render(node: ast.AST, text: str) -> str:
        assert isinstance(node, ast.IfExp)  # noqa: S101 - wanted() chose conditionals only
        parts = (node.test, node.body, node.orelse)
        return f"ibis.ifelse({', '.join(source_of(part, text) for part in parts)})"

    return rewrite_nodes(code, wanted, render)


def _is_none_comparison(node: ast.Compare) -> bool:
    return (
        len(node.ops) == 1
        and isinstance(node.ops[0], ast.Eq | ast.NotEq | ast.Is | ast.IsNot)
        and isinstance(node.comparators[0], ast.Constant)
        and node.comparators[0].value is None
    )


def _null_check(node: ast.AST, code: str) -> str:
    assert isinstance(node, ast.Compare)  # noqa: S101 - only called on None comparisons
    method = "isnull" if isinstance(node.ops[0], ast.Eq | ast.Is) else "notnull"
    left = source_of(node.left, code)
    simple = isinstance(node.left, ast.Name | ast.Attribute | ast.Call | ast.Subscript)
    return f"{left if simple else f'({left})'}.{method}()"


def none_comparisons(code: str, tables: set[str]) -> str | None:
    """``t.col == None`` → ``t.col.isnull()`` (``!= None`` → ``notnull()``)."""

    def wanted(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Compare)
            and _is_none_comparison(node)
            and mentions(node.left, tables)
        )

    return rewrite_nodes(code, wanted, _null_check)


IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")


def item_assignment(code: str, tables: set[str]) -> str | None:
    """``t["c"] = value`` → ``t = t.mutate(c=value)``."""

    def wanted(node: ast.AST) -> bool:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            return False
        target = node.targets[0]
        return (
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Name)
            and target.value.id in tables
            and isinstance(target.slice, ast.Constant)
            and isinstance(target.slice.value, str)
        )

    def render(node: ast.AST, source: str) -> str:
        assert isinstance(node, ast.Assign)  # noqa: S101
        target = node.targets[0]
        assert isinstance(target, ast.Subscript)  # noqa: S101
        assert isinstance(target.value, ast.Name)  # noqa: S101
        assert isinstance(target.slice, ast.Constant)  # noqa: S101
        name, column = target.value.id, str(target.slice.value)
        value = source_of(node.value, source)
        argument = f"{column}={value}" if IDENTIFIER.match(column) else f"**{{{column!r}: {value}}}"
        return f"{name} = {name}.mutate({argument})"

    return rewrite_nodes(code, wanted, render)


def cast_before(code: str, column: str, method: str, to: str = "float64") -> str | None:
    """``t.col.mean()`` → ``t.col.cast("float64").mean()`` for one column and method."""
    tokens = _tokens(code)
    edits: list[Edit] = []
    for index in range(1, len(tokens) - 2):
        dot, name, next_dot, member = tokens[index - 1 : index + 3]
        if (dot.string, name.string, next_dot.string, member.string) == (".", column, ".", method):
            _, end = _token_offsets(code, name)
            edits.append((end, end, f'.cast("{to}")'))
    return apply_edits(code, edits)


def loc_to_filter(code: str, tables: set[str]) -> str | None:
    """``t.loc[mask]`` → ``t.filter(mask)``; ``t.loc[mask, cols]`` adds ``.select(cols)``."""

    def wanted(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "loc"
            and mentions(node.value.value, tables)
        )

    def render(node: ast.AST, source: str) -> str:
        assert isinstance(node, ast.Subscript)  # noqa: S101
        assert isinstance(node.value, ast.Attribute)  # noqa: S101
        table = source_of(node.value.value, source)
        index = node.slice
        if isinstance(index, ast.Tuple) and len(index.elts) == 2:
            rows, columns = (source_of(element, source) for element in index.elts)
            return f"{table}.filter({rows}).select({columns})"
        return f"{table}.filter({source_of(index, source)})"

    return rewrite_nodes(code, wanted, render)


def relabel_to_rename(code: str, tables: set[str]) -> str | None:
    """``t.relabel({"old": "new"})`` → ``t.rename({"new": "old"})`` (the mapping flips)."""

    def wanted(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "relabel"
            and mentions(node.func.value, tables)
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Dict)
            and None not in node.args[0].keys
        )

    def render(node: ast.AST, source: str) -> str:
        assert isinstance(node, ast.Call)  # noqa: S101
        assert isinstance(node.func, ast.Attribute)  # noqa: S101
        mapping = node.args[0]
        assert isinstance(mapping, ast.Dict)  # noqa: S101
        pairs = ", ".join(
            f"{source_of(value, source)}: {source_of(key, source)}"
            for key, value in zip(mapping.keys, mapping.values, strict=True)
            if key is not None
        )
        return f"{source_of(node.func.value, source)}.rename({{{pairs}}})"

    return rewrite_nodes(code, wanted, render)


def case_to_cases(code: str) -> str | None:
    """``ibis.case().when(c, v)....else_(d).end()`` → ``ibis.cases((c, v), ..., else_=d)``."""

    def chain(node: ast.AST) -> tuple[list[str], str | None] | None:
        """The (when, else) parts of a builder chain ending in ``.end()``, else None."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            return None
        whens: list[str] = []
        default: str | None = None
        current: ast.expr = node.func.value
        if node.func.attr != "end":
            return None
        while isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
            method, arguments = current.func.attr, current.args
            if method == "when" and len(arguments) == 2:
                condition, value = (source_of(argument, code) for argument in arguments)
                whens.insert(0, f"({condition}, {value})")
            elif method == "else_" and len(arguments) == 1:
                default = source_of(arguments[0], code)
            elif method == "case" and not arguments:
                return whens, default
            else:
                return None
            current = current.func.value
        return None

    def wanted(node: ast.AST) -> bool:
        return chain(node) is not None

    def render(node: ast.AST, _source_code: str) -> str:
        parts = chain(node)
        assert parts is not None  # noqa: S101
        whens, default = parts
        arguments = [*whens, *([f"else_={default}"] if default is not None else [])]
        return f"ibis.cases({', '.join(arguments)})"

    return rewrite_nodes(code, wanted, render)


def call_method(code: str, method: str) -> str | None:
    """``x.count`` used as a value → ``x.count()``."""
    tokens = _tokens(code)
    edits: list[Edit] = []
    for index in range(1, len(tokens) - 1):
        dot, name, after = tokens[index - 1], tokens[index], tokens[index + 1]
        if dot.string == "." and name.string == method and after.string != "(":
            _, end = _token_offsets(code, name)
            edits.append((end, end, "()"))
    return apply_edits(code, edits)


def semi_join_filter(code: str, tables: tuple[str, str], key: str) -> str | None:
    """``a.filter(<condition on b only>)`` → ``a.semi_join(b.filter(<condition>), "key")``:
    a's rows that have a match, with a's columns only (a join would add b's)."""

    def parts(node: ast.AST) -> tuple[str, str] | None:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            return None
        receiver, condition = node.func.value, node.args
        if node.func.attr != "filter" or not isinstance(receiver, ast.Name) or node.keywords:
            return None
        if receiver.id not in tables or len(condition) != 1:
            return None
        other = tables[1] if receiver.id == tables[0] else tables[0]
        mentions_other = mentions(condition[0], {other})
        if not mentions_other or mentions(condition[0], {receiver.id}):
            return None
        return receiver.id, other

    def render(node: ast.AST, source: str) -> str:
        found = parts(node)
        assert found is not None and isinstance(node, ast.Call)  # noqa: S101, PT018
        receiver, other = found
        condition = source_of(node.args[0], source)
        return f'{receiver}.semi_join({other}.filter({condition}), "{key}")'

    return rewrite_nodes(code, lambda node: parts(node) is not None, render)


def join_first(code: str, tables: tuple[str, str], key: str) -> str | None:
    """In the first statement that uses both tables, start the method chain of the one
    whose method is called with a join on ``key``: ``a.filter(b.x > 1)`` →
    ``a.join(b, "key").filter(b.x > 1)`` (Ibis resolves ``b``'s columns through the join)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    lines, starts = code.splitlines(keepends=True), _line_starts(code)
    statement = next((s for s in tree.body if all(mentions(s, {name}) for name in tables)), None)
    if statement is None:
        return None
    calls = {id(n.func) for n in ast.walk(statement) if isinstance(n, ast.Call)}
    for node in ast.walk(statement):
        if (
            isinstance(node, ast.Attribute)
            and id(node) in calls
            and isinstance(node.value, ast.Name)
            and node.value.id in tables
        ):
            left = node.value
            right = tables[1] if left.id == tables[0] else tables[0]
            start = _offset(lines, starts, left.lineno, left.col_offset)
            end = _offset(lines, starts, left.lineno, left.end_col_offset or 0)
            return apply_edits(code, [(start, end, f'{left.id}.join({right}, "{key}")')])
    return None
