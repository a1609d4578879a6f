"""The exception hook ``%load_ext ibis_copilot`` registers: the normal traceback first,
unchanged, then the deterministic diagnosis when a rule applies."""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any

from ibis_copilot.kernel.diagnose import diagnose

DISABLE_ENV = "IBIS_COPILOT_ERROR_HELP"


def show_with_diagnosis(
    shell: Any,
    etype: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
    tb_offset: int | None = None,
) -> None:
    """IPython custom exception handler."""
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    try:
        findings = diagnose(value, shell.user_ns)
    except Exception:  # noqa: BLE001 - the helper must never make a failing cell worse
        return
    for finding in findings:
        print(f"ibis-copilot ({finding.rule}): {finding.message}")  # noqa: T201


def register(shell: Any) -> bool:
    """Install the hook unless ``IBIS_COPILOT_ERROR_HELP=0``; True when installed."""
    if os.environ.get(DISABLE_ENV, "1") == "0":
        return False
    shell.set_custom_exc((Exception,), show_with_diagnosis)
    return True
