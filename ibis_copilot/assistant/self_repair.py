"""Self-repair: a code block that fails its check goes back to the model with the check's
error, for a few rounds within a time limit; the first revision that checks is kept.

The revision is labelled (``blocks[i]["revised"]``): the user sees what the model wrote
first, and the checked version it wrote when told what was wrong.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ibis_copilot.assistant.prompts import render
from ibis_copilot.code_blocks import first_code_block
from ibis_copilot.models.base import Message

Block = dict[str, Any]
#: Generates the model's reply to messages (empty when it failed).
Revise = Callable[[list[Message]], Awaitable[str]]
#: The verdict on a piece of code, as a ``blocks`` entry.
Judge = Callable[[str], Awaitable[Block]]


@dataclass(frozen=True)
class RepairBudget:
    """At most ``rounds`` revisions per block and ``seconds`` for the whole answer."""

    rounds: int
    seconds: float


def revision_messages(block: Block, schemas: str) -> list[Message]:
    """What the model is told about one failed block."""
    unknown = "\n".join(
        f"- {name['name']} does not exist"
        + (f"; closest: {', '.join(name['closest'])}" if name["closest"] else "")
        for name in block["unknown_names"]
    )
    user = render(
        "revise_user",
        reason=block["reason"],
        unknown=f"{unknown}\n" if unknown else "",
        schemas=schemas.strip() or "(no tables were given)",
        code=block["code"],
    )
    return [
        {"role": "system", "content": render("chat_system", sources_instruction="")},
        {"role": "user", "content": user},
    ]


async def revise_blocks(
    blocks: list[Block], revise: Revise, judge: Judge, budget: RepairBudget, schemas: str
) -> None:
    """Give each block that was not checked up to ``budget.rounds`` revisions; record the
    first that checks as ``revised`` and the rounds tried as ``revision_rounds``."""
    deadline = time.monotonic() + budget.seconds
    for block in blocks:
        if block["verdict"] != "not_checked":
            continue
        current = block
        for round_number in range(1, budget.rounds + 1):
            if time.monotonic() > deadline:
                return
            code = first_code_block(await revise(revision_messages(current, schemas)))
            block["revision_rounds"] = round_number
            if code is None or code.strip() == current["code"].strip():
                break
            current = await judge(code)
            if current["verdict"] != "not_checked":
                block["revised"] = {**current, "rounds": round_number}
                break
