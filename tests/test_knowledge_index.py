"""Building the index: real Chroma, real MiniLM embeddings, incremental by content hash."""

from __future__ import annotations

import shutil
from pathlib import Path

import chromadb.api.types
import numpy as np
import pytest
from knowledge_helpers import DOCS, tiny_api

from ibis_copilot.knowledge.docs_source import DocsFolderSource
from ibis_copilot.knowledge.embeddings import Embedder, EmbeddingModelError, resolve_model_path
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.knowledge.store import KnowledgeStore, StoreError


@pytest.fixture(autouse=True)
def chroma_default_embedding_never_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chroma's default embedding function downloads a model: fail loudly if it is used."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Chroma's default (downloading) embedding function was used")

    monkeypatch.setattr(chromadb.api.types.DefaultEmbeddingFunction, "__call__", refuse)


@pytest.fixture
def docs_copy(tmp_path: Path) -> Path:
    target = tmp_path / "docs"
    shutil.copytree(DOCS, target)
    return target


def test_incremental_index_skips_unchanged_and_drops_vanished(
    tmp_path: Path, docs_copy: Path
) -> None:
    base = KnowledgeBase(tmp_path / "data")
    first = base.index([DocsFolderSource(docs_copy), tiny_api()], progress=False)
    docs_report, api_report = first.sources
    assert docs_report.added == docs_report.chunks > 0
    assert api_report.added == 4
    assert base.store.count() == docs_report.chunks + 4

    again = base.index([DocsFolderSource(docs_copy), tiny_api()], progress=False)
    assert [report.added for report in again.sources] == [0, 0]
    assert [report.unchanged for report in again.sources] == [docs_report.chunks, 4]

    (docs_copy / "posts/old-news/index.qmd").unlink()
    page = docs_copy / "tutorials/getting-started.md"
    page.write_text(page.read_text().replace("Install Ibis", "Install Ibis quickly"))
    changed = base.index([DocsFolderSource(docs_copy)], progress=False).sources[0]
    assert changed.added == 1, "only the edited section is embedded again"
    assert changed.removed == 2, "the edited section's old version and the deleted page"
    paths = {chunk.path for _, chunk in base.store.all_chunks()}
    assert "posts/old-news/index.qmd" not in paths
    assert any(path.startswith("api:") for path in paths), "other sources are untouched"


def test_index_records_how_it_was_built(tmp_path: Path) -> None:
    base = KnowledgeBase(tmp_path / "data")
    base.index([tiny_api()], progress=False)
    status = base.status()
    assert status["state"] == "ready"
    assert status["embedding_model"] == "all-MiniLM-L6-v2"
    assert status["ibis_version"].startswith("12.")
    assert status["schema_version"] == "2"
    assert status["sources"]["api"]["chunks"] == 4
    assert status["mismatches"] == []


def test_status_reports_a_mismatched_index(tmp_path: Path) -> None:
    base = KnowledgeBase(tmp_path / "data")
    base.index([tiny_api()], progress=False)
    base.store.set_info(ibis_version="9.0.0")
    status = KnowledgeBase(tmp_path / "data").status()
    assert status["state"] == "stale"
    (mismatch,) = status["mismatches"]
    assert mismatch.startswith("ibis_version is '9.0.0' in the index but '12.")


def test_vectors_of_two_models_are_never_mixed(tmp_path: Path) -> None:
    base = KnowledgeBase(tmp_path / "data")
    base.index([tiny_api()], progress=False)
    base.store.set_info(embedding_model="some-other-model")
    report = base.index([tiny_api()], progress=False)
    assert report.rebuilt
    assert report.sources[0].added == 4, "everything re-embedded with the configured model"
    assert base.store.info()["embedding_model"] == "all-MiniLM-L6-v2"


