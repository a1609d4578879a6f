"""Generate and validate: candidate edits read from real ibis-framework 12 errors, and the
engine adopting the first candidate that the real check process accepts."""

from __future__ import annotations

import ibis
import pytest

from ibis_copilot.expressions.snippet import run_snippet
from ibis_copilot.repair.candidates import candidates_of, search
from ibis_copilot.repair.check import first_that_checks
from ibis_copilot.repair.diagnose import Failure
from ibis_copilot.repair.engine import check_fix, start_repair
from ibis_copilot.repair.verdict import check_block, diagnose_report

t = ibis.table(
    {"amount": "float64", "year": "int64", "name": "string", "ts": "timestamp", "d": "date"},
    name="t",
)
u = ibis.table({"label": "string", "name": "string", "amount": "float64", "day": "date"}, name="u")
NAMESPACE = {"t": t, "u": u, "ibis": ibis}
SPECS = {"t": {"name": "t", "schema": {"amount": "float64", "year": "int64"}}}


def failure_of(code: str) -> Failure:
    try:
        exec(code, {"t": t, "u": u, "ibis": ibis})  # noqa: S102 - fixed test snippets
    except Exception as error:  # noqa: BLE001 - the error is what the test inspects
        return Failure(error, code, NAMESPACE)
    raise AssertionError(f"{code} did not raise")


def candidate_codes(code: str) -> list[str]:
    failure = failure_of(code)
    return [candidate.code for candidate in candidates_of(search(failure), code)]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # keywords renamed by spelling and made positional where the signature says so
        ("r = t.sample(frac=0.1, seed=3)", "r = t.sample(0.1, seed=3)"),
        ("r = t.ts.strftime(format='%Y')", "r = t.ts.strftime('%Y')"),
        # pandas' and Python's keywords, by their known Ibis meaning
        ("r = t.amount.fill_null(value=0)", "r = t.amount.fill_null(0)"),
        ("r = t.amount.between(left=1, right=2)", "r = t.amount.between(lower=1, upper=2)"),
        ("r = t.amount.round(decimals=2)", "r = t.amount.round(2)"),
        # pandas' keywords with a known Ibis translation
        ("r = t.amount.count(distinct=True)", "r = t.amount.nunique()"),
        ("r = t.order_by('amount', ascending=False)", "r = t.order_by(ibis.desc('amount'))"),
        ("r = t.limit(5, skip=10)", "r = t.limit(5, offset=10)"),
        ("r = t.drop(columns=['amount', 'year'])", "r = t.drop('amount', 'year')"),
        ("r = t.distinct(subset=['name'])", "r = t.distinct(on=['name'])"),
        (
            "r = t.amount.sum().over(partition_by='name')",
            "r = t.amount.sum().over(group_by='name')",
        ),
        (
            "r = ibis.cases((t.year > 2000, 'new'), default='old')",
            "r = ibis.cases((t.year > 2000, 'new'), else_='old')",
        ),
        (
            "r = t.pivot_longer(value_vars=['amount'], var_name='k', value_name='v')",
            "r = t.pivot_longer(['amount'], names_to='k', values_to='v')",
        ),
        (
            "r = t.join(u, on='name', how='left')",
            "r = t.join(u, 'name', how='left')",
        ),
        (
            "r = t.join(u, left_on='name', right_on='label')",
            "r = t.join(u, t.name == u.label)",
        ),
        (
            "r = t.join(u, 'name', suffixes=('_t', '_u'))",
            "r = t.join(u, 'name', lname='{name}_t', rname='{name}_u')",
        ),
        ("r = t.amount.sum(skipna=True)", "r = t.amount.sum()"),
        ("r = t.name.nunique(dropna=True)", "r = t.name.nunique()"),
        ("r = t.distinct(['name'])", "r = t.distinct(on=['name'])"),
        ("r = t.amount.lag(periods=2)", "r = t.amount.lag(offset=2)"),
        ("r = t.amount.rank(ascending=False)", "r = ibis.desc(t.amount).rank()"),
        ("r = t.amount.cume_dist(ascending=False)", "r = ibis.desc(t.amount).cume_dist()"),
        (
            "r = t.amount.nth(1, group_by='name', order_by='ts')",
            "r = t.amount.nth(1).over(group_by='name', order_by='ts')",
        ),
        # pandas' floor of a timestamp: to a unit, or to steps of one
        ("r = t.ts.floor('h')", 'r = t.ts.truncate("h")'),
        ("r = t.ts.dt.floor('15min')", "r = t.ts.bucket(minutes=15)"),
        # the n-th value of each group: one row per group, ordered by the only date column
        (
            "r = u.group_by('name').agg(second=u.amount.nth(1))",
            "r = u.select('name', second=u.amount.nth(1).over(group_by=['name'], "
            "order_by='day')).distinct()",
        ),
        # pandas' last row of each group: the last value, ordered by the only date column
        (
            "r = u.group_by('label').agg(last=u.name.tail(1))",
            "r = u.group_by('label').agg(last=u.name.last(order_by='day'))",
        ),
        # a number written as a string; an interval without a unit
        ("r = t.year + '1'", "r = t.year + 1"),
        ("r = t.d + ibis.interval(3)", "r = t.d + ibis.interval(days=3)"),
        ("r = t.name.is_in(['a'])", "r = t.name.isin(['a'])"),
        ("r = t.name.trim()", "r = t.name.strip()"),
        ("r = t.amount.stddev()", "r = t.amount.std()"),
        ("r = t.name.to_datetime('%Y')", "r = t.name.as_timestamp('%Y')"),
        ("r = t.d + t.year", 'r = t.d + t.year.as_interval("D")'),
        ("r = (t.ts - t.ts).total_seconds()", "r = t.ts.delta(t.ts, unit='second')"),
        ("r = t.filter(t.year == t.name)", "r = t.filter(t.year == t.name.cast('int64'))"),
        (
            "r = t.filter(t.ts > ibis.now() - 7)",
            "r = t.filter(t.ts > ibis.now() - ibis.interval(days=7))",
        ),
        ("r = t.order_by('amount', descending=True)", "r = t.order_by(ibis.desc('amount'))"),
        # a window function inside agg: one value per row, over the group, ordered by
        # the table's only date column (t has two: no order is guessed)
        (
            "r = u.group_by('name').agg(run=u.amount.cumsum())",
            "r = u.group_by('name').order_by('day').mutate(run=u.amount.cumsum())",
        ),
        (
            "r = t.group_by('name').agg(prev=t.amount.lag())",
            "r = t.group_by('name').mutate(prev=t.amount.lag())",
        ),
        # a name missing from an Ibis module
        (
            "import ibis.selectors as s\nr = t.select(s.c('name'))",
            "import ibis.selectors as s\nr = t.select(s.cols('name'))",
        ),
        # several values where one list is taken
        ("r = t.name.isin('a', 'b', 'c')", "r = t.name.isin(['a', 'b', 'c'])"),
        # a literal in the column's type
        ("r = t.filter(t.year == '2024')", "r = t.filter(t.year == 2024)"),
        # a number added to a timestamp is an interval
        ("r = t.ts + 7", "r = t.ts + ibis.interval(days=7)"),
        # a misspelt method, and a method that is a property in Ibis
        ("r = t.name.lenght()", "r = t.name.length()"),
        ("r = t.ts.dayofweek().index()", "r = t.ts.day_of_week.index()"),
    ],
)
def test_the_intended_edit_is_the_first_candidate(code: str, expected: str) -> None:
    assert candidate_codes(code)[0] == expected


