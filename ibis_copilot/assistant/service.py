"""The Assistant: every workflow as one async method that yields the stream's events.

It owns retrieval, scheduling, conversation memory and the interaction log, so the HTTP
handlers only parse requests and write events, and the CLI calls the same methods.

Events: ``{"type": "token", "text"}`` pieces, then one closing ``{"type": "done", ...}``
that always carries ``usage`` (and ``warnings`` when the docs could not be searched).
A failure before the first token raises (the handler answers 4xx/5xx); a later one ends
the stream with ``{"type": "error", "error": {"type", "message"}}``. The model is only
ever touched on the scheduler's worker: prompts are rendered there, so a first request
loads the model through the scheduler and ``status`` always tells the truth.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from ibis_copilot.assistant.chat import ChatWorkflow, validate_messages
from ibis_copilot.assistant.code_blocks import code_blocks
from ibis_copilot.assistant.complete import CompleteWorkflow, CompletionRequest, clean
from ibis_copilot.assistant.completion_gate import withheld_reason
from ibis_copilot.assistant.conversations import ConversationStore
from ibis_copilot.assistant.explain import ErrorReport, ExplainWorkflow
from ibis_copilot.assistant.interaction_log import InteractionLog
from ibis_copilot.assistant.model_sql import ModelSqlRequest, ModelSqlWorkflow
from ibis_copilot.assistant.sources import Sources, find_sources
from ibis_copilot.errors import CopilotError
from ibis_copilot.expressions.namespace import TableSpecs
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.knowledge.retrieval import SearchResult
from ibis_copilot.models.base import (
    CancelToken,
    GenerationError,
    GenerationParams,
    Generator,
    Message,
    stop_at,
)
from ibis_copilot.models.registry import chat_generator
from ibis_copilot.models.scheduler import Priority, Scheduler
from ibis_copilot.repair.verdict import check_block, diagnose_report
from ibis_copilot.settings import IbisCopilot
from ibis_copilot.status import collect_status

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

    @property
    def usage(self) -> dict[str, int]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}


@dataclass
class Assistant:
    """The server's (and the CLI's) single entry point to the model and the docs."""

    settings: IbisCopilot
    knowledge: KnowledgeBase
    chat_scheduler: Scheduler
    completion_scheduler: Scheduler
    conversations: ConversationStore
    interactions: InteractionLog | None = None
    chat_workflow: ChatWorkflow = field(init=False)
    complete_workflow: CompleteWorkflow = field(default_factory=CompleteWorkflow)
    explain_workflow: ExplainWorkflow = field(default_factory=ExplainWorkflow)
    sql_workflow: ModelSqlWorkflow = field(default_factory=ModelSqlWorkflow)

    def __post_init__(self) -> None:
        self.chat_workflow = ChatWorkflow(self.conversations)

    @classmethod
    def from_settings(cls, settings: IbisCopilot) -> Assistant:
        """Everything the settings describe; nothing is loaded until started or used."""
        data_dir = Path(settings.data_dir)
        chat_scheduler = Scheduler(
            chat_generator(settings), settings.max_queue, settings.request_timeout
        )
        completion_scheduler = chat_scheduler
        if settings.completion_model and settings.completion_model != settings.chat_model:
            completion_scheduler = Scheduler(
                chat_generator(settings, settings.completion_model),
                settings.max_queue,
                settings.request_timeout,
            )
        log = InteractionLog(data_dir / "interactions.sqlite")
        return cls(
            settings,
            KnowledgeBase.from_settings(settings),
            chat_scheduler,
            completion_scheduler,
            ConversationStore(data_dir / "conversations"),
            log if settings.log_interactions else None,
        )

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir)

    # -- lifecycle -------------------------------------------------------------------

    def start(self, load_now: bool = True) -> None:
        """Start the model workers; with ``load_now`` they load their models at once."""
        self.chat_scheduler.start(load_now)
        self.completion_scheduler.start(load_now)

    def stop(self) -> None:
        """Stop the workers; waiting and running requests are cancelled."""
        self.chat_scheduler.stop()
        self.completion_scheduler.stop()

    def status(self) -> dict[str, Any]:
        """Versions, data directory, the index and each model's state."""
        status = collect_status(self.data_dir, self.knowledge.status())
        status["model"] = self._model_status(self.chat_scheduler)
        if self.completion_scheduler is not self.chat_scheduler:
            status["completion_model"] = self._model_status(self.completion_scheduler)
        return status

    @staticmethod
    def _model_status(scheduler: Scheduler) -> dict[str, Any]:
        return {**scheduler.model_state, "waiting": scheduler.waiting()}

    # -- workflows -------------------------------------------------------------------

    async def search(self, query: str, k: int = 5) -> list[SearchResult]:
        """Cited results for ``query`` (the index is read off the event loop)."""
        results: list[SearchResult] = await _off_loop(self.knowledge.search, query, k)
        return results

    async def chat(
        self,
        messages: object,
        conversation_id: str | None = None,
        *,
        schemas: str = "",
        tables: TableSpecs | None = None,
        dialect: str = "duckdb",
        cancel: CancelToken | None = None,
    ) -> AsyncIterator[Event]:
        """Answer the last user message with cited docs; the conversation is remembered.

        Closing event: ``conversation_id``, ``citations``, ``blocks`` (a verdict on each
        code block, checked against ``tables``), ``usage`` (and ``warnings``).
        """
        checked = validate_messages(messages)
        if conversation_id:
            self.conversations.load(conversation_id)  # a malformed id fails here, as a 400
        scheduler = self._ready(self.chat_scheduler)
        workflow = self.chat_workflow
        sources = await self._sources(workflow.search_query(checked), workflow.k, 0.35)

        def prepare(generator: Generator) -> Prompt:
            prepared = workflow.prepare(generator, checked, conversation_id, schemas, sources)
            generation.prepared = prepared
            params = GenerationParams(max_tokens=workflow.max_tokens)
            return Prompt(prepared.prompt, params, prepared.messages)

        generation = Generation()
        async for event in self._generate(
            scheduler, Priority.CHAT, prepare, generation, cancel=cancel
        ):
            yield event
            if event["type"] == "error":
                return
        if generation.cancelled:
            return
        prepared = generation.prepared
        await _off_loop(workflow.remember, prepared, generation.answer)
        done = {
            "conversation_id": prepared.conversation_id,
            "citations": [result.to_dict() for result in prepared.citations],
            "blocks": await _off_loop(judge_blocks, generation.answer, tables or {}, dialect),
        }
        yield await self._done("chat", generation, done, sources)

    async def complete(
        self,
        request: CompletionRequest,
        editor_id: str | None = None,
        cancel: CancelToken | None = None,
    ) -> AsyncIterator[Event]:
        """Inline completion; runs before waiting chats, and a newer request from the same
        ``editor_id`` cancels this one. Closing event: ``completion`` (the text to insert;
        empty, with the reason in ``withheld``, when it does not parse in the cell or uses
        a name that does not exist)."""

        def prepare(generator: Generator) -> Prompt:
            prompt, params = self.complete_workflow.prepare(generator, request)
            return Prompt(prompt, params)

        generation = Generation()
        async for event in self._generate(
            self.completion_scheduler,
            Priority.COMPLETION,
            prepare,
            generation,
            cancel=cancel,
            key=editor_id,
        ):
            yield event
            if event["type"] == "error":
                return
        if not generation.cancelled:
            completion = clean(generation.answer, request.suffix)
            withheld = withheld_reason(request.prefix, completion, request.suffix, request.tables)
            done = {"completion": "" if withheld else completion, "withheld": withheld}
            yield await self._done("complete", generation, done)

    async def explain(
        self, report: ErrorReport, cancel: CancelToken | None = None
    ) -> AsyncIterator[Event]:
        """Explain a failing cell. First a ``diagnosis`` event: the rules' findings and
        their fix with its verdict (before the model writes). Closing event:
        ``explanation``, ``fixed_code`` (the model's), ``blocks`` and ``citations``.
        The diagnosis needs no model: when the model cannot serve, an ``error`` event
        follows it."""
        workflow = self.explain_workflow
        findings, fix = await _off_loop(
            diagnose_report,
            report.code,
            report.error_type,
            report.message,
            report.tables,
            dialect=report.dialect,
        )
        yield {
            "type": "diagnosis",
            "findings": [{"rule": f.rule, "message": f.message} for f in findings],
            "fix": fix.to_dict() if fix is not None else None,
        }
        sources = await self._sources(workflow.search_query(report), workflow.k)
        messages = [finding.message for finding in findings]

        def prepare(generator: Generator) -> Prompt:
            prepared = workflow.prepare(generator, report, sources, messages)
            return Prompt(prepared.prompt, GenerationParams(max_tokens=workflow.max_tokens))

        generation = Generation()
        async for event in self._generate(
            self.chat_scheduler, Priority.CHAT, prepare, generation, cancel=cancel, started=True
        ):
            yield event
            if event["type"] == "error":
                return
        if not generation.cancelled:
            citations = [result.to_dict() for result in sources.results]
            blocks = await _off_loop(judge_blocks, generation.answer, report.tables, report.dialect)
            done = {**workflow.result(generation.answer), "citations": citations, "blocks": blocks}
            yield await self._done("explain", generation, done, sources)

    async def model_sql(
        self, request: ModelSqlRequest, cancel: CancelToken | None = None
    ) -> AsyncIterator[Event]:
        """SQL written by the model where Ibis cannot compile: parsed by sqlglot, always
        marked ``model_generated`` and not ``verified``."""
        workflow = self.sql_workflow

        def prepare(generator: Generator) -> Prompt:
            prompt = workflow.prepare(generator, request)
            return Prompt(prompt, GenerationParams(max_tokens=workflow.max_tokens))

        generation = Generation()
        async for event in self._generate(
            self.chat_scheduler, Priority.CHAT, prepare, generation, cancel=cancel
        ):
            yield event
            if event["type"] == "error":
                return
        if not generation.cancelled:
            done = workflow.result(generation.answer, request.dialect)
            yield await self._done("sql", generation, done)

    async def feedback(self, interaction_id: str, accepted: bool) -> bool | None:
        """Record whether a completion was taken; None when logging is off, False when the
        interaction is unknown."""
        if self.interactions is None:
            return None
        found: bool = await _off_loop(self.interactions.mark_accepted, interaction_id, accepted)
        return found

    # -- shared steps ----------------------------------------------------------------

    @staticmethod
    def _ready(scheduler: Scheduler) -> Scheduler:
        """The scheduler, unless its model failed to load (then the reason, as a 503)."""
        if scheduler.model_state["state"] == "error":
            raise GenerationError(f"the model is unavailable: {scheduler.model_state['message']}")
        return scheduler

    async def _sources(self, query: str, k: int, min_similarity: float = 0.0) -> Sources:
        sources: Sources = await _off_loop(find_sources, self.knowledge, query, k, min_similarity)
        return sources

    async def _generate(
        self,
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
            if prompt.messages is not None:
                pieces = generator.stream_chat(prompt.messages, prompt.params, token)
            else:
                pieces = stop_at(
                    generator.stream(prompt.text, prompt.params, token), prompt.params.stop, token
                )
            return _counted(generator, pieces, generation)

        try:
            ticket = self._ready(scheduler).submit(work, priority, key, cancel)
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
        generation.answer = "".join(pieces)
        generation.total_ms = (time.perf_counter() - submitted) * 1000

    async def _done(
        self,
        workflow: str,
        generation: Generation,
        fields: dict[str, Any],
        sources: Sources | None = None,
    ) -> Event:
        """The closing event: the workflow's fields, ``usage``, warnings, interaction id."""
        done: Event = {"type": "done", **fields, "usage": generation.usage}
        if sources is not None and sources.warning:
            done["warnings"] = [sources.warning]
        if self.interactions is not None:
            done["interaction_id"] = await _off_loop(
                self.interactions.record,
                workflow,
                generation.model,
                prompt_tokens=generation.prompt_tokens,
                completion_tokens=generation.completion_tokens,
                first_token_ms=generation.first_token_ms,
                total_ms=generation.total_ms,
            )
        return done


def judge_blocks(answer: str, tables: TableSpecs, dialect: str) -> list[dict[str, Any]]:
    """A verdict on every Python block of a model's answer (each checked in the check
    process, never here)."""
    return [check_block(code, tables, dialect).to_dict() for code in code_blocks(answer)]


def _counted(generator: Generator, pieces: Iterator[str], generation: Generation) -> Iterator[str]:
    """Pass the pieces through; at the end, count the answer's tokens (on the worker)."""
    text: list[str] = []
    for piece in pieces:
        text.append(piece)
        yield piece
    generation.completion_tokens = generator.count_tokens("".join(text))


async def _off_loop(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run blocking work (the index, files, SQLite) in a thread, off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, lambda: function(*args, **kwargs))
