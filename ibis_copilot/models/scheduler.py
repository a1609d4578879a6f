"""One model, many users: a worker thread runs one generation at a time.

Completion requests go before chat requests; a newer request with the same key (one
editor) cancels the older one; the queue is bounded; every request has a deadline.
Tokens cross from the worker thread to the asyncio consumer through a ``Ticket``.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from ibis_copilot.errors import BusyError
from ibis_copilot.models.base import CancelToken, GenerationError, Generator

Work = Callable[[Generator, CancelToken], Iterator[str]]


class Priority(IntEnum):
    """Lower runs first."""

    COMPLETION = 0
    CHAT = 1


class QueueFullError(BusyError):
    """Too many requests are waiting; try again after ``retry_after`` seconds."""

    def __init__(self, waiting: int, retry_after: int) -> None:
        super().__init__(
            f"the model is busy ({waiting} requests waiting); try again shortly", retry_after
        )


class GenerationTimeoutError(GenerationError):
    """The request ran past its deadline."""


_DONE = object()


class Ticket:
    """A submitted request: iterate it (async) for tokens; ``cancel()`` to stop it."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        key: str | None,
        generator: Generator,
        cancel: CancelToken | None = None,
    ) -> None:
        self.cancel_token = cancel or CancelToken()
        self.generator = generator
        self.key = key
        self.tokens_generated = 0
        self._loop = loop
        self._queue: asyncio.Queue[Any] = asyncio.Queue()

    def cancel(self, reason: str = "cancelled") -> None:
        self.cancel_token.cancel(reason)

    @property
    def cancelled(self) -> bool:
        return self.cancel_token.cancelled

    def _put(self, item: Any) -> None:
        """Hand an item to the consumer's loop; if that loop has closed, nobody listens."""
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)

    async def __aiter__(self) -> AsyncIterator[str]:
        while True:
            item = await self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item


@dataclass(order=True)
class _Job:
    priority: int
    sequence: int
    work: Work = field(compare=False)
    ticket: Ticket = field(compare=False)
    deadline: float = field(compare=False)


class Scheduler:
    """Runs generations for everyone on one worker thread, in priority order."""

    def __init__(self, generator: Generator, max_queue: int = 16, timeout: float = 120.0) -> None:
        self.generator = generator
        self.max_queue = max_queue
        self.timeout = timeout
        self._jobs: list[_Job] = []
        self._running: _Job | None = None
        self._sequence = itertools.count()
        self._condition = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self.model_state: dict[str, Any] = {"state": "not loaded", "name": generator.name}

    def start(self, load_now: bool = True) -> None:
        """Start the worker; with ``load_now`` it loads the model before anything else."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, args=(load_now,), name="ibis-copilot-model", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            for job in self._jobs:
                job.ticket.cancel("server stopping")
                job.ticket._put(_DONE)
            self._jobs.clear()
            if self._running is not None:
                self._running.ticket.cancel("server stopping")
            self._condition.notify_all()

    def submit(
        self,
        work: Work,
        priority: Priority,
        key: str | None = None,
        cancel: CancelToken | None = None,
    ) -> Ticket:
        """Queue ``work``; a request with the same ``key`` that is waiting or running is
        cancelled, and so is this one when ``cancel`` is. Raises QueueFullError when
        ``max_queue`` requests already wait."""
        ticket = Ticket(asyncio.get_running_loop(), key, self.generator, cancel)
        with self._condition:
            if key is not None:
                self._supersede(key)
            if len(self._jobs) >= self.max_queue:
                raise QueueFullError(len(self._jobs), retry_after=max(1, len(self._jobs) // 2))
            job = _Job(
                int(priority), next(self._sequence), work, ticket, time.monotonic() + self.timeout
            )
            heapq.heappush(self._jobs, job)
            self._condition.notify()
        self.start()
        return ticket

    def waiting(self) -> int:
        with self._condition:
            return len(self._jobs)

    @property
    def busy(self) -> bool:
        """Whether a generation is running now."""
        return self._running is not None

    def _supersede(self, key: str) -> None:
        for job in [job for job in self._jobs if job.ticket.key == key]:
            self._jobs.remove(job)
            job.ticket.cancel("superseded")
            job.ticket._put(_DONE)
        heapq.heapify(self._jobs)
        if self._running is not None and self._running.ticket.key == key:
            self._running.ticket.cancel("superseded")

    def _load(self) -> bool:
        self.model_state = {"state": "loading", "name": self.generator.name, "since": time.time()}
        try:
            self.generator.load()
        except Exception as error:  # noqa: BLE001 - reported in status and to each request
            self.model_state = {
                "state": "error",
                "name": self.generator.name,
                "message": str(error),
            }
            return False
        self.model_state = {
            "state": "ready",
            "name": self.generator.name,
            "context_length": self.generator.context_length,
        }
        return True

    def _run(self, load_now: bool) -> None:
        if load_now:
            self._load()
        while True:
            with self._condition:
                while not self._jobs and not self._stopped:
                    self._condition.wait()
                if self._stopped:
                    return
                job = heapq.heappop(self._jobs)
                self._running = job
            try:
                self._execute(job)
            finally:
                with self._condition:
                    self._running = None

    def _execute(self, job: _Job) -> None:
        ticket = job.ticket
        try:
            if ticket.cancel_token.cancelled:  # cancelled while it waited
                return
            if self.model_state["state"] != "ready" and not self._load():
                raise GenerationError(f"the model is unavailable: {self.model_state['message']}")
            for piece in job.work(self.generator, ticket.cancel_token):
                if ticket.cancelled:
                    break
                if time.monotonic() > job.deadline:
                    ticket.cancel("timeout")
                    raise GenerationTimeoutError(
                        f"the request took longer than {self.timeout:g} s and was stopped"
                    )
                ticket.tokens_generated += 1
                ticket._put(piece)
        except Exception as error:  # noqa: BLE001 - handed to the waiting request
            ticket._put(
                error
                if isinstance(error, GenerationError)
                else GenerationError(f"the model failed: {error}")
            )
        finally:
            ticket._put(_DONE)
