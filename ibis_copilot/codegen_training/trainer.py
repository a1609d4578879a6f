"""Full fine-tuning of a causal language model on Ibis examples (no LoRA: every weight,
the new FIM sentinels' embeddings included, is trained).

The base is the packaged GGUF (dequantized by transformers) or any local Hugging Face
checkpoint; the result is a plain Hugging Face checkpoint folder that ``chat_model`` /
``completion_model`` can name. The loop is our own, like ``train-embeddings``: it saves a
checkpoint every ``save_every`` steps and a second run with the same output resumes.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ibis_copilot.codegen_training.example import CodeExample
from ibis_copilot.codegen_training.formats import (
    IGNORE,
    SENTINELS,
    Sequence,
    SourceBook,
    add_sentinels,
    encode,
)
from ibis_copilot.fine_tuning import CARD, CHECKPOINT, FineTuningOptions

STATE = "trainer_state.pt"


@dataclass
class TrainingOptions(FineTuningOptions):
    """How to train the code model; the defaults suit a laptop CPU and a 135M model."""

    batch_size: int = 8
    learning_rate: float = 1e-4
    warmup_share: float = 0.05
    max_length: int = 512
    precision: str = "auto"  # or "bf16" (bfloat16 math, float32 weights), "fp32"
    save_every: int = 25
    validation_limit: int = 48  # held-out sequences scored before and after
    stop_after: int | None = None  # steps in this session; the next run resumes


class TrainingPausedError(Exception):
    """``stop_after`` steps were done: the checkpoint is saved and a rerun resumes."""

    def __init__(self, step: int, total: int) -> None:
        super().__init__(f"paused at step {step} of {total}; run the command again to resume")
        self.step, self.total = step, total


@dataclass
class TrainingReport:
    """What the model card records."""

    base_model: str
    output: str
    train_examples: int
    examples_by_kind: dict[str, int]
    sequences_too_long: int
    validation_examples: int
    steps: int
    resumed_from_step: int
    seconds: float
    train_sequences_per_second: float
    options: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)  # sources, hygiene
    metrics: dict[str, float] = field(default_factory=dict)


def _where(base_model: str) -> tuple[str, dict[str, Any]]:
    from transformers.utils import logging as transformers_logging

    from ibis_copilot.models.transformers_backend import resolve

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    where, gguf = resolve(base_model)
    return where, {"gguf_file": gguf} if gguf else {}


def load_tokenizer(base_model: str) -> Any:
    """The tokenizer of a model setting, with the FIM sentinels."""
    from transformers import AutoTokenizer

    where, options = _where(base_model)
    tokenizer = AutoTokenizer.from_pretrained(where, **options)
    tokenizer.add_special_tokens({"additional_special_tokens": list(SENTINELS)})
    return tokenizer


def load_base(base_model: str, device: str) -> tuple[Any, Any]:
    """Tokenizer and float32 model of a model setting (a packaged GGUF is dequantized)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    where, options = _where(base_model)
    tokenizer = AutoTokenizer.from_pretrained(where, **options)
    model: Any = AutoModelForCausalLM.from_pretrained(where, dtype=torch.float32, **options)
    if options:  # the weights are dequantized float32 now: save them as a plain checkpoint
        setattr(model, "hf_quantizer", None)  # noqa: B010 - the attribute is typed non-None
        if hasattr(model.config, "quantization_config"):
            delattr(model.config, "quantization_config")
    return tokenizer, model.to(device)


PRECISIONS = ("auto", "bf16", "fp32")


def resolve_precision(precision: str, device: str) -> str:
    """``"bf16"`` or ``"fp32"``: ``"auto"`` is bf16 where the device computes in bfloat16
    natively (a CUDA GPU that supports it; a CPU with AVX-512 BF16 or AMX, about twice as
    fast as float32 on this project's 2-core CI machine), float32 elsewhere. The weights
    and the optimizer stay float32 either way (mixed precision through autocast)."""
    import torch

    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if precision != "auto":
        return precision
    if device.startswith("cuda"):
        return "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "fp32"
    try:
        native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch build without oneDNN
        native = False
    return "bf16" if native and device == "cpu" else "fp32"


def autocast(options: TrainingOptions) -> Any:
    """The context the forward pass runs in: bfloat16 autocast, or nothing for fp32."""
    import torch

    return torch.autocast(
        options.device.split(":")[0],
        dtype=torch.bfloat16,
        enabled=options.precision == "bf16",
    )


