"""The code-generation benchmark's mechanism, not the model's quality: the dataset and its
references (development and held-out tasks) on every engine, the comparison of results,
and the scoring of a given answer (scripted answers, and a scripted model behind the real
Assistant)."""

from __future__ import annotations

import datetime as dt
import decimal
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from postgres_server import postgres_server, unavailable_reason
from scripted_generator import ScriptedGenerator

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
import bench_codegen as bench
import codegen_data

from ibis_copilot.assistant.conversations import ConversationStore
from ibis_copilot.assistant.service import Assistant
from ibis_copilot.codegen_training.dataset import REPO_EVAL_DIR
from ibis_copilot.codegen_training.hygiene import EvalIndex
from ibis_copilot.models.scheduler import Scheduler
from ibis_copilot.settings import IbisCopilot

SETS = {name: bench.load_tasks(path) for name, path in bench.SETS.items()}
TASKS = SETS["dev"]
BY_ID = {task.id: task for task in TASKS}
#: Every task of every set: each reference is checked the same way.
ALL_TASKS = [task for tasks in SETS.values() for task in tasks]
CATEGORIES = {"filter", "aggregate", "join", "window", "date", "top-k", "string", "null"}
SMALLEST_SET = {"dev": 40, "heldout": 45}
LOCAL = ("duckdb", "sqlite")
Q = bench.QueryResult


@pytest.fixture(scope="module")
def rows() -> codegen_data.Rows:
    return codegen_data.generate()


@pytest.fixture(scope="module")
def engines(rows: codegen_data.Rows) -> Iterator[dict[str, bench.Engine]]:
    with bench.open_engines(LOCAL, rows) as (opened, missing):
        assert not missing
        yield opened


@pytest.fixture(scope="module")
def expected(engines: dict[str, bench.Engine]) -> dict[str, dict[str, bench.QueryResult]]:
    results, problems = bench.reference_results(ALL_TASKS, engines, in_process=True)
    assert not problems
    return results


@pytest.fixture(scope="module")
def postgres(rows: codegen_data.Rows) -> Iterator[bench.Engine]:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"PostgreSQL: {reason}")
    with postgres_server() as params:
        con = codegen_data.connect("postgres", rows, postgres=params.connect_kwargs())
        try:
            yield bench.Engine("postgres", con)
        finally:
            con.disconnect()


# -- the dataset ------------------------------------------------------------------------


def test_the_data_is_the_same_every_time_and_fits_its_schemas(rows: codegen_data.Rows) -> None:
    assert codegen_data.generate() == rows
    assert codegen_data.generate(seed=1) != rows
    for table, schema in codegen_data.SCHEMAS.items():
        assert rows[table], table
        assert {len(row) for row in rows[table]} == {len(schema)}
    nulls = {
        (table, column)
        for table, schema in codegen_data.SCHEMAS.items()
        for index, column in enumerate(schema)
        if any(row[index] is None for row in rows[table])
    }
    assert nulls == {
        ("customers", "email"),
        ("customers", "country"),
        ("products", "category"),
        ("orders", "shipped_date"),
        ("orders", "amount"),
    }


def test_the_engines_hold_the_same_rows(engines: dict[str, bench.Engine]) -> None:
    for table, schema in codegen_data.SCHEMAS.items():
        sql = f"SELECT * FROM {table} ORDER BY {next(iter(schema))}"  # noqa: S608 - ours
        duck, lite = (engines[name].run(sql) for name in LOCAL)
        assert bench.same_result(duck, lite, ordered=True), table


@pytest.mark.parametrize("name", sorted(bench.SETS))
def test_the_tasks_are_well_formed(name: str) -> None:
    tasks = SETS[name]
    assert len(tasks) >= SMALLEST_SET[name]
    assert len({task.id for task in tasks}) == len(tasks), "ids are unique"
    counts = Counter(task.category for task in tasks)
    assert set(counts) == CATEGORIES
    assert min(counts.values()) >= 5
    for task in tasks:
        assert set(task.engines) <= set(codegen_data.ENGINES), task.id
        assert task.engines == codegen_data.ENGINES or task.note, f"{task.id}: say why not"
        assert task.task.strip(), task.id
    assert "`customers`, `products`, `orders` and `order_items`" in bench.question(tasks[0])


def test_the_held_out_set_stands_apart_and_is_kept_out_of_training() -> None:
    assert all(task.id.startswith("cgh-") for task in SETS["heldout"])
    assert not {t.id for t in SETS["dev"]} & {t.id for t in SETS["heldout"]}
    assert bench.load_sets(["dev", "heldout"], limit=3) == {
        "dev": TASKS[:3],
        "heldout": SETS["heldout"][:3],
    }
    assert {path.name for path in bench.SETS.values()} <= set(
        EvalIndex.from_dir(REPO_EVAL_DIR).files
    )


