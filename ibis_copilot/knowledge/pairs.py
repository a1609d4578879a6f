"""Training pairs for the embedding model, mined from the knowledge sources' chunks.

Nothing here is written by hand: every pair joins two pieces of the same chunk or page.

- ``heading``: a docs section's heading ↔ the section's text;
- ``title``: a docs page's title ↔ its first section;
- ``signature``: an API object's name and signature ↔ its docstring summary;
- ``example``: an API docstring's example code ↔ that docstring's summary;
- ``asked``, ``pandas``, ``sql words``, ``sql``: an API object's vocabulary sibling (how
  users ask for it, pandas' names for it, the SQL words and the SQL its examples compile
  to) ↔ its docstring summary, so that a question in users', pandas' or SQL's words finds
  the Ibis object.

Hard negatives come from the same place: another section of the same page, or the
summary of a sibling method of the same class. Whole pages are held out for validation
(and any page given in ``held_out``, such as the gold pages of the evaluation queries, is
never trained on).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ibis_copilot.knowledge.api_source import PANDAS_LINE, SQL_WORDS_LINE
from ibis_copilot.knowledge.chunks import Chunk
from ibis_copilot.knowledge.user_words import USER_WORDS_LINE

EXAMPLE = re.compile(r"Examples:\n```python\n(.*?)```", re.DOTALL)
MIN_WORDS = 4


@dataclass(frozen=True)
class TrainingPair:
    """An anchor, the text it should find, and (maybe) a close text it should not."""

    anchor: str
    positive: str
    negative: str | None
    kind: str
    page: str


def _words(text: str) -> int:
    return len(text.split())


def _summary(chunk: Chunk) -> str:
    """An API chunk's docstring summary: the paragraph after the signature."""
    paragraphs = [p.strip() for p in chunk.text.split("\n\n") if p.strip()]
    return paragraphs[1] if len(paragraphs) > 1 and not paragraphs[1].startswith("(") else ""


def _signature(chunk: Chunk) -> str:
    first = chunk.text.split("\n", 1)[0]
    short = chunk.extra.get("user_name") or chunk.path.removeprefix("api:")
    return f"{short}\n{first}"


def _example_code(chunk: Chunk) -> str:
    match = EXAMPLE.search(chunk.text)
    if match is None:
        return ""
    lines = [
        line[4:]
        for line in match.group(1).splitlines()
        if line.startswith((">>> ", "... "))
        and "ibis.options" not in line
        and not line.startswith(">>> import")
    ]
    return "\n".join(lines).strip()


def _last_heading(chunk: Chunk) -> str:
    return chunk.heading.split(" > ")[-1].strip()


def _docs_pairs(chunks: list[Chunk], rng: random.Random) -> Iterable[TrainingPair]:
    pages: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        pages[chunk.path].append(chunk)
    for page, sections in pages.items():
        for chunk in sections:
            others = [c.text for c in sections if c is not chunk and _words(c.text) >= MIN_WORDS]
            negative = rng.choice(others) if others else None
            heading = _last_heading(chunk)
            if heading and _words(chunk.text) >= MIN_WORDS:
                yield TrainingPair(heading, chunk.text, negative, "heading", page)
        first = sections[0]
        if first.title and _words(first.text) >= MIN_WORDS:
            others = [c.text for c in sections[1:] if _words(c.text) >= MIN_WORDS]
            negative = rng.choice(others) if others else None
            yield TrainingPair(first.title, first.text, negative, "title", page)


def _api_pairs(chunks: list[Chunk], rng: random.Random) -> Iterable[TrainingPair]:
    classes: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        classes[chunk.heading].append(chunk)
    for siblings in classes.values():
        summaries = {chunk.path: _summary(chunk) for chunk in siblings}
        for chunk in siblings:
            summary = summaries[chunk.path]
            if _words(summary) < MIN_WORDS:
                continue
            others = [s for path, s in summaries.items() if path != chunk.path and s]
            negative = rng.choice(others) if others else None
            yield TrainingPair(_signature(chunk), summary, negative, "signature", chunk.path)
            code = _example_code(chunk)
            if code:
                yield TrainingPair(code, summary, negative, "example", chunk.path)


#: How a compiled statement begins, and the first characters of one that a pair keeps.
SQL_STATEMENT = ("SELECT", "WITH")
SQL_CHARACTERS = 300


def _vocabulary_pairs(vocabulary: list[Chunk], summaries: dict[str, str]) -> Iterable[TrainingPair]:
    for chunk in vocabulary:
        summary = summaries.get(chunk.path, "")
        if _words(summary) < MIN_WORDS:
            continue
        for line in chunk.text.splitlines():
            if line.startswith(USER_WORDS_LINE):
                asked = line.removeprefix(USER_WORDS_LINE)
                yield TrainingPair(asked, summary, None, "asked", chunk.path)
            elif line.startswith(PANDAS_LINE):
                for name in line.removeprefix(PANDAS_LINE).split(", "):
                    yield TrainingPair(f"pandas {name}", summary, None, "pandas", chunk.path)
            elif line.startswith(SQL_WORDS_LINE):
                words = line.removeprefix(SQL_WORDS_LINE)
                yield TrainingPair(words, summary, None, "sql words", chunk.path)
            elif line.startswith(SQL_STATEMENT):
                yield TrainingPair(line[:SQL_CHARACTERS], summary, None, "sql", chunk.path)


def mine_pairs(chunks: Iterable[Chunk], seed: int = 0) -> list[TrainingPair]:
    """Every pair the chunks give, deduplicated (same anchor and positive), in a stable
    order. Negatives are chosen with ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - sampling negatives, not security
    everything = list(chunks)
    vocabulary = [c for c in everything if c.extra.get("part") == "vocabulary"]
    own = [c for c in everything if c.extra.get("part") != "vocabulary"]
    api = [c for c in own if c.path.startswith("api:")]
    docs = [c for c in own if not c.path.startswith("api:")]
    summaries = {c.path: _summary(c) for c in api}
    seen: set[tuple[str, str]] = set()
    pairs: list[TrainingPair] = []
    mined = [
        *_docs_pairs(docs, rng),
        *_api_pairs(api, rng),
        *_vocabulary_pairs(vocabulary, summaries),
    ]
    for pair in mined:
        key = (" ".join(pair.anchor.split()).lower(), " ".join(pair.positive.split()).lower())
        if key not in seen:
            seen.add(key)
            pairs.append(pair)
    return pairs


def is_validation_page(page: str, share: float) -> bool:
    """A stable, page-level split: the same page always lands on the same side."""
    digest = int(hashlib.sha256(page.encode()).hexdigest()[:8], 16)
    return digest / 0xFFFFFFFF < share


def split_pairs(
    pairs: list[TrainingPair], held_out: set[str], validation_share: float = 0.1
) -> tuple[list[TrainingPair], list[TrainingPair]]:
    """(train, validation) by whole pages; ``held_out`` pages are validation only."""
    train, validation = [], []
    for pair in pairs:
        if pair.page in held_out or is_validation_page(pair.page, validation_share):
            validation.append(pair)
        else:
            train.append(pair)
    return train, validation
