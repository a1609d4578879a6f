"""Ibis code generation measured by execution, on DuckDB, SQLite and PostgreSQL.

For each task of ``tests/data/codegen_dev.jsonl`` (an analyst's question over the shop
dataset of ``codegen_data.py``, with a reference answer in Ibis), the product is asked
through ``Assistant.chat`` as a notebook asks it: the tables' schemas as text, the tables
themselves (for the product's own check of its code blocks) and the DuckDB dialect. Two
pieces of code per answer are scored:

- *written*: the first Python block of the answer, as the model wrote it;
- *shown*: what the product shows for that block after its check, the rules' repair and
  the model's self-repair (``blocks[0]`` of the closing event: its ``revised`` code when
  a revision checked, else its ``code``).

Each goes through the syntax allowlist (when ``ibis_copilot.repair.allowlist`` exists),
then through the check process, which builds the expression it ends with from unbound
tables and compiles it for each engine's dialect; model code never runs here. The SQL
runs on the engine (one read-only query, with a time limit) and its rows are compared
with those of the reference, compiled by the same check process:

- column names are free, and so is the order of the columns; the answer may hold more
  columns than the reference as long as the reference's columns are among them;
- rows are compared as a sorted list (in order only when the task says order matters);
- numbers are equal when within a relative 1e-6 (about 6 significant digits; integers
  and floats alike); dates and midnight timestamps compare as ISO dates.

Per engine: pass@1, the share of answers with a code block, admitted by the allowlist,
compiled by the check, and compiled but then failing to run; seconds per task.

``--set heldout`` asks the frozen held-out tasks (``tests/data/codegen_heldout.jsonl``, see
tests/data/HELDOUT.md) instead, ``--set both`` both, each set's figures labelled apart;
results go to ``results/codegen.json`` for the development set (the default), else to
``results/codegen_<set>.json`` unless ``--name`` says otherwise.

Usage: python benchmarks/bench_codegen.py [--limit N] [--engines duckdb,sqlite,postgres]
       [--set dev|heldout|both] [--no-retrieval] [--no-schemas] [--no-self-repair]
       [--data-dir DIR] [--postgres-url URL] [--k N] [--name NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import decimal
import json
import math
import re
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent / "tests"))  # postgres_server.py

import codegen_data  # noqa: E402
from _common import print_table, write_results  # noqa: E402

from ibis_copilot.assistant.service import LOOP_WARNING  # noqa: E402
from ibis_copilot.code_blocks import code_blocks  # noqa: E402
from ibis_copilot.repair.check import CheckResult, check_code  # noqa: E402

DATA = HERE.parent / "tests" / "data"
#: The task sets: the development set, and the frozen held-out set nobody tunes on.
SETS = {"dev": DATA / "codegen_dev.jsonl", "heldout": DATA / "codegen_heldout.jsonl"}
DATASET = SETS["dev"]
SIGNIFICANT_DIGITS = 6
#: Numbers closer than this (relative) are equal.
REL_TOLERANCE = 1e-6
QUERY_TIMEOUT_S = 20.0
CHECK_TIMEOUT_S = 20.0
#: An answer with more rows than this is wrong (no reference has half as many).
MAX_ROWS = 20_000
#: Outcomes of one answer on one engine, from worst to best.
OUTCOMES = ("no_code", "refused", "not_checked", "not_a_query", "run_error", "wrong", "correct")
#: The code scored per answer: as the model wrote it, as the product shows it.
VARIANTS = ("written", "shown")
NOT_AVAILABLE = {
    "+ checked sampling": (
        "not for chat: checked sampling exists only for inline completions "
        "(completion_candidates); Assistant.chat decodes greedily"
    ),
}
SAMPLING_UNAVAILABLE = (
    "Assistant.chat has no sampling option (it always asks GenerationParams with "
    "temperature 0, greedy), so k samples would be k copies: only pass@1 is measured"
)


# -- the dataset ------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One analyst's question and its reference answer in Ibis."""

    id: str
    task: str
    category: str
    ordered: bool
    reference: str
    engines: tuple[str, ...] = codegen_data.ENGINES
    note: str = ""