def test_an_index_of_an_older_layout_is_rebuilt(tmp_path: Path) -> None:
    base = KnowledgeBase(tmp_path / "data")
    base.index([tiny_api()], progress=False)
    base.store.set_info(schema_version="1")  # before gist vectors
    assert KnowledgeBase(tmp_path / "data").status()["state"] == "stale"
    report = base.index([tiny_api()], progress=False)
    assert report.rebuilt
    assert report.sources[0].added == 4, "every chunk embedded again, with its gist"
    assert base.store.info()["schema_version"] == "2"


def test_no_index_yet_says_how_to_build_it(tmp_path: Path) -> None:
    status = KnowledgeBase(tmp_path / "data").status()
    assert status["state"] == "absent"
    assert status["hint"] == "build it with: ibis-copilot index"
    assert not (tmp_path / "data").exists(), "asking for status creates nothing"


def test_corrupted_store_is_reported_not_deleted(tmp_path: Path) -> None:
    base = KnowledgeBase(tmp_path / "data")
    base.index([tiny_api()], progress=False)
    database = tmp_path / "data" / "index" / "chroma.sqlite3"
    database.write_bytes(b"this is not a database" * 100)
    status = KnowledgeBase(tmp_path / "data").status()
    assert status["state"] == "error"
    assert "ibis-copilot index --rebuild" in status["hint"]
    with pytest.raises(StoreError, match="ibis-copilot index --rebuild"):
        KnowledgeStore(tmp_path / "data" / "index").count()
    assert database.exists(), "never silently deleted"


def test_packaged_model_loads_offline_and_embeds() -> None:
    assert Path(resolve_model_path("all-MiniLM-L6-v2"), "model.safetensors").is_file()
    vectors = Embedder().embed(["join two tables", "join two tables", "bake a cake"])
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] == pytest.approx(1.0, abs=1e-5)
    assert vectors[0] @ vectors[2] < 0.5


def test_bfloat16_embeddings_keep_float32_vectors_and_their_meaning() -> None:
    texts = ["join two tables on a key", "merge two dataframes by a column", "bake a cake"]
    exact = Embedder(bfloat16=False).embed(texts)
    fast = Embedder(bfloat16=True).embed(texts)
    assert fast.dtype == np.float32
    assert np.linalg.norm(fast, axis=1) == pytest.approx(1.0, abs=1e-4)
    assert (exact * fast).sum(axis=1) == pytest.approx(1.0, abs=1e-3)
    assert fast[0] @ fast[1] > fast[0] @ fast[2]
    assert not Embedder(device="cuda", bfloat16=True).bfloat16, "autocast here is the CPU's"


def test_missing_model_names_the_problem(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="cannot load embedding model"):
        Embedder(str(tmp_path / "no-such-model")).embed(["x"])


class FailingSource:
    """Yields one chunk, then fails, like a build interrupted half-way."""

    name = "api"

    def chunks(self):  # type: ignore[no-untyped-def]
        yield from tiny_api().chunks()
        raise KeyboardInterrupt


def test_an_interrupted_build_leaves_the_previous_index_usable(tmp_path: Path) -> None:
    base = KnowledgeBase(tmp_path / "data")
    base.index([tiny_api()], progress=False)
    with pytest.raises(KeyboardInterrupt):
        base.index([FailingSource()], progress=False)
    again = KnowledgeBase(tmp_path / "data")
    assert again.store.count() == 4
    assert again.search("pivot_longer", k=1)[0].path.endswith("Table.pivot_longer")


def test_a_rebuild_by_another_process_is_picked_up(tmp_path: Path) -> None:
    server_side = KnowledgeBase(tmp_path / "data")
    server_side.index([tiny_api()], progress=False)
    assert server_side.search("row_number", k=1)[0].path.endswith("row_number")
    cli_side = KnowledgeBase(tmp_path / "data")
    cli_side.index([DocsFolderSource(DOCS)], progress=False)
    paths = [r.path for r in server_side.search("percent of total per group", k=3)]
    assert "how-to/analytics/windows.qmd" in paths, "the new build is searched"