@pytest.mark.parametrize(
    "code",
    [
        "r = t.sample(rows=10)",  # no parameter means a row count: no guess
        "r = t.as_('x')",  # too short a name to correct by spelling
        # the n-th value needs an order: t has two date columns, none is guessed
        "r = t.group_by('name').agg(second=t.amount.nth(1))",
    ],
)
def test_no_candidate_when_nothing_resembles_the_mistake(code: str) -> None:
    assert candidate_codes(code) == []


def test_a_time_of_day_floored_has_two_readings_and_no_candidate() -> None:
    visits = ibis.table({"start": "time", "at": "timestamp"}, name="visits")
    code = "r = visits.group_by(h=visits.start.floor('h')).agg(n=visits.count())"
    try:
        exec(code, {"visits": visits, "ibis": ibis})  # noqa: S102 - a fixed test snippet
    except AttributeError as error:
        failure = Failure(error, code, {"visits": visits, "ibis": ibis})
    [found] = search(failure)
    assert "`t.x.hour()`" in found.diagnosis.message
    assert found.candidates == []


def test_the_last_row_of_a_group_is_not_guessed_without_one_date_column() -> None:
    # t has a timestamp and a date: which orders the rows is not guessed
    code = "r = t.group_by('name').agg(last=t.amount.tail(1))"
    assert candidate_codes(code) == []


def test_a_finding_names_the_real_parameters() -> None:
    [found] = search(failure_of("r = t.sample(frac=0.1)"))
    assert found.diagnosis.rule == "wrong argument"
    assert "`frac=`" in found.diagnosis.message
    assert "fraction" in found.diagnosis.message


