"""The scheduler with the real small model (SmolLM2-135M, CPU): streaming, cancellation,
priority, superseding, a bounded queue and deadlines."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from copilot_http import wait_for

from ibis_copilot.models.base import CancelToken, GenerationError, GenerationParams, Generator
from ibis_copilot.models.registry import local_generator
from ibis_copilot.models.scheduler import (
    GenerationTimeoutError,
    Priority,
    QueueFullError,
    Scheduler,
    Ticket,
)
from ibis_copilot.models.transformers_backend import TransformersGenerator

PROMPT = [{"role": "user", "content": "List ten Python data libraries, one per line."}]


@pytest.fixture(scope="module")
def generator() -> Generator:
    model = local_generator("smollm2-135m-instruct")
    model.load()
    return model


def writing(max_tokens: int, label: str = "", log: list[str] | None = None):  # type: ignore[no-untyped-def]
    def work(model: Generator, cancel: CancelToken) -> Iterator[str]:
        if log is not None:
            log.append(label)
        prompt = model.render_chat(PROMPT)
        yield from model.stream(prompt, GenerationParams(max_tokens=max_tokens), cancel)

    return work


async def collect(ticket: Ticket) -> str:
    return "".join([piece async for piece in ticket])


def test_tokens_stream_from_the_real_model(generator: Generator) -> None:
    async def scenario() -> tuple[str, int]:
        scheduler = Scheduler(generator)
        ticket = scheduler.submit(writing(12), Priority.CHAT)
        text = await collect(ticket)
        scheduler.stop()
        return text, ticket.tokens_generated

    text, pieces = asyncio.run(scenario())
    assert text.strip()
    assert pieces > 1, "the answer arrives in several pieces, not at once"


def test_cancel_stops_generation(generator: Generator) -> None:
    async def scenario() -> tuple[int, int]:
        scheduler = Scheduler(generator)
        ticket = scheduler.submit(writing(200), Priority.CHAT)
        async for _ in ticket:
            if ticket.tokens_generated >= 3:
                ticket.cancel("client disconnected")
        at_cancel = ticket.tokens_generated
        await asyncio.sleep(0.5)
        scheduler.stop()
        return at_cancel, ticket.tokens_generated

    at_cancel, later = asyncio.run(scenario())
    assert later == at_cancel, "no tokens after cancelling"
    assert later < 20


def test_completion_goes_before_waiting_chat(generator: Generator) -> None:
    order: list[str] = []

    async def scenario() -> None:
        scheduler = Scheduler(generator)
        busy = scheduler.submit(writing(15, "busy", order), Priority.CHAT)
        await wait_for(lambda: scheduler.busy, "the worker to start the first chat")
        chat = scheduler.submit(writing(3, "chat", order), Priority.CHAT)
        completion = scheduler.submit(writing(3, "completion", order), Priority.COMPLETION)
        await asyncio.gather(collect(busy), collect(chat), collect(completion))
        scheduler.stop()

    asyncio.run(scenario())
    assert order == ["busy", "completion", "chat"]


def test_a_newer_request_from_the_same_editor_supersedes(generator: Generator) -> None:
    async def scenario() -> tuple[Ticket, Ticket]:
        scheduler = Scheduler(generator)
        busy = scheduler.submit(writing(10), Priority.CHAT)
        old = scheduler.submit(writing(5), Priority.COMPLETION, key="cell-1")
        new = scheduler.submit(writing(5), Priority.COMPLETION, key="cell-1")
        await asyncio.gather(collect(busy), collect(old), collect(new))
        scheduler.stop()
        return old, new

    old, new = asyncio.run(scenario())
    assert old.cancelled
    assert old.cancel_token.reason == "superseded"
    assert old.tokens_generated == 0
    assert new.tokens_generated > 0


def test_the_queue_is_bounded(generator: Generator) -> None:
    async def scenario() -> QueueFullError:
        scheduler = Scheduler(generator, max_queue=1)
        busy = scheduler.submit(writing(10), Priority.CHAT)
        await wait_for(lambda: scheduler.busy, "the worker to start")
        waiting = scheduler.submit(writing(2), Priority.CHAT)
        with pytest.raises(QueueFullError) as info:
            scheduler.submit(writing(2), Priority.CHAT)
        await asyncio.gather(collect(busy), collect(waiting))
        scheduler.stop()
        return info.value

    error = asyncio.run(scenario())
    assert error.retry_after >= 1
    assert "busy" in str(error)


def test_requests_have_a_deadline(generator: Generator) -> None:
    async def scenario() -> None:
        scheduler = Scheduler(generator, timeout=0.3)
        ticket = scheduler.submit(writing(200), Priority.CHAT)
        with pytest.raises(GenerationTimeoutError, match=r"longer than 0\.3 s"):
            await collect(ticket)
        scheduler.stop()

    asyncio.run(scenario())


def test_a_model_that_cannot_load_is_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> Scheduler:
        scheduler = Scheduler(TransformersGenerator(str(tmp_path / "no-model")))
        scheduler.start(load_now=True)
        ticket = scheduler.submit(writing(2), Priority.CHAT)
        with pytest.raises(GenerationError, match="cannot load model"):
            await collect(ticket)
        scheduler.stop()
        return scheduler

    scheduler = asyncio.run(scenario())
    assert scheduler.model_state["state"] == "error"
    assert "cannot load model" in scheduler.model_state["message"]