def load_tasks(path: Path = DATASET) -> list[Task]:
    tasks = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            entry["engines"] = tuple(entry.get("engines", codegen_data.ENGINES))
            tasks.append(Task(**entry))
    return tasks


def question(task: Task) -> str:
    """What the user types: the task, then which tables and what the code must end with."""
    names = [f"`{name}`" for name in codegen_data.SCHEMAS]
    tables = ", ".join(names[:-1]) + f" and {names[-1]}"
    text = task.task if task.task.endswith((".", "?")) else task.task + "."
    return f"{text} Write Ibis code over the tables {tables} that ends with the result expression."


# -- running SQL ------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


class QueryError(Exception):
    """The SQL failed on the engine, took too long, or returned too many rows."""


def is_single_query(sql: str, dialect: str) -> bool:
    """Whether ``sql`` is one read-only query (a SELECT, a UNION...), nothing else."""
    import sqlglot
    from sqlglot import expressions

    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except sqlglot.errors.SqlglotError:
        return False
    return len(statements) == 1 and isinstance(statements[0], expressions.Query)


class Engine:
    """One database holding the dataset; runs SQL with a time limit."""

    def __init__(self, name: str, con: Any) -> None:
        self.name, self.con = name, con
        if name == "postgres":
            # autocommit (ibis's default): these hold for the whole session
            self.con.con.execute(f"SET statement_timeout = {int(QUERY_TIMEOUT_S * 1000)}")
            self.con.con.execute("SET default_transaction_read_only = on")
        elif name == "sqlite":
            self.con.con.execute("PRAGMA query_only = ON")

    def run(self, sql: str, timeout: float = QUERY_TIMEOUT_S) -> QueryResult:
        try:
            with self._limited(timeout) as cursor:
                cursor.execute(sql)
                columns = tuple(column[0] for column in cursor.description or ())
                rows = [tuple(row) for row in cursor.fetchmany(MAX_ROWS + 1)]
        except Exception as error:  # noqa: BLE001 - any engine error is the answer
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise QueryError(f"{type(error).__name__}: {first}") from None
        if len(rows) > MAX_ROWS:
            raise QueryError(f"more than {MAX_ROWS} rows")
        return QueryResult(columns, rows)

    @contextmanager
    def _limited(self, timeout: float) -> Iterator[Any]:
        if self.name == "duckdb":
            cursor = self.con.con.cursor()
            timer = threading.Timer(timeout, cursor.interrupt)
            timer.start()
            try:
                yield cursor
            finally:
                timer.cancel()
                cursor.close()
        elif self.name == "sqlite":
            connection: sqlite3.Connection = self.con.con
            deadline = time.monotonic() + timeout
            connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
            cursor = connection.cursor()
            try:
                yield cursor
            finally:
                cursor.close()
                connection.set_progress_handler(None, 0)
        else:  # postgres: statement_timeout, set at connection
            cursor = self.con.con.cursor()
            try:
                yield cursor
            except Exception:
                self.con.con.rollback()
                raise
            finally:
                cursor.close()


@contextmanager
def open_engines(
    names: Sequence[str], rows: codegen_data.Rows, postgres_url: str | None = None
) -> Iterator[tuple[dict[str, Engine], dict[str, str]]]:
    """The engines that could be opened, and for the others why not."""
    engines: dict[str, Engine] = {}
    missing: dict[str, str] = {}
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="codegen-")))
        for name in names:
            postgres: dict[str, object] | None = None
            if name == "postgres":
                postgres, why = _postgres(stack, postgres_url)
                if postgres is None:
                    missing[name] = why
                    continue
            con = codegen_data.connect(name, rows, workdir=workdir, postgres=postgres)
            stack.callback(con.disconnect)
            engines[name] = Engine(name, con)
        yield engines, missing


def _postgres(stack: ExitStack, url: str | None) -> tuple[dict[str, object] | None, str]:
    if url:
        from urllib.parse import urlparse

        parts = urlparse(url)
        params = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": parts.username or "postgres",
            "password": parts.password,
            "database": parts.path.lstrip("/") or "postgres",
        }
        return {k: v for k, v in params.items() if v is not None}, ""
    from postgres_server import postgres_server, unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        return None, reason
    return stack.enter_context(postgres_server()).connect_kwargs(), ""


