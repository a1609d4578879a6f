"""The exception hook ``%load_ext ibis_copilot`` registers.

Below the normal, unchanged traceback: the rules' diagnosis at once; the rules' fix,
checked in a separate process on a background thread; and, when a server is reachable,
the model's explanation, streamed on another background thread within a time budget. The
cell ends at once, so the kernel is free for the next one while the help arrives: the
threads only update displays made in the failing cell (by display id, and in the failing
cell's context, so ipykernel sends their output as that cell's). The model's fix is
checked only when the rules have no checked fix.

Fixes are made and checked on the Python IPython ran; they are shown, and ``%ibis_fix``
inserts them, as the user typed the cell (magics and blank lines kept).

A newer failure stops the explanation of the previous one, and so does an interrupt while
``%ibis_fix`` (or :meth:`ErrorHelper.wait`) waits for it: the connection is closed, so the
server stops generating.
"""

from __future__ import annotations

import contextvars
import functools
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from IPython.display import display

from ibis_copilot.kernel.client import (
    AssistantClient,
    AssistantError,
    ServerUnavailableError,
    StreamCancel,
)
from ibis_copilot.kernel.display import ExplanationDisplay, FixDisplay
from ibis_copilot.kernel.explain_stream import stream_explanation
from ibis_copilot.kernel.kernel_settings import KernelSettings
from ibis_copilot.kernel.typed_cell import TypedCell
from ibis_copilot.repair.engine import ProposedFix, Repair, check_fix, start_repair

UPDATE_EVERY_S = 0.15
#: How often a wait wakes up, so that an interrupt stops it promptly.
JOIN_POLL_S = 0.1
THINKING = "*thinking…*"
NEWER_FAILURE = "stopped: another cell failed"


def _status(fix: ProposedFix) -> str:
    if fix.check is None:
        return "checking…"
    if fix.checked:
        why = f"; chosen as {fix.reason}" if fix.reason else ""
        return f"checked: it builds and compiles against your tables' schemas{why}"
    return f"not checked: {fix.check.reason}"


class Task:
    """A daemon thread run in a copy of the caller's context (ipykernel keeps the running
    cell's message header in a context variable, so what the thread displays belongs to
    that cell, not to whichever cell runs later), with an interruptible wait.

    Waits use an event, not ``Thread.join``: on Python 3.11 an interrupt inside ``join``
    can mark a running thread as stopped.
    """

    def __init__(self, name: str, target: Callable[[], None]) -> None:
        self.done = threading.Event()
        context = contextvars.copy_context()

        def run() -> None:
            try:
                context.run(target)
            finally:
                self.done.set()

        self.thread = threading.Thread(target=run, name=name, daemon=True)
        self.thread.start()

    def is_alive(self) -> bool:
        return not self.done.is_set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait (in short steps, so that an interrupt is raised between them); True when
        the task has finished."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.done.wait(JOIN_POLL_S):
            if deadline is not None and time.monotonic() > deadline:
                return False
        return True


def _join(task: Task | None) -> None:
    if task is not None:
        task.join()


class FailureHelp:
    """The help for one failure: its repair, the cell as typed, the background checks and
    the explanation stream (with its cancel)."""

    def __init__(self, repair: Repair, cell: TypedCell | None) -> None:
        self.repair, self.cell = repair, cell
        self.rules_fix = repair.fixes[0] if repair.fixes else None
        self.cancel = StreamCancel()
        self.stopped = threading.Event()
        self.checking: Task | None = None
        self.explaining: Task | None = None
        #: Fixes from the server (the model's, the server's rules'): the text as written
        #: and as IPython runs it.
        self.written: dict[int, TypedCell] = {}
        #: The server's rules' findings, shown only when the kernel's rules found nothing.
        self.server_findings: list[str] = []

    def shown(self, fix: ProposedFix) -> str:
        """``fix`` as the user reads and inserts it: their lines as typed, corrected."""
        cell = self.written.get(id(fix), self.cell)
        typed = cell.as_typed(fix.code) if cell is not None else None
        return fix.code if typed is None else typed

    def stop(self, reason: str) -> None:
        """Stop the explanation (and the checks of the server's fixes that would follow)."""
        self.stopped.set()
        self.cancel.cancel(reason)

    # -- the rules' fix ------------------------------------------------------------------

    def check_in_background(self, fix: ProposedFix, handle: Any) -> None:
        def run() -> None:
            check_fix(self.repair, fix)
            handle.update(FixDisplay(self.shown(fix), fix.source, _status(fix)))

        self.checking = Task("ibis-copilot-check", run)

    # -- the explanation (on its own thread) ---------------------------------------------

    def explain_in_background(self, client: AssistantClient, handle: Any, budget: float) -> None:
        def run() -> None:
            try:
                self._explain(client, handle, budget)
            except Exception as error:  # noqa: BLE001 - a thread has no one to raise to
                self.repair.explanation += f"\n\n(the explanation failed: {error})"
                handle.update(self._display())

        self.explaining = Task("ibis-copilot-explain", run)

    def _display(self, fix: ProposedFix | None = None) -> ExplanationDisplay:
        text = self.repair.explanation.strip("\n") or THINKING
        fix_display = FixDisplay(self.shown(fix), fix.source, _status(fix)) if fix else None
        return ExplanationDisplay(text, findings=self.server_findings, fix=fix_display)

    def _explain(self, client: AssistantClient, handle: Any, budget: float) -> None:
        last = [0.0]

        def on_text(_text: str) -> None:
            if time.monotonic() - last[0] > UPDATE_EVERY_S:
                handle.update(self._display())
                last[0] = time.monotonic()

        try:
            stream_explanation(
                self.repair,
                client,
                on_text,
                budget,
                code=self.cell.typed if self.cell is not None else None,
                cancel=self.cancel,
                on_diagnosis=lambda event: self._server_diagnosis(event, handle),
            )
        except (ServerUnavailableError, AssistantError) as error:
            self.repair.explanation += f"\n\n(no explanation: {error})"
        for fix in self.repair.fixes:
            if fix.source == "model" and id(fix) not in self.written:
                self._as_written(fix)
        handle.update(self._display())
        self._check_server_fixes(handle)

    def _server_diagnosis(self, event: dict[str, Any], handle: Any) -> None:
        """The server's rules ran on the same failure; the kernel's own findings come
        first, so the server's are used only when the kernel's rules found nothing."""
        if self.repair.diagnosis or self.repair.fixes:
            return
        findings = event.get("findings") or []
        self.server_findings = [f"ibis-copilot ({f['rule']}): {f['message']}" for f in findings]
        fix = event.get("fix")
        if isinstance(fix, dict) and fix.get("code"):
            proposed = ProposedFix(str(fix["code"]), "rules")
            self._as_written(proposed)
            self.repair.fixes.append(proposed)
        if self.server_findings:
            handle.update(self._display())

    def _as_written(self, fix: ProposedFix) -> None:
        """Keep the server's text for the user; check what IPython would run of it."""
        written = fix.code
        try:
            ran = _static_transformer().transform_cell(written)
        except Exception:  # noqa: BLE001 - not IPython input: check it as it is
            ran = written
        self.written[id(fix)] = TypedCell(written, ran)
        fix.code = ran

    def _check_server_fixes(self, handle: Any) -> None:
        """Check the server's fixes in order until one passes, unless the rules' own fix
        checked (a checked fix is never replaced by a model's)."""
        candidates = [fix for fix in self.repair.fixes if fix is not self.rules_fix]
        if not candidates or self.stopped.is_set():
            return
        _join(self.checking)
        if self.rules_fix is not None and self.rules_fix.checked:
            return
        for fix in candidates:
            if self.stopped.is_set():
                return
            handle.update(self._display(fix))
            check_fix(self.repair, fix)
            if fix.checked:
                break
        checked = [fix for fix in candidates if fix.checked]
        handle.update(self._display((checked or candidates)[0]))


