"""``%ibis_ask``: questions answered from the docs, with the notebook's tables as context."""

from __future__ import annotations

import sys
import time

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.display import Markdown, display

from ibis_copilot.expressions.namespace import namespace_context
from ibis_copilot.kernel.client import AssistantClient, AssistantError, ServerUnavailableError

UPDATE_EVERY_S = 0.15  # redraw the answer at most this often while it streams


def sources_markdown(citations: list[dict[str, object]]) -> str:
    """Numbered links to the cited pages."""
    if not citations:
        return ""
    lines = [
        f"{number}. [{' > '.join(str(c[k]) for k in ('title', 'heading') if c.get(k))}]({c['url']})"
        for number, c in enumerate(citations, start=1)
    ]
    return "\n\n**Sources**\n\n" + "\n".join(lines)


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
            "schemas": namespace_context(self.shell.user_ns),  # type: ignore[union-attr]
        }
        handle = display(Markdown("*thinking…*"), display_id=True)
        answer, footer, last = "", "", 0.0
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
                elif event["type"] == "error":
                    footer = f"\n\n*The model failed: {event['error']['message']}*"
        except KeyboardInterrupt:
            footer = "\n\n*(stopped)*"
        finally:
            events.close()  # closes the connection: the server stops generating
        handle.update(Markdown(answer + footer))