# -- comparing results ------------------------------------------------------------------

_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(\.0+)?(\+00(:00)?|Z)?$")


def normalize_value(value: Any) -> Any:
    """A value every engine writes the same way: numbers as floats, dates as ISO text."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int | float | decimal.Decimal):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, dt.date):  # datetimes too
        return _iso(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, str):
        midnight = _MIDNIGHT.match(value)
        return midnight.group(1) if midnight else value
    return None if value is None else str(value)


def _iso(value: dt.date) -> str:
    """A date, or a timestamp (in UTC) written as a date when it is midnight."""
    if not isinstance(value, dt.datetime):
        return value.isoformat()
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")


def _key(value: Any) -> tuple[int, Any]:
    """Sorts values of any type; numbers by their rounded value."""
    if value is None:
        return (0, 0.0)
    if isinstance(value, float):
        return (1, float(f"{value:.{SIGNIFICANT_DIGITS}g}"))
    return (2, str(value))


def _row_key(row: tuple[Any, ...]) -> tuple[tuple[int, Any], ...]:
    return tuple(_key(value) for value in row)


def _same(left: Any, right: Any) -> bool:
    """Equal values; numbers within :data:`REL_TOLERANCE`."""
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=REL_TOLERANCE, abs_tol=1e-9)
    return bool(left == right)


def _same_list(left: Sequence[Any], right: Sequence[Any]) -> bool:
    return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))


def _same_rows(left: list[tuple[Any, ...]], right: list[tuple[Any, ...]]) -> bool:
    return len(left) == len(right) and all(
        _same_list(a, b) for a, b in zip(left, right, strict=True)
    )


def _rows(result: QueryResult, ordered: bool) -> list[tuple[Any, ...]]:
    rows = [tuple(normalize_value(value) for value in row) for row in result.rows]
    return rows if ordered else sorted(rows, key=_row_key)


def same_result(
    expected: QueryResult, actual: QueryResult, ordered: bool, max_tries: int = 2000
) -> bool:
    """Whether ``actual`` holds ``expected``'s rows (see the module's docstring)."""
    if len(actual.rows) != len(expected.rows) or len(actual.columns) < len(expected.columns):
        return False
    want = _rows(expected, ordered)
    have = [tuple(normalize_value(value) for value in row) for row in actual.rows]

    def column(rows: list[tuple[Any, ...]], index: int) -> list[Any]:
        values = [row[index] for row in rows]
        return values if ordered else sorted(values, key=_key)

    # An expected column can only be an answer column with the same values.
    candidates = [
        [i for i in range(len(actual.columns)) if _same_list(column(have, i), column(want, j))]
        for j in range(len(expected.columns))
    ]
    tries = 0

    def assign(j: int, chosen: list[int]) -> bool:
        nonlocal tries
        if j == len(candidates):
            tries += 1
            projected = [tuple(row[i] for i in chosen) for row in have]
            if not ordered:
                projected.sort(key=_row_key)
            return _same_rows(projected, want)
        return any(
            assign(j + 1, [*chosen, i])
            for i in candidates[j]
            if i not in chosen and tries < max_tries
        )

    return assign(0, [])


# -- scoring one answer -----------------------------------------------------------------


def allowlist() -> Callable[[str], str | None] | None:
    """``admit(code)`` of the syntax allowlist, or None while it does not exist."""
    try:
        from ibis_copilot.repair.allowlist import admit
    except ImportError:
        return None
    return admit


@dataclass
class EngineOutcome:
    outcome: str
    reason: str = ""
    sql: str | None = None
    seconds: float = 0.0


@dataclass
class Verdict:
    """What became of one answer: its code, the allowlist's word, each engine's outcome."""

    task_id: str
    code: str | None
    refused: str | None = None
    engines: dict[str, EngineOutcome] = field(default_factory=dict)


def score_answer(
    answer: str,
    task: Task,
    engines: dict[str, Engine],
    expected: dict[str, QueryResult],
    *,
    admit: Callable[[str], str | None] | None = None,
    check_timeout: float = CHECK_TIMEOUT_S,
) -> Verdict:
    """Score the first Python block of an answer's text (see :func:`score_code`)."""
    blocks = code_blocks(answer)
    code = blocks[0] if blocks else None
    return score_code(code, task, engines, expected, admit=admit, check_timeout=check_timeout)