def test_the_check_process_answers_for_the_first_code_that_checks() -> None:
    codes = ["t.nope", "t.amount.sum()", "t.year.sum()"]
    index, result = first_that_checks(codes, SPECS)
    assert index == 1
    assert result.checked
    assert "SUM" in (result.sql or "")
    index, result = first_that_checks(["t.nope"], SPECS)
    assert index == -1
    assert not result.checked
    assert "nope" in result.reason


def test_the_engine_adopts_the_first_candidate_that_checks_and_says_why() -> None:
    code = "r = t.ts.dayofweek().index()\nr\n"
    namespace: dict[str, object] = {"t": t, "ibis": ibis}
    try:
        run_snippet(code, "<cell candidates>", namespace)
    except AttributeError as error:
        repair = start_repair(error, error.__traceback__, namespace)
    [fix] = repair.fixes
    assert [d.rule for d in repair.diagnosis] == ["unknown method"]
    check_fix(repair, fix)
    assert fix.checked
    assert fix.code.startswith("r = t.ts.day_of_week.index()")
    assert "mechanical candidate 1 of" in fix.reason
    assert repair.to_json()["fix_reason"] == fix.reason


def test_a_rule_edit_that_meets_a_new_error_is_finished_by_the_candidate_that_checks() -> None:
    """pandas' accessor dropped by a rule leaves polars' ``replace_all``, which Ibis lacks:
    the candidates for that second error are searched from the edited code."""
    code = "r = t.name.str.replace_all('[0-9]', '')\nr\n"
    namespace: dict[str, object] = {"t": t, "ibis": ibis}
    try:
        run_snippet(code, "<cell after the edit>", namespace)
    except AttributeError as error:
        repair = start_repair(error, error.__traceback__, namespace)
    [fix] = repair.fixes
    assert fix.code.startswith("r = t.name.replace_all(")
    check_fix(repair, fix)
    assert fix.checked
    assert fix.code.startswith("r = t.name.re_replace('[0-9]', '')")
    assert "first mechanical candidate to check after the edit" in fix.reason


def test_a_model_written_block_is_repaired_by_the_first_candidate_that_checks() -> None:
    block = "t.filter(t.amount.between(left=1, right=10))"
    verdict = check_block(block, SPECS)
    assert verdict.verdict == "repaired"
    assert verdict.code == "t.filter(t.amount.between(lower=1, upper=10))"
    assert verdict.original == block
    assert "BETWEEN 1 AND 10" in (verdict.sql or "")
    assert "mechanical candidate" in verdict.reason


def test_an_error_known_only_as_text_gets_a_finding_and_a_checked_fix() -> None:
    code = "t.filter(t.year == '2024')"
    message = "Arguments year:int64 and Literal(2024):string are not comparable"
    findings, verdict = diagnose_report(code, "IbisTypeError", message, SPECS)
    assert [finding.rule for finding in findings] == ["types"]
    assert verdict is not None
    assert verdict.verdict == "repaired"
    assert verdict.code == "t.filter(t.year == 2024)"


def test_an_error_report_with_the_kernels_imports_is_fixed_and_shown_without_them() -> None:
    """The sidebar's Explain sends the kernel's Ibis imports: ``s`` is ibis.selectors."""
    code = "t.select(s.numeric)"
    message = "numeric() takes 0 positional arguments but 1 was given"
    assert diagnose_report(code, "TypeError", message, SPECS) == ([], None), "s is unknown"
    imports = ["import ibis.selectors as s"]
    findings, verdict = diagnose_report(code, "TypeError", message, SPECS, imports=imports)
    assert "call it, `s.numeric()`" in findings[0].message
    assert verdict is not None
    assert verdict.verdict == "repaired"
    assert verdict.code == "t.select(s.numeric())", "the user's cell, fixed"
    assert verdict.original == code
    assert 'FROM "t"' in (verdict.sql or "")


def test_a_fix_that_changes_an_earlier_statement_is_checked_from_there() -> None:
    """The kernel ran ``counts = ...`` as written; the fix rewrites it, so the check runs
    it again instead of reusing the namespace's ``counts`` (whose column is misnamed)."""
    code = "counts = t.group_by('name').size()\ncounts.order_by(ibis.desc('size'))\n"
    namespace: dict[str, object] = {"t": t, "ibis": ibis}
    try:
        run_snippet(code, "<cell earlier statement>", namespace)
    except Exception as error:  # noqa: BLE001 - the failure is the test's input
        repair = start_repair(error, error.__traceback__, namespace)
    assert repair.start_line == 2
    [fix] = repair.fixes
    assert fix.code.startswith("counts = t.group_by('name').agg(size=t.count())")
    check_fix(repair, fix)
    assert fix.checked, fix.check
