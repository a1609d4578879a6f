"""From a failing cell to a diagnosis, an explanation and a checked fix.

Shared by the kernel's exception hook, ``%ibis_fix``, ``ibis-copilot fix`` and the repair
benchmark. The rules' fix is checked first; when it does not check, or no rule has one,
the mechanical candidates (:mod:`ibis_copilot.repair.candidates`) are checked in one
process and the first that checks becomes the rules' fix, its reason said (generate and
validate). The model's fix (added by the caller, see
:mod:`ibis_copilot.kernel.explain_stream`) is only checked, and only offered, when the
rules have no checked fix, so a model never replaces a checked fix with an unchecked one.
"""

from __future__ import annotations

import ast
import builtins
import linecache
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from ibis_copilot.expressions.namespace import dialect_of, table_specs
from ibis_copilot.repair.candidates import candidates_of, findings, search
from ibis_copilot.repair.check import CheckResult, check_code, first_that_checks
from ibis_copilot.repair.diagnose import diagnose, rule_fix
from ibis_copilot.repair.edits import Candidate
from ibis_copilot.repair.failure import Diagnosis, Failure
from ibis_copilot.repair.imports import ibis_imports, with_imports


@dataclass
class ProposedFix:
    """Code proposed by the rules or the model, and what the check process said."""

    code: str
    source: str  # "rules" or "model"
    check: CheckResult | None = None
    #: Why this code, when it was chosen among mechanical candidates.
    reason: str = ""
    #: Mechanical candidates to check when ``code`` does not check (rules only).
    alternatives: list[Candidate] = field(default_factory=list, repr=False)

    @property
    def checked(self) -> bool:
        return self.check is not None and self.check.checked


@dataclass
class Repair:
    """Everything known about one failure; ``to_json`` is ``fix --json`` (ARCHITECTURE.md)."""

    failure: Failure
    start_line: int = 1
    traceback: str = ""
    diagnosis: list[Diagnosis] = field(default_factory=list)
    explanation: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)
    fixes: list[ProposedFix] = field(default_factory=list)

    @property
    def best_fix(self) -> ProposedFix | None:
        """The first checked fix, else the first fix (rules before model)."""
        checked = [fix for fix in self.fixes if fix.checked]
        candidates = checked or self.fixes
        return candidates[0] if candidates else None

    def to_json(self) -> dict[str, Any]:
        fix = self.best_fix
        return {
            "error_type": type(self.failure.error).__name__,
            "message": first_line(self.failure.error),
            "diagnosis": [{"rule": d.rule, "message": d.message} for d in self.diagnosis],
            "explanation": self.explanation,
            "fixed_code": fix.code if fix else None,
            "fix_source": fix.source if fix else None,
            "checked": bool(fix and fix.checked),
            "check_reason": fix.check.reason if fix and fix.check else "",
            "fix_reason": fix.reason if fix else "",
        }


#: `` at 0x7f...`` in a repr: differs between runs and means nothing to the user.
OBJECT_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def first_line(error: BaseException) -> str:
    """The error's message: its first line, without object addresses."""
    lines = str(error).strip().splitlines()
    return OBJECT_ADDRESS.sub("", lines[0]) if lines else ""


def failing_cell(tb: TracebackType | None, namespace: Mapping[str, object]) -> tuple[str, int]:
    """The source of the outermost frame that ran in ``namespace`` (the user's cell or
    script) and the line that failed in it; ``("", 1)`` when there is none."""
    for frame, line in traceback.walk_tb(tb):
        if frame.f_globals is namespace:
            source = "".join(linecache.getlines(frame.f_code.co_filename))
            return source, line
    return "", 1


def start_repair(
    error: BaseException, tb: TracebackType | None, namespace: Mapping[str, object]
) -> Repair:
    """Diagnose instantly (no process, no model) and propose the rules' fix, unchecked."""
    code, line = failing_cell(tb, namespace)
    failure = Failure(error, code, namespace)
    searches = search(failure) if code else []
    repair = Repair(
        failure,
        start_line=line,
        traceback="".join(traceback.format_exception(type(error), error, tb)),
        diagnosis=findings(failure, searches),
    )
    alternatives = candidates_of(searches, code)
    fixed = rule_fix(code, repair.diagnosis) if code else None
    if fixed is not None:
        repair.fixes.append(ProposedFix(fixed, "rules", alternatives=alternatives))
    elif alternatives:
        reason = candidate_reason(alternatives, 0)
        repair.fixes.append(
            ProposedFix(alternatives[0].code, "rules", reason=reason, alternatives=alternatives)
        )
    return repair


