"""Deterministic diagnoses: each rule with code that really raises in ibis-framework 12,
and the exception hook on a bare InteractiveShell (traceback first, then the advice)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from ibis_copilot.repair.diagnose import Failure, diagnose, last_resort, rule_fix
from ibis_copilot.repair.renames import RENAMES, Rename

t = ibis.table(
    {
        "amount": "float64",
        "region": "string",
        "qty": "int64",
        "ts": "timestamp",
        "note": "string",
        "addr": "struct<city: string>",
    },
    name="t",
)
u = ibis.table({"region": "string", "manager": "string"}, name="u")
v = ibis.table({"place": "string", "boss": "string"}, name="v")
w = ibis.table({"xs": "array<int64>", "ys": "array<int64>", "name": "string"}, name="w")
NAMESPACE = {"t": t, "u": u, "v": v, "w": w, "ibis": ibis, "s": ibis.selectors}


def failure_of(code: str) -> Failure:
    try:
        exec(code, dict(NAMESPACE))  # noqa: S102 - fixed test snippets
    except Exception as error:  # noqa: BLE001 - the error is what the test inspects
        return Failure(error, code, NAMESPACE)
    raise AssertionError(f"{code} did not raise")


CASES = [
    # (code that raises in ibis 12, rule, words of the advice, the rules' fix or None)
    ("t.amout", "unknown column", "did you mean `amount`?", "t.amount"),
    ("t['regoin']", "unknown column", "did you mean `region`?", "t['region']"),
    ("t.select('amout')", "unknown column", "did you mean `amount`?", "t.select('amount')"),
    ("t.loc[t.amount > 1]", "pandas habit", "`t.filter(predicate)`", "t.filter(t.amount > 1)"),
    ("t.values", "pandas habit", "`t.to_pandas()`", None),
    ("t.region.str.upper()", "pandas habit", "`t.name.upper()`", "t.region.upper()"),
    ("t.ts.dt.year", "pandas habit", "`t.ts.year()`", "t.ts.year()"),
    ("t.sort_values('amount')", "pandas habit", "`t.order_by(", "t.order_by('amount')"),
    ("t.amount.isna()", "pandas habit", "isnull()", "t.amount.isnull()"),
    (
        "t['double'] = t.amount * 2",
        "pandas habit",
        "immutable",
        "t = t.mutate(double=t.amount * 2)",
    ),
    ("t.groupby('region')", "renamed API", "`.group_by`", "t.group_by('region')"),
    ("t.sort_by('amount')", "renamed API", "`.order_by`", "t.order_by('amount')"),
    ("t.region.to_date('%Y')", "renamed API", "Ibis 11.0.0", "t.region.as_date('%Y')"),
    ("t.qty.to_interval('D')", "renamed API", "as_interval", "t.qty.as_interval('D')"),
    ("t.region.initcap()", "renamed API", "capitalize", "t.region.capitalize()"),
    ("ibis.where(t.qty > 1, 1, 0)", "renamed API", "ibis.ifelse", "ibis.ifelse(t.qty > 1, 1, 0)"),
    (
        "t.relabel({'region': 'area'})",
        "renamed API",
        "new name → old name",
        "t.rename({'area': 'region'})",
    ),
    (
        "ibis.case().when(t.qty > 1, 'many').else_('one').end()",
        "renamed API",
        "ibis.cases",
        "ibis.cases((t.qty > 1, 'many'), else_='one')",
    ),
    (
        "t.agg(n=t.qty.count, total=t.amount.sum())",
        "wrong aggregation",
        "`.count()`",
        "t.agg(n=t.qty.count(), total=t.amount.sum())",
    ),
    ("ibis.case()", "renamed API", "ibis.cases", None),
    ("t.addr.destructure()", "renamed API", "`t.unpack('struct_column')`", None),
    (
        "(t.amount > 1) and (t.region == 'x')",
        "python boolean operators",
        "`&`, `|`, `~`",
        "(t.amount > 1) & (t.region == 'x')",
    ),
    ("t.filter(not t.amount > 1)", "python boolean operators", "`~`", "t.filter(~(t.amount > 1))"),
    (
        "t.filter(1 < t.amount < 5)",
        "python boolean operators",
        "`1 < t.a < 2`",
        "t.filter((1 < t.amount) & (t.amount < 5))",
    ),
    (
        "t.sort_values('amount', ascending=False)",
        "pandas habit",
        "`t.order_by(",
        "t.order_by(ibis.desc('amount'))",
    ),
    (
        "t.filter(u.manager == 'x')",
        "mixed tables",
        "`t` and `u` are used in one filter without a join",
        "t.semi_join(u.filter(u.manager == 'x'), \"region\")",
    ),
    (
        "t.select(t.amount, u.manager)",
        "mixed tables",
        "joins on `region`, the column both have",
        't.join(u, "region").select(t.amount, u.manager)',
    ),
    ("t.note.mean()", "wrong aggregation", "cast it first", 't.note.cast("float64").mean()'),
    ("t.ts.sum()", "wrong aggregation", "not a timestamp one", None),
    ("t.group_by('region').agg(total=t.amount)", "wrong aggregation", "reductions", None),
    # SQL written where Ibis takes expressions
    ("t.order_by('amount desc')", "sql habit", "ibis.desc", 't.order_by(ibis.desc("amount"))'),
    ("t.select('amount, region')", "sql habit", "one string", 't.select("amount", "region")'),
    (
        "t.filter(\"amount > 1 AND region = 'x'\")",
        "sql habit",
        "`t.a > 1`",
        "t.filter((t.amount > 1) & (t.region == 'x'))",
    ),
    (
        "t.select('region, SUM(amount) AS total, COUNT(*) n')",
        "sql habit",
        "one string",
        't.select("region", t.amount.sum().name("total"), t.count().name("n"))',
    ),
    (
        "t.filter(\"amount * 2 > 10 and upper(region) = 'X'\")",
        "sql habit",
        "`t.a > 1`",
        "t.filter((t.amount * 2 > 10) & (t.region.upper() == 'X'))",
    ),
    ("t.region.as_('r')", "sql habit", "`.name`", "t.region.name('r')"),
    ("t.note.is_null()", "sql habit", "`.isnull`", "t.note.isnull()"),
    # type names from SQL and pandas
    ("t.note.cast('integer')", "types", '`"int64"`', "t.note.cast('int64')"),
    ("t.note.cast('datetime')", "types", '`"timestamp"`', "t.note.cast('timestamp')"),
    ("t.note.cast('datetime64[ms]')", "types", '`"timestamp"`', "t.note.cast('timestamp')"),
    ("t.note.cast('smallint')", "types", '`"int16"`', "t.note.cast('int16')"),
    # pandas habits with a translation
    ("len(t)", "pandas habit", "`t.count()`", "t.count()"),
    (
        "t.rename({'amount': 'total'})",
        "pandas habit",
        "new name → old",
        "t.rename({'total': 'amount'})",
    ),
    (
        "t.rename(columns={'amount': 'total'})",
        "pandas habit",
        "new name → old",
        "t.rename({'total': 'amount'})",
    ),
    (
        "t.group_by('region')['amount'].sum()",
        "pandas habit",
        "as attributes",
        "t.group_by('region').agg(amount=t.amount.sum())",
    ),
    (
        "t.merge(u, on='region', how='left')",
        "pandas habit",
        "join",
        "t.join(u, 'region', how='left')",
    ),
    (
        "t.drop_duplicates(subset=['region'], keep=False)",
        "pandas habit",
        "distinct",
        "t.distinct(on=['region'], keep=None)",
    ),
    ("t.amount.astype('float32')", "pandas habit", "cast", "t.amount.cast('float32')"),
    ("t.amount.shift(1)", "pandas habit", "lag", "t.amount.lag()"),
    ("t.amount.shift(-1)", "pandas habit", "lag", "t.amount.lead()"),
    ("t.amount.shift(-2)", "pandas habit", "lag", "t.amount.lead(2)"),
    (
        "t.melt(id_vars=['region'], value_name='x')",
        "pandas habit",
        "pivot_longer",
        "t.pivot_longer(~ibis.selectors.cols('region'), values_to='x')",
    ),
    # arguments Ibis reads differently
    (
        "t.join(u, 'region', how='full')",
        "wrong argument",
        "'outer'",
        "t.join(u, 'region', how='outer')",
    ),
    (
        "t.distinct(on='region', keep=False)",
        "wrong argument",
        "None drops",
        "t.distinct(on='region', keep=None)",
    ),
    (
        "ibis.cases([(t.qty > 1, 'a'), (t.qty > 5, 'b')], else_='c')",
        "wrong argument",
        "its own `(condition, value)` argument",
        "ibis.cases((t.qty > 1, 'a'), (t.qty > 5, 'b'), else_='c')",
    ),
    ("t.select(s.numeric)", "wrong argument", "`s.numeric()`", "t.select(s.numeric())"),
    (
        "t.filter(s.if_all(s.all, lambda c: c.notnull()))",
        "wrong argument",
        "`s.all()`",
        "t.filter(s.if_all(s.all(), lambda c: c.notnull()))",
    ),
    (
        "t.select(s.numeric, s.all())",
        "wrong argument",
        "`s.numeric()`",
        "t.select(s.numeric(), s.all())",
    ),
    ("t.mutate('twice', t.qty * 2)", "wrong argument", "keyword", "t.mutate(twice=t.qty * 2)"),
    (
        "t.select(t.qty, t.addr.destructure())",
        "renamed API",
        "unpack",
        "t.select(t.qty, t.addr.city)",
    ),
    ("u.union(v)", "set operations", "rename", "u.union(v.rename(region='place', manager='boss'))"),
    # the second table has the first's column and more: it is cut to the first's
    (
        "t.select('region').union(u)",
        "set operations",
        "`union` matches columns",
        "t.select('region').union(u.select('region'))",
    ),
    (
        "u.select('region').union(v.select('place'))",
        "set operations",
        "position by position",
        "u.select('region').union(v.select(region='place'))",
    ),
    # pandas, polars and PySpark table methods
    ("t.order_by('-amount')", "sql habit", "ibis.desc", 't.order_by(ibis.desc("amount"))'),
    (
        "t.order_by('amount asc nulls first')",
        "sql habit",
        "ibis.desc",
        't.order_by(ibis.asc("amount", nulls_first=True))',
    ),
    (
        "t.query(\"amount > 1 and region == 'x'\")",
        "pandas habit",
        "not a string",
        "t.filter((t.amount > 1) & (t.region == 'x'))",
    ),
    ("t.where(t.amount > 1)", "pandas habit", "filter", "t.filter(t.amount > 1)"),
    (
        "t.nlargest(3, 'amount')",
        "pandas habit",
        "limit(n)",
        "t.order_by(ibis.desc('amount')).limit(3)",
    ),
    ("t.shape[0]", "pandas habit", "count()", "t.count()"),
    ("t.iloc[5:15]", "pandas habit", "limit(n", "t.limit(10, offset=5)"),
    ("t.amount.diff()", "pandas habit", "lag()", "(t.amount - t.amount.lag())"),
    (
        "t.withColumn('double', t.amount * 2)",
        "pandas habit",
        "mutate",
        "t.mutate(double=t.amount * 2)",
    ),
    ("ibis.concat([t, t])", "pandas habit", "ibis.union", "ibis.union(t, t)"),
    (
        "t.pivot(index='region', columns='note', values='amount')",
        "pandas habit",
        "pivot_wider",
        "t.pivot_wider(id_cols='region', names_from='note', values_from='amount')",
    ),
    (
        "t.group_by('region').agg({'amount': 'sum', 'qty': ['min', 'max']})",
        "pandas habit",
        "named reductions",
        "t.group_by('region').agg(amount=t.amount.sum(), qty_min=t.qty.min(), qty_max=t.qty.max())",
    ),
    (
        "t.region.replace({'a': 'b', 'c': 'd'})",
        "pandas habit",
        "`col.substitute({old: new})`; to replace text inside values, one call per pair",
        None,
    ),
    # struct fields, methods used as values, one value where a list is taken
    ("t.addr.City", "unknown column", "`city`", "t.addr.city"),
    ("t.addr.get('city')", "unknown method", "t.unpack", "t.addr['city']"),
    (
        "t.select(t.qty, t.addr.unpack())",
        "unknown method",
        "t.unpack",
        "t.select(t.qty, t.addr.city)",
    ),
    ("t.addr.unpack()", "unknown method", "t.unpack", "t.unpack('addr')"),
    ("t.unnest('addr')", "wrong argument", "unpack", "t.unpack('addr')"),
    ("2024 - t.ts.year", "dates and intervals", "call it", "2024 - t.ts.year()"),
    ("t.qty.isin(1)", "wrong argument", "a list", "t.qty.isin([1])"),
    (
        "t.filter(t.region.isin(u.filter(u.manager == 'x')))",
        "wrong argument",
        "semi_join",
        "t.filter(t.region.isin(u.filter(u.manager == 'x').region))",
    ),
    (
        "ibis.cases(t.qty > 1, 'a', 'b')",
        "wrong argument",
        "else_=",
        "ibis.cases((t.qty > 1, 'a'), else_='b')",
    ),
    (
        "ibis.cases((t.qty > 1, 'a')).else_('b').end()",
        "wrong argument",
        "else_=",
        "ibis.cases((t.qty > 1, 'a'), else_='b')",
    ),
    ("t.note.cast('string[pyarrow]')", "types", '`"string"`', "t.note.cast('string')"),
    # NumPy's reduction of one array is each row's (not ``least`` of one value)
    (
        "import numpy as np\nw.mutate(low=np.min(w.xs))",
        "eager use",
        "`min(...)` is Python's",
        "import numpy as np\nw.mutate(low=w.xs.mins())",
    ),
    # pandas' NaN for a missing value is a float to Ibis: NULL is ibis.null()
    (
        "import numpy as np\nt.mutate(n=ibis.ifelse(t.note == '', np.nan, t.note))",
        "literal",
        "`ibis.null()`",
        "import numpy as np\nt.mutate(n=ibis.ifelse(t.note == '', ibis.null(), t.note))",
    ),
    ("t.order_by(-t.region, 'ts')", "sorting", "`t.x.desc()`", "t.order_by(t.region.desc(), 'ts')"),
    (
        "w.mutate(big=w.xs[w.xs > 100])",
        "nested data",
        "`arr.filter(lambda x: x > 0)`",
        "w.mutate(big=w.xs.filter(lambda x: x > 100))",
    ),
    (
        "t.filter(t.amount > t.select(t.amount.mean()))",
        "aggregation",
        ".as_scalar()`",
        "t.filter(t.amount > t.select(t.amount.mean()).as_scalar())",
    ),
    ("t.limit(5).offset(10)", "sql habit", "`t.limit(20, offset=40)`", "t.limit(5, offset=10)"),
    (
        "w.mutate(u=ibis.union(w.xs, w.ys))",
        "nested data",
        "`a.union(b)`",
        "w.mutate(u=w.xs.union(w.ys))",
    ),
    ("t.semi_join(u.region, 'region')", "join", "`a.semi_join(b, ", "t.semi_join(u, 'region')"),
    (
        "t.try_cast('note', 'float64')",
        "argument shape",
        "`try_cast` takes one mapping",
        "t.try_cast({'note': 'float64'})",
    ),
    (
        "t.try_cast(schema={'note': 'date'})",
        "argument shape",
        "takes the schema by position",
        "t.try_cast({'note': 'date'})",
    ),
    (
        "t.cast({'note': 'int64'}, errors='ignore')",
        "types and casts",
        "`try_cast(...)`",
        "t.try_cast({'note': 'int64'})",
    ),
    (
        "t.agg('mean')",
        "pandas habit",
        "of every numeric column",
        "t.agg(ibis.selectors.across(ibis.selectors.numeric(), ibis._.mean()))",
    ),
    (
        "t.group_by('qty').agg('sum')",
        "pandas habit",
        "of every numeric column",
        "t.group_by('qty').agg(ibis.selectors.across(ibis.selectors.numeric() & "
        "~ibis.selectors.cols('qty'), ibis._.sum()))",
    ),
    (
        "t.mutate(y=t.ts.isocalendar().year)",
        "pandas habit",
        "`col.iso_year()`",
        "t.mutate(y=t.ts.iso_year())",
    ),
    (
        "t.mutate(d=t.ts.date().toordinal())",
        "pandas habit",
        "`col.epoch_days() + 719163`",
        "t.mutate(d=(t.ts.date().epoch_days() + 719163))",
    ),
    ("t.addr.unnest()", "unknown method", "`t.s.lift()`", "t.addr.lift()"),
    (
        "t.filter(t.qty > 1).nunique()['region']",
        "pandas habit",
        "takes no column",
        "t.filter(t.qty > 1)['region'].nunique()",
    ),
    ("t.filter(ibis.not_(t.amount > 1))", "python operator", "`~`", "t.filter(~(t.amount > 1))"),
    (
        "t.select(s.where(lambda c: c.name.startswith('a')))",
        "wrong name",
        "`.get_name()`",
        "t.select(s.where(lambda c: c.get_name().startswith('a')))",
    ),
    (
        "t.filter(t.note.is_distinct_from('x'))",
        "sql habit",
        "`~a.identical_to(b)`",
        "t.filter(~t.note.identical_to('x'))",
    ),
    (
        "t.select('qty', s.all_of([s.numeric(), s.startswith('q')]))",
        "selector",
        "not a list",
        "t.select('qty', s.all_of(s.numeric(), s.startswith('q')))",
    ),
    (
        "t.mutate(q=t.amount.ntile(4).over(order_by=ibis.desc('amount')))",
        "window",
        "ordered by that column already",
        "t.mutate(q=ibis.ntile(4).over(order_by=ibis.desc('amount')))",
    ),
    (
        "t.group_by('region').agg(n=t.count()).having(t.count() > 100)",
        "sql habit",
        "before the aggregation",
        "t.group_by('region').having(t.count() > 100).agg(n=t.count())",
    ),
    (
        "t.group_by('region').order_by(ibis.desc('ts')).head(2)",
        "window",
        "row_number()",
        "t.mutate(_row=ibis.row_number().over(group_by='region', order_by=ibis.desc('ts')))"
        '.filter(ibis._._row < 2).drop("_row")',
    ),
    (
        "t.mutate(k=t.note.translate(str.maketrans('', '', '-/')))",
        "string method",
        "replaced by nothing",
        "t.mutate(k=t.note.replace('-', '').replace('/', ''))",
    ),
    (
        "import statistics\nt.agg(m=statistics.median(t.amount))",
        "eager use",
        "`t.amount.median()`",
        "import statistics\nt.agg(m=t.amount.median())",
    ),
    (
        "import datetime\nt.mutate(e=t.ts + datetime.timedelta(seconds=t.qty, days=1))",
        "dates and intervals",
        "`.as_interval(unit)`",
        "import datetime\nt.mutate(e=t.ts + (t.qty.as_interval('s') + ibis.interval(days=1)))",
    ),
    (
        "t.mutate(e=t.ts + (ibis.interval(days=14) + t.qty * 7))",
        "dates and intervals",
        "the same unit",
        "t.mutate(e=t.ts + (ibis.interval(days=14) + (t.qty * 7).as_interval('D')))",
    ),
]


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        # NumPy's function of the same name as the array's method
        ("import numpy as np\nw.mutate(u=np.unique(w.xs))", "w.mutate(u=w.xs.unique())"),
        # pandas' replace by NaN makes the value missing
        (
            "import numpy as np\nt.mutate(a=t.amount.replace(0, np.nan))",
            "t.mutate(a=t.amount.nullif(0))",
        ),
        # pandas' quantile buckets, numbered from 0 as ``labels=False`` gives
        (
            "import pandas as pd\nt.mutate(q=pd.qcut(t.amount, 4, labels=False))",
            "t.mutate(q=t.amount.ntile(4))",
        ),
    ],
)
def test_numpy_and_pandas_calls_become_the_columns_own_methods(code: str, fix: str) -> None:
    findings = diagnose(failure_of(code))
    assert findings[0].rule in ("eager use", "pandas habit")
    assert rule_fix(code, findings) == f"{code.splitlines()[0]}\n{fix}"


@pytest.mark.parametrize("last_output", [None, ""])
def test_the_deferred_underscore_without_its_import_is_ibis_deferred(
    last_output: str | None,
) -> None:
    """Plain Python has no ``_``; IPython's is the last output (``''`` in a new kernel)."""
    namespace = dict(NAMESPACE) if last_output is None else {**NAMESPACE, "_": last_output}
    code = "t.filter(_.amount > 10)"
    try:
        exec(code, dict(namespace))  # noqa: S102 - a fixed test snippet
    except (NameError, AttributeError) as error:
        findings = diagnose(Failure(error, code, namespace))
    assert findings[0].rule == "wrong name"
    assert rule_fix(code, findings) == "t.filter(ibis._.amount > 10)"


