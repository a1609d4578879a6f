"""A docs folder becomes cited chunks with kinds and public URLs."""

from __future__ import annotations

from pathlib import Path

from ibis_copilot.knowledge.docs_source import DocsFolderSource, page_url, slugify

DOCS = Path(__file__).parent / "data" / "docs"


def test_partials_are_not_pages() -> None:
    files = [path.as_posix() for path in DocsFolderSource(DOCS).files()]
    assert files == [
        "backends/parquet.ipynb",
        "how-to/analytics/windows.qmd",
        "posts/old-news/index.qmd",
        "tutorials/getting-started.md",
    ]


def test_chunks_carry_kind_heading_and_url() -> None:
    chunks = list(DocsFolderSource(DOCS).chunks())
    by_heading = {(chunk.path, chunk.heading): chunk for chunk in chunks}
    rank = by_heading[("how-to/analytics/windows.qmd", "Rank rows within each group")]
    assert rank.kind == "how-to"
    assert rank.title == "Window functions"
    assert rank.url == (
        "https://ibis-project.org/how-to/analytics/windows.html#rank-rows-within-each-group"
    )
    assert "ibis.row_number()" in rank.text
    assert {chunk.kind for chunk in chunks} == {"backend", "how-to", "blog", "tutorial"}
    assert all(chunk.source == "docs" for chunk in chunks)
    started = by_heading[("tutorials/getting-started.md", "Connect")]
    assert started.title == "Getting started", "a Markdown page's H1 is its title"


def test_slugs_match_quarto_anchors() -> None:
    assert slugify("Join with `SELECT *`") == "join-with-select"
    assert slugify("What's new?") == "whats-new"
    assert page_url(Path("index.qmd")) == "https://ibis-project.org/index.html"