def score_code(
    code: str | None,
    task: Task,
    engines: dict[str, Engine],
    expected: dict[str, QueryResult],
    *,
    admit: Callable[[str], str | None] | None = None,
    check_timeout: float = CHECK_TIMEOUT_S,
) -> Verdict:
    """Score ``code`` on every engine whose reference result is in ``expected``.

    The code is only ever built in the check process; this process runs the SQL it
    compiled, and only when it is a single query.
    """
    verdict = Verdict(task.id, code)
    names = [name for name in engines if name in expected]
    if code is None:
        verdict.engines = {name: EngineOutcome("no_code") for name in names}
        return verdict
    if admit is not None:
        verdict.refused = admit(code)
        if verdict.refused is not None:
            verdict.engines = {name: EngineOutcome("refused", verdict.refused) for name in names}
            return verdict
    specs = codegen_data.table_specs()

    def compile_for(name: str) -> tuple[str, CheckResult, float]:
        start = time.perf_counter()
        result = check_code(code, specs, dialect=name, timeout=check_timeout)
        return name, result, time.perf_counter() - start

    with ThreadPoolExecutor(max_workers=len(names) or 1) as pool:
        checks = list(pool.map(compile_for, names))
    for name, check, seconds in checks:
        verdict.engines[name] = _run_checked(engines[name], check, expected[name], task, seconds)
    return verdict


def _run_checked(
    engine: Engine, check: CheckResult, expected: QueryResult, task: Task, seconds: float
) -> EngineOutcome:
    if not check.checked or check.sql is None:
        return EngineOutcome("not_checked", check.reason, seconds=seconds)
    if not is_single_query(check.sql, engine.name):
        return EngineOutcome("not_a_query", "not a single query", check.sql, seconds)
    start = time.perf_counter()
    try:
        actual = engine.run(check.sql)
    except QueryError as error:
        return EngineOutcome("run_error", str(error), check.sql, seconds + _since(start))
    same = same_result(expected, actual, task.ordered)
    outcome = "correct" if same else "wrong"
    return EngineOutcome(outcome, "", check.sql, seconds + _since(start))


def _since(start: float) -> float:
    return time.perf_counter() - start


def compile_reference(task: Task, dialect: str, *, in_process: bool = False) -> CheckResult:
    """The reference's SQL for ``dialect``, built and compiled by the check process.

    ``in_process``: call the check process's own function here instead of starting a
    process (the same code path, for fast tests; references are ours, never the model's).
    """
    specs = codegen_data.table_specs()
    if in_process:
        from ibis_copilot.repair.check_worker import check_python

        answer = check_python(
            {"mode": "python", "code": task.reference, "tables": specs, "dialect": dialect}
        )
        return CheckResult(bool(answer["ok"]), answer.get("message", ""), answer.get("sql"))
    return check_code(task.reference, specs, dialect=dialect, timeout=CHECK_TIMEOUT_S)


def reference_results(
    tasks: Sequence[Task], engines: dict[str, Engine], *, in_process: bool = False
) -> tuple[dict[str, dict[str, QueryResult]], list[str]]:
    """Each task's expected result per engine, from its reference compiled by the check
    process (see :func:`compile_reference`); and the problems (a reference that does not
    compile, run or return rows)."""
    jobs = [(task, name) for task in tasks for name in task.engines if name in engines]
    if in_process:
        checks = [compile_reference(task, name, in_process=True) for task, name in jobs]
    else:
        with ThreadPoolExecutor(max_workers=4) as pool:
            checks = list(pool.map(lambda job: compile_reference(*job), jobs))
    expected: dict[str, dict[str, QueryResult]] = defaultdict(dict)
    problems = []
    for (task, name), check in zip(jobs, checks, strict=True):
        if not check.checked or check.sql is None:
            problems.append(f"{task.id} on {name}: the reference does not compile: {check.reason}")
            continue
        try:
            result = engines[name].run(check.sql)
        except QueryError as error:
            problems.append(f"{task.id} on {name}: the reference fails: {error}")
            continue
        if not result.rows or all(value is None for value in result.rows[0]):
            problems.append(f"{task.id} on {name}: the reference's result is empty")
            continue
        expected[task.id][name] = result
    return dict(expected), problems