def test_a_deferred_underscore_that_is_imported_is_left_alone() -> None:
    code = "t.filter(_.amout > 10)"
    namespace = {**NAMESPACE, "_": ibis._}
    try:
        exec(code, dict(namespace))  # noqa: S102 - a fixed test snippet
    except AttributeError as error:
        findings = diagnose(Failure(error, code, namespace))
    assert "wrong name" not in [finding.rule for finding in findings]


def test_python_sets_of_array_columns_become_the_arrays_set_methods() -> None:
    code = "w.mutate(both=sorted(set(w.xs) & set(w.ys)))"
    findings = diagnose(failure_of(code))
    assert findings[0].rule == "nested data"
    assert "`a.intersect(b)` for `&`" in findings[0].message
    assert rule_fix(code, findings) == "w.mutate(both=w.xs.intersect(w.ys).sort())"


def test_pandas_quantile_buckets_with_labels_are_not_rewritten() -> None:
    code = "import pandas as pd\nt.mutate(q=pd.qcut(t.amount, 2, labels=['lo', 'hi']))"
    assert rule_fix(code, diagnose(failure_of(code))) is None


def test_a_column_of_labels_summed_gets_advice_but_no_cast() -> None:
    stock = ibis.table({"sku": "string", "qty_text": "string"}, name="stock")
    code = "stock.group_by('qty_text').agg(n=stock.sku.sum())"
    try:
        exec(code, {"stock": stock})  # noqa: S102 - a fixed test snippet
    except AttributeError as error:
        findings = diagnose(Failure(error, code, {"stock": stock}))
    assert [finding.rule for finding in findings] == ["wrong aggregation"]
    assert "`sku` names things: to count them, use `nunique()`" in findings[0].message
    assert findings[0].fix is None, "a cast to a number would check and still be wrong"


