"""The Assistant: every workflow as one async method that yields the stream's events.

It owns retrieval, scheduling, conversation memory and the interaction log, so the HTTP
handlers only parse requests and write events, and the CLI calls the same methods.

Events: ``{"type": "token", "text"}`` pieces, then one closing ``{"type": "done", ...}``
that always carries ``usage`` (and ``warnings`` when the docs could not be searched);
explain sends the rules' ``diagnosis`` first, and the closing events of chat and explain
carry ``blocks``, a verdict on each code block the model wrote.
A failure before the first token raises (the handler answers 4xx/5xx); a later one ends
the stream with ``{"type": "error", "error": {"type", "message"}}``. The model is only
ever touched on the scheduler's worker: prompts are rendered there, so a first request
loads the model through the scheduler and ``status`` always tells the truth.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ibis_copilot.assistant.chat import ChatWorkflow, validate_messages
from ibis_copilot.assistant.complete import CompleteWorkflow, CompletionRequest, clean
from ibis_copilot.assistant.completion_gate import withheld_reason
from ibis_copilot.assistant.conversations import ConversationStore
from ibis_copilot.assistant.explain import ErrorReport, ExplainWorkflow
from ibis_copilot.assistant.generation import (
    Event,
    Generation,
    Prompt,
    generate_events,
    off_loop,
    ready,
)
from ibis_copilot.assistant.interaction_log import InteractionLog
from ibis_copilot.assistant.model_sql import ModelSqlRequest, ModelSqlWorkflow
from ibis_copilot.assistant.self_repair import RepairBudget, revise_blocks
from ibis_copilot.assistant.sources import Sources, find_sources
from ibis_copilot.code_blocks import code_blocks
from ibis_copilot.expressions.namespace import TableSpecs
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.knowledge.retrieval import SearchResult
from ibis_copilot.models.base import (
    CancelToken,
    GenerationParams,
    Generator,
    Message,
)
from ibis_copilot.models.registry import chat_generator
from ibis_copilot.models.scheduler import Priority, Scheduler
from ibis_copilot.models.supervisor import worker_model_status
from ibis_copilot.models.worker_generator import WorkerGenerator
from ibis_copilot.repair.verdict import check_block, diagnose_report
from ibis_copilot.settings import IbisCopilot
from ibis_copilot.status import collect_status

#: A revision is one code block: shorter than an answer.
REVISION_MAX_TOKENS = 256
#: A closing event's warning when the answer was cut at a loop.
LOOP_WARNING = "the answer was cut where the model began repeating itself"
#: Temperature of the extra completion candidates (the first is greedy).
SAMPLING_TEMPERATURE = 0.8


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
            chat_generator(settings), settings.max_queue, settings.request_timeout, preempt=True
        )
        completion_scheduler = chat_scheduler
        if settings.completion_model and settings.completion_model != settings.chat_model:
            completion_scheduler = Scheduler(
                chat_generator(settings, settings.completion_model, role="completion"),
                settings.max_queue,
                settings.request_timeout,
                preempt=True,
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
        """Stop the workers (and worker processes); waiting and running requests are
        cancelled."""
        for scheduler in (self.chat_scheduler, self.completion_scheduler):
            scheduler.stop()
            if isinstance(scheduler.generator, WorkerGenerator):
                scheduler.generator.supervisor.stop()

    def status(self) -> dict[str, Any]:
        """Versions, data directory, the index and each model's state."""
        status = collect_status(self.data_dir, self.knowledge.status())
        status["model"] = self._model_status(self.chat_scheduler)
        if self.completion_scheduler is not self.chat_scheduler:
            status["completion_model"] = self._model_status(self.completion_scheduler)
        return status

    @staticmethod
    def _model_status(scheduler: Scheduler) -> dict[str, Any]:
        status = {**scheduler.model_state, "waiting": scheduler.waiting()}
        if isinstance(scheduler.generator, WorkerGenerator):
            status.update(worker_model_status(status, scheduler.generator.supervisor.status()))
        return status

    # -- workflows -------------------------------------------------------------------

    async def search(self, query: str, k: int = 5) -> list[SearchResult]:
        """Cited results for ``query`` (the index is read off the event loop)."""
        results: list[SearchResult] = await off_loop(self.knowledge.search, query, k)
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
        scheduler = ready(self.chat_scheduler)
        workflow = self.chat_workflow
        sources = await self._sources(
            workflow.search_query(checked), workflow.k, workflow.min_similarity
        )

        def prepare(generator: Generator) -> Prompt:
            prepared = workflow.prepare(generator, checked, conversation_id, schemas, sources)
            generation.prepared = prepared
            params = GenerationParams(max_tokens=workflow.max_tokens)
            return Prompt(prepared.prompt, params, prepared.messages)

        generation = Generation()
        async for event in generate_events(
            scheduler, Priority.CHAT, prepare, generation, cancel=cancel
        ):
            yield event
            if event["type"] == "error":
                return
        if generation.cancelled:
            return
        prepared = generation.prepared
        await off_loop(workflow.remember, prepared, generation.answer)
        blocks = await off_loop(judge_blocks, generation.answer, tables or {}, dialect)
        await self._self_repair(blocks, schemas, tables or {}, dialect, cancel)
        done = {
            "conversation_id": prepared.conversation_id,
            "citations": [result.to_dict() for result in prepared.citations],
            "blocks": blocks,
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
        a name that does not exist) and ``candidates`` (how many were generated: with
        ``completion_candidates`` > 1, withheld suggestions are followed by samples, not
        streamed, until one passes)."""

        def prepare_with(temperature: float) -> Callable[[Generator], Prompt]:
            def prepare(generator: Generator) -> Prompt:
                prompt, params = self.complete_workflow.prepare(generator, request)
                return Prompt(prompt, replace(params, temperature=temperature))

            return prepare

        first = Generation()
        async for event in generate_events(
            self.completion_scheduler,
            Priority.COMPLETION,
            prepare_with(0.0),
            first,
            cancel=cancel,
            key=editor_id,
        ):
            yield event
            if event["type"] == "error":
                return
        completion, withheld = self._gate(first, request)
        candidates = 1
        while withheld and candidates < self.settings.completion_candidates:
            if first.cancelled or (cancel is not None and cancel.cancelled):
                break
            sample, candidates = Generation(), candidates + 1
            async for event in generate_events(
                self.completion_scheduler,
                Priority.COMPLETION,
                prepare_with(SAMPLING_TEMPERATURE),
                sample,
                cancel=cancel,
                key=editor_id,
                started=True,
            ):
                if event["type"] == "error":
                    break
            passed, reason = self._gate(sample, request)
            if not sample.cancelled and reason is None:
                completion, withheld = passed, None
        if not first.cancelled:
            done = {"completion": completion, "withheld": withheld, "candidates": candidates}
            yield await self._done("complete", first, done)

    @staticmethod
    def _gate(generation: Generation, request: CompletionRequest) -> tuple[str, str | None]:
        """The completion to show (empty when withheld) and why it is withheld."""
        completion = clean(generation.answer, request.suffix)
        withheld = withheld_reason(request.prefix, completion, request.suffix, request.tables)
        return ("" if withheld else completion), withheld

    async def explain(
        self, report: ErrorReport, cancel: CancelToken | None = None
    ) -> AsyncIterator[Event]:
        """Explain a failing cell. First a ``diagnosis`` event: the rules' findings and
        their fix with its verdict (before the model writes). Closing event:
        ``explanation``, ``fixed_code`` (the model's), ``blocks`` and ``citations``.
        The diagnosis needs no model: when the model cannot serve, an ``error`` event
        follows it."""
        workflow = self.explain_workflow
        findings, fix = await off_loop(
            diagnose_report,
            report.code,
            report.error_type,
            report.message,
            report.tables,
            dialect=report.dialect,
            imports=report.imports,
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
        async for event in generate_events(
            self.chat_scheduler, Priority.CHAT, prepare, generation, cancel=cancel, started=True
        ):
            yield event
            if event["type"] == "error":
                return
        if not generation.cancelled:
            citations = [result.to_dict() for result in sources.results]
            blocks = await off_loop(judge_blocks, generation.answer, report.tables, report.dialect)
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
        async for event in generate_events(
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
        found: bool = await off_loop(self.interactions.mark_accepted, interaction_id, accepted)
        return found

    # -- shared steps ----------------------------------------------------------------

    async def _self_repair(
        self,
        blocks: list[dict[str, Any]],
        schemas: str,
        tables: TableSpecs,
        dialect: str,
        cancel: CancelToken | None,
    ) -> None:
        """Failed blocks go back to the model with the check's error (within the budget)."""
        budget = RepairBudget(self.settings.self_repair_rounds, self.settings.self_repair_seconds)
        if budget.rounds < 1 or all(block["verdict"] != "not_checked" for block in blocks):
            return

        deadline = CancelToken()  # a revision still running at the deadline is stopped
        timer = asyncio.get_running_loop().call_later(budget.seconds, deadline.cancel, "budget")

        async def revise(messages: list[Message]) -> str:
            if cancel is not None and cancel.cancelled:
                return ""  # the caller went away
            reply = await self._reply(messages, REVISION_MAX_TOKENS, deadline)
            return "" if deadline.cancelled else reply

        async def judge(code: str) -> dict[str, Any]:
            verdict = await off_loop(check_block, code, tables, dialect)
            return verdict.to_dict()

        try:
            await revise_blocks(blocks, revise, judge, budget, schemas)
        finally:
            timer.cancel()

    async def _reply(
        self, messages: list[Message], max_tokens: int, cancel: CancelToken | None
    ) -> str:
        """The model's whole reply to ``messages`` (empty when it failed), not streamed."""

        def prepare(generator: Generator) -> Prompt:
            text = generator.render_chat(messages)
            return Prompt(text, GenerationParams(max_tokens=max_tokens), messages)

        generation = Generation()
        async for event in generate_events(
            self.chat_scheduler, Priority.CHAT, prepare, generation, cancel=cancel, started=True
        ):
            if event["type"] == "error":
                return ""
        return "" if generation.cancelled else generation.answer

    async def _sources(self, query: str, k: int, min_similarity: float = 0.0) -> Sources:
        sources: Sources = await off_loop(find_sources, self.knowledge, query, k, min_similarity)
        return sources

    async def _done(
        self,
        workflow: str,
        generation: Generation,
        fields: dict[str, Any],
        sources: Sources | None = None,
    ) -> Event:
        """The closing event: the workflow's fields, ``usage``, warnings, interaction id."""
        done: Event = {"type": "done", **fields, "usage": generation.usage}
        warnings = [sources.warning] if sources is not None and sources.warning else []
        if generation.looped:
            warnings.append(LOOP_WARNING)
        if warnings:
            done["warnings"] = warnings
        if self.interactions is not None:
            done["interaction_id"] = await off_loop(
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
