"""The installed ibis package's API, read statically: one chunk per public object."""

from __future__ import annotations

import pytest

from ibis_copilot.knowledge.api_source import reference_url
from ibis_copilot.knowledge.chunks import Chunk


@pytest.mark.parametrize(
    "path",
    [
        "ibis.expr.types.relations.Table.pivot_longer",  # expression types
        "ibis.expr.types.relations.Table.join",
        "ibis.expr.types.relations.Table.left_join",  # made by a call, not a def
        "ibis.expr.types.temporal.DateValue.year",  # inherited from a private mixin
        "ibis.expr.api.desc",  # ibis.* top level
        "ibis.expr.api.read_parquet",
        "ibis.selectors.numeric",  # ibis.selectors
        "ibis.selectors.across",
        "ibis.expr.operations.udf.scalar.python",  # ibis.udf.scalar sub-namespace
        "ibis.common.exceptions.IbisTypeError",  # exceptions
        "ibis.backends.duckdb.Backend.do_connect",  # each backend's connect
        "ibis.backends.snowflake.Backend.do_connect",  # driver not installed: still read
        "ibis.backends.duckdb.Backend.read_csv",  # the default backend in full
        "ibis.backends.BaseBackend.create_table",
    ],
)
def test_public_objects_are_covered(installed_api: dict[str, Chunk], path: str) -> None:
    assert f"api:{path}" in installed_api


def test_chunk_has_signature_docstring_and_examples(installed_api: dict[str, Chunk]) -> None:
    chunk = installed_api["api:ibis.expr.types.relations.Table.pivot_longer"]
    assert chunk.text.startswith("ibis.expr.types.relations.Table.pivot_longer(col:")
    assert "Transform a table from wider to longer." in chunk.text
    assert "- names_to (str | Iterable[str])" in chunk.text
    assert "Examples:\n```python\n# Basic usage\n>>> import ibis" in chunk.text
    assert "# and convert those names into values" in chunk.text, "prose stays a comment"
    assert "┏" not in chunk.text, "rendered output tables are left out"
    assert chunk.kind == "reference"
    assert chunk.source == "api"
    assert chunk.url == (
        "https://ibis-project.org/reference/expression-tables.html"
        "#ibis.expr.types.relations.Table.pivot_longer"
    )


def test_user_facing_names_are_recorded(installed_api: dict[str, Chunk]) -> None:
    desc = installed_api["api:ibis.expr.api.desc"]
    assert "(available as `ibis.desc`)" in desc.text
    assert desc.extra["user_name"] == "ibis.desc"
    connect = installed_api["api:ibis.backends.duckdb.Backend.do_connect"]
    assert connect.extra["user_name"] == "ibis.duckdb.connect"


def test_default_backend_methods_documented_by_an_abstract_base_are_indexed(
    installed_api: dict[str, Chunk],
) -> None:
    # DuckDB's list_databases has no docstring; CanListDatabase, which declares it, has one
    listed = installed_api["api:ibis.backends.duckdb.Backend.list_databases"]
    assert listed.text.startswith("ibis.backends.duckdb.Backend.list_databases(")
    assert "database" in listed.text.split("\n\n", 1)[1].lower()
    assert "api:ibis.backends.duckdb.Backend.list_tables" not in installed_api  # BaseBackend's


def test_private_and_test_objects_are_left_out(installed_api: dict[str, Chunk]) -> None:
    assert not [path for path in installed_api if ".tests." in path or "conftest" in path]
    private = [p for p in installed_api if any(part.startswith("_") for part in p[4:].split("."))]
    assert not private


def test_reference_urls_follow_the_reference_pages() -> None:
    assert reference_url("ibis.expr.types.strings.StringValue.upper").startswith(
        "https://ibis-project.org/reference/expression-strings.html#"
    )
    assert reference_url("ibis.backends.duckdb.Backend.do_connect").startswith(
        "https://ibis-project.org/backends/duckdb.html#"
    )
    assert reference_url("ibis.selectors.numeric").startswith(
        "https://ibis-project.org/reference/selectors.html#"
    )
