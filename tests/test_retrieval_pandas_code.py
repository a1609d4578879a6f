"""pandas', NumPy's and SQL's names written as code in a question are read as the Ibis
names they stand for (the repair rules' knowledge), and the first of them the index holds
comes first."""

from __future__ import annotations

import pytest
from knowledge_helpers import ListSource, api_chunk

from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.knowledge.pandas_names import ibis_names_for, shape_names


@pytest.mark.parametrize(
    ("written", "names"),
    [
        ("shift", ["lag", "lead"]),
        ("np.radians", ["deg2rad", "radians"]),
        ("np.where", ["ifelse", "filter", "where"]),
        ("str.contains", ["stringvalue.contains"]),
        ("dt.quarter", ["timestampvalue.quarter"]),
        ("pd.concat", ["union", "concat"]),
        ("combine_first", ["coalesce"]),
        ("list.sort", ["arrayvalue.order_by", "arrayvalue.sort"]),
        ("df.total", []),
    ],
)
def test_foreign_names_are_read_as_ibis_names(written: str, names: list[str]) -> None:
    assert ibis_names_for(written) == names


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("card_number.str[-4:] for the last four digits", ["stringvalue.right"]),
        ("df['code'].str[:4]", ["stringvalue.left"]),
        ("df['code'].str[::-1] spelled backwards", ["stringvalue.reverse"]),
        ("df['xs'].apply(sorted) in every row", ["arrayvalue.sort"]),
        ("df['tags'].apply(lambda l: list(set(l)))", ["arrayvalue.unique"]),
        ("pd.to_numeric(df.dose, errors='coerce')", ["value.try_cast"]),
        ("df.points.rank(pct=True)", ["percent_rank", "cume_dist"]),
        ("~df.groupby('order')['late'].any()", ["notany"]),
        ("a bar of '#' * t.n characters", ["stringvalue.repeat"]),
        ("aggregate(tags=', '.join(t.tag))", ["group_concat"]),
        ("df.code.str.upper() and a set of tags, price * 2", []),
    ],
)
def test_the_shapes_of_pandas_code_are_read_as_ibis_names(query: str, names: list[str]) -> None:
    assert shape_names(query) == names


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    chunks = [
        api_chunk("ibis.expr.types.generic.Column.lag", "The value of the previous row."),
        api_chunk("ibis.expr.types.numeric.NumericValue.radians", "Degrees to radians."),
        api_chunk("ibis.expr.types.arrays.ArrayValue.sort", "Sort the elements of an array."),
        api_chunk("ibis.expr.types.strings.StringValue.contains", "Whether a substring is in."),
        api_chunk("ibis.expr.types.arrays.ArrayValue.contains", "Whether the array has a value."),
        api_chunk("ibis.expr.types.strings.StringValue.left", "The first characters of a code."),
        api_chunk("ibis.expr.types.strings.StringValue.right", "The last characters of a code."),
        api_chunk(
            "ibis.expr.types.relations.Table.mutate",
            "Add columns to a table: shift a reading next to the current one.",
        ),
    ]
    knowledge = KnowledgeBase(tmp_path_factory.mktemp("kb"))
    knowledge.index([ListSource("api", chunks)], progress=False)
    return knowledge


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ("`df.groupby('truck').km.shift(1)` next to the current reading", "Column.lag"),
        ("np.radians(df.lat) on a column", "NumericValue.radians"),
        ("polars `pl.col('tags').list.sort()` in every row", "ArrayValue.sort"),
        ("df.name.str.contains('smith')", "StringValue.contains"),
        ("card.str[-4:] of each code", "StringValue.right"),
        ("card.str[:4] of each code", "StringValue.left"),
    ],
)
def test_the_ibis_method_for_pandas_code_comes_first(
    base: KnowledgeBase, query: str, page: str
) -> None:
    assert base.search(query, k=1)[0].path.endswith(page)


def test_a_pasted_errors_failing_line_is_read_the_same_way(base: KnowledgeBase) -> None:
    query = (
        "t.mutate(r=np.radians(t.lat))\n"
        "TypeError: operand 'FloatingColumn' does not support ufuncs (__array_ufunc__=None)"
    )
    assert base.search(query, k=1)[0].path.endswith("NumericValue.radians")