@pytest.mark.parametrize(("code", "rule", "advice", "fix"), CASES)
def test_rules_on_real_ibis_errors(code: str, rule: str, advice: str, fix: str | None) -> None:
    failure = failure_of(code)
    findings = diagnose(failure)
    assert [finding.rule for finding in findings] == [rule]
    assert advice in findings[0].message
    assert rule_fix(code, findings) == fix


def test_none_comparison_is_found_beside_the_error_it_came_with() -> None:
    code = "t.filter(t.note == None or t.amount > 0)"
    findings = diagnose(failure_of(code))
    assert [finding.rule for finding in findings] == ["python boolean operators", "== None"]
    assert rule_fix(code, findings) == "t.filter(t.note.isnull() | (t.amount > 0))"


@pytest.mark.parametrize("code", ["t.completely_unrelated_name", "1 / 0", "t.amount.nope_x"])
def test_no_rule_no_finding(code: str) -> None:
    assert diagnose(failure_of(code)) == []


def test_a_name_spelt_like_no_column_is_said_with_the_columns_listed() -> None:
    found = last_resort(failure_of("u.select('region', 'completely_unrelated_name')"))
    assert [finding.rule for finding in found] == ["unknown column"]
    assert "`completely_unrelated_name` is not a column" in found[0].message
    assert "`u` has `region`, `manager`" in found[0].message
    assert found[0].fix is None, "which column was meant is the user's call"
    assert last_resort(failure_of("t.filtr(t.amount > 1)")) == [], "a misspelt method"
    assert last_resort(failure_of("1 / 0")) == []


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        ("ibis.ifelse(t.amount > 1, 'big', 0)", "mixes string and int8 values"),
        ("t.filter(t.note > ibis.date(2024, 1, 1))", "`note` is string and is compared with"),
    ],
)
def test_two_types_that_do_not_mix_are_named(code: str, advice: str) -> None:
    found = last_resort(failure_of(code))
    assert [finding.rule for finding in found] == ["types"]
    assert advice in found[0].message
    assert found[0].fix is None


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (
            "t.region.contains(t.qty)",
            "`.contains(...)` (Ibis operation `StringContains`): its argument `needle` takes "
            "a string value, but was given `qty`, an integer column; signature: "
            "`StringContains(haystack: string, needle: string)`",
        ),
        (
            "t.ts.date().truncate('Q1')",
            "`.truncate(...)` (Ibis operation `DateTruncate`): its argument `unit` takes a date "
            "unit (one of 'Y', 'Q', 'M', 'W', 'D'), but was given the Python str `'Q1'`",
        ),
        (
            "t.amount.log(t.note)",
            "its argument `base` takes a numeric value, but was given `note`, a string column",
        ),
        ("t.qty + t.note", "`StringConcat`: its argument `arg` takes only string values"),
        (
            "t.amount.mean(where=t.qty)",
            "`.mean(...)` (Ibis operation `Mean`): its argument `where` takes a boolean value",
        ),
        ("t.amount.cast('flaot')", 'takes an Ibis data type, e.g. "string", "int64"'),
        ("t.ts.date() - t.note", "`-`: its argument `other` takes a date or interval value"),
        ("t.sample(2)", "argument `fraction` takes a float from 0 to 1, but was given the"),
        ("t.qty.isin(u)", "`.isin(...)` (Ibis operation `InValues`): its argument `options`"),
        ("t.qty.bucket([0, 10], closed='middle')", "its argument `closed` takes one of '"),
    ],
)
def test_an_argument_an_operation_refused_is_named_with_the_method_called(
    code: str, advice: str
) -> None:
    assert diagnose(failure_of(code)) == [], "no rule knows these: the last resort says it"
    found = last_resort(failure_of(code))
    assert [finding.rule for finding in found] == ["signature"]
    assert advice in found[0].message
    assert "UnboundTable" not in found[0].message, "the table's repr is left out"
    assert found[0].fix is None


