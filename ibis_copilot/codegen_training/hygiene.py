"""Held-out splits by group (generator seed, docs page, API object) and deduplication
against the evaluation sets: no example that shares a run of tokens with an evaluation
item (a question, a reference, a snippet, a query) is ever trained on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ibis_copilot.codegen_training.example import CodeExample

TOKEN = re.compile(r"\w+")
#: Two texts sharing this many consecutive words count as the same text (punctuation is
#: ignored, so quoting or spacing does not hide a copy).
NGRAM = 8
#: The evaluation sets of the repository (completion snippets are cut from codegen_dev).
EVAL_FILES = (
    "codegen_dev.jsonl",
    "codegen_heldout.jsonl",
    "repair_dev.jsonl",
    "repair_heldout.jsonl",
    "retrieval_dev.jsonl",
    "retrieval_heldout.jsonl",
)


class ContaminationError(ValueError):
    """A training example overlaps an evaluation item."""


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def ngrams(text: str, n: int = NGRAM) -> set[tuple[str, ...]]:
    """The token n-grams of ``text``; a shorter text is its own single n-gram."""
    found = tokens(text)
    if len(found) < n:
        return {tuple(found)} if found else set()
    return {tuple(found[i : i + n]) for i in range(len(found) - n + 1)}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@dataclass
class EvalIndex:
    """Every n-gram of every text of the evaluation sets, and the files it came from."""

    files: list[str] = field(default_factory=list)
    grams: set[tuple[str, ...]] = field(default_factory=set)
    items: int = 0

    @classmethod
    def from_dir(cls, folder: Path, names: Iterable[str] = EVAL_FILES) -> EvalIndex:
        index = cls()
        for name in names:
            path = folder / name
            if not path.is_file():
                continue
            index.files.append(name)
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    index.add(json.loads(line))
        return index

    def add(self, item: Any) -> None:
        """Index one evaluation item: all its strings except identifiers and labels."""
        self.items += 1
        for text in _strings(item):
            if len(tokens(text)) >= 3:  # ids, categories and short labels are not content
                self.grams |= ngrams(text)

    def overlaps(self, text: str) -> bool:
        return not self.grams.isdisjoint(ngrams(text))

    def contaminated(self, example: CodeExample) -> bool:
        texts = (example.code, example.request, example.comment)
        return any(self.overlaps(text) for text in texts if text)


def deduplicate(examples: list[CodeExample], index: EvalIndex) -> tuple[list[CodeExample], int]:
    """The examples that overlap no evaluation item, and how many were dropped."""
    kept = [example for example in examples if not index.contaminated(example)]
    return kept, len(examples) - len(kept)


def check_clean(examples: Iterable[CodeExample], index: EvalIndex) -> None:
    """Raise ``ContaminationError`` if any example overlaps an evaluation item."""
    for example in examples:
        if index.contaminated(example):
            raise ContaminationError(
                f"a {example.kind} example from {example.group} overlaps an evaluation set"
            )


def held_out(group: str, share: float) -> bool:
    """Whether a group belongs to the held-out split (stable across runs and machines)."""
    digest = int(hashlib.sha256(group.encode()).hexdigest()[:8], 16)
    return digest % 1000 < share * 1000


def split(
    examples: list[CodeExample], share: float = 0.1
) -> tuple[list[CodeExample], list[CodeExample]]:
    """``(train, validation)``: whole groups (a seed, a page) go to one side."""
    train = [e for e in examples if not held_out(e.group, share)]
    validation = [e for e in examples if held_out(e.group, share)]
    return train, validation