def test_the_set_is_chosen_on_the_command_line_and_names_the_results() -> None:
    assert bench.parse_args([]).sets == ("dev",)
    assert bench.parse_args([]).name == "codegen"
    both = bench.parse_args(["--set", "both"])
    assert (both.sets, both.name) == (("dev", "heldout"), "codegen_both")
    heldout = bench.parse_args(["--set", "heldout", "--name", "mine"])
    assert (heldout.sets, heldout.name) == (("heldout",), "mine")
    with pytest.raises(SystemExit):
        bench.parse_args(["--set", "test"])


def test_every_reference_gives_rows_on_duckdb_and_sqlite(
    engines: dict[str, bench.Engine], expected: dict[str, dict[str, bench.QueryResult]]
) -> None:
    for task in ALL_TASKS:
        wanted = {name for name in task.engines if name in engines}
        assert set(expected[task.id]) == wanted, task.id


def test_the_references_agree_across_engines(
    expected: dict[str, dict[str, bench.QueryResult]],
) -> None:
    for task in ALL_TASKS:
        results = expected[task.id]
        if len(results) == 2:
            duck, lite = results["duckdb"], results["sqlite"]
            assert bench.same_result(duck, lite, task.ordered), task.id
            assert bench.same_result(lite, duck, task.ordered), task.id


def test_the_check_process_compiles_references_as_the_in_process_shortcut_does() -> None:
    task = BY_ID["basket_size_per_country_q1_2024"]
    for dialect in LOCAL:
        process = bench.compile_reference(task, dialect)
        shortcut = bench.compile_reference(task, dialect, in_process=True)
        assert process.checked, process.reason
        assert process.sql == shortcut.sql


def test_every_reference_runs_on_postgres_and_agrees_with_duckdb(
    postgres: bench.Engine, expected: dict[str, dict[str, bench.QueryResult]]
) -> None:
    results, problems = bench.reference_results(ALL_TASKS, {"postgres": postgres}, in_process=True)
    assert not problems
    for task in ALL_TASKS:
        if "postgres" in task.engines:
            assert bench.same_result(
                expected[task.id]["duckdb"], results[task.id]["postgres"], task.ordered
            ), task.id


# -- comparing results ------------------------------------------------------------------


def test_rows_compare_in_any_order_unless_order_matters() -> None:
    expected = Q(("a", "b"), [(1, "x"), (2, "y")])
    shuffled = Q(("a", "b"), [(2, "y"), (1, "x")])
    assert bench.same_result(expected, shuffled, ordered=False)
    assert not bench.same_result(expected, shuffled, ordered=True)
    assert bench.same_result(expected, expected, ordered=True)


def test_column_names_and_order_are_free_and_extra_columns_allowed() -> None:
    expected = Q(("country", "total"), [("DE", 10.0), ("FR", 7.5)])
    assert bench.same_result(expected, Q(("x", "y"), [("FR", 7.5), ("DE", 10.0)]), False)
    assert bench.same_result(expected, Q(("t", "c"), [(7.5, "FR"), (10.0, "DE")]), False)
    with_id = Q(("id", "c", "t"), [(2, "FR", 7.5), (1, "DE", 10.0)])
    assert bench.same_result(expected, with_id, ordered=False)
    assert not bench.same_result(expected, Q(("c",), [("FR",), ("DE",)]), False)
    assert not bench.same_result(expected, Q(("c", "t"), [("DE", 10.0)]), False), "rows"


def test_rows_must_stay_together_when_columns_are_matched() -> None:
    expected = Q(("c", "t"), [("DE", 10.0), ("FR", 7.5)])
    swapped = Q(("c", "t"), [("DE", 7.5), ("FR", 10.0)])
    assert not bench.same_result(expected, swapped, ordered=False)


def test_numbers_agree_within_a_millionth_whatever_their_type() -> None:
    expected = Q(("v",), [(20181.65,), (3,), (0.1,)])
    close = Q(("v",), [(20181.649999999998,), (decimal.Decimal("3"),), (0.10000001,)])
    assert bench.same_result(expected, close, ordered=True)
    assert not bench.same_result(expected, Q(("v",), [(20181.7,), (3,), (0.1,)]), True)
    assert bench.same_result(Q(("b",), [(True,)]), Q(("b",), [(1,)]), ordered=True)


