"""The model's explanation of a failure, streamed from the server into a :class:`Repair`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ibis_copilot.expressions.namespace import namespace_context
from ibis_copilot.kernel.client import AssistantClient
from ibis_copilot.repair.engine import ProposedFix, Repair


def explain_body(repair: Repair) -> dict[str, Any]:
    """The ``/ibis-copilot/explain`` request for this failure."""
    error = repair.failure.error
    return {
        "code": repair.failure.code or "(code not available)",
        "error_type": type(error).__name__,
        "message": str(error),
        "traceback": repair.traceback,
        "schemas": namespace_context(repair.failure.namespace),
    }


def stream_explanation(
    repair: Repair,
    client: AssistantClient,
    on_text: Callable[[str], None],
    budget_s: float,
) -> bool:
    """Stream the model's explanation into ``repair`` (``on_text`` gets the text so far).

    Stops at ``budget_s`` or on KeyboardInterrupt (the connection is closed, so the server
    cancels). True when the model finished. The model's fix is appended unchecked.
    """
    deadline = time.monotonic() + budget_s
    events = client.stream("explain", explain_body(repair))
    finished = False
    try:
        for event in events:
            if event["type"] == "token":
                repair.explanation += event["text"]
                on_text(repair.explanation)
            elif event["type"] == "done":
                finished = True
                repair.citations = event.get("citations", [])
                if event.get("fixed_code"):
                    repair.fixes.append(ProposedFix(event["fixed_code"], "model"))
            elif event["type"] == "error":
                repair.explanation += f"\n\n(the model failed: {event['error']['message']})"
            if time.monotonic() > deadline:
                repair.explanation += f"\n\n(stopped after the {budget_s:g} s budget)"
                break
    except KeyboardInterrupt:
        repair.explanation += "\n\n(stopped)"
    finally:
        events.close()
    return finished
