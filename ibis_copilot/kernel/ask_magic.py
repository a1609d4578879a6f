"""``%ibis_ask``: questions answered from the docs, with the notebook's tables as context.

The tables go to the server as text and as data; the server checks every Python block of
the answer against them, and under each block the answer shows one line saying what the
check found (checked, repaired, or not checked and why). A block without a verdict says
so: nothing looks checked that was not.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.display import Markdown, display

from ibis_copilot.code_blocks import BLOCK, PYTHON_LANGUAGES
from ibis_copilot.kernel.client import AssistantClient, AssistantError, ServerUnavailableError
from ibis_copilot.kernel.display import _fence
from ibis_copilot.kernel.request_context import namespace_fields

UPDATE_EVERY_S = 0.15  # redraw the answer at most this often while it streams
CHECKED = "✓ checked against your tables' schemas"


def sources_markdown(citations: list[dict[str, object]]) -> str:
    """Numbered links to the cited pages."""
    if not citations:
        return ""
    lines = [
        f"{number}. [{' > '.join(str(c[k]) for k in ('title', 'heading') if c.get(k))}]({c['url']})"
        for number, c in enumerate(citations, start=1)
    ]
    return "\n\n**Sources**\n\n" + "\n".join(lines)


def _one_line(text: object) -> str:
    return " ".join(str(text or "").split())


def _unknown_names_line(names: Sequence[dict[str, Any]]) -> str:
    described = []
    for name in names:
        kind = name.get("kind") or "name"
        closest = ", ".join(f"`{c}`" for c in name.get("closest") or [])
        where = f"{kind}; closest: {closest}" if closest else kind
        described.append(f"`{name.get('name')}` ({where})")
    return "unknown names: " + "; ".join(described)


def verdict_markdown(block: dict[str, Any] | None, missing: str) -> str:
    """The line(s) under one code block: what the server's check said about it (only
    ``verdict == "checked"`` reads as checked); ``missing`` when there is no verdict."""
    if block is None:
        return f"*not checked: {missing}*"
    verdict, reason = block.get("verdict"), _one_line(block.get("reason"))
    if verdict == "checked":
        lines = [f"*{CHECKED}*"]
    elif verdict == "repaired":
        lines = [f"*repaired: {reason}*", _fence(str(block.get("code", "")), "python")]
    else:
        lines = [f"*not checked: {reason or 'no reason given'}*"]
    if block.get("unknown_names"):
        lines.append(_unknown_names_line(block["unknown_names"]))
    revised = block.get("revised")
    if isinstance(revised, dict) and revised.get("verdict") in ("checked", "repaired"):
        round_number = revised.get("rounds", 1)
        lines.append(f"*revised by the model after the check failed (round {round_number}):*")
        lines.append(_fence(str(revised.get("code", "")), "python"))
        lines.append(verdict_markdown({**revised, "revised": None}, missing))
    return "\n\n".join(lines)


def _written(block: dict[str, Any]) -> str:
    """The block as the model wrote it (a repaired block's ``code`` is the repair)."""
    return str(block.get("original") or block.get("code") or "").strip("\n")


def with_verdicts(answer: str, blocks: Sequence[dict[str, Any]] | None, missing: str) -> str:
    """``answer`` with a verdict under each Python block, matched to ``blocks`` by the
    code they hold (a block the server did not judge gets ``missing``)."""
    unused = list(blocks or [])
    pieces, position = [], 0
    for match in BLOCK.finditer(answer):
        language, body = match.group(1).lower(), match.group(2).strip("\n")
        if language not in PYTHON_LANGUAGES or not body.strip():
            continue
        block = next((b for b in unused if _written(b) == body), None)
        if block is not None:
            unused.remove(block)
        closed = match.group(0).endswith("```")
        pieces += [answer[position : match.end()], "" if closed else "\n```"]
        pieces.append("\n\n" + verdict_markdown(block, missing) + "\n")
        position = match.end()
    pieces.append(answer[position:])
    return "".join(pieces)


@magics_class
class AskMagics(Magics):
    """Multi-turn questions to the assistant within this kernel session."""

    conversation_id: str | None = None

    @line_magic
    def ibis_ask(self, line: str) -> None:
        """``%ibis_ask [--new] QUESTION``: stream an answer; ``--new`` starts over."""
        question = line.strip()
        if question.startswith("--new"):
            self.conversation_id = None
            question = question.removeprefix("--new").strip()
            if not question:
                print("ibis_ask: started a new conversation")
                return
        if not question:
            raise UsageError("usage: %ibis_ask [--new] QUESTION")
        try:
            client = AssistantClient.find()
            self._ask(client, question)
        except (ServerUnavailableError, AssistantError) as error:
            print(f"ibis_ask: {error}", file=sys.stderr)

    def _ask(self, client: AssistantClient, question: str) -> None:
        body = {
            "messages": [{"role": "user", "content": question}],
            "conversation_id": self.conversation_id,
            **namespace_fields(self.shell.user_ns),  # type: ignore[union-attr]
        }
        handle = display(Markdown("*thinking…*"), display_id=True)
        answer, footer, last = "", "", 0.0
        blocks: list[dict[str, Any]] | None = None
        missing = "the answer ended before it was checked"
        events = client.stream("chat", body)
        try:
            for event in events:
                if event["type"] == "token":
                    answer += event["text"]
                    if time.monotonic() - last > UPDATE_EVERY_S:
                        handle.update(Markdown(answer))
                        last = time.monotonic()
                elif event["type"] == "done":
                    self.conversation_id = event["conversation_id"]
                    footer = sources_markdown(event["citations"])
                    blocks = event.get("blocks")
                    missing = "the server sent no verdict for it"
                elif event["type"] == "error":
                    footer = f"\n\n*The model failed: {event['error']['message']}*"
        except KeyboardInterrupt:
            footer = "\n\n*(stopped)*"
            missing = "stopped before it was checked"
        finally:
            events.close()  # closes the connection: the server stops generating
        handle.update(Markdown(with_verdicts(answer, blocks, missing) + footer))