@functools.cache
def _static_transformer() -> Any:
    """IPython's static input transformations (magics, ``!``), safe on any thread."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


class ErrorHelper:
    """Holds the last failure's help for ``%ibis_fix``; one per shell."""

    def __init__(self, shell: Any, previous: Any = None) -> None:
        self.shell, self.previous = shell, previous
        self.last: Repair | None = None
        self.current: FailureHelp | None = None
        self.checking: Task | None = None
        self.explaining: Task | None = None
        self.told_no_server = False
        self.cell_info: Any = None

    def remember_cell(self, info: Any) -> None:
        """IPython's ``pre_run_cell`` event: the cell as typed (``info.raw_cell``)."""
        self.cell_info = info

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
        self.stop(NEWER_FAILURE)
        current = FailureHelp(repair, self._typed_cell(repair.failure.code))
        self.last, self.current = repair, current
        self.checking = self.explaining = None
        for finding in repair.diagnosis:
            print(f"ibis-copilot ({finding.rule}): {finding.message}")
        if current.rules_fix is not None:
            fix = current.rules_fix
            handle = display(FixDisplay(current.shown(fix), "rules", "checking…"), display_id=True)
            current.check_in_background(fix, handle)
            self.checking = current.checking
        self._explain(current)

    def _typed_cell(self, ran: str) -> TypedCell | None:
        """The failing cell as typed, when the code that failed is what IPython made of
        the cell that is running (not, say, a function from an earlier cell)."""
        typed = getattr(self.cell_info, "raw_cell", None)
        if not ran or not isinstance(typed, str):
            return None
        transformed = getattr(self.cell_info, "transformed_cell", None)
        if not isinstance(transformed, str):
            try:
                transformed = self.shell.transform_cell(typed)
            except Exception:  # noqa: BLE001 - no typed form then
                return None
        return TypedCell(typed, ran) if transformed == ran else None

    def _explain(self, current: FailureHelp) -> None:
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
        handle = display(ExplanationDisplay(THINKING), display_id=True)
        current.explain_in_background(client, handle, budget)
        self.explaining = current.explaining

    def stop(self, reason: str = "stopped") -> None:
        """Stop the last failure's explanation, if it is still streaming."""
        if self.current is not None:
            self.current.stop(reason)

    def wait(self) -> None:
        """Wait until the last failure's help is complete: the rules' check, the
        explanation and the check of the model's fix. An interrupt stops the explanation
        and is raised."""
        try:
            _join(self.checking)
            _join(self.explaining)
        except KeyboardInterrupt:
            self.stop()
            raise

    def fix_to_insert(
        self, on_wait: Callable[[], None] = lambda: None
    ) -> tuple[ProposedFix, str] | None:
        """The last failure's best fix, and its code as the user typed the cell (what
        ``%ibis_fix`` inserts). Waits
        for the rules' check, and, when the rules have no checked fix, for the model's
        explanation too (``on_wait`` is called first). An interrupt stops the explanation
        and is raised."""
        current = self.current
        if current is None:
            return None
        try:
            _join(self.checking)
            rules = current.rules_fix
            if not (rules is not None and rules.checked) and self.explaining is not None:
                if self.explaining.is_alive():
                    on_wait()
                _join(self.explaining)
        except KeyboardInterrupt:
            self.stop()
            raise
        fix = current.repair.best_fix
        return None if fix is None else (fix, current.shown(fix))


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
    shell.events.register("pre_run_cell", helper.remember_cell)
    shell.ibis_copilot_errors = helper
    return helper
