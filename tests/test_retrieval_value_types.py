"""A question that says which kind of value it is about (a list per row, a map column,
text) ranks that kind's methods first among methods that read alike."""

from __future__ import annotations

import pytest
from knowledge_helpers import api_chunk, indexed

from ibis_copilot.knowledge.knowledge_base import KnowledgeBase

SAME_TEXT = "Compute the number of items."


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    chunks = [
        api_chunk("ibis.expr.types.arrays.ArrayValue.length", SAME_TEXT),
        api_chunk("ibis.expr.types.strings.StringValue.length", SAME_TEXT),
        api_chunk("ibis.expr.types.maps.MapValue.length", SAME_TEXT),
        api_chunk("ibis.expr.types.relations.Table.count", "Count the rows of a table."),
    ]
    return indexed(tmp_path_factory.mktemp("kb"), chunks)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("number of items in each list", "api:ibis.expr.types.arrays.ArrayValue.length"),
        ("number of items in a map column", "api:ibis.expr.types.maps.MapValue.length"),
    ],
)
def test_the_kind_of_value_named_comes_first(base: KnowledgeBase, query: str, first: str) -> None:
    results = base.retriever.search(query, k=3)
    assert results[0].path == first
    # without the words naming the kind, the three read alike and another comes first
    assert base.retriever.search("number of items", k=1)[0].path != first
