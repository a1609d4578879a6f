"""Embedding fine-tuning: pairs mined exactly from a fixture corpus, a few real training
steps of the packaged MiniLM that change its weights and save a loadable model, resuming,
and an index that refuses to search with vectors of another model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from knowledge_helpers import tiny_api

from ibis_copilot.knowledge.chunks import Chunk
from ibis_copilot.knowledge.embeddings import Embedder
from ibis_copilot.knowledge.finetune import CARD, TrainingOptions, train_embeddings
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.knowledge.pairs import TrainingPair, mine_pairs, split_pairs
from ibis_copilot.knowledge.retrieval import IndexModelMismatchError


def docs_chunk(path: str, title: str, heading: str, text: str) -> Chunk:
    return Chunk("docs", path, title, heading, f"https://x/{path}", "how-to", text)


def api_chunk(name: str, summary: str, example: str = "") -> Chunk:
    text = f"ibis.Table.{name}(self) -> Table\n\n{summary}"
    if example:
        text += f"\n\nExamples:\n```python\n>>> import ibis\n{example}\n```"
    path = f"api:ibis.Table.{name}"
    return Chunk("api", path, path, "ibis.Table", "https://x", "reference", text)


JOIN_TEXT = "Join two tables on a key column with the join method."
LEFT_TEXT = "Keep every row of the left table, matched or not."
CORPUS = [
    docs_chunk("how-to/joins.qmd", "Joins", "Joins > Inner joins", JOIN_TEXT),
    docs_chunk("how-to/joins.qmd", "Joins", "Joins > Left joins", LEFT_TEXT),
    docs_chunk("how-to/tiny.qmd", "Tiny", "Tiny > Short", "too short"),
    api_chunk(
        "filter", "Select rows from the table that satisfy predicates.", ">>> t.filter(t.a > 1)"
    ),
    api_chunk("limit", "Select the first n rows of the table in order."),
]


def test_pairs_are_mined_exactly() -> None:
    pairs = mine_pairs(CORPUS, seed=0)
    by_anchor = {(pair.kind, pair.anchor): pair for pair in pairs}
    assert set(by_anchor) == {
        ("heading", "Inner joins"),
        ("heading", "Left joins"),
        ("title", "Joins"),
        ("signature", "ibis.Table.filter\nibis.Table.filter(self) -> Table"),
        ("example", "t.filter(t.a > 1)"),
        ("signature", "ibis.Table.limit\nibis.Table.limit(self) -> Table"),
    }, "sections under four words give no pair; each kind where its source has one"
    inner = by_anchor[("heading", "Inner joins")]
    assert inner == TrainingPair("Inner joins", JOIN_TEXT, LEFT_TEXT, "heading", "how-to/joins.qmd")
    assert by_anchor[("title", "Joins")].positive == JOIN_TEXT
    assert by_anchor[("title", "Joins")].negative == LEFT_TEXT, "another section of the page"
    assert by_anchor[("example", "t.filter(t.a > 1)")].negative == (
        "Select the first n rows of the table in order."
    ), "a sibling method's summary is the hard negative"
    assert mine_pairs(CORPUS + CORPUS, seed=0) == pairs, "duplicates are dropped"


def test_a_vocabulary_sibling_pairs_users_pandas_and_sql_words_with_the_objects_summary() -> None:
    from dataclasses import replace

    from ibis_copilot.knowledge.api_source import bridge_chunk
    from ibis_copilot.knowledge.example_sql import sql_vocabulary

    limit, sql = CORPUS[-1], "SELECT * FROM t AS t0 LIMIT 3"
    sibling = bridge_chunk(limit, [sql], ["head", "iloc"], ["first rows", "top n"])
    pairs = mine_pairs([*CORPUS, sibling], seed=0)
    summary = "Select the first n rows of the table in order."
    mined = {(p.kind, p.anchor) for p in pairs if p.positive == summary and p.kind != "signature"}
    assert mined == {
        ("asked", "first rows; top n"),
        ("pandas", "pandas head"),
        ("pandas", "pandas iloc"),
        ("sql words", " ".join(sql_vocabulary(sql))),
        ("sql", sql),
    }, mined
    vocabulary = {"asked", "pandas", "sql", "sql words"}
    assert all(p.page == limit.path for p in pairs if p.kind in vocabulary)
    # the sibling is no API chunk of its own: its first paragraph is no summary to pair
    assert not [p for p in pairs if p.positive.startswith("In pandas")]
    orphan = replace(sibling, path="api:ibis.Table.gone")
    assert mine_pairs([orphan], seed=0) == [], "no summary: nothing to pair with"


def test_a_pages_word_list_is_no_section_to_pair() -> None:
    joins = next(chunk for chunk in CORPUS if chunk.path == "how-to/joins.qmd")
    words = Chunk(
        source=joins.source,
        path=joins.path,
        title=joins.title,
        heading="",
        url=joins.url,
        kind=joins.kind,
        text=f"{joins.title}\n\nAsked as: merge two dataframes; vlookup",
        extra={"part": "vocabulary"},
    )
    assert mine_pairs([*CORPUS, words], seed=0) == mine_pairs(CORPUS, seed=0)


def test_held_out_pages_are_never_trained_on() -> None:
    pairs = mine_pairs(CORPUS, seed=0)
    train, validation = split_pairs(pairs, {"how-to/joins.qmd"}, validation_share=0.0)
    assert {pair.page for pair in validation} == {"how-to/joins.qmd"}
    assert "how-to/joins.qmd" not in {pair.page for pair in train}
    assert len(train) + len(validation) == len(pairs)


def training_pairs() -> list[TrainingPair]:
    return mine_pairs(CORPUS, seed=0) * 2  # enough for two batches of four


def test_a_few_steps_change_the_weights_and_save_a_loadable_model(tmp_path: Path) -> None:
    output = tmp_path / "tuned"
    options = TrainingOptions(batch_size=4, max_steps=2, learning_rate=1e-4)
    pairs = training_pairs()
    report = train_embeddings("all-MiniLM-L6-v2", pairs, pairs[:3], output, options, progress=False)
    assert report.steps == 2
    assert report.pairs_by_kind["heading"] == 4
    assert set(report.metrics) == {"validation_mrr@10_base", "validation_mrr@10_tuned"}
    assert (output / CARD).is_file()
    assert "Fully fine-tuned" in (output / "README.md").read_text()
    texts = ["join two tables", "select rows"]
    base = Embedder().embed(texts)
    tuned = Embedder(str(output)).embed(texts)
    assert tuned.shape == base.shape
    assert not np.allclose(base, tuned), "training changed the model"


def test_an_interrupted_run_resumes_from_its_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "tuned"
    pairs = training_pairs()
    options = TrainingOptions(batch_size=4, max_steps=2, save_every=1)

    def killed(*_args: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr("ibis_copilot.knowledge.finetune._finish", killed)
        with pytest.raises(KeyboardInterrupt):
            train_embeddings("all-MiniLM-L6-v2", pairs, [], output, options, progress=False)
    assert (output / "checkpoint" / "trainer_state.pt").is_file()
    report = train_embeddings("all-MiniLM-L6-v2", pairs, [], output, options, progress=False)
    assert report.resumed_from_step == 1
    assert report.steps == 2
    assert not (output / "checkpoint" / "trainer_state.pt").exists(), "done: nothing to resume"


def test_the_index_refuses_to_search_with_another_models_vectors(tmp_path: Path) -> None:
    KnowledgeBase(tmp_path / "data").index([tiny_api()], progress=False)
    other = KnowledgeBase(tmp_path / "data", embedding_model=str(tmp_path / "another-model"))
    with pytest.raises(IndexModelMismatchError, match="re-embed it with: ibis-copilot index"):
        other.search("filter rows")
