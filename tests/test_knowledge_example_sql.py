"""The SQL that docstring examples compile to, in the check process, as index chunks."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from knowledge_helpers import ListSource, api_chunk

from ibis_copilot.knowledge.api_source import ApiSource, bridge_chunk
from ibis_copilot.knowledge.example_sql import (
    ExampleSql,
    compact,
    displayed_expressions,
    sql_vocabulary,
)
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase, package_sources
from ibis_copilot.repair.check import check_each

CUMSUM_EXAMPLE = """\
import ibis
from datetime import datetime
ibis.options.interactive = True
t = ibis.memtable({"at": [datetime(2024, 1, 1), datetime(2024, 1, 2)], "v": [1, 2.5]})
t
t.mutate(total=t.v.cumsum())
"""


def test_check_each_answers_every_code_in_order() -> None:
    tables = {"t": {"name": "t", "schema": {"v": "int64"}}}
    results = check_each(["t.v.sum()", "t.nope", "t.mutate(c=t.v.cumsum())"], tables)
    assert [result.checked for result in results] == [True, False, True]
    assert "AttributeError" in results[1].reason
    assert results[2].sql is not None
    assert "UNBOUNDED PRECEDING" in results[2].sql


def test_examples_are_made_unbound_and_cut_at_each_displayed_value() -> None:
    programs = displayed_expressions(CUMSUM_EXAMPLE)
    assert len(programs) == 2, "one program per displayed value"
    assert "memtable" not in programs[1]
    assert "ibis.table({'at': 'timestamp', 'v': 'float64'}, name='t')" in programs[1]
    assert "options" not in programs[1]
    assert "datetime" not in programs[1]
    assert programs[1].endswith("t.mutate(total=t.v.cumsum())")
    fetched = displayed_expressions("t = ibis.examples.penguins.fetch()\nt.species")
    assert "'body_mass_g': 'int64'" in fetched[0]


def test_only_displayed_values_that_name_the_object_are_kept() -> None:
    (program,) = displayed_expressions(CUMSUM_EXAMPLE, uses="cumsum")
    assert program.endswith("t.mutate(total=t.v.cumsum())")
    assert displayed_expressions(CUMSUM_EXAMPLE, uses="cummax") == []


def test_examples_the_allowlist_refuses_are_never_run() -> None:
    assert displayed_expressions("import os\nos.listdir('.')") == []
    assert displayed_expressions("con = ibis.connect('duckdb://')\ncon.tables") == []
    assert displayed_expressions("t = ibis.examples.unknown_set.fetch()\nt") == []


def test_sql_vocabulary_is_sqls_words_and_sqlglots_names_for_the_functions() -> None:
    sql = (
        'SELECT QUANTILE_CONT("t0"."x", 0.5) AS "Quantile", COALESCE("t0"."x", 0) AS "over" '
        'FROM "t" AS "t0" ASOF LEFT JOIN "u" AS "t1" ON "t0"."at" >= "t1"."at"'
    )
    words = sql_vocabulary(sql)
    assert words[:2] == ["QUANTILE_CONT", "COALESCE"]
    assert {"ASOF", "LEFT", "JOIN", "PERCENTILE_CONT", "IFNULL", "NVL"} <= set(words)
    assert not {"SELECT", "FROM", "AS", "OVER", "T0", "X"} & set(words), "names are not words"


def test_compact_sql_drops_aliases_quotes_and_generated_names() -> None:
    sql = 'SELECT "t0"."x" FROM "t" AS "t0" CROSS JOIN UNNEST("ibis_table_unnest_' + "a" * 26 + '")'
    assert compact(sql) == "SELECT x FROM t AS t0 CROSS JOIN UNNEST(table_unnest)"


def test_example_sql_is_compiled_once_then_read_from_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "example-sql.json"
    examples = {"pkg.cumsum": CUMSUM_EXAMPLE, "pkg.b": "t = ibis.table({'a': 'int'})\nt.b"}
    first = ExampleSql(cache)
    found = first.sql_for(examples)
    assert first.compiled == 2
    assert list(found) == ["pkg.cumsum"], "an example that fails says nothing"
    (sql,) = found["pkg.cumsum"]
    assert 'SUM("t0"."v") OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)' in sql
    again = ExampleSql(cache)
    assert again.sql_for(examples) == found
    assert again.compiled == 0


PACKAGE = '''
"""A package whose one function has a docstring example."""

__all__ = ["cumsum"]


def cumsum(column):
    """Add a running total of a column.

    Examples
    --------
    >>> import ibis
    >>> t = ibis.memtable({"v": [1, 2, 3]})
    >>> t.mutate(total=t.v.cumsum())
    """
'''


def test_api_objects_get_a_sibling_chunk_with_their_example_sql(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text(textwrap.dedent(PACKAGE))
    source = ApiSource([tmp_path], package="pkg", example_sql=ExampleSql(tmp_path / "c.json"))
    main, sibling = list(source.chunks())
    assert sibling.path == main.path == "api:pkg.cumsum"
    assert (sibling.url, sibling.heading) == (main.url, main.heading)
    assert sibling.extra["part"] == "vocabulary"
    assert "In SQL: SUM OVER ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW" in sibling.text
    assert "total" not in sibling.text.split("\n\n")[1], "the words line holds SQL words only"
    assert "UNBOUNDED PRECEDING" not in main.text
    assert len(list(ApiSource([tmp_path], package="pkg").chunks())) == 1


CUMSUM = api_chunk("ibis.expr.types.numeric.NumericColumn.cumsum", "Return the cumulative sum.")
SQL = 'SELECT SUM("v") OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "c" FROM "t"'
WINDOW_API = [
    CUMSUM,
    api_chunk("ibis.expr.types.relations.Table.join", "Perform a join between two tables."),
    api_chunk("ibis.expr.types.generic.Value.over", "Construct a window expression."),
]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    knowledge = KnowledgeBase(tmp_path_factory.mktemp("kb"))
    sibling = bridge_chunk(CUMSUM, [SQL], [])
    knowledge.index([ListSource("api", [*WINDOW_API, sibling])], progress=False)
    return knowledge


def test_a_question_in_sql_words_finds_the_api_through_its_example_sql(
    base: KnowledgeBase, tmp_path: Path
) -> None:
    question = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
    plain = KnowledgeBase(tmp_path)
    plain.index([ListSource("api", WINDOW_API)], progress=False)
    without_sql = plain.retriever.search(question, k=3, mode="lexical")
    assert CUMSUM.path not in [r.path for r in without_sql], "without the SQL, no word matches"
    assert base.retriever.search(question, k=1, mode="lexical")[0].path == CUMSUM.path
    results = base.search(question, k=4)
    assert results[0].path == CUMSUM.path
    paths = [result.path for result in results]
    assert len(paths) == len(set(paths)), "the SQL chunk and its object are one result"


def test_a_named_api_pins_the_object_not_its_sql(base: KnowledgeBase) -> None:
    top = base.search("how does cumsum work", k=1)[0]
    assert "Return the cumulative sum." in top.text


def test_the_default_index_compiles_examples_with_a_cache_in_the_data_dir(tmp_path: Path) -> None:
    api = package_sources(tmp_path)[0]
    assert isinstance(api, ApiSource)
    assert api.example_sql is not None
    assert api.example_sql.cache.is_relative_to(tmp_path / "example-sql")
    plain = package_sources(tmp_path, example_sql=False)[0]
    assert isinstance(plain, ApiSource)
    assert plain.example_sql is None
