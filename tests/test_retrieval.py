"""Hybrid retrieval over a real index of the fixture docs and a few API chunks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from knowledge_helpers import DOCS, SEARCH_RESULT_FIELDS, ListSource, api_chunk, tiny_api

from ibis_copilot.knowledge import retrieval
from ibis_copilot.knowledge.docs_source import DocsFolderSource
from ibis_copilot.knowledge.gist import gist
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.knowledge.lexical import BM25, tokenize
from ibis_copilot.knowledge.retrieval import (
    MAX_QUERY_CHARS,
    EmptyIndexError,
    InvalidQueryError,
    code_names,
    in_corpus_words,
    without_product_name,
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    knowledge = KnowledgeBase(tmp_path_factory.mktemp("kb"))
    knowledge.index([DocsFolderSource(DOCS), tiny_api()], progress=False)
    return knowledge


def test_results_carry_citations(base: KnowledgeBase) -> None:
    (top,) = base.search("how do I number rows within each group", k=1)
    assert top.rank == 1
    assert top.path == "how-to/analytics/windows.qmd"
    assert top.heading == "Rank rows within each group"
    assert top.url.endswith("windows.html#rank-rows-within-each-group")
    assert top.title == "Window functions"
    assert top.source == "docs"
    assert "row_number" in top.text
    assert set(top.to_dict()) == SEARCH_RESULT_FIELDS
    assert top.similarity is not None
    assert 0.3 < top.similarity <= 1.0


def test_a_named_api_comes_first(base: KnowledgeBase) -> None:
    assert base.search("how does pivot_longer work", k=3)[0].path == (
        "api:ibis.expr.types.relations.Table.pivot_longer"
    )
    assert base.search("`Table.join` with two keys", k=3)[0].path == (
        "api:ibis.expr.types.relations.Table.join"
    )


def test_a_bare_method_name_prefers_the_expression_api(base: KnowledgeBase) -> None:
    paths = [result.path for result in base.search("`join`", k=3)]
    assert paths[0] == "api:ibis.expr.types.relations.Table.join"


def test_reference_and_how_to_rank_above_old_blog_posts(base: KnowledgeBase) -> None:
    paths = [r.path for r in base.search("window functions compute a value for each row", k=5)]
    assert paths.index("how-to/analytics/windows.qmd") < paths.index("posts/old-news/index.qmd")


def test_a_backend_twin_yields_to_the_expression_method(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``BaseBackend.to_pandas(expr)`` and ``Table.to_pandas()`` say the same thing; the
    question is about the user's expression, whose method comes first where the backend's
    matched the question as well or a little better."""
    said = "Execute the expression and return the results as a pandas DataFrame."
    twins = [
        api_chunk("ibis.backends.BaseBackend.to_pandas", said.replace("the", "an", 1)),
        api_chunk("ibis.expr.types.relations.Table.to_pandas", said),
    ]
    others = [
        api_chunk(f"ibis.expr.types.relations.Table.{name}", text)
        for name, text in [
            ("filter", "Select rows matching predicates."),
            ("to_csv", "Write the results of executing the expression to a CSV file."),
            ("to_pyarrow", "Execute the expression and return the results as a pyarrow table."),
            ("head", "Select the first n rows of a table."),
            ("execute", "Execute an expression against its backend."),
        ]
    ]
    knowledge = KnowledgeBase(tmp_path)
    knowledge.index([ListSource("api", twins + others)], progress=False)
    question = "return the results as a pandas DataFrame"
    paths = [result.path for result in knowledge.search(question, k=2)]
    assert paths == [twins[1].path, twins[0].path]
    monkeypatch.setattr(retrieval, "TWIN_WEIGHT", 1.0)
    assert knowledge.search(question, k=1)[0].path == twins[0].path, "without, it wins"


def test_one_result_per_page_section(tmp_path: Path) -> None:
    twin = tiny_api()._chunks[0]
    knowledge = KnowledgeBase(tmp_path)
    copy = type(twin)(**{**twin.__dict__, "text": twin.text + " Same section, second chunk."})
    knowledge.index([ListSource("api", [twin, copy])], progress=False)
    results = knowledge.search("pivot a table longer", k=5)
    assert len(results) == 1


def test_one_result_per_page_its_best_section(base: KnowledgeBase) -> None:
    # the windows page has four sections about ranking and groups; it is cited once
    results = base.search("rank rows within each group, ties and percent of total", k=5)
    paths = [result.path for result in results]
    assert len(paths) == len(set(paths))
    assert "how-to/analytics/windows.qmd" in paths
    assert len(results) == min(5, len({chunk.path for _, chunk in base.store.all_chunks()}))


def test_the_gist_vectors_are_searched(base: KnowledgeBase) -> None:
    """Each chunk's gist is embedded under the chunk's id; its text finds it first."""
    chunks = dict(base.store.all_chunks())
    chunk_id, chunk = next(
        (i, c) for i, c in chunks.items() if c.path.endswith("Table.pivot_longer")
    )
    vector = base.retriever.embedder.embed([gist(chunk)])[0]
    (found, similarity), *_ = base.store.nearest(vector, 3, gists=True)
    assert found == chunk_id
    assert similarity == pytest.approx(1.0, abs=1e-3)
    assert set(base.store._gists.get()["ids"]) == set(chunks), "one gist per chunk"


def test_each_ranking_is_scaled_before_the_scores_are_added() -> None:
    assert retrieval.normalised([12.0, 7.5, 3.0]) == [1.0, 0.5, 0.0]
    assert retrieval.normalised([0.4, 0.4]) == [1.0, 1.0]
    assert retrieval.normalised([]) == []


