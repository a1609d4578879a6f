"""Chunks follow headings, aim at 100-300 words, and never split a code block."""

from __future__ import annotations

from ibis_copilot.knowledge.markdown_sections import MAX_WORDS, chunk_markdown, sections


def words(n: int, word: str = "word") -> str:
    return " ".join([word] * n)


def test_sections_keep_the_heading_path() -> None:
    markdown = "# Page\n\nintro\n\n## A\n\ntext a\n\n### A1\n\ntext a1\n\n## B\n\ntext b\n"
    paths = [section.headings for section in sections(markdown)]
    assert paths == [("Page",), ("Page", "A"), ("Page", "A", "A1"), ("Page", "B")]


def test_hash_inside_code_is_not_a_heading() -> None:
    markdown = "## Real\n\n```python\n# a comment\nx = 1\n```\n"
    (section,) = sections(markdown)
    assert section.headings == ("Real",)
    assert "# a comment" in section.text


def test_long_sections_split_at_block_boundaries() -> None:
    markdown = "## Long\n\n" + "\n\n".join(words(120, f"p{i}") for i in range(5))
    chunks = chunk_markdown(markdown)
    assert len(chunks) > 1
    assert all(chunk.words <= MAX_WORDS for chunk in chunks)
    assert all(chunk.headings == ("Long",) for chunk in chunks)
    assert all(len(set(chunk.text.split())) == len(chunk.text.split("\n\n")) for chunk in chunks)


def test_a_code_block_is_never_split() -> None:
    code = "```python\n" + "\n".join(f"x{i} = {i}  # {words(5)}" for i in range(100)) + "\n```"
    markdown = f"## Code\n\n{words(50)}\n\n{code}\n\n{words(50)}"
    chunks = chunk_markdown(markdown)
    holding = [chunk for chunk in chunks if "x0 = 0" in chunk.text]
    assert len(holding) == 1
    assert "x99 = 99" in holding[0].text
    assert holding[0].text.count("```") == 2


def test_small_sections_absorb_their_subsections_with_the_heading_kept() -> None:
    markdown = "## Small\n\nshort text\n\n### Detail\n\nanother short text\n"
    (chunk,) = chunk_markdown(markdown)
    assert chunk.headings == ("Small",)
    assert "**Detail**" in chunk.text
    assert "another short text" in chunk.text


def test_siblings_stay_apart_so_citations_stay_exact() -> None:
    markdown = "intro\n\n## One\n\nshort\n\n## Two\n\nshort too\n"
    assert [chunk.headings for chunk in chunk_markdown(markdown)] == [(), ("One",), ("Two",)]


def test_large_sections_are_not_merged() -> None:
    markdown = f"## One\n\n{words(200)}\n\n## Two\n\n{words(200)}\n"
    assert [chunk.headings for chunk in chunk_markdown(markdown)] == [("One",), ("Two",)]
