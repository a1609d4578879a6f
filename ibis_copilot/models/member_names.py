"""Decoding that writes only real names after a ``.`` on an Ibis expression, and only
real columns in a string that names a column.

A small model invents methods (``t.map(``, ``t.to_f32c(``) and columns
(``select("shipped_on")``). Where the text being written ends in ``<receiver>.<partial
name>`` and the receiver's chain starts at an Ibis root (a table variable, ``ibis``,
``_``), the next token may only continue a name that exists: a column or an Ibis method
for expression chains, an ``ibis`` function after ``ibis.``. Inside a string that is an
argument of a method taking column names (``select``, ``group_by``, ``order_by``,
``ibis.desc``, ... on such a chain) or a table's subscript (``orders["``), only a column
may be written. Everything else is decoded freely. The names come with the request
(:class:`MemberNames`, built by ``expressions/member_names.py``); the mask is applied by
:class:`MemberNameProcessor` in the transformers backend, per generated token.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

#: ``<receiver>.<partial>`` at the end of the text: the receiver ends in a name or a bracket.
MEMBER_POSITION = re.compile(r"(?<=[\w)\]])\.(\w*)$")
IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
LEADING_WORD = re.compile(r"\w*")
#: An open string at the end of a line, right after ``(``, ``[``, ``,`` or the line's
#: indentation: its partial text.
OPEN_COLUMN_STRING = re.compile(r"""(?:^|[(\[,])\s*(["'])(\w*)$""")
#: A name the code gives a new column: ``group_by(month=...)``, ``agg(revenue=...)``.
NEW_COLUMN = re.compile(r"[(,]\s*([A-Za-z_]\w*)\s*=(?!=)")
#: Methods whose string arguments are column names.
COLUMN_ARGUMENTS = frozenset(
    {
        "select", "group_by", "order_by", "drop", "relocate", "distinct", "desc", "asc",
        "join", "inner_join", "left_join", "right_join", "outer_join", "semi_join",
        "anti_join", "asof_join", "unnest", "drop_null",
    }
)  # fmt: skip


#: Characters of code before the cursor kept to find the position of generated text.
BEFORE_CHARS = 400


@dataclass(frozen=True)
class MemberNames:
    """The names allowed after a dot: ``members`` for chains starting at one of ``roots``,
    ``modules[name]`` right after ``name.`` (e.g. ``ibis.``). ``before`` is the code the
    generated text continues (its end): a fill-in-the-middle prompt does not end with it."""

    roots: frozenset[str]
    members: frozenset[str]
    modules: dict[str, frozenset[str]]
    before: str = ""
    columns: frozenset[str] = frozenset()  # allowed in a string that names a column

    def to_json(self) -> dict[str, Any]:
        return {
            "roots": sorted(self.roots),
            "members": sorted(self.members),
            "modules": {name: sorted(names) for name, names in self.modules.items()},
            "before": self.before,
            "columns": sorted(self.columns),
        }

    @classmethod
    def from_json(cls, data: object) -> MemberNames:
        """Raises ValueError for anything but the shape ``to_json`` writes."""
        if not isinstance(data, dict):
            raise ValueError("member names must be an object")
        modules = data.get("modules") or {}
        if not isinstance(modules, dict):
            raise ValueError("'modules' must map names to lists of names")
        before = data.get("before", "")
        if not isinstance(before, str):
            raise ValueError("member names: 'before' must be a string")
        return cls(
            _names(data.get("roots"), "roots"),
            _names(data.get("members"), "members"),
            {str(module): _names(names, module) for module, names in modules.items()},
            before[-BEFORE_CHARS:],
            _names(data.get("columns", []), "columns"),
        )

    def allowed_after(self, text: str) -> tuple[str, frozenset[str]] | None:
        """``(partial name, names it must become)`` when ``text`` ends at a constrained
        position; None where decoding is free."""
        line = text[text.rfind("\n") + 1 :]
        position = MEMBER_POSITION.search(text)
        if position is None or _in_string_or_comment(line):
            return self._column_string(text, line)
        chain = _chain(text[: position.start()])
        root = IDENTIFIER.match(chain)
        if root is None:
            return None
        if chain == root.group(0) and chain in self.modules:
            return position.group(1), self.modules[chain]
        if root.group(0) in self.roots:
            return position.group(1), self.members
        return None

    def _column_string(self, text: str, line: str) -> tuple[str, frozenset[str]] | None:
        """``(partial, columns)`` inside a string that names a column, else None: the
        tables' columns and those the code names as it makes them (``month=...``)."""
        opened = OPEN_COLUMN_STRING.search(line)
        if not self.columns or opened is None or not _in_string_or_comment(line):
            return None
        bracket = _open_bracket(text[: len(text) - len(opened.group(0)) + 1])
        if bracket is None:
            return None
        callee = _chain(text[:bracket])
        root = IDENTIFIER.match(callee)
        if root is None or root.group(0) not in self.roots:
            return None
        if callee == root.group(0):  # ``orders["``: a table's subscript
            names_a_column = text[bracket] == "["
        else:  # ``orders.select("``, ``ibis.desc("``
            names_a_column = callee.rsplit(".", 1)[-1] in COLUMN_ARGUMENTS
        if not names_a_column:
            return None
        return opened.group(2), self.columns | frozenset(NEW_COLUMN.findall(text))


def _open_bracket(text: str) -> int | None:
    """Where the bracket still open at the end of ``text`` is (None if none is)."""
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        if char in ")]":
            depth += 1
        elif char in "([":
            if depth == 0:
                return index
            depth -= 1
    return None


def _names(value: object, what: object) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"member names: {what!r} must be a list of names")
    return frozenset(value)


def _in_string_or_comment(line: str) -> bool:
    """Whether the end of ``line`` is inside a string literal or a comment."""
    quote = ""
    escaped = False
    for char in line:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#":
            return True
    return bool(quote)


def _chain(receiver: str) -> str:
    """The expression chain ``receiver`` ends with, e.g. ``orders.filter(x > 1).amount``
    (brackets skipped whole)."""
    index = len(receiver) - 1
    depth = 0
    while index >= 0:
        char = receiver[index]
        if char in ")]":
            depth += 1
        elif char in "([" and depth:
            depth -= 1
        elif depth == 0 and not (char.isalnum() or char in "_."):
            break
        index -= 1
    return receiver[index + 1 :]


class TokenTable:
    """The vocabulary by the word each token starts with, built once per tokenizer."""

    def __init__(self, tokenizer: Any) -> None:
        self.word_only: dict[str, list[int]] = defaultdict(list)  # "filt" -> ids
        self.word_then_more: dict[str, list[int]] = defaultdict(list)  # "sum(" -> under "sum"
        self.not_a_word: list[int] = []  # "(", " ", ")\n", ...
        for token_id in range(len(tokenizer)):
            text = tokenizer.decode([token_id])
            word = LEADING_WORD.match(text)
            head = word.group(0) if word else ""
            if not head:
                self.not_a_word.append(token_id)
            elif head == text:
                self.word_only[head].append(token_id)
            else:
                self.word_then_more[head].append(token_id)

    def allowed(self, partial: str, names: frozenset[str]) -> list[int]:
        """Token ids that keep ``partial`` on the way to one of ``names``."""
        allowed: list[int] = []
        if partial in names:
            allowed += self.not_a_word  # the name is complete: punctuation may follow
        for name in names:
            if not name.startswith(partial):
                continue
            rest = name[len(partial) :]
            for end in range(1, len(rest) + 1):
                allowed += self.word_only.get(rest[:end], ())
            if rest:
                allowed += self.word_then_more.get(rest, ())
        return allowed


class MemberNameProcessor:
    """A transformers logits processor: masks every token that would write a name that
    does not exist at a constrained position (see :class:`MemberNames`)."""

    def __init__(self, names: MemberNames, tokens: TokenTable, tokenizer: Any, start: int) -> None:
        self.names = names
        self.tokens = tokens
        self.tokenizer = tokenizer
        self.start = start  # where the generated tokens begin in ``input_ids``

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        written = self.tokenizer.decode(input_ids[0, self.start :], skip_special_tokens=True)
        position = self.names.allowed_after(self.names.before + written)
        if position is None:
            return scores
        allowed = self.tokens.allowed(*position)
        if not allowed:
            return scores  # nothing fits: leave the choice (the gate still judges it)
        masked = scores.new_full(scores.shape, float("-inf"))
        masked[:, allowed] = scores[:, allowed]
        return masked
