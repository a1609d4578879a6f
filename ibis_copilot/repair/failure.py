"""What failed and what a rule says about it: the types every rule and family shares."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ibis.expr.types as ir

from ibis_copilot.expressions.namespace import ibis_tables


@dataclass(frozen=True)
class Failure:
    """What failed: the error, the code that raised it and the user's namespace."""

    error: BaseException
    code: str = ""
    namespace: Mapping[str, object] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, ir.Table]:
        return ibis_tables(self.namespace)

    @property
    def table_names(self) -> set[str]:
        return {*self.tables, "_"}

    @property
    def expression_names(self) -> set[str]:
        """The names bound to any Ibis expression (``hav = ...`` too), and ``_``."""
        bound = {name for name, value in self.namespace.items() if isinstance(value, ir.Expr)}
        return bound | {"_"}


Rewrite = Callable[[str], str | None]


@dataclass(frozen=True)
class Diagnosis:
    """One finding: which rule, the advice in a sentence, and the edit that fixes the code
    where the fix is mechanical (it returns None when the code has nothing to edit)."""

    rule: str
    message: str
    fix: Rewrite | None = field(default=None, compare=False, repr=False)