MAX_RULE_ROUNDS = 3


def check_fix(repair: Repair, fix: ProposedFix, timeout: float = 10.0) -> CheckResult:
    """Run ``fix`` in the check process against the namespace's schemas; remember the result.

    The check starts at the failing statement (earlier ones already ran in the kernel),
    or, for the rules' edits, at an earlier statement the edit changed; when that misses a
    name the cell defined earlier, it runs the whole cell instead. (A model's fix is the
    cell rewritten, whose lines need not match the cell's.) Rules fixes get up to three
    rounds: a new error the check reports is diagnosed again.
    """
    edited = fix.source == "rules"

    def run(code: str) -> CheckResult:
        return check_in_context(repair, code, timeout=timeout, from_changed=edited)

    fix.check = run(fix.code)
    if fix.source == "rules":
        fix.code, fix.check, _ = rule_rounds(
            fix.code, fix.check, repair.failure.namespace, run, MAX_RULE_ROUNDS - 1
        )
        if not fix.checked:
            _search_after_the_edit(repair, fix, timeout)
    if not fix.checked and fix.alternatives:
        _first_candidate_that_checks(repair, fix, timeout)
    return fix.check


def _search_after_the_edit(repair: Repair, fix: ProposedFix, timeout: float) -> None:
    """The rules' edit ran into a new error no rule edits (``s.str.replace_all(...)`` →
    ``s.replace_all(...)``, which Ibis lacks): the mechanical candidates for that error,
    from the edited code; the first that checks is adopted."""
    assert fix.check is not None  # noqa: S101 - checked just before
    if fix.code == repair.failure.code or not fix.check.reason.startswith("run: "):
        return
    failure = Failure(as_error(fix.check.reason), fix.code, repair.failure.namespace)
    alternatives = candidates_of(search(failure), fix.code)
    codes = [candidate.code for candidate in alternatives]
    if not codes:
        return
    index, result = _first_in_context(repair, codes, timeout)
    if index >= 0:
        edit = alternatives[index].reason
        fix.code, fix.check = codes[index], result
        fix.reason = f"then {edit} (the first mechanical candidate to check after the edit)"


def _first_candidate_that_checks(repair: Repair, fix: ProposedFix, timeout: float) -> None:
    """Generate and validate: adopt the first alternative that checks, and say why."""
    codes = [candidate.code for candidate in fix.alternatives]
    index, result = _first_in_context(repair, codes, timeout)
    if index >= 0:
        fix.code, fix.check = codes[index], result
        fix.reason = candidate_reason(fix.alternatives, index)


def candidate_reason(alternatives: list[Candidate], index: int) -> str:
    """Why the fix is this candidate, for the user."""
    reason = alternatives[index].reason
    return f"{reason} (mechanical candidate {index + 1} of {len(alternatives)}, the first to check)"


def _first_in_context(repair: Repair, codes: list[str], timeout: float) -> tuple[int, CheckResult]:
    """:func:`first_that_checks` from the failing line, or the whole cell when that misses a
    name the cell defined earlier."""
    namespace = repair.failure.namespace
    specs, dialect = table_specs(namespace), dialect_of(namespace)
    imports = ibis_imports(namespace)
    first = min((_start_for(repair, code) for code in codes), default=repair.start_line)
    prepared = [with_imports(code, first, imports) for code in codes]
    start = prepared[0][1] if prepared else first
    found = first_that_checks(
        [code for code, _ in prepared], specs, start_line=start, dialect=dialect, timeout=timeout
    )
    if found[0] < 0 and _needs_the_whole_cell(repair, found[1]):
        whole = [with_imports(code, 1, imports)[0] for code in codes]
        again = first_that_checks(whole, specs, dialect=dialect, timeout=timeout)
        found = again if _whole_cell_wins(repair, found[1], again[0] >= 0) else found
    return found


