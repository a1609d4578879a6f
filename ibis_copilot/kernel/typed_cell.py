"""A cell as the user typed it, beside the Python IPython ran for it.

IPython rewrites a cell before it runs: ``%load_ext x`` becomes
``get_ipython().run_line_magic('load_ext', 'x')``, ``!ls`` a ``getoutput`` call, and
leading blank lines are dropped. Fixes are made, and checked, on the code that ran (it is
Python); the user reads and inserts them as typed: :meth:`TypedCell.as_typed` carries the
fix's edits over to the typed lines, which IPython left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property


def _lines(text: str) -> list[str]:
    return text.splitlines()


@dataclass(frozen=True)
class TypedCell:
    """``typed``: the cell as typed; ``ran``: what IPython made of it."""

    typed: str
    ran: str

    @cached_property
    def _maps(self) -> tuple[list[int | None], list[int | None]]:
        """For each line that ran (0-based): the typed line it came from when IPython left
        it unchanged (else None), and the typed line it stands for when IPython rewrote it
        in place, one line for one (else None)."""
        typed, ran = _lines(self.typed), _lines(self.ran)
        unchanged: list[int | None] = [None] * len(ran)
        placed: list[int | None] = [None] * len(ran)
        matcher = SequenceMatcher(None, typed, ran, autojunk=False)
        for tag, typed_start, typed_end, ran_start, ran_end in matcher.get_opcodes():
            sources = list(range(typed_start, typed_end))
            if len(sources) != ran_end - ran_start:  # IPython drops blank lines
                sources = [line for line in sources if typed[line].strip()]
            if tag == "insert" or len(sources) != ran_end - ran_start:
                continue  # several typed lines made one (a cell magic): no line for line
            for ran_line, typed_line in zip(range(ran_start, ran_end), sources, strict=True):
                placed[ran_line] = typed_line
                if typed[typed_line] == ran[ran_line]:
                    unchanged[ran_line] = typed_line
        return unchanged, placed

    def typed_line(self, ran_line: int) -> int | None:
        """The typed line number (1-based) of line ``ran_line`` of the code that ran (None
        when IPython folded several typed lines into it, as a cell magic is)."""
        placed = self._maps[1]
        if not 1 <= ran_line <= len(placed):
            return None
        typed = placed[ran_line - 1]
        return None if typed is None else typed + 1

    def as_typed(self, code: str) -> str | None:
        """``code``, an edit of the code that ran, as the same edit of the typed cell; None
        when an edit touches a line IPython rewrote (then only the code that ran has it)."""
        ran, edited, typed = _lines(self.ran), _lines(code), _lines(self.typed)
        result = list(typed)
        matcher = SequenceMatcher(None, ran, edited, autojunk=False)
        edits = [opcode for opcode in matcher.get_opcodes() if opcode[0] != "equal"]
        for _, ran_start, ran_end, edit_start, edit_end in reversed(edits):
            span = self._typed_span(len(typed), ran_start, ran_end)
            if span is None:
                return None
            result[span[0] : span[1]] = edited[edit_start:edit_end]
        text = "\n".join(result)
        return text + "\n" if code.endswith("\n") and text else text

    def _typed_span(self, typed_count: int, ran_start: int, ran_end: int) -> tuple[int, int] | None:
        """The typed lines that ran lines ``[ran_start, ran_end)`` came from, when IPython
        left them unchanged and they are consecutive; for an insertion (an empty range),
        where it goes."""
        unchanged, placed = self._maps
        if ran_start == ran_end:
            if ran_start < len(placed):
                before = placed[ran_start]
                return None if before is None else (before, before)
            if not placed:
                return typed_count, typed_count
            last = placed[-1]
            return None if last is None else (last + 1, last + 1)
        span = [line for line in unchanged[ran_start:ran_end] if line is not None]
        if len(span) != ran_end - ran_start or span != list(range(span[0], span[0] + len(span))):
            return None
        return span[0], span[0] + len(span)
