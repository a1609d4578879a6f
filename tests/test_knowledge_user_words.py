"""The words users ask for API objects and docs pages with, in the index."""

from __future__ import annotations

import importlib
from pathlib import Path

from knowledge_helpers import ListSource, api_chunk

from ibis_copilot.knowledge.api_source import bridge_chunk
from ibis_copilot.knowledge.chunks import Chunk
from ibis_copilot.knowledge.docs_source import DocsFolderSource
from ibis_copilot.knowledge.knowledge_base import BUNDLED_DOCS, KnowledgeBase
from ibis_copilot.knowledge.user_words import USER_WORDS_LINE, page_words, user_words


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


def test_every_entry_is_an_indexed_object(installed_api: dict[str, Chunk]) -> None:
    """No words for an object the index leaves out (a copy such as ``Join.union``)."""
    indexed = {path.removeprefix("api:") for path in installed_api}
    assert sorted(set(user_words()) - indexed) == []


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


def test_every_page_entry_is_a_page_of_the_bundled_docs() -> None:
    pages = {path.as_posix() for path in DocsFolderSource(BUNDLED_DOCS).files()}
    words = page_words()
    assert len(words) > 100
    assert sorted(set(words) - pages) == []


def test_a_page_with_words_gets_a_chunk_cited_as_the_page(tmp_path: Path) -> None:
    page = tmp_path / "how-to" / "two-engines.qmd"
    page.parent.mkdir()
    page.write_text("---\ntitle: Two engines\n---\n\n## Connect\n\nCall connect twice.\n")
    words = {"how-to/two-engines.qmd": ["query postgres and duckdb in one script"]}
    chunks = list(DocsFolderSource(tmp_path, page_words=words).chunks())
    assert [chunk.heading for chunk in chunks] == ["Connect", ""]
    vocabulary = chunks[-1]
    assert vocabulary.path == "how-to/two-engines.qmd"
    assert vocabulary.url.endswith("/how-to/two-engines.html")
    assert vocabulary.kind == "how-to"
    asked = "query postgres and duckdb in one script"
    assert vocabulary.text == f"Two engines\n\n{USER_WORDS_LINE}{asked}"
    assert len(list(DocsFolderSource(tmp_path).chunks())) == 1


def test_a_page_found_by_its_words_shows_its_own_section(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "how-to").mkdir(parents=True)
    (docs / "how-to" / "two-engines.qmd").write_text(
        "---\ntitle: Two engines\n---\n\n## Connect\n\nCall `ibis.connect` once per engine.\n"
    )
    (docs / "how-to" / "dates.qmd").write_text(
        "---\ntitle: Dates\n---\n\n## Truncate\n\nRound timestamps down to the month.\n"
    )
    words = {"how-to/two-engines.qmd": ["query postgres and sqlite from one notebook"]}
    base = KnowledgeBase(tmp_path / "index")
    base.index([DocsFolderSource(docs, page_words=words)], progress=False)
    found = base.search("postgres and sqlite from one notebook", k=2)
    assert [result.path for result in found] == ["how-to/two-engines.qmd", "how-to/dates.qmd"]
    assert found[0].heading == "Connect"
    assert found[0].text.startswith("Call `ibis.connect` once per engine.")
    assert USER_WORDS_LINE not in found[0].text
