"""The retrieval benchmark counts one answer once, whatever name it is found under."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))

from bench_retrieval import score


def test_a_mixin_member_and_the_public_class_that_inherits_it_are_one_answer() -> None:
    gold = {"api:ibis.expr.types.temporal._TimeComponentMixin.time"}
    found = score(["backends/duckdb.qmd", "api:ibis.expr.types.temporal.TimestampValue.time"], gold)
    assert found["recall@1"] == 0.0
    assert found["recall@5"] == 1.0
    assert found["mrr@10"] == 0.5


def test_different_objects_and_pages_stay_different_answers() -> None:
    gold = {"api:ibis.expr.types.temporal.TimestampValue.date", "how-to/analytics/basics.qmd"}
    found = score(["api:ibis.expr.types.temporal.TimestampValue.time", "how-to/x.qmd"], gold)
    assert found["recall@5"] == 0.0
    assert score(["how-to/analytics/basics.qmd"], gold)["recall@1"] == 1.0
