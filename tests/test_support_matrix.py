"""The backend support matrix from the installed Ibis's compilers, as data and as
knowledge: one chunk per backend, and only the named backend's chunk for a question."""

from __future__ import annotations

from pathlib import Path

import ibis.expr.operations as ops

from ibis_copilot.expressions.backend_support import backends, operations, supports
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.knowledge.support_source import MATRIX_PATH, SupportMatrixSource, words


def test_public_operations_include_compiled_bases_but_not_abstract_ones() -> None:
    known = operations()
    assert known["median"] is ops.Median  # has a subclass, but backends compile it
    assert known["arrayindex"] is ops.ArrayIndex
    assert "comparison" not in known  # a base class no backend compiles itself
    assert "alias" not in known  # handled by every backend outside a visit method


def test_support_comes_from_each_compiler() -> None:
    assert supports("duckdb", ops.ArrayIndex)
    assert not supports("sqlite", ops.ArrayIndex)
    assert "polars" in backends()


def test_one_chunk_per_backend_lists_what_it_lacks() -> None:
    chunks = {chunk.extra["backend"]: chunk for chunk in SupportMatrixSource().chunks()}
    assert {"duckdb", "sqlite", "postgres", "mssql"} <= set(chunks)
    sqlite, duckdb = chunks["sqlite"], chunks["duckdb"]
    assert sqlite.path == MATRIX_PATH
    assert sqlite.heading == "SQLite backend"
    assert "ArrayIndex (array index)" in sqlite.text
    assert "ArrayIndex" not in duckdb.text
    assert "microsoft" in chunks["mssql"].extra["aliases"].split()


def test_operation_names_as_words() -> None:
    assert words("ArrayDistinct") == "array distinct"
    assert words("GeoAsEWKB") == "geo as ewkb"


def test_a_question_naming_a_backend_gets_only_that_backends_support_data(
    tmp_path: Path,
) -> None:
    knowledge = KnowledgeBase(tmp_path)
    knowledge.index([SupportMatrixSource()], progress=False)
    results = knowledge.search("does sqlite support array columns", k=5)
    assert [r.heading for r in results] == ["SQLite backend"]
    unnamed = knowledge.search("which backends lack array functions", k=5)
    assert len(unnamed) == 5, "without a backend named, every backend's data may answer"