def test_dates_nulls_and_nan_compare_as_one_value() -> None:
    expected = Q(("d", "v"), [(dt.date(2024, 3, 1), None)])
    for same in [
        ("2024-03-01", float("nan")),
        (dt.datetime(2024, 3, 1), None),
        (dt.datetime(2024, 3, 1, tzinfo=dt.UTC), None),
        ("2024-03-01 00:00:00", None),
    ]:
        assert bench.same_result(expected, Q(("d", "v"), [same]), ordered=True), same
    assert not bench.same_result(expected, Q(("d", "v"), [("2024-03-02", None)]), True)
    assert not bench.same_result(expected, Q(("d", "v"), [("2024-03-01", 0.0)]), True)


def test_only_a_single_query_is_run() -> None:
    assert bench.is_single_query('SELECT "a" FROM "t"', "duckdb")
    assert bench.is_single_query("SELECT 1 UNION ALL SELECT 2", "sqlite")
    assert not bench.is_single_query("SELECT 1; DROP TABLE orders", "duckdb")
    assert not bench.is_single_query("DELETE FROM orders", "postgres")


def test_a_query_that_runs_too_long_is_stopped(engines: dict[str, bench.Engine]) -> None:
    slow = "SELECT count(*) FROM order_items a, order_items b, order_items c, order_items d"
    for engine in engines.values():
        with pytest.raises(bench.QueryError):
            engine.run(slow, timeout=0.5)
        assert engine.run("SELECT count(*) FROM orders").rows == [(520,)], "still usable"


def test_sqlite_is_read_only(engines: dict[str, bench.Engine]) -> None:
    with pytest.raises(bench.QueryError, match="readonly"):
        engines["sqlite"].run("DELETE FROM orders")


# -- scoring an answer ------------------------------------------------------------------

TASK = BY_ID["revenue_per_country_2024"]
RIGHT = """Here is the code:

```python
done = orders[(orders.status == "completed") & (orders.order_date.year() == 2024)]
by_country = done.join(customers, done.customer_id == customers.customer_id)
by_country.group_by(by_country.country).aggregate(revenue=by_country.amount.sum()).execute()
```
"""
WRONG = RIGHT.replace('(orders.status == "completed") & ', "")
#: A column spelt like none: the rules cannot repair it (``order_year`` they now can: the
#: closest column, ``order_date``, compared with a year, is ``order_date.year()``).
BROKEN = RIGHT.replace("orders.order_date.year()", "orders.sold_in")
SLOPPY_CAST = "```python\ncustomers.select(n=customers.name.cast('int64'))\n```"


def score(answer: str, engines: dict[str, bench.Engine], expected: Any, **kw: Any) -> Any:
    return bench.score_answer(answer, TASK, engines, expected[TASK.id], **kw)


def outcomes(verdict: bench.Verdict) -> dict[str, str]:
    return {name: outcome.outcome for name, outcome in verdict.engines.items()}


def test_a_correct_answer_is_scored_correct(
    engines: dict[str, bench.Engine], expected: dict[str, dict[str, bench.QueryResult]]
) -> None:
    verdict = score(RIGHT, engines, expected)
    assert outcomes(verdict) == {"duckdb": "correct", "sqlite": "correct"}
    assert verdict.code is not None
    assert verdict.code.endswith(".execute()")
    assert all(o.sql and o.sql.startswith("SELECT") for o in verdict.engines.values())


def test_a_wrong_answer_runs_and_is_scored_wrong(
    engines: dict[str, bench.Engine], expected: dict[str, dict[str, bench.QueryResult]]
) -> None:
    assert outcomes(score(WRONG, engines, expected)) == {"duckdb": "wrong", "sqlite": "wrong"}


def test_an_answer_without_code_or_with_code_that_fails_the_check(
    engines: dict[str, bench.Engine], expected: dict[str, dict[str, bench.QueryResult]]
) -> None:
    prose = score("Group the orders by country and sum the amounts.", engines, expected)
    assert prose.code is None
    assert outcomes(prose) == {"duckdb": "no_code", "sqlite": "no_code"}
    broken = score(BROKEN, engines, expected)
    assert outcomes(broken) == {"duckdb": "not_checked", "sqlite": "not_checked"}
    assert "has no attribute 'sold_in'" in broken.engines["duckdb"].reason


def test_code_that_compiles_but_fails_on_the_engine_is_a_run_error(
    engines: dict[str, bench.Engine], expected: dict[str, dict[str, bench.QueryResult]]
) -> None:
    verdict = score(SLOPPY_CAST, engines, expected)
    assert verdict.engines["duckdb"].outcome == "run_error"
    assert "Conversion Error" in verdict.engines["duckdb"].reason
    assert verdict.engines["sqlite"].outcome == "wrong", "SQLite casts 'Ada Khan' to 0"


