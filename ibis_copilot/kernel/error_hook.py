"""The exception hook ``%load_ext ibis_copilot`` registers.

Below the normal, unchanged traceback: the rules' diagnosis at once; the rules' fix,
checked in a separate process in the background; and, when a server is reachable, the
model's explanation streamed within a time budget (an interrupt stops it), whose fix is
checked only when the rules have no checked fix.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Any

from IPython.display import display

from ibis_copilot.kernel.client import AssistantClient, AssistantError, ServerUnavailableError
from ibis_copilot.kernel.display import ExplanationDisplay, FixDisplay
from ibis_copilot.kernel.explain_stream import stream_explanation
from ibis_copilot.kernel.kernel_settings import KernelSettings
from ibis_copilot.repair.engine import ProposedFix, Repair, check_fix, start_repair

UPDATE_EVERY_S = 0.15


def _status(fix: ProposedFix) -> str:
    if fix.check is None:
        return "checking…"
    if fix.checked:
        return "checked: it builds and compiles against your tables' schemas"
    return f"not checked: {fix.check.reason}"


class ErrorHelper:
    """Holds the last failure's repair for ``%ibis_fix``; one per shell."""

    def __init__(self, shell: Any, previous: Any = None) -> None:
        self.shell, self.previous = shell, previous
        self.last: Repair | None = None
        self.checking: threading.Thread | None = None
        self.told_no_server = False

    def __call__(
        self,
        shell: Any,
        etype: type[BaseException],
        value: BaseException,
        tb: TracebackType | None,
        tb_offset: int | None = None,
    ) -> None:
        """IPython custom exception handler: another extension's handler (or the normal
        traceback) first, then the help."""
        if self.previous is not None:
            self.previous(etype, value, tb, tb_offset)
            if not shell.custom_exceptions:  # IPython dropped every handler: theirs failed
                shell.set_custom_exc((Exception,), self)
        else:
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        try:
            self.help(value, tb)
        except KeyboardInterrupt:
            print("ibis-copilot: stopped")
        except Exception as error:  # noqa: BLE001 - the helper must never make a failing cell worse
            print(f"ibis-copilot: the error helper failed: {error}", file=sys.stderr)

    def help(self, value: BaseException, tb: TracebackType | None) -> None:
        repair = start_repair(value, tb, self.shell.user_ns)
        if not repair.diagnosis and not _involves_ibis(repair):
            return
        self.last = repair
        for finding in repair.diagnosis:
            print(f"ibis-copilot ({finding.rule}): {finding.message}")
        if repair.fixes:
            handle = display(
                FixDisplay(repair.fixes[0].code, "rules", "checking…"), display_id=True
            )
            self._check_in_background(repair, repair.fixes[0], handle)
        self._explain(repair)

    def _check_in_background(self, repair: Repair, fix: ProposedFix, handle: Any) -> None:
        def run() -> None:
            check_fix(repair, fix)
            if handle is not None:
                handle.update(FixDisplay(fix.code, fix.source, _status(fix)))

        self.checking = threading.Thread(target=run, name="ibis-copilot-check", daemon=True)
        self.checking.start()

    def wait(self) -> None:
        """Wait for the background check of the last fix."""
        if self.checking is not None:
            self.checking.join()

    def _explain(self, repair: Repair) -> None:
        budget = KernelSettings.from_env().explain_budget_s
        if budget <= 0:
            return
        try:
            client = AssistantClient.find()
        except ServerUnavailableError as error:
            if not self.told_no_server:
                print(f"ibis-copilot: {error}", file=sys.stderr)
                self.told_no_server = True
            return
        handle = display(ExplanationDisplay("*thinking…*"), display_id=True)
        last = [0.0]

        def show(text: str) -> None:
            if time.monotonic() - last[0] > UPDATE_EVERY_S:
                handle.update(ExplanationDisplay(text))
                last[0] = time.monotonic()

        try:
            stream_explanation(repair, client, show, budget)
        except (ServerUnavailableError, AssistantError) as error:
            repair.explanation += f"\n\n(no explanation: {error})"
        handle.update(ExplanationDisplay(repair.explanation))
        model_fixes = [fix for fix in repair.fixes if fix.source == "model"]
        if not model_fixes:
            return
        self.wait()
        if any(fix.checked for fix in repair.fixes if fix.source == "rules"):
            return  # a checked fix is never replaced by a model's
        fix = model_fixes[0]
        fix_handle = display(FixDisplay(fix.code, fix.source, _status(fix)), display_id=True)
        self._check_in_background(repair, fix, fix_handle)


def _involves_ibis(repair: Repair) -> bool:
    return "/ibis/" in repair.traceback or "ibis" in repair.failure.code


def register(shell: Any) -> ErrorHelper | None:
    """Install the hook unless ``IBIS_COPILOT_ERROR_HELP=0``; keeps another extension's
    handler (it runs first, in place of the plain traceback)."""
    if not KernelSettings.from_env().error_help:
        return None
    existing = getattr(shell, "ibis_copilot_errors", None)
    if isinstance(existing, ErrorHelper):
        return existing
    previous = shell.CustomTB if shell.custom_exceptions else None
    helper = ErrorHelper(shell, previous)
    shell.set_custom_exc((Exception,), helper)
    shell.ibis_copilot_errors = helper
    return helper
