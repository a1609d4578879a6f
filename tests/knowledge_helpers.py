"""Small real sources for knowledge-base tests (no mocks: real Chroma, real MiniLM)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ibis_copilot.knowledge.chunks import Chunk
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase

DOCS = Path(__file__).parent / "data" / "docs"


def api_chunk(path: str, text: str) -> Chunk:
    name = path.rsplit(".", 1)[-1]
    return Chunk(
        source="api",
        path=f"api:{path}",
        title=path,
        heading=path.rsplit(".", 1)[0],
        url=f"https://ibis-project.org/reference/x.html#{path}",
        kind="reference",
        text=f"{path}()\n\n{text}",
        extra={"name": name, "user_name": path},
    )


def indexed(folder: Path, chunks: list[Chunk]) -> KnowledgeBase:
    """A real knowledge base in ``folder`` holding ``chunks`` as one API source."""
    knowledge = KnowledgeBase(folder)
    knowledge.index([ListSource("api", chunks)], progress=False)
    return knowledge


class ListSource:
    """A source that yields a fixed list of chunks."""

    def __init__(self, name: str, chunks: list[Chunk]) -> None:
        self.name = name
        self._chunks = chunks

    def chunks(self) -> Iterator[Chunk]:
        yield from self._chunks


def tiny_api() -> ListSource:
    return ListSource(
        "api",
        [
            api_chunk(
                "ibis.expr.types.relations.Table.pivot_longer",
                "Transform a table from wider to longer.",
            ),
            api_chunk("ibis.expr.types.relations.Table.join", "Perform a join between two tables."),
            api_chunk("ibis.backends.sql.SQLBackend.join", "Internal helper that joins strings."),
            api_chunk("ibis.expr.api.row_number", "Return an analytic function expression."),
        ],
    )


#: The fields of every search result (DESIGN.md's search interface, plus ``similarity``).
SEARCH_RESULT_FIELDS = {
    "rank",
    "score",
    "source",
    "path",
    "title",
    "heading",
    "url",
    "text",
    "similarity",
}
