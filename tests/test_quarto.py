"""Quarto pages become clean Markdown: includes resolved, callouts and tabsets flattened."""

from __future__ import annotations

from pathlib import Path

from ibis_copilot.knowledge.quarto import flatten_quarto, read_page, split_front_matter

DOCS = Path(__file__).parent / "data" / "docs"


def test_front_matter_title_and_body() -> None:
    front, body = split_front_matter("---\ntitle: Hello\ndate: 2024-01-01\n---\n\n# Body\n")
    assert front["title"] == "Hello"
    assert body.strip() == "# Body"


def test_malformed_front_matter_is_ignored() -> None:
    front, _ = split_front_matter("---\ntitle: [unclosed\n---\ntext\n")
    assert front == {}


def test_page_resolves_includes_and_keeps_python_cells() -> None:
    page = read_page(DOCS / "how-to/analytics/windows.qmd", DOCS)
    assert page.title == "Window functions"
    markdown = page.markdown
    assert "t = ibis.examples.penguins.fetch()" in markdown, "root-relative include resolved"
    assert "```python\nw = ibis.window(" in markdown, "{python} cells kept as python code"
    assert "#|" not in markdown, "cell options are not content"
    assert "secret_setup" not in markdown, "include: false cells are dropped"
    assert "{{<" not in markdown, "other shortcodes dropped"
    assert "editor's comment" not in markdown


def test_callout_and_tab_titles_are_labels_not_headings() -> None:
    markdown = read_page(DOCS / "how-to/analytics/windows.qmd", DOCS).markdown
    assert "**Tip:**\n**Ties**" in markdown
    assert "## Ties" not in markdown
    assert "**DuckDB**" in markdown
    assert "## DuckDB" not in markdown
    assert "## Percent of total per group" in markdown


def test_missing_and_escaping_includes_are_dropped(tmp_path: Path) -> None:
    page = tmp_path / "page.qmd"
    page.write_text("a\n{{< include missing.qmd >}}\n{{< include ../../etc/passwd >}}\nb\n")
    assert read_page(page, tmp_path).markdown.split() == ["a", "b"]


def test_include_cycle_terminates(tmp_path: Path) -> None:
    (tmp_path / "a.qmd").write_text("A {{< include b.qmd >}}")
    (tmp_path / "b.qmd").write_text("B {{< include a.qmd >}}")
    text = read_page(tmp_path / "a.qmd", tmp_path).markdown
    assert text.startswith("A B A B")


def test_notebook_cells_become_markdown_and_code() -> None:
    page = read_page(DOCS / "backends/parquet.ipynb", DOCS)
    assert page.title == "Reading Parquet"
    assert "```python\nt = ibis.read_parquet('data.parquet')\n```" in page.markdown
    assert "lots of output" not in page.markdown


def test_nested_divs_close_correctly() -> None:
    text = "::: {.column}\n::: {.callout-note}\n## Inside\n:::\n## Outside\n:::\n"
    assert flatten_quarto(text).splitlines() == ["**Note:**", "**Inside**", "## Outside"]
