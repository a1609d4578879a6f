"""One scheduled generation as events, and what it reports besides its tokens.

The prompt is rendered on the scheduler's worker (``prepare`` gets the generator there), so
the model is loaded and touched only through the scheduler. Completions are ``urgent``:
a chat generating beside one pauses between its tokens until it is done.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, ParamSpec, TypeVar

from ibis_copilot.errors import CopilotError
from ibis_copilot.models.base import (
    REPEATING,
    CancelToken,
    GenerationError,
    GenerationParams,
    Generator,
    Message,
    stop_at,
    stop_repeating,
)
from ibis_copilot.models.scheduler import Priority, Scheduler

Event = dict[str, Any]
#: The cancel reason that means nobody listens any more: no closing event, nothing saved.
CALLER_GONE = "the caller went away"
P = ParamSpec("P")
T = TypeVar("T")


def error_event(error: Exception) -> Event:
    """The event that ends a stream which had already started."""
    return {"type": "error", "error": {"type": type(error).__name__, "message": str(error)}}


@dataclass
class Prompt:
    """What one generation sends the model: chat messages, or a raw prompt."""

    text: str
    params: GenerationParams
    messages: list[Message] | None = None


@dataclass
class Generation:
    """What a scheduled generation reports besides its tokens (filled on the worker)."""

    prepared: Any = None
    prompt: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    answer: str = ""
    model: str = ""
    first_token_ms: float | None = None
    total_ms: float = 0.0
    cancelled: bool = False  # the caller went away (a superseded request still closes)
    looped: bool = False  # cut where the model began repeating itself

    @property
    def usage(self) -> dict[str, int]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}


def ready(scheduler: Scheduler) -> Scheduler:
    """The scheduler, unless its model failed to load (then the reason, as a 503)."""
    if scheduler.model_state["state"] == "error":
        raise GenerationError(f"the model is unavailable: {scheduler.model_state['message']}")
    return scheduler


async def generate_events(
    scheduler: Scheduler,
    priority: Priority,
    prepare: Callable[[Generator], Prompt],
    generation: Generation,
    *,
    cancel: CancelToken | None,
    key: str | None = None,
    started: bool = False,
) -> AsyncIterator[Event]:
    """Token events of one scheduled generation; ``generation`` gets the rest.

    A failure before the first token raises, unless the stream has ``started`` (the
    caller already sent events): then, like any later failure, it is an error event.
    """

    def work(generator: Generator, token: CancelToken) -> Iterator[str]:
        prompt = prepare(generator)
        generation.prompt, generation.model = prompt.text, generator.name
        generation.prompt_tokens = generator.count_tokens(prompt.text)
        params = replace(prompt.params, urgent=priority == Priority.COMPLETION)
        if prompt.messages is not None:
            pieces = generator.stream_chat(prompt.messages, params, token)
        else:
            pieces = stop_at(generator.stream(prompt.text, params, token), params.stop, token)
        return _counted(generator, stop_repeating(pieces, token), generation)

    try:
        ticket = ready(scheduler).submit(work, priority, key, cancel)
    except CopilotError as error:
        if not started:
            raise
        yield error_event(error)
        return
    submitted = time.perf_counter()
    pieces: list[str] = []
    try:
        async for piece in ticket:
            if generation.first_token_ms is None:
                generation.first_token_ms = (time.perf_counter() - submitted) * 1000
            pieces.append(piece)
            yield {"type": "token", "text": piece}
    except GenerationError as error:
        if not pieces and not started:
            raise
        yield error_event(error)
        return
    finally:
        generation.cancelled = ticket.cancel_token.reason == CALLER_GONE
        generation.looped = ticket.cancel_token.reason == REPEATING
    generation.answer = "".join(pieces)
    generation.total_ms = (time.perf_counter() - submitted) * 1000


def _counted(generator: Generator, pieces: Iterator[str], generation: Generation) -> Iterator[str]:
    """Pass the pieces through; at the end, count the answer's tokens (on the worker)."""
    text: list[str] = []
    for piece in pieces:
        text.append(piece)
        yield piece
    generation.completion_tokens = generator.count_tokens("".join(text))


async def off_loop(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run blocking work (the index, files, SQLite, the check process) in a thread."""
    call = functools.partial(function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(None, call)
