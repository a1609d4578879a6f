"""A question that names a backend is about that backend: its support data and docs page
count more than pages about the operation in general."""

from __future__ import annotations

import ibis.expr.operations as ops
import pytest
from knowledge_helpers import ListSource, api_chunk

from ibis_copilot.knowledge.chunks import Chunk
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.knowledge.retrieval import NAMED_BACKEND_BONUS
from ibis_copilot.knowledge.support_source import MATRIX_PATH, SupportMatrixSource

MYSQL_PAGE = Chunk(
    source="docs",
    path="backends/mysql.qmd",
    title="MySQL",
    heading="Connect",
    url="https://ibis-project.org/backends/mysql",
    kind="backend",
    text="Install the MySQL backend with pip install 'ibis-framework[mysql]' and connect.",
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    chunks = [
        api_chunk("ibis.expr.types.generic.Column.median", "Return the median of the column."),
        api_chunk("ibis.expr.types.generic.Column.approx_median", "Approximate the median."),
        api_chunk("ibis.backends.mysql.Backend.do_connect", "Create an Ibis client for MySQL."),
        MYSQL_PAGE,
        SupportMatrixSource._chunk("mysql", [ops.Median, ops.ArrayIndex], 400),
        SupportMatrixSource._chunk("sqlite", [ops.ArrayIndex], 400),
    ]
    knowledge = KnowledgeBase(tmp_path_factory.mktemp("kb"))
    knowledge.index([ListSource("mixed", chunks)], progress=False)
    return knowledge


def test_the_named_backends_support_data_and_page_come_first(base: KnowledgeBase) -> None:
    results = base.search("can I compute a median on mysql", k=4)
    assert (results[0].path, results[0].heading) == (MATRIX_PATH, "MySQL backend")
    assert "backends/mysql.qmd" in [result.path for result in results[:3]]


def test_without_a_backend_the_operations_api_comes_first(base: KnowledgeBase) -> None:
    top = base.search("compute the median of a column", k=1)[0]
    assert top.path == "api:ibis.expr.types.generic.Column.median"


def test_without_the_boost_the_general_api_wins(base: KnowledgeBase) -> None:
    retriever = base.retriever
    retriever.backend_bonus = 0.0
    try:
        top = base.search("can I compute a median on mysql", k=1)[0]
    finally:
        retriever.backend_bonus = NAMED_BACKEND_BONUS
    assert top.path != "backends/mysql.qmd"
