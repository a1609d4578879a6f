"""The kernel side's settings: environment variables only, read when they are needed.

The kernel has no Jupyter config of its own (it often lives in another environment than
the server), so these few switches come from the kernel's environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

#: Every kernel-side environment variable, with its help (the README's table lists them).
KERNEL_ENVIRONMENT = {
    "IBIS_COPILOT_URL": "URL of the Jupyter server to ask (default: the newest running one)",
    "IBIS_COPILOT_TOKEN": "its token, with IBIS_COPILOT_URL",
    "IBIS_COPILOT_ERROR_HELP": "0 turns the exception hook's help off (default 1)",
    "IBIS_COPILOT_EXPLAIN_BUDGET": "seconds the model may explain one failure; 0 = never ask",
}
DEFAULT_EXPLAIN_BUDGET_S = 30.0


@dataclass(frozen=True)
class KernelSettings:
    """What the environment says, parsed once per use; bad values fall back to defaults."""

    server_url: str = ""
    server_token: str = ""
    error_help: bool = True
    explain_budget_s: float = DEFAULT_EXPLAIN_BUDGET_S

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KernelSettings:
        env = os.environ if environ is None else environ
        try:
            budget = max(0.0, float(env.get("IBIS_COPILOT_EXPLAIN_BUDGET", "")))
        except ValueError:
            budget = DEFAULT_EXPLAIN_BUDGET_S
        return cls(
            server_url=env.get("IBIS_COPILOT_URL", ""),
            server_token=env.get("IBIS_COPILOT_TOKEN", ""),
            error_help=env.get("IBIS_COPILOT_ERROR_HELP", "1") != "0",
            explain_budget_s=budget,
        )