# -- asking the product -----------------------------------------------------------------


class NoSources:
    """A knowledge base that finds nothing: the chat prompt says no docs matched."""

    def search(self, query: str, k: int = 5) -> list[Any]:  # noqa: ARG002 - the protocol
        return []


@dataclass
class Answer:
    """The product's answer: its text, the closing event's blocks, and how long it took
    (``stream_seconds`` to the last token; the rest is the product's check and repair)."""

    text: str
    seconds: float = 0.0
    stream_seconds: float = 0.0
    error: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    completion_tokens: int = 0

    @property
    def written(self) -> str | None:
        """The first Python block as the model wrote it."""
        blocks = code_blocks(self.text)
        return blocks[0] if blocks else None

    @property
    def shown(self) -> str | None:
        """What the product shows for that block: a checked revision, the rules' repair,
        or the block as written."""
        if not self.blocks:
            return self.written
        block = self.blocks[0]
        revised = block.get("revised")
        return str(revised["code"]) if revised else str(block["code"])


async def ask(
    assistant: Any,
    task: Task,
    schemas: str,
    tables: dict[str, Any] | None = None,
    dialect: str = "duckdb",
) -> Answer:
    """The product's answer to the task, as a notebook's chat gets it."""
    from ibis_copilot.models.base import GenerationError

    messages = [{"role": "user", "content": question(task)}]
    pieces: list[str] = []
    answer = Answer("")
    start = time.perf_counter()
    try:
        events = assistant.chat(messages, schemas=schemas, tables=tables, dialect=dialect)
        async for event in events:
            if event["type"] == "token":
                pieces.append(event["text"])
                answer.stream_seconds = _since(start)
            elif event["type"] == "error":
                answer.error = event["error"]["message"]
            elif event["type"] == "done":
                answer.blocks = list(event.get("blocks", []))
                answer.warnings = list(event.get("warnings", []))
                answer.completion_tokens = event["usage"]["completion_tokens"]
    except GenerationError as error:
        answer.error = str(error)
    answer.text, answer.seconds = "".join(pieces), _since(start)
    return answer


def build_assistant(
    scratch: Path, *, data_dir: Path | None = None, retrieval: bool = True, self_repair: bool = True
) -> Any:
    """The real Assistant from the user's settings (config files and environment), with
    conversations kept in ``scratch`` and no interaction log."""
    from ibis_copilot.assistant.conversations import ConversationStore
    from ibis_copilot.assistant.service import Assistant
    from ibis_copilot.settings import load_settings

    settings = load_settings().settings
    if data_dir is not None:
        settings.data_dir = str(data_dir)
    if not self_repair:
        settings.self_repair_rounds = 0
    assistant = Assistant.from_settings(settings)
    changes: dict[str, Any] = {
        "conversations": ConversationStore(scratch / "conversations"),
        "interactions": None,
    }
    if not retrieval:
        changes["knowledge"] = NoSources()
    return dataclasses.replace(assistant, **changes)