def test_a_column_of_another_table_is_said_to_be_one_not_suggested_as_itself() -> None:
    found = diagnose(failure_of("t.asof_join(u, on='amount')"))
    assert [finding.rule for finding in found] == ["unknown column"]
    assert found[0].message.startswith(
        "`amount` is a column of `t`, but not of the table it was looked up in, whose "
        "columns are 'region', 'manager': to join on columns named differently"
    )
    assert found[0].fix is None


def test_columns_ibis_reports_as_not_present_are_unknown_columns() -> None:
    found = diagnose(failure_of("t.distinct(on='regoin')"))
    assert [(f.rule, f.message) for f in found] == [
        ("unknown column", "`regoin` is not a column; did you mean `region`?")
    ]


def test_over_after_no_reduction_says_what_over_goes_after() -> None:
    found = last_resort(failure_of("t.qty.over(ibis.window(order_by=t.qty))"))
    assert [finding.rule for finding in found] == ["window"]
    assert "`.over(...)` goes after a reduction" in found[0].message


@pytest.mark.parametrize("rename", RENAMES, ids=lambda r: f"{r.owner}.{r.old}")
def test_every_rename_is_true_of_the_installed_ibis(rename: Rename) -> None:
    """The release notes' removals hold for ibis 12, and the replacement exists."""
    if rename.owner == "ibis":
        owner: object = ibis
    else:
        owner = getattr(ibis.expr.types, rename.owner)
    if rename.old != rename.new:
        assert not hasattr(owner, rename.old), f"{rename.owner}.{rename.old} still exists"
    replacement = {"unpack": ir.Table, "greatest": ibis, "least": ibis, "negate": ir.NumericValue}
    assert hasattr(replacement.get(rename.new, owner), rename.new)


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[InteractiveShell]:
    monkeypatch.delenv("IBIS_COPILOT_URL", raising=False)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))  # no server to find
    shell = InteractiveShell.instance()
    shell.run_line_magic("colors", "nocolor")
    shell.run_line_magic("load_ext", "ibis_copilot")
    shell.run_cell("import ibis\norders = ibis.table({'amount': 'float64'}, name='orders')")
    yield shell
    InteractiveShell.clear_instance()