def batch_loss(model: Any, inputs: dict[str, Any]) -> Any:
    """Mean next-token loss over the learned positions; the output layer runs only there
    (a chat prompt's tokens are context, not predicted: most of the vocabulary's cost)."""
    import torch

    hidden = model.get_decoder()(
        input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"]
    ).last_hidden_state[:, :-1]
    targets = inputs["labels"][:, 1:]
    learned = targets != IGNORE
    logits = model.get_output_embeddings()(hidden[learned])
    return torch.nn.functional.cross_entropy(logits.float(), targets[learned])


def encode_all(
    examples: list[CodeExample],
    tokenizer: Any,
    options: TrainingOptions,
    book: SourceBook | None,
) -> tuple[list[Sequence], int]:
    """Every example that fits as a sequence (FIM cuts drawn from the seed), and how many
    did not fit."""
    rng = random.Random(options.seed)  # noqa: S311 - data sampling, not security
    found = [encode(e, tokenizer, options.max_length, rng, book) for e in examples]
    kept = [sequence for sequence in found if sequence is not None]
    return kept, len(found) - len(kept)


def batches(sequences: list[Sequence], options: TrainingOptions) -> list[list[Sequence]]:
    """Every epoch's batches in a fixed order (a resumed run sees the same ones); batches
    are made of neighbours in length so little is padding."""
    rng = random.Random(options.seed)  # noqa: S311 - shuffling, not security
    made: list[list[Sequence]] = []
    window = options.batch_size * 16
    for _ in range(options.epochs):
        order = sequences[:]
        rng.shuffle(order)
        for start in range(0, len(order), window):
            block = sorted(order[start : start + window], key=lambda s: len(s.input_ids))
            group = [
                block[i : i + options.batch_size] for i in range(0, len(block), options.batch_size)
            ]
            rng.shuffle(group)
            made += group
    return made[: options.max_steps] if options.max_steps is not None else made


def collate(batch: list[Sequence], pad_id: int, device: str) -> dict[str, Any]:
    import torch

    width = max(len(s.input_ids) for s in batch)
    ids = [s.input_ids + [pad_id] * (width - len(s.input_ids)) for s in batch]
    labels = [s.labels + [IGNORE] * (width - len(s.labels)) for s in batch]
    mask = [[1] * len(s.input_ids) + [0] * (width - len(s.input_ids)) for s in batch]
    return {
        "input_ids": torch.tensor(ids, device=device),
        "labels": torch.tensor(labels, device=device),
        "attention_mask": torch.tensor(mask, device=device),
    }


def validation_loss(
    model: Any, sequences: list[Sequence], pad_id: int, options: TrainingOptions
) -> dict[str, float]:
    """Mean loss per learned token on held-out sequences, overall and by kind."""
    import torch

    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    model.eval()
    with torch.no_grad():
        for sequence in sequences[: options.validation_limit]:
            inputs = collate([sequence], pad_id, options.device)
            learned = sum(label != IGNORE for label in sequence.labels[1:])
            with autocast(options):
                loss = float(batch_loss(model, inputs)) * learned
            for key in ("all", sequence.kind):
                totals[key][0] += loss
                totals[key][1] += learned
    return {kind: round(total / max(1.0, n), 4) for kind, (total, n) in sorted(totals.items())}


