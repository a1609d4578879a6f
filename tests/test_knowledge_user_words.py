"""The words users ask for API objects with, in the index."""

from __future__ import annotations

import importlib
from pathlib import Path

from knowledge_helpers import ListSource, api_chunk

from ibis_copilot.knowledge.api_source import USER_WORDS_LINE, bridge_chunk
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.knowledge.user_words import user_words


def _resolves(path: str) -> bool:
    """Whether the dotted path names an object of the installed Ibis."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            found = getattr(found, attribute, None)
            if found is None:
                return False
        return True
    return False


def test_every_entry_names_an_object_of_the_installed_ibis() -> None:
    words = user_words()
    assert len(words) > 500
    assert [path for path in words if not _resolves(path)] == []
    assert all(phrase.strip() for phrases in words.values() for phrase in phrases)


def test_the_bridge_chunk_carries_the_words_before_the_other_vocabularies() -> None:
    cumsum = api_chunk("ibis.expr.types.numeric.NumericColumn.cumsum", "Cumulative sum.")
    bridge = bridge_chunk(cumsum, [], ["cumsum"], ["running total", "year to date"])
    lines = bridge.text.split("\n\n")
    assert lines[1] == f"{USER_WORDS_LINE}running total; year to date"
    assert lines[2] == "In pandas: cumsum"
    assert bridge_chunk(cumsum, [], ["cumsum"]).text.count(USER_WORDS_LINE) == 0


def test_a_question_in_a_users_words_finds_the_method(tmp_path: Path) -> None:
    path = "ibis.expr.types.generic.Value.coalesce"
    assert any("nvl" in phrase for phrase in user_words()[path])
    coalesce = api_chunk(path, "Return the first non-null value from args.")
    chunks = [
        coalesce,
        api_chunk("ibis.expr.types.generic.Value.fill_null", "Replace NULLs with the given value."),
        api_chunk("ibis.expr.types.strings.StringValue.concat", "Concatenate strings."),
    ]
    question = "NVL of phone and mobile"
    plain = KnowledgeBase(tmp_path / "plain")
    plain.index([ListSource("api", chunks)], progress=False)
    assert plain.search(question, k=1)[0].path != coalesce.path, "without the words, a miss"
    bridged = KnowledgeBase(tmp_path / "bridged")
    sibling = bridge_chunk(coalesce, [], [], user_words()[path])
    bridged.index([ListSource("api", [*chunks, sibling])], progress=False)
    assert bridged.search(question, k=1)[0].path == coalesce.path
