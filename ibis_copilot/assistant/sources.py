"""Sources for a prompt: search results, or the reason there are none.

An index that is empty, broken or built with another embedding model is not the same as
"nothing matched": the reason travels with the answer as a warning, so the user learns
what to fix instead of reading an answer that silently ignored the docs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ibis_copilot.errors import UnavailableError
from ibis_copilot.knowledge.retrieval import SearchResult

MAX_SOURCE_CHARS = 1200


class Searcher(Protocol):
    def search(self, query: str, k: int = 5) -> list[SearchResult]: ...


@dataclass(frozen=True)
class Sources:
    """The results to cite, and why the index could not be searched (if it could not)."""

    results: list[SearchResult] = field(default_factory=list)
    warning: str | None = None


def find_sources(
    knowledge: Searcher | None, query: str, k: int, min_similarity: float = 0.0
) -> Sources:
    """Results close enough to ``query``; an unusable index becomes a warning."""
    if knowledge is None:
        return Sources()
    try:
        results = knowledge.search(query, k)
    except UnavailableError as error:
        return Sources(warning=f"the docs were not consulted: {error}")
    return Sources([r for r in results if (r.similarity or 0.0) >= min_similarity])


def format_sources(results: list[SearchResult]) -> str:
    """Numbered sources with their text (code examples included), as the model sees them."""
    blocks = []
    for number, result in enumerate(results, start=1):
        where = " > ".join(part for part in (result.title, result.heading) if part)
        text = result.text[:MAX_SOURCE_CHARS]
        blocks.append(f"[{number}] {where} ({result.url})\n{text}")
    return "\n\n".join(blocks)