def run_failing(shell: InteractiveShell, cell: str) -> str:
    with capture_output() as captured:
        result = shell.run_cell(cell)
        shell.ibis_copilot_errors.wait()
    assert not result.success
    shown = [output.data.get("text/plain", "") for output in captured.outputs]
    return "\n".join([captured.stdout, *shown])


def test_the_hook_shows_the_traceback_then_the_diagnosis_then_the_checked_fix(
    shell: InteractiveShell,
) -> None:
    out = run_failing(shell, "big = orders.filter(orders.amout > 10)\nbig")
    advice = "ibis-copilot (unknown column): `amout` is not a column; did you mean `amount`?"
    assert "AttributeError" in out
    assert advice in out
    assert out.index("AttributeError") < out.index(advice), "the normal traceback comes first"
    assert "ibis-copilot fix (rules, checked: it builds and compiles" in out
    assert "big = orders.filter(orders.amount > 10)" in out


def test_rules_take_more_rounds_and_see_names_the_cell_defined(shell: InteractiveShell) -> None:
    # Round 1 turns .loc into filter/select; the check then fails on .isna, which round 2
    # turns into .isnull; `keep` is defined by the cell's first line, so the check reruns
    # the whole cell instead of starting at the failing line.
    run_failing(shell, "keep = ['amount']\norders.loc[orders.amount.isna(), keep]")
    fix = shell.ibis_copilot_errors.last.best_fix
    assert fix.code == "keep = ['amount']\norders.filter(orders.amount.isnull()).select(keep)\n"
    assert fix.checked, fix.check


