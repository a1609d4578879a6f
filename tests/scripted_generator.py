"""A generator that answers with a given script, for tests of what the product does with a
model's output (the way simonw/llm's tests register a mock model).

It implements :class:`ibis_copilot.models.base.Generator`: the text it streams is fixed,
split in the given pieces; it can fail after a number of pieces; and it records every
prompt it was asked to continue. Tokens are whitespace-separated words, so token counts
in ``usage`` and history trimming are easy to predict.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ibis_copilot.models.base import CancelToken, GenerationError, GenerationParams, Message
from ibis_copilot.models.fim import FimFormat

FAILURE = "the scripted model failed"


class ScriptedGenerator:
    """Streams ``pieces``; raises GenerationError before piece ``fail_after`` if given."""

    def __init__(
        self,
        pieces: Sequence[str],
        *,
        fail_after: int | None = None,
        context_length: int = 4096,
        name: str = "scripted",
    ) -> None:
        self.pieces = list(pieces)
        self.fail_after = fail_after
        self.context_length = context_length
        self.name = name
        self.loaded = False
        #: Every prompt text the model was asked to continue, in order.
        self.prompts: list[str] = []
        #: The messages of every ``stream_chat`` call, in order.
        self.chats: list[list[Message]] = []

    @property
    def answer(self) -> str:
        """The whole scripted text."""
        return "".join(self.pieces)

    @property
    def fim_format(self) -> FimFormat | None:
        return None  # chat-only, like the default CPU model

    def load(self) -> None:
        self.loaded = True

    def render_chat(self, messages: list[Message]) -> str:
        turns = "".join(f"<{m['role']}>\n{m['content']}\n</{m['role']}>\n" for m in messages)
        return turns + "<assistant>\n"

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream(self, prompt: str, params: GenerationParams, cancel: CancelToken) -> Iterator[str]:
        self.prompts.append(prompt)
        return self._script(params.max_tokens, cancel)

    def stream_chat(
        self, messages: list[Message], params: GenerationParams, cancel: CancelToken
    ) -> Iterator[str]:
        self.chats.append(list(messages))
        return self.stream(self.render_chat(messages), params, cancel)

    def _script(self, max_pieces: int, cancel: CancelToken) -> Iterator[str]:
        """The pieces (at most ``max_pieces``, a piece standing for a token)."""
        for number, piece in enumerate(self.pieces[:max_pieces]):
            if number == self.fail_after:
                raise GenerationError(FAILURE)
            if cancel.cancelled:
                return
            yield piece
        if self.fail_after == len(self.pieces[:max_pieces]):
            raise GenerationError(FAILURE)