def wait_for_model(assistant: Any, timeout: float = 600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state: dict[str, Any] = assistant.chat_scheduler.model_state
        if state["state"] in ("ready", "error"):
            return state
        time.sleep(0.2)
    return dict(assistant.chat_scheduler.model_state)


# -- the report -------------------------------------------------------------------------


def summarize(
    tasks: Sequence[Task],
    verdicts: dict[str, Verdict],
    answers: dict[str, Answer],
    engine_names: Sequence[str],
    expected: dict[str, dict[str, QueryResult]],
) -> dict[str, dict[str, Any]]:
    """Per engine: counts and shares over the tasks that engine has a reference for."""
    summary: dict[str, dict[str, Any]] = {}
    for name in engine_names:
        scored = [t for t in tasks if name in expected.get(t.id, {}) and t.id in verdicts]
        counts: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
        per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        engine_seconds = 0.0
        for task in scored:
            outcome = verdicts[task.id].engines[name]
            counts[outcome.outcome] += 1
            engine_seconds += outcome.seconds
            per_category[task.category][0] += outcome.outcome == "correct"
            per_category[task.category][1] += 1
        n = len(scored)
        with_code = n - counts["no_code"]
        admitted = with_code - counts["refused"]
        checked = counts["not_a_query"] + counts["run_error"] + counts["wrong"] + counts["correct"]
        failed_to_run = counts["run_error"] + counts["not_a_query"]
        summary[name] = {
            "tasks": n,
            "pass@1": _share(counts["correct"], n),
            "code_block": _share(with_code, n),
            "admitted": _share(admitted, n),
            "checked": _share(checked, n),
            "checked_then_failed_to_run": failed_to_run,
            "checked_then_failed_to_run_share_of_checked": _share(failed_to_run, checked),
            "outcomes": counts,
            "per_category": {
                category: {"correct": c, "tasks": total, "pass@1": _share(c, total)}
                for category, (c, total) in sorted(per_category.items())
            },
            "seconds_per_task_answer": _mean([answers[t.id].seconds for t in scored]),
            "seconds_per_task_stream": _mean([answers[t.id].stream_seconds for t in scored]),
            "seconds_per_task_check_and_run": engine_seconds / n if n else 0.0,
        }
    return summary


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def print_report(summaries: dict[str, dict[str, dict[str, Any]]]) -> None:
    """One row per engine and variant; then pass@1 per category."""
    rows = []
    for variant, summary in summaries.items():
        for name, s in summary.items():
            rows.append(
                [
                    name,
                    variant,
                    str(s["tasks"]),
                    _percent(s["code_block"]),
                    _percent(s["admitted"]),
                    _percent(s["checked"]),
                    f"{s['checked_then_failed_to_run']} "
                    f"({_percent(s['checked_then_failed_to_run_share_of_checked'])})",
                    f"{s['outcomes']['correct']} ({_percent(s['pass@1'])})",
                    f"{s['seconds_per_task_answer']:.1f} ({s['seconds_per_task_stream']:.1f})"
                    f" + {s['seconds_per_task_check_and_run']:.1f}",
                ]
            )
    print_table(
        [
            "engine",
            "code",
            "tasks",
            "has block",
            "admitted",
            "compiled",
            "compiled, failed to run",
            "pass@1",
            "s/task: answer (stream) + check/run",
        ],
        rows,
    )
    columns = [(v, name) for v, summary in summaries.items() for name in summary]
    categories = sorted({c for s in summaries["written"].values() for c in s["per_category"]})
    print()
    print_table(
        ["category", *(f"{name} {variant}" for variant, name in columns)],
        [
            [
                category,
                *(
                    _fraction(summaries[variant][name]["per_category"].get(category))
                    for variant, name in columns
                ),
            ]
            for category in categories
        ],
    )


def _fraction(cell: dict[str, Any] | None) -> str:
    return "-" if cell is None else f"{cell['correct']}/{cell['tasks']}"


# -- main -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N tasks")
    parser.add_argument("--engines", default=",".join(codegen_data.ENGINES))
    parser.add_argument("--k", type=int, default=1, help="pass@k (needs sampling; see output)")
    parser.add_argument("--no-retrieval", action="store_true", help="ablation: no docs")
    parser.add_argument(
        "--no-schemas",
        action="store_true",
        help="ablation: no schemas in the prompt and no tables for the check",
    )
    parser.add_argument(
        "--no-self-repair", action="store_true", help="ablation: self_repair_rounds = 0"
    )
    parser.add_argument("--data-dir", type=Path, help="the knowledge index's data_dir")
    parser.add_argument(
        "--postgres-url",
        help="a database on a running server to use instead of a throwaway one (its tables "
        "customers, products, orders and order_items are replaced)",
    )
    parser.add_argument(
        "--set",
        choices=("dev", "heldout", "both"),
        default="dev",
        help="task set(s) to ask (held-out: tests/data/HELDOUT.md)",
    )
    parser.add_argument(
        "--name", help="results/<name>.json (default: codegen, or codegen_<set> for other sets)"
    )
    args = parser.parse_args(argv)
    args.sets = ("dev", "heldout") if args.set == "both" else (args.set,)
    if args.name is None:
        args.name = "codegen" if args.set == "dev" else f"codegen_{args.set}"
    args.engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    unknown = set(args.engines) - set(codegen_data.ENGINES)
    if unknown:
        parser.error(f"unknown engines: {', '.join(sorted(unknown))}")
    return args


@dataclass
class Run:
    """One run's answers, and the verdicts on each variant of their code."""

    answers: dict[str, Answer] = field(default_factory=dict)
    verdicts: dict[str, dict[str, Verdict]] = field(
        default_factory=lambda: {variant: {} for variant in VARIANTS}
    )


async def answer_all(
    assistant: Any,
    tasks: Sequence[Task],
    context: dict[str, Any],
    engines: dict[str, Engine],
    expected: dict[str, dict[str, QueryResult]],
    *,
    admit: Callable[[str], str | None] | None,
) -> Run:
    """Ask every task in turn (one at a time, as a user would) and score each answer."""
    run = Run()
    for task in tasks:
        answer = run.answers[task.id] = await ask(assistant, task, **context)
        wanted = expected.get(task.id, {})
        written = score_code(answer.written, task, engines, wanted, admit=admit)
        shown = written
        if answer.shown != answer.written:
            shown = score_code(answer.shown, task, engines, wanted, admit=admit)
        run.verdicts["written"][task.id], run.verdicts["shown"][task.id] = written, shown
        marks = " ".join(
            f"{name}:{o.outcome}" + ("" if shown is written else f"→{shown.engines[name].outcome}")
            for name, o in written.engines.items()
        )
        print(f"  {task.id:36} {answer.seconds:5.1f} s  {marks}", file=sys.stderr)
    return run


async def answer_sets(
    assistant: Any,
    sets: dict[str, list[Task]],
    context: dict[str, Any],
    engines: dict[str, Engine],
    expected: dict[str, dict[str, QueryResult]],
    *,
    admit: Callable[[str], str | None] | None,
) -> dict[str, Run]:
    """:func:`answer_all` for each task set in turn, each run apart."""
    runs = {}
    for name, tasks in sets.items():
        print(f"{name} set ({SETS[name].name}):", file=sys.stderr)
        runs[name] = await answer_all(assistant, tasks, context, engines, expected, admit=admit)
    return runs


def load_sets(names: Sequence[str], limit: int | None = None) -> dict[str, list[Task]]:
    """The first ``limit`` tasks of each named set; a task id is never in two sets."""
    sets = {name: load_tasks(SETS[name])[:limit] for name in names}
    ids = Counter(task.id for tasks in sets.values() for task in tasks)
    repeated = sorted(task_id for task_id, count in ids.items() if count > 1)
    if repeated:
        raise SystemExit(f"task ids in more than one place: {', '.join(repeated)}")
    return sets


def per_task(tasks: Sequence[Task], run: Run) -> list[dict[str, Any]]:
    rows = []
    for task in tasks:
        answer = run.answers[task.id]
        row: dict[str, Any] = {
            "id": task.id,
            "category": task.category,
            "question": question(task),
            "answer": answer.text,
            "error": answer.error,
            "seconds": round(answer.seconds, 2),
            "stream_seconds": round(answer.stream_seconds, 2),
            "completion_tokens": answer.completion_tokens,
            "product_block": answer.blocks[0] if answer.blocks else None,
        }
        for variant in VARIANTS:
            verdict = run.verdicts[variant][task.id]
            row[variant] = {
                "code": verdict.code,
                "refused": verdict.refused,
                "engines": {
                    name: {"outcome": o.outcome, "reason": o.reason, "seconds": round(o.seconds, 3)}
                    for name, o in verdict.engines.items()
                },
            }
        rows.append(row)
    return rows


def main() -> None:
    args = parse_args()
    sets = load_sets(args.sets, args.limit)
    tasks = [task for name in args.sets for task in sets[name]]
    admit = allowlist()
    if args.k > 1:
        print(f"note: --k {args.k}: {SAMPLING_UNAVAILABLE}", file=sys.stderr)
    with (
        open_engines(args.engines, codegen_data.generate(), args.postgres_url) as (
            engines,
            missing,
        ),
        tempfile.TemporaryDirectory(prefix="bench-codegen-") as scratch,
    ):
        for name, why in missing.items():
            print(f"note: {name} skipped: {why}", file=sys.stderr)
        if not engines:
            raise SystemExit("no engine could be opened")
        expected, problems = reference_results(tasks, engines)
        for problem in problems:
            print(f"reference problem: {problem}", file=sys.stderr)
        context: dict[str, Any] = {"schemas": "", "tables": None, "dialect": "duckdb"}
        if not args.no_schemas:
            from ibis_copilot.expressions.namespace import namespace_context

            first = next(iter(engines.values()))
            context["schemas"] = namespace_context(codegen_data.namespace(first.con))
            context["tables"] = codegen_data.table_specs()
            context["dialect"] = first.name
        assistant = build_assistant(
            Path(scratch),
            data_dir=args.data_dir,
            retrieval=not args.no_retrieval,
            self_repair=not args.no_self_repair,
        )
        assistant.start(load_now=True)
        try:
            model = wait_for_model(assistant)
            if model["state"] != "ready":
                raise SystemExit(f"the model did not load: {model}")
            runs = asyncio.run(
                answer_sets(assistant, sets, context, engines, expected, admit=admit)
            )
        finally:
            assistant.stop()

    summaries = {
        name: {
            variant: summarize(
                sets[name], run.verdicts[variant], run.answers, list(engines), expected
            )
            for variant in VARIANTS
        }
        for name, run in runs.items()
    }
    for name in args.sets:
        print(f"\n== {name} set ({SETS[name].name}, {len(sets[name])} tasks)")
        print_report(summaries[name])
    answers = [a for run in runs.values() for a in run.answers.values()]
    looped = sum(LOOP_WARNING in a.warnings for a in answers)
    warnings = sorted({w for a in answers for w in a.warnings if w != LOOP_WARNING})
    retrieval = "off (--no-retrieval)" if args.no_retrieval else "on"
    if warnings and not args.no_retrieval:
        retrieval = f"unavailable: {warnings[0]}"
    settings = assistant.settings
    config = {
        "model": model.get("name"),
        "model_backend": settings.model_backend,
        "retrieval": retrieval,
        "answers_cut_at_a_loop": f"{looped} of {len(answers)}",
        "schemas_in_prompt": not args.no_schemas,
        "tables_for_the_products_check": not args.no_schemas,
        "dialect_for_the_products_check": context["dialect"],
        "self_repair_rounds": settings.self_repair_rounds,
        "self_repair_seconds": settings.self_repair_seconds,
        "allowlist": "applied" if admit is not None else "not available (no module)",
        "k_requested": args.k,
        "k_measured": 1,
        "sampling": "unavailable: " + SAMPLING_UNAVAILABLE,
        "ablations_not_available": NOT_AVAILABLE,
        "engines_skipped": missing,
        "variants": {
            "written": "the first Python block of the answer, as the model wrote it",
            "shown": "that block as the product shows it after check, rules and self-repair",
        },
        "comparison": (
            "rows as sorted lists (in order when the task is ordered), column names and "
            "order free, extra answer columns allowed, numbers equal within a relative "
            f"{REL_TOLERANCE:g}, dates and midnight timestamps as ISO dates"
        ),
    }
    print(
        f"\nmodel {config['model']} ({config['model_backend']}), retrieval {retrieval}, "
        f"schemas {'off' if args.no_schemas else 'on'}, self-repair rounds "
        f"{settings.self_repair_rounds}, allowlist {config['allowlist']}, answers cut at a "
        f"loop {config['answers_cut_at_a_loop']}"
    )
    for name, why in missing.items():
        print(f"{name}: not run ({why})")
    print("not available: " + "; ".join(f"{k} ({v})" for k, v in NOT_AVAILABLE.items()))
    if args.k > 1:
        print(f"--k {args.k}: {SAMPLING_UNAVAILABLE}")
    per_set = {
        name: {
            "dataset": str(SETS[name].relative_to(HERE.parent)),
            "tasks": len(sets[name]),
            "summary": summaries[name],
            "per_task": per_task(sets[name], runs[name]),
        }
        for name in args.sets
    }
    first = args.sets[0]
    # the first set's figures at the top level too, as before there were sets
    path = write_results(
        args.name,
        {
            **per_set[first],
            "config": config,
            "reference_problems": problems,
            "set": first,
            "sets": per_set,
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