def test_a_fix_using_a_table_the_cell_derived_is_checked_from_where_it_was_derived(
    shell: InteractiveShell,
) -> None:
    # From the failing line, `avg` reaches the check process as a bare table of its schema,
    # and a bare table's `as_scalar()` does not compile; rebuilt by the cell's first line,
    # it does.
    run_failing(
        shell, "avg = orders.select(orders.amount.mean())\norders.filter(orders.amount > avg)"
    )
    fix = shell.ibis_copilot_errors.last.best_fix
    assert fix.code.endswith("orders.filter(orders.amount > avg.as_scalar())\n")
    assert fix.checked, fix.check


def test_a_fix_that_does_not_build_is_not_checked(shell: InteractiveShell) -> None:
    # The fix renames the column, but `limit` gets a string: the check process says no.
    out = run_failing(shell, "orders.filter(orders.amout > 10).limit('ten')")
    assert "ibis-copilot fix (rules, not checked: run:" in out


def test_ibis_fix_puts_the_fix_in_the_next_cell(shell: InteractiveShell) -> None:
    run_failing(shell, "orders.groupby('amount').agg(n=orders.amount.count())")
    next_inputs: list[str] = []
    shell.set_next_input = lambda text, **_: next_inputs.append(text)  # type: ignore[method-assign]
    with capture_output() as captured:
        shell.run_line_magic("ibis_fix", "")
    assert next_inputs == ["orders.group_by('amount').agg(n=orders.amount.count())"]
    assert "(checked)" in captured.stdout


