"""The objects the handlers share: built once per server from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ibis_copilot.assistant.chat import ChatWorkflow
from ibis_copilot.assistant.complete import CompleteWorkflow
from ibis_copilot.assistant.conversations import ConversationStore
from ibis_copilot.assistant.explain import ExplainWorkflow
from ibis_copilot.assistant.interaction_log import InteractionLog
from ibis_copilot.assistant.model_sql import ConvertWorkflow
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.models.registry import chat_generator
from ibis_copilot.models.scheduler import Scheduler
from ibis_copilot.settings import IbisCopilot, knowledge_base


@dataclass
class Services:
    """Settings, knowledge base, the model's scheduler and the workflows."""

    settings: IbisCopilot
    knowledge: KnowledgeBase
    scheduler: Scheduler
    completion_scheduler: Scheduler
    chat: ChatWorkflow
    complete: CompleteWorkflow
    explain: ExplainWorkflow
    convert: ConvertWorkflow
    interactions: InteractionLog | None = None

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir)

    @classmethod
    def from_settings(cls, settings: IbisCopilot) -> Services:
        knowledge = knowledge_base(settings)
        generator = chat_generator(settings)
        scheduler = Scheduler(generator, settings.max_queue, settings.request_timeout)
        completion_scheduler = scheduler
        if settings.completion_model and settings.completion_model != settings.chat_model:
            completion_scheduler = Scheduler(
                chat_generator(settings, settings.completion_model),
                settings.max_queue,
                settings.request_timeout,
            )
        conversations = ConversationStore(Path(settings.data_dir) / "conversations")
        chat = ChatWorkflow(knowledge, conversations)
        log = InteractionLog(Path(settings.data_dir) / "interactions.sqlite")
        return cls(
            settings,
            knowledge,
            scheduler,
            completion_scheduler,
            chat,
            CompleteWorkflow(),
            ExplainWorkflow(knowledge),
            ConvertWorkflow(),
            log if settings.log_interactions else None,
        )