def rule_rounds(
    code: str,
    result: CheckResult,
    namespace: Mapping[str, object],
    run: Callable[[str], CheckResult | None],
    rounds: int = MAX_RULE_ROUNDS,
) -> tuple[str, CheckResult, list[Diagnosis]]:
    """While the check reports an error the rules can edit, edit and check again (at most
    ``rounds`` times). ``run`` may refuse an edit (None). Returns the last code that was
    checked, its result, and every finding that led to an edit."""
    used: list[Diagnosis] = []
    for _ in range(rounds):
        if result.checked or not result.reason.startswith("run: "):
            break
        findings = diagnose(Failure(as_error(result.reason), code, namespace))
        edited = rule_fix(code, findings)
        again = run(edited) if edited is not None else None
        if edited is None or again is None:
            break
        code, result = edited, again
        used += [finding for finding in findings if finding.fix is not None]
    return code, result, used


def check_in_context(
    repair: Repair,
    code: str,
    assertion: str | None = None,
    timeout: float = 10.0,
    *,
    whole_cell: bool = False,
    from_changed: bool = False,
) -> CheckResult:
    """Check ``code`` from the failing line (``from_changed``: or an earlier line the edit
    changed), or the whole cell when that misses a name (or when asked: an assertion about
    the result needs the tables the cell derived, which from the failing line are only
    schemas)."""
    namespace = repair.failure.namespace
    specs, dialect = table_specs(namespace), dialect_of(namespace)
    imports = ibis_imports(namespace)
    first = _start_for(repair, code) if from_changed else repair.start_line
    from_line, start = with_imports(code, 1 if whole_cell else first, imports)
    result = check_code(
        from_line, specs, start_line=start, dialect=dialect, assertion=assertion, timeout=timeout
    )
    if _needs_the_whole_cell(repair, result):
        whole = with_imports(code, 1, imports)[0]
        again = check_code(whole, specs, dialect=dialect, assertion=assertion, timeout=timeout)
        result = again if _whole_cell_wins(repair, result, again.checked) else result
    return result


def _start_for(repair: Repair, code: str) -> int:
    """Where a check of ``code`` starts: the failing statement, or an earlier one the fix
    changed (the kernel ran the cell's earlier statements as they were written)."""
    pairs = zip(repair.failure.code.splitlines(), code.splitlines(), strict=False)
    changed = next((n for n, (old, new) in enumerate(pairs, 1) if old != new), None)
    if changed is None or changed >= repair.start_line:
        return repair.start_line
    try:
        statements = ast.parse(code).body
    except SyntaxError:
        return repair.start_line
    starts = [s.lineno for s in statements if s.lineno <= changed <= (s.end_lineno or s.lineno)]
    return starts[0] if starts else changed


def _missed_an_earlier_name(repair: Repair, result: CheckResult) -> bool:
    """Checked from the failing line, the code lacked a name the cell defined earlier."""
    return not result.checked and "NameError" in result.reason and repair.start_line > 1


def _needs_the_whole_cell(repair: Repair, result: CheckResult) -> bool:
    """Checked from the failing line, the code lacked a name the cell defined earlier, or
    did not compile: a table the cell derived reaches the check process as a bare table of
    its schema, and some expressions of it (``avg.as_scalar()``) compile only from the
    statements that derived it."""
    compiled_badly = not result.checked and result.reason.startswith("compile: ")
    return _missed_an_earlier_name(repair, result) or (compiled_badly and repair.start_line > 1)


def _whole_cell_wins(repair: Repair, first: CheckResult, whole_checked: bool) -> bool:
    """The whole cell's check replaces the first when it passes, or when the first missed
    a name (its reason says nothing of the code then); a compile failure is kept else."""
    return whole_checked or _missed_an_earlier_name(repair, first)


def as_error(reason: str) -> BaseException:
    """The check process's ``run: Type: message`` as an exception the rules can read."""
    kind, _, message = reason.removeprefix("run: ").partition(": ")
    return rebuild_error(kind, message)


def rebuild_error(kind: str, message: str) -> BaseException:
    """An exception of the named type (a builtin's, or a stand-in class of that name)
    carrying ``message``: what the rules read when only the text of an error is known."""
    builtin = getattr(builtins, kind, None)
    if isinstance(builtin, type) and issubclass(builtin, Exception):
        return builtin(message)
    named: type[Exception] = type(kind or "Error", (Exception,), {})
    return named(message)


def settle(repair: Repair, timeout: float = 10.0) -> ProposedFix | None:
    """Check the fixes in order until one passes; the model's is tried only if needed."""
    for fix in repair.fixes:
        if fix.check is None:
            check_fix(repair, fix, timeout)
        if fix.checked:
            return fix
    return repair.best_fix
