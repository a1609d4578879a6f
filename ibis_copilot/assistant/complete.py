"""Inline completion: fill in the middle where the model can, else continue the line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ibis_copilot.assistant.request_parts import table_specs_from
from ibis_copilot.errors import BadRequestError
from ibis_copilot.expressions.member_names import member_names
from ibis_copilot.expressions.namespace import TableSpecs
from ibis_copilot.models.base import GenerationParams, Generator

MAX_CONTEXT_CHARS = 3000
MAX_CELLS_CHARS = 2000
MAX_COMPLETION_TOKENS = 256
#: A completion ends at a blank line or a closing fence: a sensible unit to accept.
BOUNDARY_STOPS = ("\n\n", "```")
FENCE = re.compile(r"^```\w*\n?|```$")


class InvalidCompletionError(BadRequestError):
    """The completion request is malformed."""


@dataclass(frozen=True)
class CompletionRequest:
    """The cell around the cursor and what the notebook knows."""

    prefix: str
    suffix: str = ""
    cells: list[str] = field(default_factory=list)
    schemas: str = ""
    max_tokens: int | None = None  # None: the workflow's default
    tables: TableSpecs = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> CompletionRequest:
        prefix, suffix = body.get("prefix"), body.get("suffix", "")
        cells, schemas = body.get("cells") or [], body.get("schemas") or ""
        language = body.get("language", "python")
        if not isinstance(prefix, str) or not isinstance(suffix, str):
            raise InvalidCompletionError("'prefix' and 'suffix' must be strings")
        if not isinstance(cells, list) or not all(isinstance(cell, str) for cell in cells):
            raise InvalidCompletionError("'cells' must be a list of strings")
        if not isinstance(schemas, str):
            raise InvalidCompletionError("'schemas' must be a string")
        if language != "python":
            raise InvalidCompletionError("only Python cells are completed")
        if not prefix.strip() and not suffix.strip():
            raise InvalidCompletionError("the cell is empty: nothing to complete")
        max_tokens = body.get("max_tokens")
        if max_tokens is not None and (
            not isinstance(max_tokens, int) or not 1 <= max_tokens <= MAX_COMPLETION_TOKENS
        ):
            raise InvalidCompletionError(
                f"'max_tokens' must be an integer from 1 to {MAX_COMPLETION_TOKENS}"
            )
        return cls(prefix, suffix, cells, schemas, max_tokens, table_specs_from(body.get("tables")))


def context(request: CompletionRequest) -> str:
    """Schemas as comments, then the nearest earlier cells, bounded in size."""
    parts = []
    if request.schemas.strip():
        parts.append("\n".join(f"# {line}" for line in request.schemas.strip().splitlines()))
    cells = "\n\n".join(request.cells)[-MAX_CELLS_CHARS:]
    if cells.strip():
        parts.append(cells)
    return "\n\n".join(parts)


def remove_suffix_overlap(completion: str, suffix: str) -> str:
    """Drop the end of ``completion`` that repeats the start of the suffix."""
    first_line = suffix.split("\n", 1)[0].strip()
    if first_line and first_line in completion:
        completion = completion[: completion.index(first_line)]
    for size in range(min(len(completion), len(suffix)), 0, -1):
        if completion.endswith(suffix[:size]):
            return completion[:-size]
    return completion


def clean(completion: str, suffix: str) -> str:
    """The text to insert: no fences, nothing past a boundary, no repeat of the suffix."""
    text = (
        FENCE.sub("", completion.strip("\n"))
        if completion.lstrip().startswith("```")
        else (completion)
    )
    for stop in BOUNDARY_STOPS:
        if stop in text:
            text = text[: text.index(stop)]
    return remove_suffix_overlap(text.rstrip(), suffix)


class CompleteWorkflow:
    """Builds the completion prompt for the model at hand."""

    def __init__(self, max_tokens: int = 48, *, constrain_names: bool = True) -> None:
        """``constrain_names=False`` lets the model write any name after a dot (the
        completion benchmark's baseline)."""
        self.max_tokens = max_tokens
        self.constrain_names = constrain_names

    def prepare(
        self, generator: Generator, request: CompletionRequest
    ) -> tuple[str, GenerationParams]:
        """The prompt and parameters: FIM for FIM models, else the code to continue; only
        real names may follow a dot on an Ibis chain (where the backend can enforce it)."""
        before = context(request)
        prefix = (f"{before}\n\n" if before else "") + request.prefix
        prefix = prefix[-MAX_CONTEXT_CHARS:]
        fim = generator.fim_format
        if fim is not None:
            prompt = fim.render(prefix, request.suffix[:MAX_CONTEXT_CHARS])
            stops = (*fim.stops, *BOUNDARY_STOPS)
        else:
            # Without fill-in-the-middle, the code is continued as written, to the end of
            # the line: asked as a chat, the small default model answered in prose.
            prompt, stops = prefix, ("\n", *BOUNDARY_STOPS)
        names = (
            member_names(before + "\n" + request.prefix, request.tables)
            if self.constrain_names
            else None
        )
        max_tokens = request.max_tokens or self.max_tokens
        return prompt, GenerationParams(max_tokens=max_tokens, stop=stops, member_names=names)
