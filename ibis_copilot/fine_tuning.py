"""What both fine-tuning commands (``train-embeddings``, ``train-codegen``) share: the
options every run has and the names of the files it leaves in its output folder."""

from __future__ import annotations

from dataclasses import dataclass

#: The folder a run saves to every ``save_every`` steps, removed once it finishes.
CHECKPOINT = "checkpoint"
#: The model card (base model, data, steps, time, held-out metrics) beside the weights.
CARD = "ibis-copilot-card.json"


@dataclass
class FineTuningOptions:
    """How to train every weight of a model; each command sets its own defaults."""

    epochs: int = 1
    batch_size: int = 32
    learning_rate: float = 2e-5
    warmup_share: float = 0.1
    max_steps: int | None = None
    max_length: int = 128
    seed: int = 0
    device: str = "cpu"
    save_every: int = 50