def test_the_allowlist_refuses_before_anything_is_built(
    engines: dict[str, bench.Engine], expected: dict[str, dict[str, bench.QueryResult]]
) -> None:
    verdict = score(RIGHT, engines, expected, admit=lambda _code: "no joins today")
    assert verdict.refused == "no joins today"
    assert outcomes(verdict) == {"duckdb": "refused", "sqlite": "refused"}


def test_the_summary_counts_what_compiled_but_did_not_run(
    engines: dict[str, bench.Engine], expected: dict[str, dict[str, bench.QueryResult]]
) -> None:
    verdicts = {TASK.id: score(SLOPPY_CAST, engines, expected)}
    answers = {TASK.id: bench.Answer(SLOPPY_CAST, 2.0)}
    summary = bench.summarize([TASK], verdicts, answers, LOCAL, expected)
    assert summary["duckdb"]["checked"] == 1.0
    assert summary["duckdb"]["checked_then_failed_to_run"] == 1
    assert summary["duckdb"]["pass@1"] == 0.0
    assert summary["sqlite"]["checked_then_failed_to_run"] == 0
    assert summary["sqlite"]["seconds_per_task_answer"] == 2.0


class OneAnswerPerCall(ScriptedGenerator):
    """Answers the n-th chat with the n-th text (the last one again after that)."""

    def __init__(self, texts: list[str]) -> None:
        super().__init__([texts[0]])
        self.texts = texts

    def stream_chat(self, messages: Any, params: Any, cancel: Any) -> Iterator[str]:
        self.pieces = [self.texts[min(len(self.chats), len(self.texts) - 1)]]
        return super().stream_chat(messages, params, cancel)


@pytest.fixture
def product(tmp_path: Path) -> Iterator[Any]:
    """``product(texts)``: the real Assistant around a model answering ``texts`` in turn."""
    made: list[Assistant] = []

    def make(texts: list[str]) -> tuple[Assistant, OneAnswerPerCall]:
        model = OneAnswerPerCall(texts)
        scheduler = Scheduler(model)
        assistant = Assistant(
            IbisCopilot(data_dir=str(tmp_path)),
            bench.NoSources(),  # type: ignore[arg-type]
            scheduler,
            scheduler,
            ConversationStore(tmp_path / "conversations"),
            None,
        )
        made.append(assistant)
        return assistant, model

    yield make
    for assistant in made:
        assistant.stop()


async def test_the_question_schemas_and_tables_reach_the_product_and_its_answer_is_scored(
    product: Any,
    engines: dict[str, bench.Engine],
    expected: dict[str, dict[str, bench.QueryResult]],
) -> None:
    assistant, model = product([RIGHT])
    schemas = "orders (duckdb table): order_id int64, amount float64"
    answer = await bench.ask(assistant, TASK, schemas, codegen_data.table_specs())
    assert answer.text == RIGHT
    assert not answer.error
    assert len(model.chats) == 1, "a checked block is not sent back"
    system, user = model.chats[0]
    assert user["content"] == bench.question(TASK)
    assert schemas in system["content"]
    assert answer.blocks[0]["verdict"] == "checked"
    assert answer.written == answer.shown
    verdict = bench.score_code(answer.shown, TASK, engines, expected[TASK.id])
    assert outcomes(verdict) == {"duckdb": "correct", "sqlite": "correct"}


async def test_the_code_the_product_shows_after_self_repair_is_scored_apart(
    product: Any,
    engines: dict[str, bench.Engine],
    expected: dict[str, dict[str, bench.QueryResult]],
) -> None:
    assistant, model = product([BROKEN, RIGHT])
    answer = await bench.ask(assistant, TASK, "", codegen_data.table_specs())
    assert len(model.chats) == 2, "the failed block went back to the model once"
    assert answer.blocks[0]["verdict"] == "not_checked"
    assert answer.blocks[0]["revised"]["verdict"] == "checked"
    assert answer.written is not None
    assert "sold_in" in answer.written
    assert answer.shown is not None
    assert "sold_in" not in answer.shown
    written = bench.score_code(answer.written, TASK, engines, expected[TASK.id])
    shown = bench.score_code(answer.shown, TASK, engines, expected[TASK.id])
    assert outcomes(written) == {"duckdb": "not_checked", "sqlite": "not_checked"}
    assert outcomes(shown) == {"duckdb": "correct", "sqlite": "correct"}


def test_a_postgres_answer_is_scored_there_too(postgres: bench.Engine) -> None:
    results, _ = bench.reference_results([TASK], {"postgres": postgres}, in_process=True)
    verdict = bench.score_answer(RIGHT, TASK, {"postgres": postgres}, results[TASK.id])
    assert outcomes(verdict) == {"postgres": "correct"}
    with pytest.raises(bench.QueryError, match="read-only"):
        postgres.run("DELETE FROM orders")
