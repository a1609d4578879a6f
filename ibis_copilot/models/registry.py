"""Which generator the settings ask for; one loaded model per process and name."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from ibis_copilot.models.base import GenerationError, Generator
from ibis_copilot.models.openai_backend import OpenAICompatibleGenerator
from ibis_copilot.models.supervisor import WorkerSupervisor
from ibis_copilot.models.transformers_backend import TransformersGenerator
from ibis_copilot.models.worker_generator import WorkerGenerator

if TYPE_CHECKING:
    from ibis_copilot.settings import IbisCopilot


@cache
def local_generator(name: str, device: str = "cpu") -> TransformersGenerator:
    """The process-wide in-process generator for ``name`` (loaded on first use)."""
    return TransformersGenerator(name, device)


def chat_generator(
    settings: IbisCopilot, model: str | None = None, role: str = "chat"
) -> Generator:
    """The model the settings describe, ``chat_model`` unless named (nothing is loaded or
    started; a worker process starts on ``load()`` or first use)."""
    model = model or settings.chat_model
    if settings.model_backend == "openai":
        if not settings.openai_base_url:
            raise GenerationError("model_backend is 'openai' but openai_base_url is not set")
        return OpenAICompatibleGenerator(
            settings.openai_base_url,
            model,
            settings.openai_api_key_env,
            timeout=settings.request_timeout,
        )
    if settings.model_process == "worker":
        supervisor = WorkerSupervisor(
            model, settings.model_device, role=role, memory_limit_mb=settings.model_memory_limit
        )
        return WorkerGenerator(supervisor, timeout=settings.request_timeout)
    return local_generator(model, settings.model_device)
