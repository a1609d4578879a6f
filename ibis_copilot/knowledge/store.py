"""The vector store: Chroma collections we always give vectors to ourselves.

One collection holds each chunk with the vector of its whole text; a second holds the
vector of its gist (``gist.py``) under the same id. Collections are opened with
``embedding_function=None``: Chroma's default embedding function downloads a model,
and must never run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from ibis_copilot.errors import UnavailableError
from ibis_copilot.knowledge.chunks import Chunk

COLLECTION = "ibis_copilot_knowledge"
GIST_COLLECTION = "ibis_copilot_knowledge_gist"
#: "2": a gist vector per chunk. An index of another version is rebuilt.
SCHEMA_VERSION = "2"
PAGE = 1000


class StoreError(UnavailableError):
    """The store cannot be opened or read; the message says how to fix it."""


def _client(path: Path | None, url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        return chromadb.HttpClient(
            host=parsed.hostname or "localhost",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    assert path is not None  # noqa: S101 - callers pass one of the two
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class KnowledgeStore:
    """Chunks and their vectors in Chroma, plus what the index was built with."""

    def __init__(self, path: Path | None = None, url: str | None = None) -> None:
        if path is None and url is None:
            raise ValueError("give the store a path or a Chroma server URL")
        self.location = url or str(path)
        try:
            self._client = _client(path, url)
            self._collection = self._open_collection()
            self._gists = self._open_collection(GIST_COLLECTION)
        except Exception as error:  # Chroma raises many kinds; all mean the same here
            raise StoreError(
                f"cannot open the knowledge index at {self.location} ({error}); "
                "rebuild it with: ibis-copilot index --rebuild"
            ) from error

    def _open_collection(self, name: str = COLLECTION) -> Any:
        return self._client.get_or_create_collection(
            name, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def _pages(
        self, include: list[str], where: dict[str, str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """The collection's records, PAGE at a time."""
        offset = 0
        while True:
            page = self._collection.get(where=where, include=include, limit=PAGE, offset=offset)
            yield page
            if len(page["ids"]) < PAGE:
                return
            offset += PAGE

    def count(self) -> int:
        """Number of chunks stored."""
        return int(self._collection.count())

    def info(self) -> dict[str, Any]:
        """What the index records about how it was built (model, versions, sources)."""
        metadata = dict(self._collection.metadata or {})
        metadata.pop("hnsw:space", None)
        if "sources" in metadata:
            metadata["sources"] = json.loads(metadata["sources"])
        return metadata

    def set_info(self, **info: Any) -> None:
        """Record build information on the collection."""
        metadata = {**(self._collection.metadata or {}), **info}
        metadata.pop("hnsw:space", None)
        if isinstance(metadata.get("sources"), dict):
            metadata["sources"] = json.dumps(metadata["sources"], sort_keys=True)
        self._collection.modify(metadata=metadata)

    def built_at(self) -> str | None:
        """When the index was last built, read fresh (another process may have rebuilt it)."""
        collection = self._client.get_collection(COLLECTION, embedding_function=None)
        value = (collection.metadata or {}).get("built_at")
        return str(value) if value is not None else None

    def ids(self, source: str | None = None) -> set[str]:
        """Ids of stored chunks, optionally of one source."""
        where = {"source": source} if source else None
        return {chunk_id for page in self._pages([], where) for chunk_id in page["ids"]}

    def add(
        self, ids: list[str], chunks: list[Chunk], vectors: np.ndarray, gists: np.ndarray
    ) -> None:
        """Store chunks with the vectors of their text and of their gist (existing ids
        are overwritten). The gist goes first: a chunk is searchable once both are in."""
        if ids:
            self._gists.upsert(ids=ids, embeddings=gists.tolist())
            self._collection.upsert(
                ids=ids,
                embeddings=vectors.tolist(),
                documents=[chunk.text for chunk in chunks],
                metadatas=[chunk.metadata() for chunk in chunks],
            )

    def delete(self, ids: Iterable[str]) -> None:
        """Remove chunks by id."""
        ids = list(ids)
        for start in range(0, len(ids), PAGE):
            self._collection.delete(ids=ids[start : start + PAGE])
            self._gists.delete(ids=ids[start : start + PAGE])

    def clear(self) -> None:
        """Drop every chunk, its gist and the build information."""
        for name in (COLLECTION, GIST_COLLECTION):
            self._client.delete_collection(name)
        self._collection = self._open_collection()
        self._gists = self._open_collection(GIST_COLLECTION)

    def all_chunks(self) -> list[tuple[str, Chunk]]:
        """Every stored chunk with its id (for the lexical index)."""
        return [
            (chunk_id, Chunk.from_stored(text, metadata))
            for page in self._pages(["documents", "metadatas"])
            for chunk_id, text, metadata in zip(
                page["ids"], page["documents"], page["metadatas"], strict=True
            )
        ]

    def nearest(
        self, vector: np.ndarray, k: int, *, gists: bool = False
    ) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the ``k`` chunks whose text vector (or, with
        ``gists``, gist vector) is closest to ``vector``."""
        collection = self._gists if gists else self._collection
        count = int(collection.count())
        if count == 0:
            return []
        found = collection.query(
            query_embeddings=[vector.tolist()], n_results=min(k, count), include=["distances"]
        )
        return [
            (chunk_id, 1.0 - float(distance))
            for chunk_id, distance in zip(found["ids"][0], found["distances"][0], strict=True)
        ]
