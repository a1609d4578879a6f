"""The knowledge base as one object: where the index lives, building it, searching it."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ibis_copilot.knowledge.embeddings import DEFAULT_EMBEDDING_MODEL, Embedder
from ibis_copilot.knowledge.index import IndexReport, Source, build_index, installed_ibis_version
from ibis_copilot.knowledge.reranker import Reranker
from ibis_copilot.knowledge.retrieval import EmptyIndexError, Retriever, SearchResult, validate
from ibis_copilot.knowledge.store import SCHEMA_VERSION, KnowledgeStore

if TYPE_CHECKING:
    from ibis_copilot.settings import IbisCopilot

#: The Ibis docs snapshot shipped with the package (Apache-2.0, see its MANIFEST.json).
BUNDLED_DOCS = Path(__file__).parent / "ibis_docs"


def package_sources(data_dir: Path | None = None, *, example_sql: bool = True) -> list[Source]:
    """The installed package's API (with the SQL its examples compile to, cached under
    ``data_dir``, else in the user's cache directory, the pandas names of its methods and
    the words users ask for its objects with) and its backend support matrix."""
    from ibis_copilot.knowledge.api_source import ApiSource
    from ibis_copilot.knowledge.example_sql import ExampleSql, default_cache
    from ibis_copilot.knowledge.pandas_names import pandas_names
    from ibis_copilot.knowledge.support_source import SupportMatrixSource
    from ibis_copilot.knowledge.user_words import user_words

    if not example_sql:
        return [ApiSource(), SupportMatrixSource()]
    api = ApiSource(
        example_sql=ExampleSql(default_cache(data_dir)),
        pandas_names=pandas_names(),
        user_words=user_words(),
    )
    return [api, SupportMatrixSource()]


def default_sources(data_dir: Path | None = None, *, example_sql: bool = True) -> list[Source]:
    """What ``ibis-copilot index`` reads by default: the bundled docs and the package
    sources."""
    from ibis_copilot.knowledge.docs_source import DocsFolderSource
    from ibis_copilot.knowledge.user_words import page_words

    docs = DocsFolderSource(BUNDLED_DOCS, page_words=page_words())
    return [docs, *package_sources(data_dir, example_sql=example_sql)]


class KnowledgeBase:
    """Index and search Ibis knowledge stored under ``data_dir`` (or a Chroma server)."""

    def __init__(
        self,
        data_dir: Path,
        embedding_model: str = DEFAULT_EMBEDDING_MODEL,
        chroma_url: str | None = None,
        reranker_model: str | None = None,
    ) -> None:
        self.index_dir = data_dir / "index"
        self.chroma_url = chroma_url or None
        self.embedder = Embedder(embedding_model)
        self.reranker = Reranker(reranker_model) if reranker_model else None
        self._retriever_built_at: str | None = None

    @classmethod
    def from_settings(cls, settings: IbisCopilot) -> KnowledgeBase:
        """The knowledge base these settings describe (nothing is loaded yet)."""
        return cls(
            Path(settings.data_dir),
            settings.embedding_model,
            settings.chroma_url or None,
            settings.reranker_model or None,
        )

    def exists(self) -> bool:
        """Whether an index has been built (without opening or creating one)."""
        return self.chroma_url is not None or (self.index_dir / "chroma.sqlite3").is_file()

    @cached_property
    def store(self) -> KnowledgeStore:
        return KnowledgeStore(path=self.index_dir, url=self.chroma_url)

    @cached_property
    def retriever(self) -> Retriever:
        self._retriever_built_at = self.store.built_at()
        return Retriever(self.store, self.embedder, self.reranker)

    def index(
        self, sources: list[Source], *, rebuild: bool = False, progress: bool = True
    ) -> IndexReport:
        """Build or update the index from ``sources``; later searches see the result."""
        report = build_index(self.store, self.embedder, sources, rebuild=rebuild, progress=progress)
        self.__dict__.pop("retriever", None)
        return report

    def search(self, query: str, k: int = 5) -> list[SearchResult]:
        """Cited results for ``query``, best first (from the latest build of the index)."""
        validate(query, k)  # bad input is a 400 whether or not an index exists
        if not self.exists():
            raise EmptyIndexError(
                f"there is no knowledge index at {self.index_dir} yet; "
                "build it with: ibis-copilot index"
            )
        if "retriever" in self.__dict__ and self.store.built_at() != self._retriever_built_at:
            del self.__dict__["retriever"]  # rebuilt elsewhere, e.g. by `ibis-copilot index`
        return self.retriever.search(query, k)

    def status(self) -> dict[str, Any]:
        """Index state for ``status``: size, how it was built, and what no longer matches."""
        if not self.exists():
            return {
                "state": "absent",
                "path": str(self.index_dir),
                "hint": "build it with: ibis-copilot index",
            }
        try:
            info, count = self.store.info(), self.store.count()
        except Exception as error:  # noqa: BLE001 - a broken store is reported, not raised
            return {
                "state": "error",
                "path": str(self.index_dir),
                "message": str(error),
                "hint": "rebuild it with: ibis-copilot index --rebuild",
            }
        expected = {
            "embedding_model": self.embedder.model_name,
            "ibis_version": installed_ibis_version(),
            "schema_version": SCHEMA_VERSION,
        }
        stale = [
            f"{key} is {info.get(key)!r} in the index but {value!r} here"
            for key, value in expected.items()
            if info.get(key) is not None and info.get(key) != value
        ]
        return {
            "state": "stale" if stale else "ready",
            "path": self.chroma_url or str(self.index_dir),
            "chunks": count,
            **info,
            "mismatches": stale,
        }
