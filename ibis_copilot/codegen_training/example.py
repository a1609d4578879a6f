"""One training example for the code model, whatever its origin."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeExample:
    """Ibis code, and (for instructions) the request it answers.

    ``group`` is the unit of the held-out split: ``seed:<n>`` for a synthetic schema,
    ``page:<docs path>`` for a docs page, ``api:<name>`` for a docstring.
    """

    kind: str  # nl, sql, to_sql, pandas, docs, docstring, repo
    group: str
    code: str
    request: str = ""  # the user's message; empty: the example is code only (FIM)
    answer: str = ""  # the assistant's reply to ``request``
    context: str = ""  # what a notebook would show before the code (schemas, prose)
    comment: str = ""  # what a user might write in a comment above the code (FIM only)

    @property
    def is_chat(self) -> bool:
        return bool(self.request)
