"""What every generator offers: streamed tokens for chat or raw prompts, cancellable."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ibis_copilot.errors import UnavailableError

if TYPE_CHECKING:
    from ibis_copilot.models.fim import FimFormat
    from ibis_copilot.models.member_names import MemberNames


class GenerationError(UnavailableError):
    """The model failed or cannot be loaded; the message says what to do."""


class CancelToken:
    """Set by whoever no longer wants the tokens (new request, disconnect, timeout)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = ""

    def cancel(self, reason: str = "cancelled") -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass(frozen=True)
class GenerationParams:
    """Sampling and stopping; temperature 0 means greedy. An ``urgent`` generation (an
    inline completion) pauses ordinary ones between their tokens while it runs. Backends
    that cannot constrain decoding ignore ``member_names``."""

    max_tokens: int = 256
    temperature: float = 0.0
    stop: tuple[str, ...] = ()
    urgent: bool = False
    #: Names allowed after a dot on an Ibis expression (a completion), or None: free.
    member_names: MemberNames | None = None


Message = dict[str, str]


class Generator(Protocol):
    """A loaded (or loadable) model that streams text."""

    name: str
    context_length: int

    @property
    def fim_format(self) -> FimFormat | None:
        """The model's fill-in-the-middle format, or None for chat-only models."""

    def load(self) -> None:
        """Load weights now (idempotent); may take a while."""

    def render_chat(self, messages: list[Message]) -> str:
        """The exact prompt text the model sees for ``messages``."""

    def stream(self, prompt: str, params: GenerationParams, cancel: CancelToken) -> Iterator[str]:
        """Text pieces continuing ``prompt``, until done, stopped or cancelled."""

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` by the model's own tokenizer."""

    def stream_chat(
        self, messages: list[Message], params: GenerationParams, cancel: CancelToken
    ) -> Iterator[str]:
        """The assistant's reply to ``messages``, streamed."""


def stop_at(pieces: Iterator[str], stops: tuple[str, ...], cancel: CancelToken) -> Iterator[str]:
    """Pass pieces through until a stop sequence appears; it and what follows are dropped.

    Only text that could be the start of a stop sequence is held back until decided.
    """
    if not stops:
        yield from pieces
        return
    held = ""
    for piece in pieces:
        held += piece
        hits = [held.find(stop) for stop in stops if stop in held]
        if hits:
            if held[: min(hits)]:
                yield held[: min(hits)]
            cancel.cancel("stop sequence")
            return
        undecided = max(
            (size for stop in stops for size in range(1, len(stop)) if held.endswith(stop[:size])),
            default=0,
        )
        if len(held) > undecided:
            yield held[: len(held) - undecided]
            held = held[len(held) - undecided :]
    if held:
        yield held


#: Why a generation that started to loop was ended.
REPEATING = "the model repeated itself"
#: A loop is a unit of text repeated back to back until it covers this many characters
#: (and at least three times): "I'm glad to help. " three times, "hello " eight times.
LOOP_CHARACTERS = 48
#: The longest unit looked for: a repeated paragraph longer than this is not caught.
LOOP_UNIT_LIMIT = 400


def stop_repeating(pieces: Iterator[str], cancel: CancelToken) -> Iterator[str]:
    """Pass pieces through until the text ends in a loop, then stop the generation.

    Small models decoding greedily can repeat one sentence until their token limit; this
    ends the generation once the same unit (with at least one letter, whitespace runs
    counted as one space) has been written back to back ``LOOP_CHARACTERS`` long. What was
    streamed stays; the generation is cancelled with the reason ``REPEATING``.
    """
    tail = ""
    for piece in pieces:
        yield piece
        tail = _WHITESPACE.sub(" ", tail + piece)[-3 * LOOP_UNIT_LIMIT :]
        if _ends_in_loop(tail):
            cancel.cancel(REPEATING)
            return


_WHITESPACE = re.compile(r"\s+")


def _ends_in_loop(text: str) -> bool:
    for size in range(1, LOOP_UNIT_LIMIT + 1):
        copies = max(3, -(-LOOP_CHARACTERS // size))
        if 3 * size > len(text):
            return False
        if size * copies > len(text):
            continue
        unit = text[-size:]
        if text[-size * copies :] == unit * copies and any(c.isalpha() for c in unit):
            return True
    return False