@pytest.mark.parametrize(
    ("query", "k", "message"),
    [
        ("", 5, "the query is empty"),
        ("   ", 5, "the query is empty"),
        ("x" * (MAX_QUERY_CHARS + 1), 5, "at most 2000"),
        ("join", 0, "k must be an integer from 1 to 50"),
        ("join", 51, "k must be an integer from 1 to 50"),
    ],
)
def test_bad_queries_are_refused(base: KnowledgeBase, query: str, k: int, message: str) -> None:
    with pytest.raises(InvalidQueryError, match=message):
        base.search(query, k)


def test_empty_index_says_which_command_builds_it(tmp_path: Path) -> None:
    with pytest.raises(EmptyIndexError, match="ibis-copilot index"):
        KnowledgeBase(tmp_path).search("join")


def test_code_names_in_queries() -> None:
    assert code_names("use `join` or Table.pivot_longer, not ibis.desc") == [
        "join",
        "table.pivot_longer",
        "desc",
    ]
    assert code_names("how do I join two tables") == []
    assert code_names("what is a GroupedTable") == ["groupedtable"]
    # a capitalised first word or a Python constant is prose, not code
    assert code_names("Count rows where the value is None") == []


def test_the_word_ibis_is_dropped_but_not_from_code() -> None:
    assert without_product_name("How do I rank rows in ibis?") == "How do I rank rows ?"
    assert without_product_name("Ibis's memtable") == "memtable"
    assert without_product_name("ibis.desc or IbisError") == "ibis.desc or IbisError"
    assert without_product_name("ibis") == "ibis", "nothing else to search for"


def test_asking_in_ibis_finds_what_the_plain_question_does(base: KnowledgeBase) -> None:
    question = "window functions compute a value for each row"
    plain = [r.path for r in base.search(question, k=3)]
    assert [r.path for r in base.search(f"{question} in Ibis?", k=3)] == plain


def test_a_capitalised_question_finds_what_the_lower_case_one_does(base: KnowledgeBase) -> None:
    question = "join tables, then rank rows within each group"
    lower = [r.path for r in base.search(question, k=3)]
    assert [r.path for r in base.search(question.capitalize(), k=3)] == lower


def test_tokenizer_splits_identifiers_and_stems_words() -> None:
    assert tokenize("How do I use pivot_longer?") == ["use", "pivot_long", "pivot", "longer"]
    # a question's inflections meet the docs' words
    assert tokenize("moving averages of the readings") == tokenize("move average reading")


def test_bm25_prefers_rarer_terms() -> None:
    index = BM25(["join tables", "join tables quickly", "pivot tables"])
    assert [i for i, _ in index.search("pivot", 3)] == [2]
    assert index.search("nothing matches", 3) == []


def test_the_embedded_question_keeps_only_words_the_corpus_uses() -> None:
    index = BM25(["add days or an interval to a timestamp", "map keys"])
    question = "How do I add 3 days to the canoe rental timestamp?"
    assert in_corpus_words(question, index) == "How do I add 3 days to the timestamp?"
    # inflections meet by stem, code names stay whole or go whole
    assert in_corpus_words("adding intervals to rented_at", index) == "adding intervals to"
    assert in_corpus_words("canoe rental", index) == "canoe rental", "nothing else to embed"


def test_the_search_embeds_the_question_without_domain_nouns(
    base: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedded: list[str] = []
    embed = base.retriever.embedder.embed
    monkeypatch.setattr(
        base.retriever.embedder, "embed", lambda texts: embedded.extend(texts) or embed(texts)
    )
    base.search("pivot the zeppelin hangar table longer", k=3)
    assert embedded == ["pivot the table longer"]


def test_bm25_scores_are_the_same_in_every_process() -> None:
    """Terms are summed in the query's order, not a set's (whose order follows Python's
    hash seed), and tied documents keep their order."""
    script = (
        "from ibis_copilot.knowledge.lexical import BM25\n"
        "docs = ['alpha beta gamma delta', 'delta gamma beta alpha alpha', 'epsilon alpha zeta',"
        " 'beta beta eta theta', 'gamma iota kappa lambda mu'] * 7 + ['nu xi omicron pi']\n"
        "query = 'delta alpha gamma beta zeta epsilon eta iota kappa'\n"
        "print(repr(BM25(docs).search(query, 40)))\n"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(6)
    }
    assert len(runs) == 1, runs
    ranked = BM25(["join tables", "join tables"]).search("join", 2)
    assert [i for i, _ in ranked] == [0, 1]


def test_a_reranker_orders_the_candidates(tmp_path: Path) -> None:
    """Mechanism only: a cross-encoder built from the packaged MiniLM with an untrained
    head (no trained cross-encoder loads offline), so its order is arbitrary but its own."""
    from ibis_copilot.knowledge.embeddings import resolve_model_path

    model = resolve_model_path("all-MiniLM-L6-v2")
    knowledge = KnowledgeBase(tmp_path, reranker_model=model)
    knowledge.index([DocsFolderSource(DOCS), tiny_api()], progress=False)
    results = knowledge.search("window functions for each row", k=4)
    assert [r.rank for r in results] == [1, 2, 3, 4]
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    passages = [f"{r.title} > {r.heading}\n\n{r.text}" for r in results]
    scores = knowledge.reranker.scores("window functions for each row", passages)
    assert [round(s, 6) for s in scores] == [r.score for r in results]
    named = knowledge.search("how does pivot_longer work", k=3)
    assert named[0].path.endswith("Table.pivot_longer"), "a named API stays first"
