"""Examples as training sequences: fill-in-the-middle with the project's sentinel tokens,
and the chat format the product prompts with (system prompt, schemas, sources).

A FIM sequence is ``<prefix>P<suffix>S<middle>M<eos>`` and every token is learned (the
sentinels too). A chat sequence is the product's prompt then the answer; only the
answer's tokens are learned.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from ibis_copilot.assistant.chat import WITH_SOURCES, WITHOUT_SOURCES
from ibis_copilot.assistant.complete import CompletionRequest, context
from ibis_copilot.assistant.prompts import render
from ibis_copilot.assistant.sources import format_sources
from ibis_copilot.codegen_training.example import CodeExample
from ibis_copilot.knowledge.chunks import Chunk
from ibis_copilot.knowledge.retrieval import SearchResult
from ibis_copilot.models.chat_format import render_chat
from ibis_copilot.models.fim import IBIS_COPILOT_FIM

IGNORE = -100  # the label transformers' loss skips
SENTINELS = (
    IBIS_COPILOT_FIM.prefix_token,
    IBIS_COPILOT_FIM.suffix_token,
    IBIS_COPILOT_FIM.middle_token,
)
CUT = re.compile(r"[.(]")
SOURCE_CHARS = 300
#: How often a code example with a comment is shown with it (users often write none).
COMMENT_SHARE = 0.6
METHOD = re.compile(r"\.(\w+)\(")


@dataclass(frozen=True)
class Sequence:
    """Token ids and labels (``IGNORE`` where nothing is learned)."""

    kind: str
    input_ids: list[int]
    labels: list[int]


def fim_split(code: str, rng: random.Random) -> tuple[str, str, str]:
    """``(prefix, middle, suffix)`` of ``code``. Mostly the rest of a line cut after a
    ``.`` or ``(`` (as the editor asks mid-line), sometimes a span of lines or the rest."""
    lines = code.splitlines(keepends=True)
    choice = rng.random()
    index = len(lines) - 1 if choice < 0.45 else rng.randrange(len(lines))
    line = lines[index]
    cuts = [m.end() for m in CUT.finditer(line) if line[m.end() :].strip()]
    cut = rng.choice(cuts) if cuts else rng.randrange(len(line.rstrip("\n")) + 1)
    before, after = "".join(lines[:index]) + line[:cut], "".join(lines[index + 1 :])
    if choice < 0.8:  # the rest of one line
        rest = line[cut:]
        end = rest.rstrip("\n")
        return before, end, rest[len(end) :] + after
    if choice < 0.9 and after:  # the rest of the line and the next lines
        span = rng.randrange(1, len(lines) - index + 1)
        middle = line[cut:] + "".join(lines[index + 1 : index + span])
        return before, middle, "".join(lines[index + span :])
    return before, line[cut:] + after, ""  # everything after the cursor


def fim_text(example: CodeExample, rng: random.Random, eos: str) -> str:
    """The FIM training text of a code example: its context as comments above it, and
    often the user's comment saying what the code is for."""
    prefix, middle, suffix = fim_split(example.code, rng)
    if example.comment and rng.random() < COMMENT_SHARE:
        prefix = f"# {example.comment}\n{prefix}"
    header = context(CompletionRequest(prefix, schemas=example.context)) if example.context else ""
    if header and rng.random() < 0.8:
        prefix = f"{header}\n\n{prefix}"
    return IBIS_COPILOT_FIM.render(prefix, suffix) + middle + eos


class SourceBook:
    """The API reference of the methods the code calls, as the chat prompt cites it."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self._by_method: dict[str, Chunk] = {}
        for chunk in chunks:
            if chunk.path.startswith("api:ibis.expr.types."):
                self._by_method.setdefault(chunk.path.rsplit(".", 1)[-1], chunk)

    def source_for(self, code: str) -> SearchResult | None:
        for method in METHOD.findall(code):
            chunk = self._by_method.get(method)
            if chunk is not None:
                text = chunk.text[:SOURCE_CHARS]
                return SearchResult(
                    1, 1.0, chunk.source, chunk.path, chunk.title, chunk.heading, chunk.url, text
                )
        return None


def chat_messages(example: CodeExample, book: SourceBook | None) -> list[dict[str, str]]:
    """The product's chat prompt for the example's request, and the answer."""
    source = book.source_for(example.code) if book and example.kind != "to_sql" else None
    system = render("chat_system", sources_instruction=WITH_SOURCES if source else WITHOUT_SOURCES)
    answer = example.answer
    if source is not None:
        system += "\n\n" + render("chat_sources", sources=format_sources([source]))
        answer = f"{answer} [1]" if example.kind == "nl" else answer
    elif example.kind == "nl":
        answer += " (I found no documentation source for this.)"
    if example.context:
        system += "\n\n" + render("chat_schemas", schemas=example.context)
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": example.request},
        {"role": "assistant", "content": answer},
    ]


def encode(
    example: CodeExample,
    tokenizer: Any,
    max_length: int,
    rng: random.Random,
    book: SourceBook | None = None,
) -> Sequence | None:
    """The example as one training sequence, or None when it does not fit ``max_length``."""
    eos = str(tokenizer.eos_token)
    if not example.is_chat:
        ids = tokenizer.encode(fim_text(example, rng, eos), add_special_tokens=False)
        return Sequence("fim", ids, list(ids)) if len(ids) <= max_length else None
    messages = chat_messages(example, book)
    prompt = render_chat(tokenizer, messages[:-1])
    answer = messages[-1]["content"] + eos + "\n"
    prompt_ids = tokenizer.encode(prompt, add_special_tokens=False)
    answer_ids = tokenizer.encode(answer, add_special_tokens=False)
    if len(prompt_ids) + len(answer_ids) > max_length:
        return None
    return Sequence(example.kind, prompt_ids + answer_ids, [IGNORE] * len(prompt_ids) + answer_ids)


def add_sentinels(tokenizer: Any, model: Any) -> int:
    """Add the FIM sentinels to the tokenizer (and rows for them to the model's embeddings);
    returns how many were new."""
    added = int(tokenizer.add_special_tokens({"additional_special_tokens": list(SENTINELS)}))
    if added:
        model.resize_token_embeddings(len(tokenizer), mean_resizing=True)
    return added
