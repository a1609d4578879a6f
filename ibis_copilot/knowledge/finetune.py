"""Full fine-tuning of the sentence-transformers embedding model on mined pairs (no LoRA:
every weight is trained).

The loss is MultipleNegativesRankingLoss: each anchor must find its positive among the
batch's positives (in-batch negatives) and the mined hard negatives. The loop is our own
(small, CPU-friendly, no ``datasets`` dependency): it checkpoints every ``save_every``
steps and a second run with the same output folder resumes where the first stopped.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ibis_copilot.fine_tuning import CARD, CHECKPOINT, FineTuningOptions
from ibis_copilot.knowledge.embeddings import resolve_model_path
from ibis_copilot.knowledge.pairs import TrainingPair


@dataclass
class TrainingOptions(FineTuningOptions):
    """How to train the embedding model; the defaults suit a laptop CPU."""


@dataclass
class TrainingReport:
    """What the card records."""

    base_model: str
    output: str
    train_pairs: int
    validation_pairs: int
    pairs_by_kind: dict[str, int]
    steps: int
    resumed_from_step: int
    seconds: float
    options: dict[str, Any]
    metrics: dict[str, float] = field(default_factory=dict)


def _batches(pairs: list[TrainingPair], options: TrainingOptions) -> list[list[TrainingPair]]:
    """Every epoch's batches in a fixed order (so a resumed run sees the same ones)."""
    rng = random.Random(options.seed)  # noqa: S311 - shuffling, not security
    batches: list[list[TrainingPair]] = []
    for _ in range(options.epochs):
        order = pairs[:]
        rng.shuffle(order)
        batches += [
            order[start : start + options.batch_size]
            for start in range(0, len(order) - 1, options.batch_size)
            if len(order[start : start + options.batch_size]) > 1
        ]
    if options.max_steps is not None:
        batches = batches[: options.max_steps]
    return batches


def _features(model: Any, texts: list[str], device: str) -> dict[str, Any]:
    features = model.preprocess(texts)
    return {
        name: value.to(device) if hasattr(value, "to") else value
        for name, value in features.items()
    }


def train_embeddings(
    base_model: str,
    train: list[TrainingPair],
    validation: list[TrainingPair],
    output: Path,
    options: TrainingOptions | None = None,
    *,
    progress: bool = True,
    resume: bool = True,
) -> TrainingReport:
    """Fine-tune ``base_model`` on ``train``; save the model and its card in ``output``."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from transformers import get_linear_schedule_with_warmup

    options = options or TrainingOptions()
    torch.manual_seed(options.seed)
    checkpoint = output / CHECKPOINT
    state_file = checkpoint / "trainer_state.pt"
    resuming = resume and state_file.is_file()
    source = str(checkpoint) if resuming else resolve_model_path(base_model)
    model = SentenceTransformer(source, device=options.device)
    model.max_seq_length = options.max_length
    loss = MultipleNegativesRankingLoss(model)
    batches = _batches(train, options)
    optimizer = torch.optim.AdamW(model.parameters(), lr=options.learning_rate)
    scheduler = get_linear_schedule_with_warmup(  # type: ignore[no-untyped-call]
        optimizer, int(len(batches) * options.warmup_share), max(1, len(batches))
    )
    done = 0
    if resuming:
        state = torch.load(state_file, weights_only=False)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        done = int(state["step"])
    started = time.monotonic()
    model.train()
    bar = tqdm(
        total=len(batches),
        initial=done,
        desc="fine-tuning",
        unit=" steps",
        disable=not progress,
        file=sys.stderr,
    )
    for step in range(done, len(batches)):
        batch = batches[step]
        columns = [[p.anchor for p in batch], [p.positive for p in batch]]
        if all(p.negative for p in batch):
            columns.append([str(p.negative) for p in batch])
        value = loss([_features(model, texts, options.device) for texts in columns], None)
        value.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        bar.update(1)
        bar.set_postfix(loss=f"{value.item():.3f}")
        if (step + 1) % options.save_every == 0 and step + 1 < len(batches):
            model.save(str(checkpoint))
            state = {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}
            torch.save({**state, "step": step + 1}, state_file)
    bar.close()
    model.eval()
    model.save(str(output))
    report = TrainingReport(
        base_model=base_model,
        output=str(output),
        train_pairs=len(train),
        validation_pairs=len(validation),
        pairs_by_kind=dict(Counter(pair.kind for pair in train)),
        steps=len(batches),
        resumed_from_step=done,
        seconds=round(time.monotonic() - started, 1),
        options=asdict(options),
    )
    _finish(report, validation, state_file)
    return report


def _finish(report: TrainingReport, validation: list[TrainingPair], state_file: Path) -> None:
    """Measure on the held-out pairs, write the card, drop the resume state."""
    if validation:
        report.metrics = {
            "validation_mrr@10_base": pair_mrr(resolve_model_path(report.base_model), validation),
            "validation_mrr@10_tuned": pair_mrr(report.output, validation),
        }
    write_card(Path(report.output), report)
    shutil.rmtree(state_file.parent, ignore_errors=True)  # finished: nothing to resume


def pair_mrr(model_path: str, pairs: list[TrainingPair], k: int = 10) -> float:
    """MRR@k of each anchor finding its own positive among all the pairs' positives."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_path, device="cpu")
    positives = sorted({pair.positive for pair in pairs})
    where = {text: index for index, text in enumerate(positives)}
    anchors = model.encode(
        [p.anchor for p in pairs], normalize_embeddings=True, show_progress_bar=False
    )
    documents = model.encode(positives, normalize_embeddings=True, show_progress_bar=False)
    scores = np.asarray(anchors) @ np.asarray(documents).T
    total = 0.0
    for row, pair in enumerate(pairs):
        ranking = np.argsort(-scores[row])[:k].tolist()
        gold = where[pair.positive]
        total += 1.0 / (ranking.index(gold) + 1) if gold in ranking else 0.0
    return round(total / len(pairs), 4)


def write_card(output: Path, report: TrainingReport) -> None:
    """The model card: JSON for tools, and a README for people."""
    (output / CARD).write_text(json.dumps(asdict(report), indent=2) + "\n")
    lines = [
        f"# Ibis-tuned embedding model (from {report.base_model})",
        "",
        "Fully fine-tuned by `ibis-copilot train-embeddings` (no LoRA) with "
        "MultipleNegativesRankingLoss on pairs mined from the Ibis docs and API.",
        "",
        f"- training pairs: {report.train_pairs} ({report.pairs_by_kind})",
        f"- validation pairs (held-out pages): {report.validation_pairs}",
        f"- steps: {report.steps}, {report.seconds} s",
        *(f"- {name}: {value}" for name, value in report.metrics.items()),
    ]
    (output / "README.md").write_text("\n".join(lines) + "\n")
