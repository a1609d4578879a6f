"""The model's explanation of a failure, streamed from the server into a :class:`Repair`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ibis_copilot.kernel.client import AssistantClient, StreamCancel
from ibis_copilot.kernel.request_context import namespace_fields
from ibis_copilot.repair.engine import ProposedFix, Repair


def explain_body(repair: Repair, code: str | None = None) -> dict[str, Any]:
    """The ``/ibis-copilot/explain`` request for this failure; ``code`` is the cell as the
    user typed it when known (default: the code that ran)."""
    error = repair.failure.error
    return {
        "code": code or repair.failure.code or "(code not available)",
        "error_type": type(error).__name__,
        "message": str(error),
        "traceback": repair.traceback,
        **namespace_fields(repair.failure.namespace),
    }


def stream_explanation(
    repair: Repair,
    client: AssistantClient,
    on_text: Callable[[str], None],
    budget_s: float,
    *,
    code: str | None = None,
    cancel: StreamCancel | None = None,
    on_diagnosis: Callable[[dict[str, Any]], None] | None = None,
) -> bool:
    """Stream the model's explanation into ``repair`` (``on_text`` gets the text so far;
    ``on_diagnosis`` the server's ``diagnosis`` event, which comes before the model's).

    Stops at ``budget_s``, on ``cancel`` (from any thread) or on KeyboardInterrupt: the
    connection is closed, so the server cancels, and the reason ends the explanation.
    True when the model finished. The model's fix is appended unchecked.
    """
    cancel = cancel or StreamCancel()
    budget = f"stopped after the {budget_s:g} s budget"
    timer = threading.Timer(budget_s, cancel.cancel, (budget,))  # ends a stalled stream too
    timer.daemon = True
    deadline = time.monotonic() + budget_s
    events = client.stream("explain", explain_body(repair, code), cancel)
    finished = False
    timer.start()
    try:
        for event in events:
            if event["type"] == "diagnosis":
                if on_diagnosis is not None:
                    on_diagnosis(event)
            elif event["type"] == "token":
                repair.explanation += event["text"]
                on_text(repair.explanation)
            elif event["type"] == "done":
                finished = True
                repair.citations = event.get("citations", [])
                if event.get("fixed_code"):
                    repair.fixes.append(ProposedFix(event["fixed_code"], "model"))
            elif event["type"] == "error":
                repair.explanation += f"\n\n(the model failed: {event['error']['message']})"
            if time.monotonic() > deadline and not finished:
                cancel.cancel(budget)
                break
    except KeyboardInterrupt:
        cancel.cancel("stopped")
    finally:
        timer.cancel()
        events.close()
    if cancel.reason is not None and not finished:
        repair.explanation += f"\n\n({cancel.reason})"
    return finished
