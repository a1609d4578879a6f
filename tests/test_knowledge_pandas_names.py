"""pandas' names for Ibis methods, from the repair rules' habits, in the index."""

from __future__ import annotations

from pathlib import Path

from knowledge_helpers import ListSource, api_chunk

from ibis_copilot.knowledge.api_source import bridge_chunk
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.knowledge.pandas_names import pandas_names
from ibis_copilot.repair.diagnose import PANDAS_HABITS


def test_pandas_names_come_from_the_repair_rules_habits() -> None:
    names = pandas_names()
    assert names["pivot_longer"] == ["melt", "unpivot"], "pandas' and polars' names"
    assert set(names["lag"]) == {"shift", "diff"}, "the hint's methods, not only its rename"
    assert "fillna" in names["fill_null"]
    every = {pandas for found in names.values() for pandas in found}
    assert every <= set(PANDAS_HABITS)


def test_the_bridge_chunk_carries_pandas_names_without_sql() -> None:
    melt = api_chunk("ibis.expr.types.relations.Table.pivot_longer", "Wider to longer.")
    bridge = bridge_chunk(melt, [], ["melt"])
    assert bridge.path == melt.path
    assert bridge.text.endswith("In pandas: melt")
    assert "In SQL" not in bridge.text


def test_a_question_in_pandas_words_finds_the_ibis_method(tmp_path: Path) -> None:
    longer = api_chunk("ibis.expr.types.relations.Table.pivot_longer", "Reshape the table.")
    chunks = [
        longer,
        api_chunk("ibis.expr.types.relations.Table.unpack", "Project the fields of structs."),
        api_chunk("ibis.expr.types.relations.Table.mutate", "Add columns, like pandas' assign."),
    ]
    plain = KnowledgeBase(tmp_path / "plain")
    plain.index([ListSource("api", chunks)], progress=False)
    bridged = KnowledgeBase(tmp_path / "bridged")
    melt = bridge_chunk(longer, [], ["melt"])
    bridged.index([ListSource("api", [*chunks, melt])], progress=False)
    question = "how do I melt a dataframe in ibis"
    # without the bridge no indexed word is the question's (and the embedded question
    # keeps only words the corpus uses): nothing but chance finds the method
    assert plain.retriever.search(question, k=3, mode="lexical") == []
    found = bridged.retriever.search(question, k=3, mode="lexical")
    assert [result.path for result in found] == [longer.path]
    assert bridged.search(question, k=1)[0].path == longer.path