def test_ibis_fix_without_a_failure_says_so(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        shell.run_line_magic("ibis_fix", "")
    assert "no fix to insert" in captured.stdout


def test_unrelated_errors_are_left_alone(shell: InteractiveShell) -> None:
    out = run_failing(shell, "1 / 0")
    assert "ZeroDivisionError" in out
    assert "ibis-copilot" not in out


def test_another_extensions_handler_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IBIS_COPILOT_EXPLAIN_BUDGET", "0")
    shell = InteractiveShell.instance()
    try:
        seen: list[str] = []
        shell.set_custom_exc((Exception,), lambda _s, _e, value, _tb, **_: seen.append(str(value)))
        shell.run_line_magic("load_ext", "ibis_copilot")
        shell.run_cell("import ibis\nt = ibis.table({'amount': 'int64'}, name='t')")
        with capture_output() as captured:
            shell.run_cell("t.amout")
            shell.ibis_copilot_errors.wait()
        assert seen == ["'Table' object has no attribute 'amout'"], "their handler ran"
        assert "did you mean `amount`" in captured.stdout, "and ours after it"
    finally:
        InteractiveShell.clear_instance()


def test_the_hook_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IBIS_COPILOT_ERROR_HELP", "0")
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "ibis_copilot")
        assert shell.custom_exceptions == ()
    finally:
        InteractiveShell.clear_instance()


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (
            "t.select(c=t.note.rpad('a', 'b'))",
            "`t.note.rpad('a', 'b')` failed inside `StringValue.rpad(width, fillchar=' ', /)`: "
            "ValueError: invalid literal for int() with base 10: 'a'; its argument `width` was "
            "given `'a'`",
        ),
        ("ibis.window(rows=6, order_by='ts')", "; its argument `rows` was given `6`"),
        (
            "ibis.array([])",
            "failed inside `ibis.array(values, /)`: ValueError: max() arg is an empty sequence",
        ),
        (
            "t.relocate('qty', before='region', after='note')",
            "failed inside `Table.relocate(*columns, before=None, after=None, **kwargs)`: "
            "IbisInputError: Cannot specify both `before` and `after`",
        ),
    ],
)
def test_an_error_from_inside_ibis_is_located_at_the_call_that_raised(
    code: str, advice: str
) -> None:
    assert diagnose(failure_of(code)) == [], "no rule knows these: the last resort says it"
    found = last_resort(failure_of(code))
    assert [finding.rule for finding in found] == ["failing call"]
    assert advice in found[0].message
    assert found[0].fix is None, "where it failed, not what was meant"


@pytest.mark.parametrize("code", ["t.count()['x']", "1 / 0", "len(t.amount)"])
def test_an_error_raised_outside_ibis_calls_is_not_located_in_ibis(code: str) -> None:
    assert [f.rule for f in last_resort(failure_of(code))] != ["failing call"]
