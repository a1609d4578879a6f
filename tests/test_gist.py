"""What a chunk's gist keeps (prose, the name as words) and drops (code, signatures)."""

from __future__ import annotations

from knowledge_helpers import api_chunk

from ibis_copilot.knowledge.chunks import Chunk
from ibis_copilot.knowledge.gist import GIST_CHARS, gist, name_words


def test_name_words() -> None:
    assert name_words("ArrayValue") == "array value"
    assert name_words("pivot_longer") == "pivot longer"


def test_an_api_gist_is_its_name_in_words_and_its_prose() -> None:
    chunk = api_chunk(
        "ibis.expr.types.arrays.ArrayValue.mins",
        "Return the minimum value in the [array](./arrays.qmd).\n\n"
        "```python\n>>> t.arr.mins()\n```\n"
        "Its examples compile to SQL (DuckDB):\nSELECT LIST_MIN(arr) FROM t",
    )
    assert gist(chunk) == "array value mins. Return the minimum value in the array."


def test_a_docs_gist_keeps_headings_and_drops_code() -> None:
    chunk = Chunk(
        source="docs",
        path="how-to/analytics/windows.qmd",
        title="Window functions",
        heading="Rank rows within each group",
        url="https://ibis-project.org/how-to/analytics/windows.html",
        kind="how-to",
        text="Number rows per group:\n\n```python\nt.mutate(n=ibis.row_number())\n```\n",
    )
    assert gist(chunk) == "Window functions > Rank rows within each group. Number rows per group:"


def test_a_gist_is_short() -> None:
    chunk = api_chunk("ibis.expr.api.row_number", "words " * 500)
    assert len(gist(chunk)) == GIST_CHARS
