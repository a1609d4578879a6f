"""One model, many users: a worker thread runs one generation at a time.

Completion requests go before chat requests; a newer request with the same key (one
editor) cancels the older one; the queue is bounded; every request has a deadline, kept
by the consumer even when the model sends nothing. With ``preempt``, each priority has
its own worker thread (lane), so a completion starts while a chat generates: the model
pauses the chat between its tokens (``GenerationParams.urgent``) instead of making the
completion wait. Tokens cross from the worker thread to the asyncio consumer through a
``Ticket``.
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
        self.deadline = float("inf")  # time.monotonic() value; set by the scheduler
        self.timeout = 0.0
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
            try:
                async with asyncio.timeout(self.deadline - time.monotonic()):
                    item = await self._queue.get()
            except TimeoutError:
                self.cancel("timeout")
                raise GenerationTimeoutError(
                    f"the request took longer than {self.timeout:g} s and was stopped"
                ) from None
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
    """Runs generations for everyone on one worker thread (one per priority with
    ``preempt``), in priority order."""

    def __init__(
        self,
        generator: Generator,
        max_queue: int = 16,
        timeout: float = 120.0,
        *,
        preempt: bool = False,
    ) -> None:
        self.generator = generator
        self.max_queue = max_queue
        self.timeout = timeout
        self.preempt = preempt
        self._lanes = list(Priority) if preempt else [Priority.COMPLETION]
        self._jobs: dict[int, list[_Job]] = {lane: [] for lane in self._lanes}
        self._running: dict[int, _Job] = {}
        self._sequence = itertools.count()
        self._condition = threading.Condition()
        self._load_lock = threading.Lock()
        self._stopped = False
        self._threads: list[threading.Thread] = []
        self.model_state: dict[str, Any] = {"state": "not loaded", "name": generator.name}

    def _lane(self, priority: int) -> int:
        return priority if self.preempt else self._lanes[0]

    def start(self, load_now: bool = True) -> None:
        """Start the workers; with ``load_now`` the model loads before anything else."""
        with self._condition:
            if self._threads:
                return
            for lane in self._lanes:
                thread = threading.Thread(
                    target=self._run,
                    args=(lane, load_now),
                    name=f"ibis-copilot-model-{Priority(lane).name.lower()}",
                    daemon=True,
                )
                self._threads.append(thread)
                thread.start()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            for jobs in self._jobs.values():
                for job in jobs:
                    job.ticket.cancel("server stopping")
                    job.ticket._put(_DONE)
                jobs.clear()
            for running in self._running.values():
                running.ticket.cancel("server stopping")
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
        ticket.timeout, ticket.deadline = self.timeout, time.monotonic() + self.timeout
        with self._condition:
            if key is not None:
                self._supersede(key)
            waiting = self._waiting()
            if waiting >= self.max_queue:
                raise QueueFullError(waiting, retry_after=max(1, waiting // 2))
            job = _Job(int(priority), next(self._sequence), work, ticket, ticket.deadline)
            heapq.heappush(self._jobs[self._lane(priority)], job)
            self._condition.notify_all()
        self.start()
        return ticket

    def waiting(self) -> int:
        with self._condition:
            return self._waiting()

    def _waiting(self) -> int:
        return sum(len(jobs) for jobs in self._jobs.values())

    @property
    def busy(self) -> bool:
        """Whether a generation is running now."""
        return bool(self._running)

    def _supersede(self, key: str) -> None:
        for jobs in self._jobs.values():
            for job in [job for job in jobs if job.ticket.key == key]:
                jobs.remove(job)
                job.ticket.cancel("superseded")
                job.ticket._put(_DONE)
            heapq.heapify(jobs)
        for running in self._running.values():
            if running.ticket.key == key:
                running.ticket.cancel("superseded")

    def _load(self) -> bool:
        with self._load_lock:  # one lane loads; the other finds it loaded
            if self.model_state["state"] == "ready":
                return True
            return self._load_now()

    def _load_now(self) -> bool:
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

    def _run(self, lane: int, load_now: bool) -> None:
        if load_now:
            self._load()
        jobs = self._jobs[lane]
        while True:
            with self._condition:
                while not jobs and not self._stopped:
                    self._condition.wait()
                if self._stopped:
                    return
                job = heapq.heappop(jobs)
                self._running[lane] = job
            try:
                self._execute(job)
            finally:
                with self._condition:
                    del self._running[lane]

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
