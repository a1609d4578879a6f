"""A verdict on a block of code someone else wrote (a model, an agent): checked, repaired
or not checked, with the names it uses that do not exist.

- *checked*: admitted by the allowlist, built from unbound tables with the schemas and
  compiled for the dialect in the check process;
- *repaired*: it failed, the rules edited it, or a mechanical candidate
  (:mod:`ibis_copilot.repair.candidates`) replaced it (the change is kept), and the edit
  checked;
- *not checked*: refused by the allowlist, or it failed and no rule fixed it; ``reason``
  says which, in one line. A block that is not checked never carries SQL.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ibis_copilot.expressions.namespace import TableSpecs
from ibis_copilot.repair.allowlist import admit
from ibis_copilot.repair.candidates import candidates_of, findings, search
from ibis_copilot.repair.check import CheckResult, check_code, first_that_checks
from ibis_copilot.repair.diagnose import rule_fix
from ibis_copilot.repair.engine import (
    MAX_RULE_ROUNDS,
    as_error,
    candidate_reason,
    rebuild_error,
    rule_rounds,
)
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.imports import bound_names, with_imports
from ibis_copilot.repair.names import UnknownName, from_error, unbound_tables, unknown_names

Verdict = Literal["checked", "repaired", "not_checked"]


@dataclass
class BlockVerdict:
    """What is known about one block; ``code`` is what to show (the repair, if any)."""

    code: str
    verdict: Verdict
    reason: str = ""
    unknown_names: list[UnknownName] = field(default_factory=list)
    sql: str | None = None
    original: str | None = None  # the block as written, when the rules changed it

    @property
    def change(self) -> str:
        """The rules' edit as a unified diff (empty when nothing changed)."""
        if self.original is None:
            return ""
        lines = difflib.unified_diff(
            self.original.splitlines(), self.code.splitlines(), "written", "repaired", lineterm=""
        )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The ``blocks`` entry of a closing event (ARCHITECTURE.md)."""
        return {
            "code": self.code,
            "verdict": self.verdict,
            "reason": self.reason,
            "unknown_names": [name.to_dict() for name in self.unknown_names],
            "sql": self.sql,
            "original": self.original,
            "change": self.change,
        }


def check_block(
    code: str, tables: TableSpecs, dialect: str = "duckdb", timeout: float = 10.0
) -> BlockVerdict:
    """Judge ``code`` against ``tables`` for ``dialect``; nothing of it runs in this process."""
    refused = admit(code)
    if refused is not None:
        return BlockVerdict(code, "not_checked", refused, unknown_names(code, tables))

    def run(candidate: str) -> CheckResult | None:
        if admit(candidate) is not None:
            return None  # an edit is admitted like the block itself
        return check_code(candidate, tables, dialect=dialect, timeout=timeout)

    first = check_code(code, tables, dialect=dialect, timeout=timeout)
    if first.checked:
        return BlockVerdict(code, "checked", sql=first.sql)
    namespace = unbound_tables(tables)
    fixed, result, findings = rule_rounds(code, first, namespace, run, MAX_RULE_ROUNDS)
    if result.checked:
        reason = "; ".join(finding.message for finding in findings)
        return BlockVerdict(fixed, "repaired", reason, sql=result.sql, original=code)
    if result.reason.startswith("run: "):
        failure = Failure(as_error(result.reason), fixed, namespace)
        found = first_candidate_that_checks(failure, tables, dialect, timeout)
        if found is not None:
            found.original = code
            return found
    names = unknown_names(code, tables) or from_error(first.reason, tables)
    return BlockVerdict(code, "not_checked", first.reason, names)


def diagnose_report(
    code: str,
    error_type: str,
    message: str,
    tables: TableSpecs,
    *,
    dialect: str = "duckdb",
    imports: Sequence[str] = (),
    timeout: float = 10.0,
) -> tuple[list[Diagnosis], BlockVerdict | None]:
    """The rules' findings for a failure known only as text (code, error type, message,
    schemas and the kernel's Ibis ``imports``, e.g. ``import ibis.selectors as s``), and
    their fix with its verdict (None when the rules have no edit)."""
    namespace = {**unbound_tables(tables), **bound_names(imports)}
    # The fix is judged with the imports before it (the check process knows only the
    # tables), then shown without them: the user's cell had them from an earlier cell.
    prefixed, _ = with_imports(code, 1, list(imports))
    failure = Failure(rebuild_error(error_type, message), prefixed, namespace)
    said = findings(failure)
    fixed = rule_fix(prefixed, said)
    if fixed is None:
        found = first_candidate_that_checks(failure, tables, dialect, timeout)
        return said, _without_prefix(found, imports, code)
    verdict = check_block(fixed, tables, dialect, timeout)
    verdict.original = prefixed  # the fix is an edit of the user's code, whatever checked it
    if verdict.verdict != "not_checked":
        verdict.verdict = "repaired"
        verdict.reason = "; ".join(f.message for f in said if f.fix is not None)
    return said, _without_prefix(verdict, imports, code)


def _without_prefix(
    verdict: BlockVerdict | None, imports: Sequence[str], code: str
) -> BlockVerdict | None:
    """``verdict`` with the import lines :func:`diagnose_report` put before ``code`` (and
    the final newline it added) taken out of its code again."""
    if verdict is None or not imports:
        return verdict
    prefix = "".join(f"{line}\n" for line in imports)

    def restore(text: str) -> str:
        text = text.removeprefix(prefix)
        return text if code.endswith("\n") else text.removesuffix("\n")

    verdict.code = restore(verdict.code)
    if verdict.original is not None:
        verdict.original = restore(verdict.original)
    return verdict


def first_candidate_that_checks(
    failure: Failure, tables: TableSpecs, dialect: str, timeout: float
) -> BlockVerdict | None:
    """Generate and validate: the first admitted mechanical candidate that checks, as a
    *repaired* verdict of ``failure.code`` (None when none does)."""
    options = [
        candidate
        for candidate in candidates_of(search(failure), failure.code)
        if admit(candidate.code) is None
    ]
    if not options:
        return None
    codes = [candidate.code for candidate in options]
    index, result = first_that_checks(codes, tables, dialect=dialect, timeout=timeout)
    if index < 0:
        return None
    reason = candidate_reason(options, index)
    return BlockVerdict(codes[index], "repaired", reason, sql=result.sql, original=failure.code)
