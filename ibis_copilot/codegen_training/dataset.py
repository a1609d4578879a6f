"""The whole training set: synthetic and mined examples, deduplicated against the
evaluation sets, split by group into train and held-out, and checked clean."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ibis_copilot.codegen_training.example import CodeExample
from ibis_copilot.codegen_training.hygiene import EvalIndex, check_clean, deduplicate, split
from ibis_copilot.codegen_training.mined import docs_examples, repo_test_examples
from ibis_copilot.codegen_training.synthetic import SyntheticReport, synthetic_examples
from ibis_copilot.knowledge.chunks import Chunk

KINDS = ("code", "nl", "sql", "to_sql", "pandas", "docs", "docstring", "repo")
#: The repository's evaluation sets, when running from a checkout.
REPO_EVAL_DIR = Path(__file__).resolve().parents[2] / "tests" / "data"


@dataclass
class DatasetReport:
    """Where the examples came from and what hygiene removed."""

    synthetic_seeds: int = 0
    synthetic_drafts: int = 0
    synthetic_kept: int = 0
    synthetic_failed: dict[str, int] = field(default_factory=dict)
    mined: dict[str, int] = field(default_factory=dict)
    eval_sets: list[str] = field(default_factory=list)
    dropped_overlapping_eval: int = 0
    train: int = 0
    held_out: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def cap_kinds(
    examples: list[CodeExample], limits: Mapping[str, int], seed: int
) -> list[CodeExample]:
    """At most ``limits[kind]`` examples of each kind named, sampled; others kept; order
    kept."""
    rng = random.Random(seed)  # noqa: S311 - sampling, not security
    dropped: set[int] = set()
    for kind, limit in limits.items():
        of_kind = [i for i, example in enumerate(examples) if example.kind == kind]
        if len(of_kind) > limit:
            dropped |= set(of_kind) - set(rng.sample(of_kind, limit))
    return [example for i, example in enumerate(examples) if i not in dropped]


def build_dataset(
    seeds: int,
    chunks: list[Chunk],
    eval_dir: Path | None,
    *,
    per_schema: int = 12,
    composed: int = 8,
    repo: Path | None = None,
    held_out_share: float = 0.1,
    max_examples: int | None = None,
    kinds: frozenset[str] | None = None,
    limits: Mapping[str, int] | None = None,
    seed: int = 0,
) -> tuple[list[CodeExample], list[CodeExample], DatasetReport]:
    """``(train, held_out, report)``: per seed, ``per_schema`` single-purpose drafts and
    ``composed`` composed requests; only ``kinds`` when given; ``max_examples`` samples
    the training side evenly, then ``limits`` caps the training examples of each kind named
    (a sample of that kind)."""
    report = DatasetReport(synthetic_seeds=seeds)
    synthetic = SyntheticReport()
    examples = synthetic_examples(range(seeds), per_schema, synthetic, composed)
    report.synthetic_drafts, report.synthetic_kept = synthetic.drafts, synthetic.kept
    report.synthetic_failed = dict(synthetic.failed)
    mined = docs_examples(chunks)
    if repo is not None:
        mined += repo_test_examples(repo)
    report.mined = dict(Counter(example.kind for example in mined))
    index = EvalIndex.from_dir(eval_dir) if eval_dir is not None else EvalIndex()
    report.eval_sets = index.files
    examples = [e for e in examples + mined if kinds is None or e.kind in kinds]
    examples, report.dropped_overlapping_eval = deduplicate(examples, index)
    train, held_out = split(examples, held_out_share)
    if max_examples is not None and len(train) > max_examples:
        train = random.Random(seed).sample(train, max_examples)  # noqa: S311 - sampling
    if limits:
        train = cap_kinds(train, limits, seed)
    check_clean(train, index)
    report.train, report.held_out = len(train), len(held_out)
    return train, held_out, report