def _save(model: Any, tokenizer: Any, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


@dataclass
class _Session:
    """The model, its optimizer and schedule, and where the resume state lives."""

    model: Any
    tokenizer: Any
    optimizer: Any
    scheduler: Any
    checkpoint: Path

    @property
    def state_file(self) -> Path:
        return self.checkpoint / STATE

    def save(self, step: int, before: dict[str, float], seconds: float, trained: int) -> None:
        import torch

        _save(self.model, self.tokenizer, self.checkpoint)
        state = {"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict()}
        progress = {"step": step, "before": before, "seconds": seconds, "trained": trained}
        torch.save({**state, **progress}, self.state_file)

    def restore(self) -> tuple[int, dict[str, float], float, int]:
        """Step, held-out loss before training, and the seconds and sequences trained so
        far (earlier sessions count in the card's time and rate)."""
        import torch

        state = torch.load(self.state_file, weights_only=False)
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        seconds, trained = float(state.get("seconds", 0.0)), int(state.get("trained", 0))
        return int(state["step"]), dict(state["before"]), seconds, trained


def _session(base: str, output: Path, steps: int, options: TrainingOptions) -> _Session:
    import torch
    from transformers import get_linear_schedule_with_warmup

    tokenizer, model = load_base(base, options.device)
    add_sentinels(tokenizer, model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=options.learning_rate, weight_decay=0.0)
    scheduler = get_linear_schedule_with_warmup(  # type: ignore[no-untyped-call]
        optimizer, math.ceil(steps * options.warmup_share), steps
    )
    return _Session(model, tokenizer, optimizer, scheduler, output / CHECKPOINT)


def train_codegen(
    base_model: str,
    train: list[CodeExample],
    validation: list[CodeExample],
    output: Path,
    options: TrainingOptions | None = None,
    *,
    book: SourceBook | None = None,
    data: dict[str, Any] | None = None,
    progress: bool = True,
    resume: bool = True,
) -> TrainingReport:
    """Fine-tune every weight of ``base_model`` on ``train``; save model, tokenizer and
    card in ``output``. Raises ``TrainingPausedError`` after ``options.stop_after`` steps."""
    import torch

    options = options or TrainingOptions()
    options = replace(options, precision=resolve_precision(options.precision, options.device))
    torch.manual_seed(options.seed)
    resuming = resume and (output / CHECKPOINT / STATE).is_file()
    tokenizer = load_tokenizer(str(output / CHECKPOINT) if resuming else base_model)
    sequences, too_long = encode_all(train, tokenizer, options, book)
    held_out, _ = encode_all(validation, tokenizer, options, book)
    schedule = batches(sequences, options)
    if not schedule:
        raise ValueError("no training example fits max_length")
    run = _session(
        str(output / CHECKPOINT) if resuming else base_model, output, len(schedule), options
    )
    pad_id = int(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0)
    before: dict[str, float] = {}
    done, earlier_seconds, trained = 0, 0.0, 0
    if resuming:
        done, before, earlier_seconds, trained = run.restore()
    else:
        before = validation_loss(run.model, held_out, pad_id, options)
    started = time.monotonic() - earlier_seconds
    run.model.train()
    bar = tqdm(
        total=len(schedule),
        initial=done,
        desc="fine-tuning",
        unit=" steps",
        disable=not progress,
        file=sys.stderr,
    )
    for step in range(done, len(schedule)):
        with autocast(options):
            loss = batch_loss(run.model, collate(schedule[step], pad_id, options.device))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(run.model.parameters(), 1.0)
        run.optimizer.step()
        run.scheduler.step()
        run.optimizer.zero_grad()
        trained += len(schedule[step])
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.3f}")
        pause = options.stop_after is not None and step + 1 - done >= options.stop_after
        if step + 1 < len(schedule) and ((step + 1) % options.save_every == 0 or pause):
            run.save(step + 1, before, time.monotonic() - started, trained)
            if pause:
                bar.close()
                raise TrainingPausedError(step + 1, len(schedule))
    bar.close()
    seconds = time.monotonic() - started
    after = validation_loss(run.model, held_out, pad_id, options)
    run.model.eval()
    _save(run.model, run.tokenizer, output)
    report = TrainingReport(
        base_model=base_model,
        output=str(output),
        train_examples=len(train),
        examples_by_kind=dict(Counter(e.kind for e in train)),
        sequences_too_long=too_long,
        validation_examples=len(validation),
        steps=len(schedule),
        resumed_from_step=done,
        seconds=round(seconds, 1),
        train_sequences_per_second=round(trained / max(seconds, 1e-9), 3),
        options=asdict(options),
        data=data or {},
        metrics={
            **{f"validation_loss_{kind}_before": value for kind, value in before.items()},
            **{f"validation_loss_{kind}_after": value for kind, value in after.items()},
        },
    )
    write_card(output, report)
    shutil.rmtree(run.checkpoint, ignore_errors=True)  # finished: nothing to resume
    return report


def write_card(output: Path, report: TrainingReport) -> None:
    """The model card: JSON for tools, and a README for people."""
    (output / CARD).write_text(json.dumps(asdict(report), indent=2) + "\n")
    lines = [
        f"# Ibis code model (from {report.base_model})",
        "",
        "Fully fine-tuned by `ibis-copilot train-codegen` (no LoRA: every weight) on "
        "verified synthetic Ibis (NL, SQL and pandas to Ibis, Ibis to SQL), docs code and "
        "docstring examples, in the chat format and in fill-in-the-middle with the "
        "`<|ibis_fim_prefix|>`/`<|ibis_fim_suffix|>`/`<|ibis_fim_middle|>` sentinels.",
        "",
        f"- training examples: {report.train_examples} ({report.examples_by_kind})",
        f"- sequences longer than max_length, skipped: {report.sequences_too_long}",
        f"- held-out examples (whole seeds and pages): {report.validation_examples}",
        f"- steps: {report.steps} (resumed from {report.resumed_from_step}), "
        f"{report.seconds} s, {report.train_sequences_per_second} sequences/s",
        *(f"- {name}: {value}" for name, value in report.data.items()),
        *(f"- {name}: {value}" for name, value in report.metrics.items()),
        "",
        "Use it: `c.IbisCopilot.chat_model` and/or `c.IbisCopilot.completion_model` = this folder.",
    ]
    (output / "README.md").write_text("\n".join(lines) + "\n")
