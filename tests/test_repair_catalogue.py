"""The repair catalogue's newer entries, each on code that really raises in ibis-framework
12: the finding (rule and words of its advice), the rules' fix, and that the fix builds
and compiles where one is offered. Nested columns (array, map, JSON, struct), pandas'
string habits, eager use, literals, windows, selectors and signatures."""

from __future__ import annotations

import ast
import datetime
import hashlib
import json
import math
import re

import ibis
import numpy
import pandas  # type: ignore[import-untyped]
import pytest

from ibis_copilot.repair.candidates import candidates_of, search
from ibis_copilot.repair.diagnose import Failure, diagnose, rule_fix
from ibis_copilot.repair.edits import interval_words

r = ibis.table(
    {
        "sensor": "string",
        "at": "timestamp",
        "temp": "float64",
        "samples": "array<float64>",
        "tags": "map<string, string>",
        "payload": "json",
        "place": "struct<site: string>",
        "code": "string",
        "n": "int64",
        "price": "decimal(10, 2)",
    },
    name="r",
)
k = ibis.table({"id": "int64", "boss_id": "int64", "name": "string", "day": "date"}, name="k")
w = ibis.table({"id": "int64", "words": "array<string>", "seen": "string"}, name="w")
NAMESPACE = {
    "r": r,
    "k": k,
    "w": w,
    "ibis": ibis,
    "s": ibis.selectors,
    "_": ibis._,
    "math": math,
    "np": numpy,
    "pd": pandas,
    "re": re,
    "hashlib": hashlib,
    "json": json,
    "datetime": datetime,
}


def failure_of(code: str) -> Failure:
    try:
        exec(code, dict(NAMESPACE))  # noqa: S102 - fixed test snippets
    except Exception as error:  # noqa: BLE001 - the error is what the test inspects
        return Failure(error, code, NAMESPACE)
    raise AssertionError(f"{code} did not raise")


def builds(code: str) -> None:
    """The fixed code runs and its value compiles to SQL."""
    scope = dict(NAMESPACE)
    exec(f"result = {code}", scope)  # noqa: S102 - the rules' fix of a fixed snippet
    ibis.to_sql(scope["result"], dialect="duckdb")


RULE_CASES = [
    # (code that raises, rule, words of the advice, the rules' fix or None)
    (
        "r.mutate(c=r.code.re_replace({r'\\s+': ' ', '-': ''}))",
        "string method",
        "several are one call each",
        "r.mutate(c=r.code.re_replace(r'\\s+', ' ').re_replace('-', ''))",
    ),
    (
        "r.inner_join(k, [r.n, k.id])",
        "join",
        "the keys of the two tables are one condition",
        "r.inner_join(k, r.n == k.id)",
    ),
    (
        "r.mutate(s.across(s.of_type('float64'), round, 1))",
        "selector",
        "give the other arguments in a lambda",
        "r.mutate(s.across(s.of_type('float64'), lambda c: c.round(1)))",
    ),
    (
        "w.mutate(u=w.words.drop_duplicates())",
        "pandas habit",
        "`col.unique()`",
        "w.mutate(u=w.words.unique())",
    ),
    (
        "r.mutate(last=r.code.extract(r'(\\w+)$'))",
        "pandas habit",
        "`col.re_extract(pattern, 1)`",
        "r.mutate(last=r.code.re_extract(r'(\\w+)$', 1))",
    ),
    (
        "k.select(s.of_type('date32'))",
        "types",
        '`"date32"` is `"date"`',
        "k.select(s.of_type('date'))",
    ),
    ("r.tags.room", "nested data", 'not as attributes: `...["room"]`', 'r.tags["room"]'),
    ("r.payload.unit.str", "nested data", "`.str`, `.int`, `.float`", 'r.payload["unit"].str'),
    (
        "r.payload['tax'] + r.temp",
        "nested data",
        "no number type",
        "r.payload['tax'].float + r.temp",
    ),
    ("r.samples.str[0]", "pandas habit", "string methods", "r.samples[0]"),
    ("r.samples.sum()", "wrong aggregation", "`.sums()`", "r.samples.sums()"),
    (
        "r.samples.apply(lambda x: x * 2)",
        "pandas habit",
        "`col.map(",
        "r.samples.map(lambda x: x * 2)",
    ),
    ("r.code.slice(0, 4)", "pandas habit", "`col.substr(", "r.code.substr(0, 4)"),
    ("r.code.zfill(8)", "pandas habit", "lpad", 'r.code.lpad(8, "0")'),
    (
        "r.filter(r.at.between_time('08:00', '16:00'))",
        "pandas habit",
        "times of day",
        "r.filter(((r.at.time() >= ibis.time('08:00')) & (r.at.time() <= ibis.time('16:00'))))",
    ),
    # pandas' boolean masks and Series.map(dict) on an array: functions of one element
    (
        "r.mutate(p=r.samples.filter(r.samples > 0))",
        "nested data",
        "a function of one element",
        "r.mutate(p=r.samples.filter(lambda x: x > 0))",
    ),
    (
        "r.mutate(p=r.samples.map({1.0: 2.0}))",
        "nested data",
        "a function of one element",
        "r.mutate(p=r.samples.map(lambda x: x.substitute({1.0: 2.0}, else_=x)))",
    ),
    # pandas' grouped counts and days of the week
    (
        "c = r.group_by('sensor').size()\nc.order_by(ibis.desc('size'))",
        "pandas habit",
        "name the count",
        "c = r.group_by('sensor').agg(size=r.count())\nc.order_by(ibis.desc('size'))",
    ),
    (
        "r.group_by(d=r.at.day_of_week()).agg(n=r.count())",
        "wrong name",
        "is a property",
        "r.group_by(d=r.at.day_of_week.index()).agg(n=r.count())",
    ),
    # SQL's qualified names, globs, frame words, formats and fractions
    ("r.select('r.sensor', 'r.temp')", "sql habit", "`table.column`", "r.select('sensor', 'temp')"),
    ("r.select(s.endswith('*mp'))", "selector", "wildcards included", "r.select(s.endswith('mp'))"),
    (
        "r.mutate(m=r.temp.mean().over(ibis.window(order_by='at', preceding=2, "
        "following=ibis.following('current row'))))",
        "window",
        "`CURRENT ROW` is `following=0`",
        "r.mutate(m=r.temp.mean().over(ibis.window(order_by='at', preceding=2, following=0)))",
    ),
    # math and NumPy functions of a number are the column's methods of the same name
    ("r.mutate(y=np.sin(r.temp))", "eager use", "`sin(...)`", "r.mutate(y=r.temp.sin())"),
    (
        "r.mutate(b=math.atan2(r.temp, r.n))",
        "eager use",
        "`atan2(...)`",
        "r.mutate(b=r.temp.atan2(r.n))",
    ),
    ("r.mutate(b=math.log(r.temp, 2))", "eager use", "`log(...)`", "r.mutate(b=r.temp.log(2))"),
    (
        "r.mutate(ok=all(r.samples.map(lambda x: x > 0)))",
        "eager use",
        "`.alls()`",
        "r.mutate(ok=r.samples.map(lambda x: x > 0).alls())",
    ),
    (
        "r.mutate(steps=ibis.array(list(range(1, r.n + 1))))",
        "eager use",
        "`ibis.range(start, stop)`",
        "r.mutate(steps=ibis.range(1, r.n + 1))",
    ),
    # a method read without its call, then asked for an attribute; a property called
    (
        "r.mutate(t=r.temp.round() if r.temp.type.is_floating() else r.temp)",
        "wrong argument",
        "`r.temp.type` is a method",
        "r.mutate(t=r.temp.round() if r.temp.type().is_floating() else r.temp)",
    ),
    (
        "r.payload['tags'].array().length()",
        "wrong name",
        "is a property",
        "r.payload['tags'].array.length()",
    ),
    (
        "r.group_by('sensor')['temp'].mean()",
        "pandas habit",
        "not `[...]`",
        "r.group_by('sensor').agg(temp=r.temp.mean())",
    ),
    (
        "r.filter(r.n > 1).group_by('sensor')['temp'].max()",
        "pandas habit",
        "not `[...]`",
        "r.filter(r.n > 1).group_by('sensor').agg(temp=ibis._.temp.max())",
    ),
    ("r.code.isnumeric()", "pandas habit", "re_search", 'r.code.re_search(r"^[0-9]+$")'),
    ("r.code.cat(r.sensor, sep='-')", "pandas habit", "concat", "r.code.concat('-', r.sensor)"),
    ("r.code.match('^a')", "pandas habit", "anchors at the start", "r.code.re_search('^a')"),
    ("r.temp.replace(None, 0.0)", "pandas habit", "fill_null", "r.temp.fill_null(0.0)"),
    ("r.temp.zeroifnull()", "sql habit", "`.fill_null(0)`", "r.temp.fill_null(0)"),
    (
        "r.temp.rolling(3).mean()",
        "pandas habit",
        "`.over(...)` a frame",
        "r.temp.mean().over(ibis.window(order_by='at', preceding=2, following=0))",
    ),
    ("r.mutate(gone=ibis.null)", "wrong argument", "`ibis.null()`", "r.mutate(gone=ibis.null())"),
    ("r.filter(r.at < ibis.now)", "wrong argument", "`ibis.now()`", "r.filter(r.at < ibis.now())"),
    (
        "r.mutate(low=r.group_by('sensor').temp.cummin())",
        "window",
        "`t.x.cummin(group_by=k, order_by=...)`",
        "r.mutate(low=r.temp.cummin(group_by='sensor', order_by='at'))",
    ),
    (
        "r.mutate(before=r.group_by('sensor').temp.lag())",
        "window",
        "with the groups as its window",
        "r.mutate(before=r.temp.lag().over(group_by='sensor', order_by='at'))",
    ),
    (
        "r.temp.sum().over(ibis.window(preceding=ibis.preceding(2), order_by='at'))",
        "window",
        "take the number of rows",
        "r.temp.sum().over(ibis.window(preceding=2, order_by='at', following=0))",
    ),
    ("ord(r.code[0])", "eager use", "`ord(...)`", "r.code.ascii_str()"),
    (
        "r.code.cast('int64', errors='coerce')",
        "types and casts",
        "`try_cast(...)`",
        "r.code.try_cast('int64')",
    ),
    (
        "r.try_cast({'code': 'int64'}, errors='coerce')",
        "types and casts",
        "`errors=` is pandas's",
        "r.try_cast({'code': 'int64'})",
    ),
    ("r.mutate(c=upper(r.code))", "wrong name", "not a function", "r.mutate(c=r.code.upper())"),
    (
        "ibis.lag(r.temp).over(order_by='at')",
        "wrong name",
        "not a function of `ibis`",
        "r.temp.lag().over(order_by='at')",
    ),
    ("r.filter(r.code.isNotNull())", "sql habit", "`.notnull`", "r.filter(r.code.notnull())"),
    (
        "r.mutate(e=r.at.timestamp())",
        "pandas habit",
        "epoch_seconds",
        "r.mutate(e=r.at.epoch_seconds())",
    ),
    (
        "r.order_by(ibis.desc(['temp', 'n']))",
        "wrong argument",
        "take one key",
        "r.order_by(ibis.desc('temp'), ibis.desc('n'))",
    ),
    (
        "k.semi_join(r, k.name == r.sensor).temp",
        "unknown column",
        "keeps the left table's columns only",
        None,
    ),
    ("r.select(s.all() - s.numeric())", "selector", "`~s.cols(...)`", "r.select(~s.numeric())"),
    (
        "r.group_by('sensor').agg(all_codes=r.code.array_agg())",
        "sql habit",
        "`.collect`",
        "r.group_by('sensor').agg(all_codes=r.code.collect())",
    ),
    (
        "r.group_by('sensor').agg(top=max(r.n))",
        "eager use",
        "`max(...)`",
        "r.group_by('sensor').agg(top=r.n.max())",
    ),
    ("sum(r.n)", "eager use", "`sum(...)`", "r.n.sum()"),
    ("r.at.weekday()", "pandas habit", "Monday is 0", "r.at.day_of_week.index()"),
    ("r.at.dt.day_name()", "pandas habit", "`.dt` is pandas", "r.at.day_of_week.full_name()"),
    ("r.at.month_name()", "pandas habit", "strftime", 'r.at.strftime("%B")'),
    ("r.temp.percentile(95)", "pandas habit", "a fraction", "r.temp.quantile(0.95)"),
    (
        "r.group_by('sensor').agg(rows=r.count()).filter(rows > 5)",
        "unknown column",
        "not a Python variable",
        "r.group_by('sensor').agg(rows=r.count()).filter(_.rows > 5)",
    ),
    (
        "r.order_by([('temp', False), ('sensor', True)])",
        "wrong argument",
        'not a `("x", False)` pair',
        "r.order_by(ibis.desc('temp'), ibis.asc('sensor'))",
    ),
    (
        "r.order_by(ibis.desc('temp'), 'sensor', nulls_first=True)",
        "wrong argument",
        "nulls go is said per key",
        "r.order_by(ibis.desc('temp', nulls_first=True), ibis.asc('sensor', nulls_first=True))",
    ),
    (
        "r.at + ibis.interval(days=r.n)",
        "dates and intervals",
        "`.as_interval(unit)`",
        "r.at + r.n.as_interval('D')",
    ),
    (
        "r.at + ibis.interval(r.n * 2, 'h')",
        "dates and intervals",
        "`.as_interval(unit)`",
        "r.at + (r.n * 2).as_interval('h')",
    ),
    # a column used in the call that makes it
    (
        "r.mutate(f=_.temp * 1.8, hot=_.f > 90)",
        "unknown column",
        "made in the same call that uses it",
        "r.mutate(f=_.temp * 1.8, hot=(_.temp * 1.8) > 90)",
    ),
    (
        "r.group_by('sensor').agg(total=r.n.sum(), rows=r.count(), mean=r.total / r.rows)",
        "unknown column",
        "made in the same call",
        "r.group_by('sensor').agg(total=r.n.sum(), rows=r.count(), mean=(r.n.sum()) / (r.count()))",
    ),
    ("r.code.unique()", "pandas habit", "`t.select('col').distinct()`", None),
    ("r.n.cumcount()", "pandas habit", "ibis.row_number()", None),
    # &, | and ~ bind tighter than comparisons
    (
        "r.filter(r.n > 1 & r.n < 5)",
        "python boolean operators",
        "bind tighter than comparisons",
        "r.filter((r.n > 1) & (r.n < 5))",
    ),
    (
        "r.filter(r.code == 'a' | r.code == 'b' | r.temp.isnull())",
        "python boolean operators",
        "bind tighter",
        "r.filter((r.code == 'a') | (r.code == 'b') | r.temp.isnull())",
    ),
    (
        "r.filter(r.temp.notnull() & r.code != '')",
        "python boolean operators",
        "bind tighter",
        "r.filter(r.temp.notnull() & (r.code != ''))",
    ),
    (
        "r.filter(~r.code == 'a')",
        "python boolean operators",
        "bind tighter",
        "r.filter(~(r.code == 'a'))",
    ),
    (
        "r.filter(r.n >= 2 | r.code.isnull())",
        "python boolean operators",
        "bind tighter",
        "r.filter((r.n >= 2) | r.code.isnull())",
    ),
    (
        "pd.merge(k, k.view(), on='id')",
        "pandas habit",
        "`pd.merge` is pandas",
        "k.join(k.view(), 'id')",
    ),
    (
        "pd.concat([k, k], ignore_index=True)",
        "pandas habit",
        "`pd.concat` is pandas",
        "ibis.union(k, k, distinct=False)",
    ),
    (
        "k.cross_join(r, k.name != r.sensor)",
        "join",
        "takes tables only",
        "k.join(r, k.name != r.sensor)",
    ),
    ("ibis.memtable({'a': [1, 2], 'b': [3]})", "literal", "(`a` 2, `b` 1 values)", None),
    (
        "r.filter(r.price > ibis.literal('1,250.50', 'decimal(10, 2)'))",
        "literal",
        "thousands separator",
        "r.filter(r.price > ibis.literal(1250.50, 'decimal(10, 2)'))",
    ),
    (
        "r.relocate('code', before=0)",
        "wrong argument",
        "not a position",
        "r.relocate('code', before='sensor')",
    ),
    (
        "r.relocate('code', after=-1)",
        "wrong argument",
        "not a position",
        "r.relocate('code', after='price')",
    ),
    (
        "r.temp.expanding().max()",
        "pandas habit",
        "cumulative window",
        "r.temp.max().over(ibis.cumulative_window(order_by='at'))",
    ),
    (
        "k.order_by('id').iloc[2]",
        "pandas habit",
        "no positions",
        "k.order_by('id').limit(1, offset=2)",
    ),
    ("r.temp - float(r.temp.mean())", "eager use", "has none until", "r.temp - r.temp.mean()"),
    (
        "k.filter(k.name.isin(list(k.name)))",
        "eager use",
        "`list(...)`",
        "k.filter(k.name.isin(k.name))",
    ),
    (
        "r.filter(1.0 in r.samples)",
        "eager use",
        "`column.contains(value)`",
        "r.filter(r.samples.contains(1.0))",
    ),
    ("k.count().execute()", "eager use", "unbound", "k.count()"),
    (
        "r.mutate(b='hot' if r.temp > 30 else 'ok')",
        "python boolean operators",
        "ibis.ifelse",
        "r.mutate(b=ibis.ifelse(r.temp > 30, 'hot', 'ok'))",
    ),
    (
        "r.mutate(x=ibis.literal(300, type='int8'))",
        "literal",
        "`int16`",
        "r.mutate(x=ibis.literal(300, type='int16'))",
    ),
    (
        "r.mutate(x=ibis.literal(-1, type='uint8'))",
        "literal",
        "`int8`",
        "r.mutate(x=ibis.literal(-1, type='int8'))",
    ),
    (
        "r.filter(r.n > ibis.literal('1,000', type='int64'))",
        "literal",
        "thousands separator",
        "r.filter(r.n > ibis.literal(1000, type='int64'))",
    ),
    ("r.at >= ibis.timestamp('yesterday')", "literal", "ibis.now() - ibis.interval(days=1)", None),
    (
        "r.at + ibis.interval('45 minutes')",
        "literal",
        "number and a unit",
        "r.at + ibis.interval(minutes=45)",
    ),
    (
        "k.filter(k.day >= ibis.date(2024, 6))",
        "literal",
        "a year, a month and a day",
        "k.filter(k.day >= ibis.date(2024, 6, 1))",
    ),
    (
        "ibis.literal('2024-01-01') + ibis.interval(days=3)",
        "literal",
        "`ibis.date('...')`",
        "ibis.date('2024-01-01') + ibis.interval(days=3)",
    ),
    (
        "r.mutate(x=ibis.literal(30, type='integer'))",
        "types",
        '`"int64"`',
        "r.mutate(x=ibis.literal(30, type='int64'))",
    ),
    ("r.select(s.of_type('number'))", "types", "`s.numeric()`", "r.select(s.numeric())"),
    (
        "r.mutate(s.across(s.numeric(), (_ - _.mean()), names='{column}_c'))",
        "selector",
        "`{col}`",
        "r.mutate(s.across(s.numeric(), (_ - _.mean()), names='{col}_c'))",
    ),
    (
        "r.mutate(s.across(s.numeric(), (_ - _.mean()), names='{.col}_c'))",
        "selector",
        "not `{.col}`",
        "r.mutate(s.across(s.numeric(), (_ - _.mean()), names='{col}_c'))",
    ),
    (
        "r.agg(s.across(s.numeric(), 'mean'))",
        "selector",
        "not its name",
        "r.agg(s.across(s.numeric(), ibis._.mean()))",
    ),
    (
        "r.agg(s.numeric().mean())",
        "selector",
        "is not a column",
        "r.agg(s.across(s.numeric(), ibis._.mean()))",
    ),
    (
        "r.temp.sum().over(ibis.window(order_by='at', preceding=2, following=0, rows=True))",
        "window",
        "given once",
        "r.temp.sum().over(ibis.window(order_by='at', preceding=2, following=0))",
    ),
    (
        "r.temp.sum().over(ibis.window(order_by='at', preceding='7 days', following=0))",
        "window",
        "not text",
        "r.temp.sum().over("
        "ibis.window(order_by='at', preceding=ibis.interval(days=7), following=0))",
    ),
    ("k.fill_null(0)", "null handling", "a mapping", "k.fill_null({'id': 0, 'boss_id': 0})"),
    (
        "k.aggregate(metrics=[k.id.count().name('n')], by='name', having=[k.id.count() > 1])",
        "removed api",
        "group_by(keys).having(",
        None,
    ),
    ("k.join(k, k.boss_id == k.id)", "join", "`other = k.view()`", None),
    ("math.sqrt(r.temp)", "eager use", "Python's (or NumPy's)", "r.temp.sqrt()"),
    ("np.degrees(r.temp)", "eager use", "wants a value now", "r.temp.rad2deg()"),
    (
        "np.where(r.temp > 1, 'a', 'b')",
        "eager use",
        "ibis.ifelse",
        "ibis.ifelse(r.temp > 1, 'a', 'b')",
    ),
    ("min(r.temp, r.n)", "eager use", "ibis.least", "ibis.least(r.temp, r.n)"),
    (
        "r.mutate(m=divmod(r.n, 60)[0])",
        "eager use",
        "`a // b`",
        "r.mutate(m=(r.n // 60, r.n % 60)[0])",
    ),
    ("k.filter(k.id > 1).cache()", "eager use", "unbound", "k.filter(k.id > 1)"),
    (
        "ibis.levenshtein(k.name, 'Ada')",
        "wrong name",
        "not a function of `ibis`",
        "k.name.levenshtein('Ada')",
    ),
    (
        "k.select([c for c in k.columns() if c])",
        "wrong name",
        "a property",
        "k.select([c for c in k.columns if c])",
    ),
    (
        "k.mutate(i=ibis.row_number(order_by=k.day))",
        "window",
        "from the window",
        "k.mutate(i=ibis.row_number().over(order_by=k.day))",
    ),
]


#: Rules decided on the fifth development batch (dv4): text for intervals, units and
#: formats, properties called, methods uncalled under an operator, Python builtins on
#: nested values, windows given names or columns, choices spelt another way.
RULE_CASES += [
    (
        "r.at.bucket('15min')",
        "dates and intervals",
        "takes an interval",
        "r.at.bucket(ibis.interval(minutes=15))",
    ),
    ("r.at.truncate('1h')", "dates and intervals", "pandas frequency", "r.at.truncate('h')"),
    ("r.at.truncate('3h')", "dates and intervals", "`.bucket(ibis.interval(hours=3))`", None),
    (
        "(r.at - r.at).as_unit('hrs')",
        "dates and intervals",
        "does not know the unit",
        "(r.at - r.at).as_unit('hour')",
    ),
    (
        "r.at.to_char('YYYY-MM-DD HH24:MI')",
        "sql habit",
        "strftime",
        "r.at.strftime('%Y-%m-%d %H:%M')",
    ),
    ("r.at.date_format('dd/MM/yyyy')", "sql habit", "strftime", "r.at.strftime('%d/%m/%Y')"),
    (
        "r.temp.sum().over(ibis.range_window(preceding='7D', order_by='at'))",
        "window",
        "not text",
        "r.temp.sum().over(ibis.range_window(preceding=ibis.interval(days=7), order_by='at'))",
    ),
    ("r.temp.log1p()", "wrong name", "NumPy's", "(r.temp + 1).ln()"),
    ("np.expm1(r.temp)", "eager use", "NumPy's", "(r.temp.exp() - 1)"),
    ("sorted(r.samples)", "eager use", "`.sort()`", "r.samples.sort()"),
    ("len(r.tags)", "eager use", "`.length()`", "r.tags.length()"),
    ("r.code[::-1]", "python operator", "`.reverse()`", "r.code.reverse()"),
    ("r.filter(~r.temp.isnan)", "wrong argument", "is a method", "r.filter(~r.temp.isnan())"),
    ("r.payload.map().keys()", "wrong name", "is a property", "r.payload.map.keys()"),
    (
        "r.mutate(x=ibis.rank(r.temp))",
        "window",
        "order from the window",
        "r.mutate(x=ibis.rank().over(order_by=r.temp))",
    ),
    (
        "r.temp.sum().over('sensor')",
        "window",
        "parts by keyword",
        "r.temp.sum().over(group_by='sensor')",
    ),
    (
        "r.code.hexdigest('sha-256')",
        "signature",
        "is written 'sha256'",
        "r.code.hexdigest('sha256')",
    ),
    ("r.n.as_timestamp('millis')", "signature", "is written 'ms'", "r.n.as_timestamp('ms')"),
    (
        "r.code + ' #' + r.n",
        "types",
        "joins text only",
        "r.code + ' #' + r.n.cast(\"string\")",
    ),
    (
        "r.group_by('sensor').agg('sum(temp)')",
        "sql habit",
        "is SQL",
        "r.group_by('sensor').agg(sum_temp=ibis._.temp.sum())",
    ),
    (
        "r.temp.mean().over(ibis.window(between=(2, 0), order_by='at'))",
        "window",
        "start comes before its end",
        "r.temp.mean().over(ibis.window(between=(-2, 0), order_by='at'))",
    ),
    (
        "r.temp.sum().over(ibis.rows_window(preceding=-2, following=0, order_by='at'))",
        "window",
        "counts two rows back",
        "r.temp.sum().over(ibis.rows_window(preceding=2, following=0, order_by='at'))",
    ),
    (
        "r.filter('x' in r.code)",
        "eager use",
        "`column.contains(value)`",
        "r.filter(r.code.contains('x'))",
    ),
    ("r.select(s.all() - 'code')", "selector", "`~s.cols(", "r.select(~s.cols('code'))"),
    (
        "r.select(s.numeric() - ['n'])",
        "selector",
        "combined with `&`",
        "r.select(s.numeric() & ~s.cols('n'))",
    ),
    (
        "r.payload['p'].unwrap_as('double precision')",
        "types",
        "that type name",
        "r.payload['p'].unwrap_as('float64')",
    ),
]


# Python's set operators and str methods on arrays; pandas' and hashlib's functions on
# columns; a table's reductions given a column
RULE_CASES += [
    ("r.samples | [1.0]", "nested data", "`a.union(b)` for `|`", "r.samples.union([1.0])"),
    ("r.samples & r.samples", "nested data", "`a.intersect(b)`", "r.samples.intersect(r.samples)"),
    ("w.words - ['a']", "nested data", "`a.remove(x)`", "w.words.remove('a')"),
    (
        "w.words - ['a', 'b']",
        "nested data",
        "for `-`",
        "w.words.filter(lambda x: x.notin(['a', 'b']))",
    ),
    (
        "w.words.map(str.upper)",
        "nested data",
        "not a Python one",
        "w.words.map(lambda x: x.upper())",
    ),
    # NumPy's copy=False warning (an error under pytest) comes before Ibis's error
    *(
        pytest.param(*case, marks=pytest.mark.filterwarnings("ignore::DeprecationWarning"))
        for case in [
            (
                "pd.to_datetime(w.seen, format='%Y-%m-%d')",
                "eager use",
                "`pd.to_datetime(...)` works on data in memory",
                "w.seen.as_timestamp('%Y-%m-%d')",
            ),
            (
                "pd.to_numeric(r.code, errors='coerce')",
                "eager use",
                "`pd.to_numeric`",
                'r.code.try_cast("float64")',
            ),
            (
                "r.at + pd.to_timedelta(r.n, unit='min')",
                "eager use",
                "`r.n.as_interval('m')`",
                "r.at + r.n.as_interval('m')",
            ),
        ]
    ),
    ("pd.isna(r.temp)", "eager use", "`.isnull()`", "r.temp.isnull()"),
    (
        "hashlib.sha256(w.seen.encode()).hexdigest()",
        "eager use",
        "`hashlib.sha256(...)`",
        "w.seen.hexdigest('sha256')",
    ),
    (
        "r.nunique('code')",
        "pandas habit",
        "the column's own is `r.code.nunique()`",
        "r.code.nunique()",
    ),
    ("r.count(r.code)", "pandas habit", "takes no column", "r.code.count()"),
    # pandas' where on a column; Python's str.join given columns, a group's, an array's
    (
        "r.temp.where(r.temp > 0)",
        "pandas habit",
        "else null",
        "ibis.ifelse(r.temp > 0, r.temp, ibis.null())",
    ),
    (
        "r.temp.where(r.temp > 0, 0.0)",
        "pandas habit",
        "else null",
        "ibis.ifelse(r.temp > 0, r.temp, 0.0)",
    ),
    # pandas' element-wise test of a list column, reduced (or not) with all/any
    (
        "r.filter((r.samples > 1.5).all())",
        "nested data",
        "element by element",
        "r.filter(r.samples.map(lambda v: v > 1.5).alls())",
    ),
    ("r.filter(r.samples >= 1.5)", "nested data", "`.alls()` / `.anys()`", None),
    # pandas' mask: null (or the other value) where the condition holds
    ("r.code.mask(r.code == '')", "pandas habit", "null where", "r.code.nullif('')"),
    (
        "r.temp.mask(r.temp < 0, 0.0)",
        "pandas habit",
        "null where",
        "ibis.ifelse(r.temp < 0, 0.0, r.temp)",
    ),
    (
        "', '.join([r.code, r.sensor])",
        "string method",
        "Python's `str.join`",
        "ibis.literal(', ').join([r.code, r.sensor])",
    ),
    (
        "r.group_by('sensor').agg(codes=', '.join(r.code))",
        "string method",
        '`t.s.group_concat(", ")`',
        "r.group_by('sensor').agg(codes=r.code.group_concat(', '))",
    ),
    ("', '.join(w.words)", "string method", "an array's items", "w.words.join(', ')"),
    # a column's ranking method given the window's keywords: ibis's function over it
    (
        "r.mutate(q=r.temp.ntile(4, group_by=r.sensor))",
        "window",
        "takes its order from the window",
        "r.mutate(q=ibis.ntile(4).over(group_by=r.sensor, order_by=r.temp))",
    ),
    # SQL's join condition as a string, each column qualified by its table
    (
        "k.right_join(r, 'k.name = r.sensor')",
        "sql habit",
        "is SQL",
        "k.right_join(r, k.name == r.sensor)",
    ),
    # Python's operators on tables: SQL's set operations
    (
        "k.select('id') - k.select('id')",
        "set operations",
        "`a.difference(b)`",
        "k.select('id').difference(k.select('id'))",
    ),
    (
        "k.select('id') | k.select('id')",
        "set operations",
        "`a.union(b)`",
        "k.select('id').union(k.select('id'))",
    ),
    ("r.select(s.matches('*de'))", "selector", "is given a glob", "r.select(s.endswith('de'))"),
    # s.where's function gets columns, not names
    (
        "r.select(s.where(lambda c: c.startswith('te')))",
        "selector",
        "not its name",
        "r.select(s.startswith('te'))",
    ),
    # a trailing window's bound as text
    (
        "r.mutate(m=r.temp.mean().over(ibis.trailing_window('7 days', order_by='at')))",
        "window",
        "not text",
        "r.mutate(m=r.temp.mean().over("
        "ibis.trailing_window(ibis.interval(days=7), order_by='at')))",
    ),
    # Python's sum of an array is each row's sum; str.maketrans; equals for ==
    (
        "r.mutate(t=sum(r.samples))",
        "eager use",
        "here `r.samples.sums()`",
        "r.mutate(t=r.samples.sums())",
    ),
    (
        "r.code.translate(str.maketrans('ab', 'xy'))",
        "string method",
        "takes the two texts",
        "r.code.translate('ab', 'xy')",
    ),
    ("r.filter(r.code.equals('a'))", "wrong name", "with `==`", "r.filter((r.code == 'a'))"),
    # Python's int() of a JSON value, re.search, a string times a column; flatten as explode
    (
        "r.mutate(x=int(r.payload['n']))",
        "eager use",
        "read as one with `.int`",
        "r.mutate(x=r.payload['n'].int)",
    ),
    (
        "r.filter(re.search('a+', r.code))",
        "eager use",
        "`re.search(...)`",
        "r.filter(r.code.re_search('a+'))",
    ),
    (
        "r.mutate(stars='*' * r.n)",
        "python operator",
        "`repeat`",
        "r.mutate(stars=ibis.literal('*').repeat(r.n))",
    ),
    ("w.select(w=w.words.flatten())", "nested data", "`.unnest()`", "w.select(w=w.words.unnest())"),
    # a list given to a selector of one type or pattern; a choice in capitals
    (
        "r.select(s.of_type(['float64', 'int64']))",
        "selector",
        "not a list",
        "r.select((s.of_type('float64') | s.of_type('int64')))",
    ),
    (
        "r.select(h=r.code.hexdigest('SHA-256'))",
        "signature",
        "is written 'sha256'",
        "r.select(h=r.code.hexdigest('sha256'))",
    ),
    # SQL in mutate; names where a selector goes
    ("r.mutate('n * temp AS x')", "sql habit", "is SQL", 'r.mutate((r.n * r.temp).name("x"))'),
    (
        "r.filter(s.if_all(['n', 'temp'], lambda c: c > 0))",
        "selector",
        "a list of names where a selector goes",
        "r.filter(s.if_all(s.cols('n', 'temp'), lambda c: c > 0))",
    ),
    # hashlib's hash of a column; the old case builder without end(), or Spark's otherwise
    (
        "r.mutate(h=hashlib.md5(r.code))",
        "eager use",
        "`hashlib.md5(...)`",
        "r.mutate(h=r.code.hexdigest('md5'))",
    ),
    pytest.param(  # Value.case is deprecated: its warning (an error under pytest) first
        "r.mutate(x=r.code.case().when('a', 1).otherwise(0))",
        "conditional",
        "only after `.end()`",
        "r.mutate(x=r.code.case().when('a', 1).else_(0).end())",
        marks=pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning"),
    ),
    # s.where given a test of a type
    (
        "r.select(s.where(lambda c: c.is_floating()))",
        "selector",
        "a type is `col.type()`",
        "r.select(s.where(lambda c: c.type().is_floating()))",
    ),
    # a count given to s.first/s.last
    ("r.select(s.first(2))", "selector", "`s.index[:n]`", "r.select(s.index[:2])"),
    (
        "r.select('sensor', s.last(3))",
        "selector",
        "`s.index[-n:]`",
        "r.select('sensor', s.index[-3:])",
    ),
    # globs given to s.cols
    (
        "r.select(s.cols('te*', '*de'))",
        "selector",
        "is given a glob",
        "r.select(s.startswith('te') | s.endswith('de'))",
    ),
]


RULE_CASES += [
    # a JSON value read as the other operand's kind
    ("r.payload['n'] + 1", "nested data", "no number type", "r.payload['n'].int + 1"),
    # pandas' str.contains reads a regular expression; plain text stays contains
    (
        "r.filter(r.code.str.contains('^A.'))",
        "pandas habit",
        "string",
        "r.filter(r.code.re_search('^A.'))",
    ),
    (
        "r.filter(r.code.str.contains('AB'))",
        "pandas habit",
        "string",
        "r.filter(r.code.contains('AB'))",
    ),
    ("r.filter(~np.isinf(r.temp))", "eager use", "is Python's", "r.filter(~r.temp.isinf())"),
    (
        "r.filter(s.if_all(_ > 0, s.numeric()))",
        "selector",
        "the columns come first",
        "r.filter(s.if_all(s.numeric(), _ > 0))",
    ),
    # Python's `in` over a list, on a column and on an array's element
    (
        "r.filter(r.code in ['a', 'b'])",
        "python boolean operators",
        "`col.isin(values)`",
        "r.filter(r.code.isin(['a', 'b']))",
    ),
    (
        "w.mutate(x=w.words.filter(lambda g: g not in ('a', 'b')))",
        "python boolean operators",
        "`col.isin(values)`",
        "w.mutate(x=w.words.filter(lambda g: g.notin(('a', 'b'))))",
    ),
    (
        "r.filter('unit' in r.tags)",
        "eager use",
        "cannot look inside",
        "r.filter(r.tags.contains('unit'))",
    ),
    (
        "r.mutate(p=ibis.cume_dist(r.temp).over(group_by='sensor'))",
        "window",
        "takes its order from the window",
        "r.mutate(p=ibis.cume_dist().over(group_by='sensor', order_by=r.temp))",
    ),
    (
        "r.aggregate(groupby='sensor', m=r.temp.mean())",
        "wrong argument",
        "groups by `by=`",
        "r.aggregate(by='sensor', m=r.temp.mean())",
    ),
    (
        "r.mutate(t=pd.to_datetime(r.n, unit='ms'))",
        "eager use",
        "in memory",
        "r.mutate(t=r.n.as_timestamp('ms'))",
    ),
    (
        "r.sensor.intersect(w.seen)",
        "set operations",
        "is a table's",
        "r.select('sensor').intersect(w.select(sensor='seen'))",
    ),
    (
        "r.select('sensor', r.place.lift())",
        "nested data",
        "`lift()` makes a table",
        "r.select('sensor', 'place').unpack('place')",
    ),
    # a method written after a grouped expression keeps its parentheses
    (
        "r.mutate(x=ibis.levenshtein(r.code + 'a', 'b'))",
        "wrong name",
        "is a method of a string",
        "r.mutate(x=(r.code + 'a').levenshtein('b'))",
    ),
    # a selector compared, and a column's name as topk's `by`
    (
        "r.filter(s.if_any(s.numeric() > 1))",
        "selector",
        "compares the selector",
        "r.filter(s.if_any(s.numeric(), lambda c: c > 1))",
    ),
    ("r.sensor.topk(3, by='temp')", "wrong argument", "a reduction per value", None),
    # SQL's and older Ibis's aggregate keywords; a whole-table aggregation as a value
    (
        "r.aggregate(metrics=[r.temp.mean().name('m')], by='sensor')",
        "wrong argument",
        "takes its metrics first",
        "r.aggregate([r.temp.mean().name('m')], by='sensor')",
    ),
    (
        "r.filter(r.temp > r.aggregate(m=r.temp.mean()))",
        "aggregation",
        "is a table (one row",
        "r.filter(r.temp > r.aggregate(m=r.temp.mean()).as_scalar())",
    ),
    (
        "r.order_by('at').tail(3)",
        "pandas habit",
        "no last rows",
        "r.order_by(ibis.desc('at')).head(3)",
    ),
]


RULE_CASES += [
    # Python syntax asked of a column: `^` as a power, an f-string's date format, a list
    # comprehension over an array column
    ("r.mutate(sq=r.temp ^ 2)", "python operator", "exclusive or", "r.mutate(sq=r.temp ** 2)"),
    (
        "r.mutate(sq=r.temp ^ 2 + 1)",
        "python operator",
        "exclusive or",
        "r.mutate(sq=r.temp ** (2 + 1))",
    ),
    (
        "k.mutate(m=f'{k.day:%Y-%m}')",
        "python operator",
        "strftime",
        "k.mutate(m=k.day.strftime('%Y-%m'))",
    ),
    (
        "k.mutate(m=f'Q {k.day:%Y}')",
        "python operator",
        "strftime",
        "k.mutate(m='Q ' + k.day.strftime('%Y'))",
    ),
    (
        "r.mutate(x=[v * 2 for v in r.samples if v > 0])",
        "nested data",
        "lambda",
        "r.mutate(x=r.samples.filter(lambda v: v > 0).map(lambda v: v * 2))",
    ),
    # a reduction asked for its first row; a column's max of two values; a table's cast
    (
        "r.group_by('sensor').agg(top=r.code.mode().iloc[0])",
        "pandas habit",
        "drop `.iloc`",
        "r.group_by('sensor').agg(top=r.code.mode())",
    ),
    (
        "r.agg(m=r.temp.max().item())",
        "pandas habit",
        "drop `.item`",
        "r.agg(m=r.temp.max())",
    ),
    (
        "r.mutate(hi=r.temp.max(r.n))",
        "argument shape",
        "ibis.greatest(a, b)",
        "r.mutate(hi=ibis.greatest(r.temp, r.n))",
    ),
    ("r.cast('n', 'float64')", "argument shape", "one mapping", "r.cast({'n': 'float64'})"),
    # a JSON value compared with a literal is read as the literal's kind
    (
        "r.filter(r.payload['ok'] == True)",
        "nested data",
        "compared only once read",
        "r.filter(r.payload['ok'].bool == True)",
    ),
    # SQL's date_trunc names the unit first
    (
        "k.mutate(m=ibis.date_trunc('month', k.day))",
        "wrong name",
        "`date_trunc` is `truncate` in Ibis",
        "k.mutate(m=k.day.truncate('month'))",
    ),
]


RULE_CASES += [
    (
        "r.select(r.columns.tolist()[1:3])",
        "pandas habit",
        "`list(t.columns)`",
        "r.select(list(r.columns)[1:3])",
    ),
    (
        "r.mutate(tail=r.code[-4:])",
        "string method",
        "`.right(4)`",
        "r.mutate(tail=r.code.right(4))",
    ),
    (
        "k.mutate(due=k.day + pd.DateOffset(months=1))",
        "dates and intervals",
        "`ibis.interval(months=1)`",
        "k.mutate(due=k.day + ibis.interval(months=1))",
    ),
    (
        "r.order_by(ibis.asc('sensor', 'at'))",
        "wrong argument",
        "take one key",
        "r.order_by(ibis.asc('sensor'), ibis.asc('at'))",
    ),
    (
        "w.mutate(u=sorted(set(w.words)))",
        "eager use",
        "distinct values are `.unique()`",
        "w.mutate(u=w.words.unique().sort())",
    ),
]


# read from the ninth held-out repair set once it had been run (fourteenth session)
RULE_CASES += [
    (
        "r.select(-r.code, -r.sensor)",
        "selector",
        "not dplyr's every column but",
        "r.drop('code', 'sensor')",
    ),
    (
        "r.mutate(h=r.code.md5())",
        "sql habit",
        '`.hexdigest("md5")`',
        'r.mutate(h=r.code.hexdigest("md5"))',
    ),
    (
        "w.mutate(kept=list(filter(lambda x: x != '', w.words)))",
        "nested data",
        "nor give it to its `map` and `filter`",
        "w.mutate(kept=w.words.filter(lambda x: x != ''))",
    ),
    (
        "w.mutate(up=list(map(str.upper, w.words)))",
        "nested data",
        "changed with a lambda",
        "w.mutate(up=w.words.map(lambda x: x.upper()))",
    ),
    (
        "r.mutate(bar='#' * (r.n // 10))",
        "python operator",
        "`repeat`",
        "r.mutate(bar=ibis.literal('#').repeat(r.n // 10))",
    ),
    (
        "r.mutate(when=datetime.datetime.fromtimestamp(r.n))",
        "eager use",
        'here `r.n.as_timestamp("s")`',
        'r.mutate(when=r.n.as_timestamp("s"))',
    ),
    (
        "k.mutate(d=datetime.date.fromisoformat(k.name))",
        "eager use",
        'here `k.name.cast("date")`',
        'k.mutate(d=k.name.cast("date"))',
    ),
    (
        "r.mutate(p=json.loads(r.code))",
        "nested data",
        "`col.cast('json')`",
        'r.mutate(p=r.code.cast("json"))',
    ),
    # a JSON column is JSON already: what to read of it is the user's choice
    ("r.mutate(p=json.loads(r.payload))", "nested data", "`col.array` or `col.map`", None),
    ("k.cross_join(w, 'id')", "join", "share a key are", "k.join(w, 'id')"),
    (
        "k.mutate(m=k.day.truncate('1mo'))",
        "dates and intervals",
        "`'M'` for months",
        "k.mutate(m=k.day.truncate('M'))",
    ),
    (
        "k.select('id', 'name').rename(['key', 'label'])",
        "pandas habit",
        "no list of new names by position",
        "k.select('id', 'name').rename(key='id', label='name')",
    ),
    (
        "k.rename(['id', 'boss', 'name', 'day'])",
        "pandas habit",
        "no list of new names by position",
        "k.rename(boss='boss_id')",
    ),
]


# polars' names
RULE_CASES += [
    (
        "w.mutate(n=w.words.list.len())",
        "nested data",
        "polars' namespace",
        "w.mutate(n=w.words.length())",
    ),
    ("w.mutate(f=w.words.list.get(0))", "nested data", "`.list.get(0)`", "w.mutate(f=w.words[0])"),
    (
        "w.mutate(u=w.words.list.n_unique())",
        "nested data",
        "polars' namespace",
        "w.mutate(u=w.words.unique().length())",
    ),
    (
        "r.filter(r.temp.is_finite())",
        "pandas habit",
        "`.is_finite` is polars'",
        "r.filter((~(r.temp.isinf() | r.temp.isnan())))",
    ),
    (
        "r.mutate(d=r.code.is_duplicated())",
        "pandas habit",
        "`(r.code.count().over(group_by=r.code) > 1)`",
        "r.mutate(d=(r.code.count().over(group_by=r.code) > 1))",
    ),
    ("k.with_row_index()", "pandas habit", "polars'", "k.mutate(index=ibis.row_number())"),
    ("k.height", "pandas habit", "`k.count()`", "k.count()"),
    (
        "k.group_by('name').len()",
        "pandas habit",
        "a grouped `.len()` is polars'",
        "k.group_by('name').agg(len=ibis._.count())",
    ),
    ("r.temp.rolling_mean(3)", "pandas habit", "ibis.trailing_window(n - 1", None),
    (
        "r.mutate(x=r.temp.rank('dense'))",
        "window",
        "takes no method",
        "r.mutate(x=r.temp.dense_rank())",
    ),
    (
        "r.mutate(x=r.temp.rank('ordinal'))",
        "window",
        "takes no method",
        "r.mutate(x=ibis.row_number().over(order_by=r.temp))",
    ),
    (
        "r.mutate(x=r.code.str.head(2))",
        "pandas habit",
        "string methods are on the column itself",
        "r.mutate(x=r.code.left(2))",
    ),
    (
        "k.select('id', 'boss_id').unpivot(index='id', variable_name='field')",
        "pandas habit",
        "`t.pivot_longer(columns",
        "k.select('id', 'boss_id').pivot_longer(~ibis.selectors.cols('id'), names_to='field')",
    ),
]


# SQL's functions written as column methods
RULE_CASES += [
    ("r.mutate(y=r.at.extract('year'))", "sql habit", "SQL's function", "r.mutate(y=r.at.year())"),
    (
        "k.mutate(due=k.day.dateadd('day', 7))",
        "sql habit",
        "`(k.day + ibis.interval(days=7))`",
        "k.mutate(due=(k.day + ibis.interval(days=7)))",
    ),
    (
        "r.mutate(u=r.payload.json_extract('$.unit.name'))",
        "sql habit",
        "SQL's function",
        "r.mutate(u=r.payload['unit']['name'])",
    ),
    (
        "r.mutate(v=r.tags.element_at('room'))",
        "sql habit",
        "`r.tags['room']`",
        "r.mutate(v=r.tags['room'])",
    ),
    (
        "r.mutate(c=r.code.isnull('none'))",
        "sql habit",
        "`r.code.fill_null('none')`",
        "r.mutate(c=r.code.fill_null('none'))",
    ),
    (
        "r.agg(s=r.temp.stddev_pop())",
        "sql habit",
        "SQL's function",
        'r.agg(s=r.temp.std(how="pop"))',
    ),
    (
        "k.mutate(n=k.day.datediff(k.day))",
        "sql habit",
        "SQL's function",
        'k.mutate(n=k.day.delta(k.day, unit="day"))',
    ),
]


# PySpark's DataFrame API and functions module
RULE_CASES += [
    ("k.withColumnRenamed('name', 'who')", "pandas habit", "PySpark's", "k.rename(who='name')"),
    ("k.dropDuplicates(['name'])", "pandas habit", "PySpark's", "k.distinct(on=['name'])"),
    (
        "k.select('id', 'boss_id').na.fill(0)",
        "pandas habit",
        "`.na` is PySpark's",
        "k.select('id', 'boss_id').fill_null(0)",
    ),
    ("r.mutate(f=r.samples.getItem(0))", "pandas habit", "PySpark's", "r.mutate(f=r.samples[0])"),
    ("k.take(3)", "pandas habit", "PySpark's", "k.head(3)"),
    (
        "k.filter(F.col('id') > 1)",
        "pandas habit",
        "PySpark's functions module",
        "k.filter(ibis._['id'] > 1)",
    ),
    (
        "k.mutate(big=F.when(k.id > 9, 'yes').otherwise('no'))",
        "pandas habit",
        "`ibis.ifelse(c, a, b)`",
        "k.mutate(big=ibis.ifelse(k.id > 9, 'yes', 'no'))",
    ),
    (
        "k.group_by('name').agg(n=F.countDistinct('id'))",
        "pandas habit",
        "PySpark's functions module",
        "k.group_by('name').agg(n=ibis._['id'].nunique())",
    ),
]


# read from a development batch written blind (dv18-), after its first run
RULE_CASES += [
    (
        "k.distinct('name')",
        "wrong argument",
        "no columns by position",
        "k.select('name').distinct()",
    ),
    (
        "r.count(r.temp > 1)",
        "pandas habit",
        "a condition goes in `where=`",
        "r.count(where=r.temp > 1)",
    ),
    (
        "w.filter(w.words == 'x')",
        "nested data",
        "whether the array holds it",
        "w.filter(w.words.contains('x'))",
    ),
    (
        "k.mutate(n=str.upper(k.name))",
        "string method",
        "the column's own method",
        "k.mutate(n=k.name.upper())",
    ),
    (
        "k.mutate(q='Q' + k.id)",
        "types and casts",
        "cast it first",
        "k.mutate(q='Q' + k.id.cast(\"string\"))",
    ),
    (
        "k.mutate(b=''.join(reversed(k.name)))",
        "string method",
        "`t.s.reverse()`",
        "k.mutate(b=k.name.reverse())",
    ),
    (
        "r.mutate(m=(r.at - r.at) / pd.Timedelta(minutes=1))",
        "dates and intervals",
        "how many units lie between them",
        "r.mutate(m=r.at.delta(r.at, unit='minute'))",
    ),
    (
        "r.filter(r.at - r.at > ibis.interval(hours=2))",
        "dates and intervals",
        "how many units lie between them",
        "r.filter(r.at.delta(r.at, unit='hour') > 2)",
    ),
    (
        "k.select(*[c for c in k.columns if k.schema[c].is_numeric()])",
        "wrong name",
        "call it first",
        "k.select(*[c for c in k.columns if k.schema()[c].is_numeric()])",
    ),
    (
        "k.select('*', two=k.id * 2)",
        "sql habit",
        "SQL's star",
        "k.select(ibis.selectors.all(), two=k.id * 2)",
    ),
    (
        "r.mutate(d=re.findall('[0-9]+', r.code)[0])",
        "eager use",
        "re_extract",
        "r.mutate(d=r.code.re_extract('[0-9]+', 0))",
    ),
    (
        "r.filter(re.match('A', r.code))",
        "eager use",
        "re_search",
        "r.filter(r.code.re_search('^(?:A)'))",
    ),
    (
        "r.mutate(s=r.code.substitute(['a', 'b'], ['x', 'y']))",
        "argument shape",
        "one each",
        "r.mutate(s=r.code.substitute({'a': 'x', 'b': 'y'}))",
    ),
    (
        "r.mutate(v=r.tags.get('room') or 'none')",
        "null handling",
        "`ibis.coalesce(x, default)`",
        "r.mutate(v=ibis.coalesce(r.tags.get('room'), 'none'))",
    ),
    (
        "k.mutate(c=ibis.cases((k.id > 9, 'big'), 'B'))",
        "wrong argument",
        "the default as `else_=`",
        "k.mutate(c=ibis.cases((k.id > 9, 'big'), else_='B'))",
    ),
    (
        "ibis.memtable({'id': 1, 'name': 'x'})",
        "argument shape",
        "even for one row",
        "ibis.memtable({'id': [1], 'name': ['x']})",
    ),
    (
        "k.mutate(n=k.group_by('name').cumcount())",
        "window",
        "pandas' `cumcount`",
        "k.mutate(n=ibis.row_number().over(group_by='name', order_by='day'))",
    ),
    (
        "k.select('id', 'name').cast('string')",
        "types and casts",
        "one type for every column",
        "k.select('id', 'name').mutate(ibis.selectors.across(ibis.selectors.all(), "
        "lambda c: c.cast('string')))",
    ),
    (
        "k.join(r, ['name', 'sensor'])",
        "join",
        "one condition",
        "k.join(r, k['name'] == r['sensor'])",
    ),
    (
        "r.sample(0.1, method='system')",
        "signature",
        "'system' is written 'block'",
        "r.sample(0.1, method='block')",
    ),
    (
        "k.filter(k.boss_id.isin(k.filter(k.id > 1).id.to_list()))",
        "eager use",
        "`isin` takes the column expression itself",
        "k.filter(k.boss_id.isin(k.filter(k.id > 1).id))",
    ),
]


# read from the tenth held-out repair set once it had been run (fourteenth session)
RULE_CASES += [
    (
        "k.filter(np.logical_not(k.id > 1))",
        "eager use",
        "`~cond` to negate a condition",
        "k.filter((~(k.id > 1)))",
    ),
    (
        "k.filter(k.id > 1) + k.filter(k.id < 0)",
        "set operations",
        "`a.union(b)`",
        "k.filter(k.id > 1).union(k.filter(k.id < 0))",
    ),
    (
        "r.select('n', 'place.*')",
        "nested data",
        "every field of a struct",
        "r.select('n', 'place').unpack('place')",
    ),
    (
        "r.mutate(f=ibis.array([r.place[k] for k in r.place]))",
        "nested data",
        "`t.s.names`",
        "r.mutate(f=ibis.array([r.place[k] for k in r.place.names]))",
    ),
    (
        "k.group_by('name').agg(n=pd.NamedAgg(column='id', aggfunc='nunique'))",
        "pandas habit",
        "`pd.NamedAgg(column=..., aggfunc=...)` is pandas'",
        "k.group_by('name').agg(n=ibis._['id'].nunique())",
    ),
    (
        "k.mutate(d=format(k.day, '%d/%m'))",
        "python operator",
        "`format(x, spec)`",
        "k.mutate(d=k.day.strftime('%d/%m'))",
    ),
    (
        "r.group_by(ibis._.at.bucket(15, 'm')).agg(n=r.count())",
        "dates and intervals",
        "by the unit's keyword",
        "r.group_by(ibis._.at.bucket(minutes=15)).agg(n=r.count())",
    ),
    (
        "k.group_by('boss_id').agg(names=k.name.to_list())",
        "eager use",
        "a list per group is `.collect()`",
        "k.group_by('boss_id').agg(names=k.name.collect())",
    ),
    (
        "k.group_by('name').agg(n=k.id.count('*'))",
        "sql habit",
        "`COUNT(*)`",
        "k.group_by('name').agg(n=k.count())",
    ),
    (
        "r.mutate(c=r.code.re_replace('-+', '-', 'g'))",
        "sql habit",
        "Postgres' flag",
        "r.mutate(c=r.code.re_replace('-+', '-'))",
    ),
    (
        "r.mutate(m=r.samples.filter(lambda a: a > 1 and a < 5))",
        "python boolean operators",
        "use `&`, `|`, `~`",
        "r.mutate(m=r.samples.filter(lambda a: (a > 1) & (a < 5)))",
    ),
    (
        "k.select(*[c for c in k.schema if c != 'day'])",
        "wrong name",
        "call it first",
        "k.select(*[c for c in k.schema() if c != 'day'])",
    ),
]


def test_the_length_of_an_arrays_distinct_values_takes_two_rounds_of_rules() -> None:
    first = rule_fix(
        "w.mutate(n=len(set(w.words)))", diagnose(failure_of("w.mutate(n=len(set(w.words)))"))
    )
    assert first == "w.mutate(n=len(w.words.unique()))"
    assert rule_fix(first, diagnose(failure_of(first))) == "w.mutate(n=w.words.unique().length())"


def test_a_function_applied_to_each_value_is_written_on_the_column_in_two_rounds() -> None:
    first = rule_fix(
        "r.mutate(b=r.code.map(len))", diagnose(failure_of("r.mutate(b=r.code.map(len))"))
    )
    assert first == "r.mutate(b=len(r.code))"
    assert rule_fix(first, diagnose(failure_of(first))) == "r.mutate(b=r.code.length())"


def test_an_array_reversed_by_slicing_gets_advice_without_a_reverse_it_lacks() -> None:
    findings = diagnose(failure_of("w.mutate(x=w.words.sort()[::-1])"))
    assert any("an array has no `.reverse()`" in finding.message for finding in findings)
    assert rule_fix("w.mutate(x=w.words.sort()[::-1])", findings) is None


RULE_CASES += [
    (
        "r.group_by('sensor').mutate(avg=r.temp.transform('mean'))",
        "pandas habit",
        "reduction per group",
        "r.group_by('sensor').mutate(avg=r.temp.mean())",
    ),
    (
        "r.mutate(avg=r.group_by('sensor').temp.transform('mean'))",
        "pandas habit",
        "reduction per group",
        "r.mutate(avg=r.temp.mean().over(group_by='sensor'))",
    ),
    (
        "r.order_by(r.temp.desc_nulls_last())",
        "sql habit",
        "`.desc(nulls_first=False)`",
        "r.order_by(r.temp.desc(nulls_first=False))",
    ),
    (
        "r.select([c for c, t in r.dtypes.items() if t.is_numeric()])",
        "pandas habit",
        "`t.schema()`",
        "r.select([c for c, t in r.schema().items() if t.is_numeric()])",
    ),
    (
        "r.try_cast(code='int64', errors='coerce')",
        "types and casts",
        "`try_cast(...)`",
        "r.try_cast(code='int64')",
    ),
    (
        "r.mutate(q=ibis.ntile(r.temp, 4))",
        "window",
        "takes its order from the window",
        "r.mutate(q=ibis.ntile(4).over(order_by=r.temp))",
    ),
    (
        "r.agg(**{f'avg_{c.name()}': c.mean() for c in [r.temp]})",
        "pandas habit",
        "`col.get_name()`",
        "r.agg(**{f'avg_{c.get_name()}': c.mean() for c in [r.temp]})",
    ),
    (
        "r.mutate(kind=r.code.substitute(['a', 'b'], 'ab'))",
        "argument shape",
        "several values for one replacement",
        "r.mutate(kind=r.code.substitute({'a': 'ab', 'b': 'ab'}))",
    ),
    (
        "r.select(*[r.place[f] for f in r.place.keys()])",
        "nested data",
        "`t.s.names`",
        "r.select(*[r.place[f] for f in r.place.names])",
    ),
    (
        "r.select(s.contains('sen', 'tem'))",
        "selector",
        "one tuple",
        "r.select(s.contains(('sen', 'tem')))",
    ),
    (
        "k.mutate(m=k.day.truncate('MS'))",
        "dates and intervals",
        "pandas' period alias",
        "k.mutate(m=k.day.truncate('M'))",
    ),
    (
        "r.mutate(b=r.at.bucket(6, 'h'))",
        "dates and intervals",
        "`bucket(hours=6)`",
        "r.mutate(b=r.at.bucket(hours=6))",
    ),
    (
        "r.mutate(top=r.samples.sort(reverse=True))",
        "nested data",
        "largest first negated",
        "r.mutate(top=r.samples.map(lambda x: -x).sort().map(lambda x: -x))",
    ),
]


RULE_CASES += [
    (
        "r.mutate(m=r.temp / r.n.replace(0, None))",
        "pandas habit",
        "`col.nullif(value)`",
        "r.mutate(m=r.temp / r.n.nullif(0))",
    ),
    (
        "r.filter('temp > 1')",
        "sql habit",
        "`filter('temp > 1')`: `'temp > 1'` is SQL",
        "r.filter(r.temp > 1)",
    ),
    (
        "r.mutate(m=r.temp.mean().over(ibis.rows_window(-2, 0, order_by='at')))",
        "window",
        "a frame's start comes before its end",
        "r.mutate(m=r.temp.mean().over(ibis.rows_window(2, 0, order_by='at')))",
    ),
    (
        "r.mutate(p=r.temp.cast(ibis.dtype('double precision')))",
        "types",
        '`"double precision"` is `"float64"`',
        "r.mutate(p=r.temp.cast(ibis.dtype('float64')))",
    ),
    (
        "r.filter(ibis.selectors.if_any(ibis.selectors.numeric() > 1))",
        "selector",
        "compares the selector",
        "r.filter(ibis.selectors.if_any(ibis.selectors.numeric(), lambda c: c > 1))",
    ),
    (
        "r.group_by('sensor').size().reset_index(name='n')",
        "pandas habit",
        "no index to reset",
        "r.group_by('sensor').agg(n=ibis._.count())",
    ),
    (
        "r.mutate(head=r.code.split('/', 1)[0])",
        "string method",
        "no `maxsplit`",
        "r.mutate(head=r.code.split('/')[0])",
    ),
    (
        "r.mutate(k=r.payload.keys())",
        "nested data",
        "`t.j.map.keys()`",
        "r.mutate(k=r.payload.map.keys())",
    ),
]


RULE_CASES += [
    # the unit of a difference read off the name of what it computes
    (
        "k.mutate(days_open=k.day.delta(k.day))",
        "dates and intervals",
        "read off the result's name",
        "k.mutate(days_open=k.day.delta(k.day, unit='day'))",
    ),
]
RULE_CASES += [
    # pandas' apply/map of a Python function: the function written on the column
    (
        "r.mutate(b=r.temp.apply(lambda v: v * 2 + 1))",
        "pandas habit",
        "writes the function on the column itself: `r.temp * 2 + 1`",
        "r.mutate(b=r.temp * 2 + 1)",
    ),
    (
        "r.mutate(b=r.code.apply(hash) % 10)",
        "pandas habit",
        "`.apply` runs Python on each value",
        "r.mutate(b=r.code.hash() % 10)",
    ),
    (
        "r.mutate(b=r.apply(lambda row: row.temp + row.n, axis=1))",
        "pandas habit",
        "on the column itself",
        "r.mutate(b=r.temp + r.n)",
    ),
    (
        "r.mutate(b=(r.temp / 2).map_elements(lambda v: -v))",
        "pandas habit",
        "`.map_elements` runs Python",
        "r.mutate(b=-(r.temp / 2))",
    ),
    ("r.mutate(b=r.apply(lambda row: row.n, axis=0))", "pandas habit", "`.apply` is pandas", None),
    # pandas' tests of each row's columns are selectors'
    (
        "r.filter((r[['temp', 'n']] > 7.1).any(axis=1))",
        "pandas habit",
        "a test of each row's columns is a selector's",
        "r.filter(ibis.selectors.if_any(ibis.selectors.cols('temp', 'n'), lambda c: c > 7.1))",
    ),
    (
        "r.filter(r[['temp', 'code']].notna().all(axis=1))",
        "pandas habit",
        "a selector's",
        "r.filter(ibis.selectors.if_all(ibis.selectors.cols('temp', 'code'), "
        "lambda c: c.notnull()))",
    ),
    # a map of columns: its keys and an array of its values
    (
        "r.mutate(m=ibis.map({'a': r.temp, 'b': r.temp * 2}))",
        "nested data",
        "a map of columns is built from its keys and an array of its values",
        "r.mutate(m=ibis.map(['a', 'b'], ibis.array([r.temp, r.temp * 2])))",
    ),
    # a table's try_cast takes a schema, like its cast
    (
        "r.select('code').try_cast('float64')",
        "types and casts",
        "takes a mapping of column to type",
        "r.select('code').mutate(ibis.selectors.across(ibis.selectors.all(), "
        "lambda c: c.try_cast('float64')))",
    ),
    (
        "r.filter(r.payload['ok'], r.temp > 0)",
        "nested data",
        "read as a boolean",
        "r.filter(r.payload['ok'].bool, r.temp > 0)",
    ),
    # a difference of times divided as if it were seconds: whole units or a fraction
    (
        "r.mutate(h=(r.at - r.at) / 3600)",
        "dates and intervals",
        "whole hours between them are `r.at.delta(r.at, unit='hour')`, a fraction",
        None,
    ),
    # text parsed as a number (and a number written as text) is a cast
    (
        "r.mutate(b=float(r.code) * 2)",
        "eager use",
        "asks Python for the value",
        "r.mutate(b=r.code.cast('float64') * 2)",
    ),
]
RULE_CASES += [
    (
        "r.select('sensor').subtract(k.select(sensor='name'))",
        "pandas habit",
        "`a.difference(b)`",
        "r.select('sensor').difference(k.select(sensor='name'))",
    ),
    ("k.copy()", "pandas habit", "`t.view()`", "k.view()"),
    (
        "r.filter(r.code.startswith('A', 'B'))",
        "string method",
        "one test each",
        "r.filter((r.code.startswith('A') | r.code.startswith('B')))",
    ),
    ("k.filter(k.day < 1900)", "dates and intervals", "its year", "k.filter(k.day.year() < 1900)"),
    (
        "r.mutate(s=r.payload['sky'].lower())",
        "nested data",
        "read as a str",
        "r.mutate(s=r.payload['sky'].str.lower())",
    ),
    (
        "r.mutate(p=ibis.struct([r.sensor, r.code]))",
        "nested data",
        "a struct's fields have names",
        "r.mutate(p=ibis.struct({'sensor': r.sensor, 'code': r.code}))",
    ),
    (
        "r.mutate(m=r.temp.mean().over(rows=(ibis.preceding(2), ibis.current_row())))",
        "window",
        "the current row `0`",
        "r.mutate(m=r.temp.mean().over(rows=(ibis.preceding(2), 0)))",
    ),
    (
        "r.mutate(label=r.sensor | ' #' | r.code)",
        "python operator",
        "joined with `+`",
        "r.mutate(label=r.sensor + ' #' + r.code)",
    ),
    (
        "r.mutate(p=ibis.dense_rank().over(order_by='temp DESC'))",
        "sql habit",
        "`over(order_by='temp DESC')`",
        'r.mutate(p=ibis.dense_rank().over(order_by=ibis.desc("temp")))',
    ),
    (
        "k.mutate(w=k.day.day_of_week().full_name())",
        "wrong name",
        "is a property",
        "k.mutate(w=k.day.day_of_week.full_name())",
    ),
    (
        "k.join(r, k.name == r.sensor, how='left outer')",
        "wrong argument",
        "Ibis calls it `how='left'`",
        "k.join(r, k.name == r.sensor, how='left')",
    ),
    ("r.drop('place.site')", "nested data", "the field `site` of the struct column", None),
    (
        "r.mutate(y=ibis.when(r.n > 1, 'a').otherwise('b'))",
        "conditional",
        "`ibis.ifelse(c, a, b)`",
        "r.mutate(y=ibis.ifelse(r.n > 1, 'a', 'b'))",
    ),
    (
        "r.mutate(y=ibis.when(r.n > 1, 'a').when(r.n > 0, 'b').otherwise('c'))",
        "conditional",
        "several are",
        "r.mutate(y=ibis.cases((r.n > 1, 'a'), (r.n > 0, 'b'), else_='c'))",
    ),
    (
        "k.select('id').intersect(k.id)",
        "set operations",
        "a column is not a table",
        "k.select('id').intersect(k.select('id'))",
    ),
    (
        "r.filter(r.n in range(6, 9))",
        "python boolean operators",
        "`col.between(a, b - 1)`",
        "r.filter(r.n.between(6, 8))",
    ),
    (
        "r.select(*[c for c, t in r.schema() if t.is_string()])",
        "wrong name",
        "`t.schema().items()`",
        "r.select(*[c for c, t in r.schema().items() if t.is_string()])",
    ),
    (
        "w.mutate(words=w.words.append('x'))",
        "nested data",
        "no list method `append`",
        "w.mutate(words=w.words.concat(ibis.array(['x'])))",
    ),
    (
        "r.group_by('sensor').having(r.n > 5).agg(c=r.count())",
        "sql habit",
        "a condition on each row",
        "r.filter(r.n > 5).group_by('sensor').agg(c=ibis._.count())",
    ),
    ("r.group_by('sensor').agg(['sum', 'mean'])", "pandas habit", "list of reductions", None),
    (
        "r.group_by('sensor').transform(m=r.temp.mean())",
        "pandas habit",
        "grouped `mutate`",
        "r.group_by('sensor').mutate(m=r.temp.mean())",
    ),
    (
        "r.mutate(c=r.code.nullif(['', 'N/A']))",
        "null handling",
        "one `nullif` each",
        "r.mutate(c=r.code.nullif('').nullif('N/A'))",
    ),
    (
        "r.fill_null({'code': r.sensor})",
        "null handling",
        "the column's own `fill_null`",
        "r.mutate(code=r.code.fill_null(r.sensor))",
    ),
    ("r.unpack('place', 'tags')", "wrong argument", "a map is not unpacked", "r.unpack('place')"),
    (
        "r.mutate(y=r.at + '30 minutes')",
        "dates and intervals",
        "a duration written as a string",
        "r.mutate(y=r.at + ibis.interval(minutes=30))",
    ),
    (
        "r.mutate(y=r.temp.log('2'))",
        "types and casts",
        "write the number itself",
        "r.mutate(y=r.temp.log(2))",
    ),
    (
        "w.mutate(c=set(w.words) & {'a', 'b'})",
        "nested data",
        "`a.intersect(b)` for `&`",
        "w.mutate(c=w.words.intersect(ibis.array(['a', 'b'])))",
    ),
    ("r.order_by('temp', 'desc')", "sql habit", "sort descending", "r.order_by(ibis.desc('temp'))"),
    (
        "r.mutate(c=r.code.rpad('.', 20))",
        "argument shape",
        "take the width first",
        "r.mutate(c=r.code.rpad(20, '.'))",
    ),
    (
        "r.sensor.value_counts(normalize=True)",
        "pandas habit",
        "each value's share",
        "r.sensor.value_counts()"
        ".mutate(share=ibis._.sensor_count / ibis._.sensor_count.sum()).drop('sensor_count')",
    ),
    (
        "r.group_by('sensor').size(name='n')",
        "pandas habit",
        "a count per group with its own name",
        "r.group_by('sensor').agg(n=r.count())",
    ),
]


def test_a_grouped_table_reduced_over_every_column_gets_advice() -> None:
    findings = diagnose(failure_of("r.group_by('sensor').min()"))
    assert any("name each reduction" in finding.message for finding in findings)
    assert rule_fix("r.group_by('sensor').min()", findings) is None


def test_the_unit_of_a_number_since_the_epoch_is_read_off_its_name() -> None:
    trips = ibis.table({"sent_ms": "int64", "total": "int64"}, name="trips")
    namespace = {**NAMESPACE, "trips": trips}
    for code, fix in [
        (
            "trips.mutate(at=trips.sent_ms.as_timestamp())",
            "trips.mutate(at=trips.sent_ms.as_timestamp('ms'))",
        ),
        ("trips.mutate(at=trips.total.as_timestamp())", None),
    ]:
        try:
            exec(code, dict(namespace))  # noqa: S102 - fixed test snippets
        except TypeError as error:
            findings = diagnose(Failure(error, code, namespace))
        assert rule_fix(code, findings) == fix


def test_a_condition_given_to_max_is_not_read_as_a_second_value() -> None:
    """Older Ibis took ``where`` by position: ``max(t.x > 0)`` is not ``greatest``."""
    findings = diagnose(failure_of("r.temp.max(r.n > 0)"))
    assert "argument shape" not in [finding.rule for finding in findings]


def test_two_tables_combined_with_an_operator_are_not_read_as_one_row_values() -> None:
    a, b = r.select("sensor"), k.select(sensor="name")
    try:
        a & b  # type: ignore[operator]
    except TypeError as error:
        failure = Failure(error, "a & b", {**NAMESPACE, "a": a, "b": b})
    findings = diagnose(failure)
    assert [finding.rule for finding in findings] == ["set operations"]
    assert rule_fix("a & b", findings) == "a.intersect(b)"


def test_a_set_operation_of_different_columns_names_them() -> None:
    findings = diagnose(failure_of("r.select('sensor').union(k.select('name'))"))
    assert "only the second table has `name`; only the first table has `sensor`" in (
        findings[0].message
    )


@pytest.mark.parametrize(("code", "rule", "advice", "fix"), RULE_CASES)
def test_rules_read_the_failure_and_fix_it(
    code: str, rule: str, advice: str, fix: str | None
) -> None:
    findings = diagnose(failure_of(code))
    assert rule in [finding.rule for finding in findings]
    assert any(advice in finding.message for finding in findings), findings
    fixed = rule_fix(code, findings)
    assert fixed == fix
    if fixed is not None:
        builds(fixed)


SIGNATURE_CASES = [
    # (code, words of the finding, first candidate or None)
    (
        "r.code.replace('a+', 'b', regex=True)",
        "no parameter `regex=`",
        "r.code.re_replace('a+', 'b')",
    ),
    ("r.code.contains('A', case=False)", "no parameter `case=`", "r.code.lower().contains('a')"),
    ("r.code.contains('a.', regex=True)", "no parameter `regex=`", "r.code.re_search('a.')"),
    ("r.code.split(' ', expand=True)[0]", "no parameter `expand=`", "r.code.split(' ')[0]"),
    ("r.temp.lag(1, fill_value=0)", "no parameter `fill_value=`", "r.temp.lag(1, default=0)"),
    ("r.unnest('samples', index='i')", "no parameter `index=`", "r.unnest('samples', offset='i')"),
    ("r.code.strip(' ')", "takes no arguments", "r.code.strip()"),
    ("r.temp.median(0.5)", "takes only `where=`", "r.temp.median()"),
    ("r.temp.approx_median(0.9)", "takes only `where=`", "r.temp.approx_quantile(0.9)"),
    (
        "r.value_counts('sensor', 'n')",
        "takes only `name=`",
        "r.select('sensor', 'n').value_counts()",
    ),
    ("r.fill_null(0, subset=['n'])", "no parameter `subset=`", "r.fill_null({'n': 0})"),
    ("r.mutate(m=r.temp.ln(10))", "takes no arguments", "r.mutate(m=r.temp.log10())"),
    (
        "r.mutate(b=(r.temp > 30).ifelse(then='hot', else_='mild'))",
        "no parameter `then=`",
        "r.mutate(b=(r.temp > 30).ifelse('hot', 'mild'))",
    ),
    ("r.code.split('[/-]', regex=True)", "no parameter `regex=`", "r.code.re_split('[/-]')"),
    ("r.mutate(m=r.temp.ln(3))", "takes no arguments", "r.mutate(m=r.temp.log(3))"),
    (
        "r.group_by('sensor').sort('at').mutate(p=r.temp.lag())",
        "GroupedTable has no `.sort`; did you mean `.order_by`?",
        "r.group_by('sensor').order_by('at').mutate(p=r.temp.lag())",
    ),
    ("r.code.lstrip('0')", "whitespace only", "r.code.re_replace('^0+', '')"),
    ("r.code.rstrip('-]')", "whitespace only", "r.code.re_replace('[\\\\-\\\\]]+$', '')"),
    ("r.code.length(3)", "takes no arguments", None),
    ("r.code.split()", "needs `delimiter`", 'r.code.split(" ")'),
    ("r.filter(r.temp.between([1, 9]))", "needs `upper`", "r.filter(r.temp.between(1, 9))"),
    (
        "r.group_by('sensor').agg(v=r.temp.collect(order_by='at', descending=True))",
        "no parameter `descending=`",
        "r.group_by('sensor').agg(v=r.temp.collect(order_by=ibis.desc('at')))",
    ),
    (
        "r.mutate(prev=r.temp.lag(1, order_by=r.at))",
        "no parameter `order_by=`",
        "r.mutate(prev=r.temp.lag(1).over(order_by=r.at))",
    ),
    (
        "r.agg(n=r.code.approx_nunique(rsd=0.05))",
        "no parameter `rsd=`",
        "r.agg(n=r.code.approx_nunique())",
    ),
    ("r.code.index('@')", "did you mean `.find`", "r.code.find('@')"),
    ("r.temp.percentile_approx(0.9)", "`.approx_quantile`", "r.temp.approx_quantile(0.9)"),
    ("r.code.re_extract('(a)')", "needs `index`", "r.code.re_extract('(a)', 1)"),
    ("ibis.ifelse(r.temp > 1, 'a')", "needs `false_expr`", None),
    ("r.select(s.r[0:2])", "did you mean `index`", "r.select(s.index[0:2])"),
    ("r.select(s.everything())", "did you mean `all`", "r.select(s.all())"),
    ("r.code.casefold()", "did you mean `.lower`", "r.code.lower()"),
    (
        "r.select(s.where(lambda c: c.dtype.is_string()))",
        "did you mean `.type`",
        "r.select(s.where(lambda c: c.type().is_string()))",
    ),
    ("r.topk(3, by='temp')", "no parameter `by=`", "r.order_by(ibis.desc('temp')).limit(3)"),
    ("r.sample(n=10)", "no parameter `n=`", "r.order_by(ibis.random()).limit(10)"),
    (
        "k.anti_join(r, left_on='name', right_on='sensor')",
        "no parameter `left_on=`",
        "k.anti_join(r, k.name == r.sensor)",
    ),
    (
        "ibis.date(year=2024, month=3, day=1)",
        "no parameter `year=`",
        "ibis.date(2024, 3, 1)",
    ),
]


SIGNATURE_CASES += [
    # two readings of pandas' share of rows: both named, neither checked as the fix
    ("r.temp.rank(pct=True)", "`percent_rank()` is (rank - 1) / (n - 1), `cume_dist()`", None),
    (
        "r.group_by('sensor').agg(f=r.temp.arbitrary(how='first'))",
        "no parameter `how=`",
        "r.group_by('sensor').agg(f=r.temp.first())",
    ),
    (
        "k.select('id').intersect(k.select('boss_id').rename(id='boss_id'), all=True)",
        "no parameter `all=`",
        "k.select('id').intersect(k.select('boss_id').rename(id='boss_id'), distinct=False)",
    ),
    # Python's re flags: the method is named as the user wrote it (rlike is re_search)
    (
        "r.filter(r.code.rlike('^ab', flags=re.IGNORECASE))",
        "StringValue.rlike() has no parameter `flags=`",
        "r.filter(r.code.rlike('(?i)^ab'))",
    ),
    (
        "r.code.re_replace('a.b', 'x', flags=re.I | re.S)",
        "no parameter `flags=`",
        "r.code.re_replace('(?is)a.b', 'x')",
    ),
    (
        "ibis.join(k, k.select('id', other='name'), on='id')",
        "no parameter `on=`",
        "k.join(k.select('id', other='name'), 'id')",
    ),
    (
        "r.agg(r.temp.max(), r.n.sum())",
        "Table.agg() takes the values as one list",
        "r.agg([r.temp.max(), r.n.sum()])",
    ),
    # pandas' na=False: what a filter does with a null condition anyway; elsewhere it matters
    (
        "r.filter(r.code.startswith('a', na=False))",
        "no parameter `na=`",
        "r.filter(r.code.startswith('a'))",
    ),
    ("r.mutate(a=r.code.startswith('a', na=False))", "no parameter `na=`", None),
    ("r.temp.std(ddof=0)", "no parameter `ddof=`", 'r.temp.std(how="pop")'),
    ("r.temp.var(ddof=1)", "no parameter `ddof=`", "r.temp.var()"),
    ("r.n.between(1, 5, inclusive='both')", "no parameter `inclusive=`", "r.n.between(1, 5)"),
    ("r.code.cast('int32', try_=True)", "no parameter `try_=`", "r.code.try_cast('int32')"),
    (
        "k.pivot_longer(['boss_id'], names_to=['who', 'what'], names_sep='_')",
        "no parameter `names_sep=`",
        "k.pivot_longer(['boss_id'], names_to=['who', 'what'], names_pattern='(.*?)_(.*)')",
    ),
    (
        "k.day.delta(ibis.date('2024-01-01'), 'day')",
        "by keyword",
        "k.day.delta(ibis.date('2024-01-01'), unit='day')",
    ),
    (
        "r.pivot_longer('temp', 'n', names_to='what')",
        "takes the values as one list",
        "r.pivot_longer(['temp', 'n'], names_to='what')",
    ),
    (
        "r.filter(s.if_any(s.numeric(), func=lambda c: c.isnull()))",
        "ibis.selectors.if_any() has no parameter `func=`",
        "r.filter(s.if_any(s.numeric(), predicate=lambda c: c.isnull()))",
    ),
    # a method that takes nothing, given a value: the call is quoted as written
    (
        "r.mutate(h=r.code.hash('SHA-256'))",
        "`r.code.hash('SHA-256')` was given",
        "r.mutate(h=r.code.hexdigest('sha256'))",
    ),
    ("r.mutate(h=r.code.hash(1))", "`r.code.hash(1)` was given", None),
    (
        "r.mutate(h=r.code.hash('md5'))",
        "is `hexdigest(...)`",
        "r.mutate(h=r.code.hexdigest('md5'))",
    ),
    # other tools' names of ibis functions
    ("r.mutate(h=ibis.arange(0, 24))", "`ibis` has no `arange`", "r.mutate(h=ibis.range(0, 24))"),
    ("r.mutate(one=ibis.lit(1))", "did you mean `literal`", "r.mutate(one=ibis.literal(1))"),
    (
        "r.order_by(ibis.random(7)).limit(3)",
        "ibis.random() takes no arguments",
        "r.order_by(ibis.random()).limit(3)",
    ),
]


# several values where the method takes one: a list is offered only where a list is taken
SIGNATURE_CASES += [
    ("ibis.ntile(4, r.temp)", "ibis.ntile() takes one value by position (`buckets`)", None),
    ("r.samples.union(r.samples, r.samples)", "takes one value by position (`other`)", None),
    ("r.code.isin('a', 'b')", "takes the values as one list", "r.code.isin(['a', 'b'])"),
]


# dates and intervals Ibis's constructors read another way
SIGNATURE_CASES += [
    (
        "r.filter(r.at > ibis.timestamp('01/07/2024', '%d/%m/%Y'))",
        "not a format",
        "r.filter(r.at > ibis.timestamp('2024-07-01 00:00:00'))",
    ),
    (
        "k.filter(k.day > ibis.date('07/01/24', '%m/%d/%y'))",
        "ISO",
        "k.filter(k.day > ibis.date('2024-07-01'))",
    ),
    ("r.mutate(ts=ibis.timestamp(r.n))", "epoch column", "r.mutate(ts=r.n.as_timestamp('s'))"),
    (
        "r.filter(r.at >= ibis.timestamp(1733000000))",
        "epoch column",
        "r.filter(r.at >= ibis.literal(1733000000).as_timestamp('s'))",
    ),
    ("k.mutate(gap=k.day.delta(k.day))", "needs `unit`", None),  # a name without a unit
    (
        "r.group_by('sensor').agg(codes=r.code.group_concat(', ', distinct=True))",
        "no parameter `distinct=`",
        "r.group_by('sensor').agg(codes=r.code.collect(distinct=True).join(', '))",
    ),
    (
        "r.mutate(pair=ibis.array([r.sensor, r.code], type='array<string>'))",
        "no parameter `type=`",
        "r.mutate(pair=ibis.array([r.sensor, r.code]).cast('array<string>'))",
    ),
    (
        "r.order_by(ibis.asc('temp', na_position='first'))",
        "na_position",
        "r.order_by(ibis.asc('temp', nulls_first=True))",
    ),
    (
        "r.mutate(k=r.temp.rank(method='dense'))",
        "no parameter `method=`",
        "r.mutate(k=r.temp.dense_rank())",
    ),
    # a value that is no condition goes to the next keyword, not to where=
    (
        "r.group_by('sensor').agg(f=r.code.first(r.at))",
        "by keyword",
        "r.group_by('sensor').agg(f=r.code.first(order_by=r.at))",
    ),
    (
        "r.group_by('sensor').agg(f=r.code.first(r.n > 1))",
        "by keyword",
        "r.group_by('sensor').agg(f=r.code.first(where=r.n > 1))",
    ),
    # other tools' names
    ("r.mutate(w=r.at.week())", "did you mean `.week_of_year`", "r.mutate(w=r.at.week_of_year())"),
    (
        "r.mutate(i=r.samples.find(1.0))",
        "did you mean `.index`",
        "r.mutate(i=r.samples.index(1.0))",
    ),
    (
        "r.filter(r.at > r.at + ibis.interval(hours=1.5))",
        "a whole number of its unit",
        "r.filter(r.at > r.at + ibis.interval(minutes=90))",
    ),
    (
        "r.filter(r.at > r.at + ibis.interval(hours=1.01))",
        "a whole number of its unit",
        "r.filter(r.at > r.at + ibis.interval(seconds=3636))",
    ),
    (
        "r.mutate(e=r.at - ibis.interval(weeks=0.5))",
        "a whole number of its unit",
        "r.mutate(e=r.at - ibis.interval(hours=84))",
    ),
    (
        "r.mutate(e=r.at + ibis.interval(1.5, 'h'))",
        "a whole number of its unit",
        "r.mutate(e=r.at + ibis.interval(minutes=90))",
    ),
    ("r.mutate(e=r.at + ibis.interval(0.1234567891234, 'h'))", "a whole number of its unit", None),
]


# edits that would check but change what the code means are not offered
SIGNATURE_CASES += [
    # two numbers to limit: SQL's LIMIT offset, count or Python's order? Not guessed
    ("r.limit(20, 10)", "takes one value by position (`n`)", None),
    # two columns to unnest: the second is no offset column's name
    ("r.unnest('samples', 'code')", "takes one value by position (`column`)", None),
    ("k.join(k.view(), 'id', 'left')", "by keyword", "k.join(k.view(), 'id', how='left')"),
    # a range to random: the code's scale relies on it
    ("r.filter(ibis.random(0, 100) < 10)", "a range is `low + (high - low)", None),
    # pandas' by={left: right} becomes conditions, never a dict compared with itself
    (
        "k.anti_join(r, by={'name': 'sensor'})",
        "no parameter `by=`",
        "k.anti_join(r, predicates=k.name == r.sensor)",
    ),
]


def test_a_name_with_a_word_more_is_not_read_as_a_misspelling() -> None:
    """pandas' ``between_time`` compares times of day; ``between`` would compare the
    timestamps with text and still compile."""
    code = "r.filter(r.at.between_time('08:00', '16:00'))"
    candidates = candidates_of(search(failure_of(code)), code)
    assert not any(".between(" in candidate.code for candidate in candidates)
    assert candidates_of(search(failure_of("r.code.to_upper()")), "r.code.to_upper()")[0].code == (
        "r.code.upper()"
    )


# pandas' keywords and names whose Ibis form is another call
SIGNATURE_CASES += [
    (
        "r.n.between(1, 5, inclusive='left')",
        "no parameter `inclusive=`",
        "((r.n >= 1) & (r.n < 5))",
    ),
    (
        "r.sample(frac=0.5, random_state=3)",
        "no parameter `frac=`, `random_state=`",
        "r.sample(0.5, seed=3)",
    ),
    ("r.samples.mean()", "`.means`", "r.samples.means()"),
    # a constructor's missing parts are zero; one list where values are taken apart
    (
        "r.filter(r.at >= ibis.timestamp(2024, 1, 1))",
        "`ibis.timestamp(2024, 7, 1, 0, 0, 0)`",
        "r.filter(r.at >= ibis.timestamp(2024, 1, 1, 0, 0, 0))",
    ),
    ("ibis.time(hour=9, minute=30)", "no parameter `hour=`", "ibis.time(9, 30, 0)"),
    ("r.filter(ibis.random(seed=7) < 0.1)", "take no seed", "r.filter(ibis.random() < 0.1)"),
    ("r.code.endswith(suffix='x')", "no parameter `suffix=`", "r.code.endswith('x')"),
    # an interval asked for a number in a unit: delta
    (
        "r.mutate(h=(r.at - r.at).hours())",
        "unit='hour'",
        "r.mutate(h=r.at.delta(r.at, unit='hour'))",
    ),
    # a list where values go apart, to a selector or a table's method on a call's result
    (
        "r.select(s.cols(['sensor', 'n']))",
        "s.cols() takes its values",
        "r.select(s.cols('sensor', 'n'))",
    ),
    (
        "k.select('id').cross_join([k.select('name')])",
        "Table.cross_join() takes its values",
        "k.select('id').cross_join(k.select('name'))",
    ),
    # pandas' sample(n); a view's name; a test given to anys
    ("r.sample(100)", "not a number of them", "r.order_by(ibis.random()).limit(100)"),
    ("k.view('prev')", "a view needs no name", "k.view()"),
    ("r.samples.anys(lambda x: x > 3)", "mapped first", "r.samples.map(lambda x: x > 3).anys()"),
    (
        "w.select(word=w.words.unnest('word'))",
        "named like any value",
        "w.select(word=w.words.unnest().name('word'))",
    ),
    (
        "r.filter(r.code.like('a%', case_sensitive=False))",
        "no parameter `case_sensitive=`",
        "r.filter(r.code.ilike('a%'))",
    ),
    (
        "r.mutate(c=r.code.cast('int64', strict=False))",
        "no parameter `strict=`",
        "r.mutate(c=r.code.try_cast('int64'))",
    ),
    (
        "k.filter(k.day.month() == 'March')",
        "`day.month()` is int32",
        "k.filter(k.day.month() == 3)",
    ),
    ("k.filter(k.day.quarter() == 'Q2')", "`day.quarter()`", "k.filter(k.day.quarter() == 2)"),
    (
        "r.agg(c=r.code.group_concat(separator=', '))",
        "no parameter `separator=`",
        "r.agg(c=r.code.group_concat(sep=', '))",
    ),
    # a column given by position where group_by and order_by are both free: a time orders,
    # a name or an id groups, anything else is not guessed
    (
        "r.mutate(m=r.temp.cummin(r.at))",
        "takes that argument by keyword",
        "r.mutate(m=r.temp.cummin(order_by=r.at))",
    ),
    (
        "r.mutate(m=r.temp.cummax('code'))",
        "takes that argument by keyword",
        "r.mutate(m=r.temp.cummax(group_by='code'))",
    ),
    ("r.mutate(m=r.temp.cummin(r.n))", "has no place for", None),
    (
        "r.filter(r.code.contains('A.', regex=False))",
        "no parameter `regex=`",
        "r.filter(r.code.contains('A.'))",
    ),
    (
        "r.mutate(t=r.temp.fill_null(strategy='zero'))",
        "no parameter `strategy=`",
        "r.mutate(t=r.temp.fill_null(0))",
    ),
    (
        "r.mutate(t=r.temp.fill_null(strategy='mean'))",
        "no parameter `strategy=`",
        "r.mutate(t=r.temp.fill_null(r.temp.mean()))",
    ),
    ("r.agg(c=r.code.collect_list())", "did you mean `.collect`", "r.agg(c=r.code.collect())"),
    (
        "k.left_join(r, k.name == r.sensor, how='left')",
        "no parameter `how=`",
        "k.left_join(r, k.name == r.sensor)",
    ),
    # keywords where one mapping goes
    (
        "r.fill_null(temp=0.0, code='')",
        "one mapping of names to values",
        "r.fill_null({'temp': 0.0, 'code': ''})",
    ),
    (
        "ibis.struct(a=r.n, b=r.code)",
        "one mapping of names to values",
        "ibis.struct({'a': r.n, 'b': r.code})",
    ),
    # the reverse keyword takes the reverse value
    (
        "r.order_by(ibis.asc('n', nulls_last=True))",
        "no parameter `nulls_last=`",
        "r.order_by(ibis.asc('n', nulls_first=False))",
    ),
    (
        "r.filter(r.code.not_like('a%'))",
        "negate `.like` with `~`",
        "r.filter((~r.code.like('a%')))",
    ),
    (
        "r.group_by('sensor').agg(c=r.code.any_value())",
        "`.arbitrary`",
        "r.group_by('sensor').agg(c=r.code.arbitrary())",
    ),
    ("r.code.topk(n=3)", "no parameter `n=`", "r.code.topk(k=3)"),
    # another type's method: cast first
    ("r.price.isinf()", "a method of FloatingValue", 'r.price.cast("float64").isinf()'),
    ("k.day.hour()", "a method of TimestampValue", 'k.day.cast("timestamp").hour()'),
    ("r.samples.concat(1.0)", "`.concat(...)` takes arrays", "r.samples.concat([1.0])"),
    (
        "r.code.find_in_set('a, b,c')",
        "takes a list of strings",
        "r.code.find_in_set(['a', 'b', 'c'])",
    ),
    (
        "ibis.coalesce([r.temp, r.n])",
        "ibis.coalesce() takes its values",
        "ibis.coalesce(r.temp, r.n)",
    ),
    (
        "r.temp.coalesce([r.n])",
        "FloatingColumn.coalesce() takes its values",
        "r.temp.coalesce(r.n)",
    ),
    ("r.unpack(['place'])", "Table.unpack() takes its values as separate", "r.unpack('place')"),
    (
        "r.samples.concat([r.samples, r.samples])",
        "ArrayColumn.concat() takes its values as separate",
        "r.samples.concat(r.samples, r.samples)",
    ),
]


SIGNATURE_CASES += [
    (
        "r.temp.rank(method='dense', descending=True)",
        "no parameter `method=`, `descending=`",
        "ibis.desc(r.temp).dense_rank()",
    ),
    ("r.temp.is_not_nan()", "negate `.isnan` with `~`", "(~r.temp.isnan())"),
    ("r.code.pad_start(5, '0')", "did you mean `.lpad`", "r.code.lpad(5, '0')"),
    ("k.drop_nulls()", "did you mean `.drop_null`", "k.drop_null()"),
    ("r.code.instr('-')", "did you mean `.find`", "r.code.find('-')"),
    ("k.unionByName(k)", "did you mean `.union`", "k.union(k)"),
    ("k.day.to_period('M')", "did you mean `.truncate`", "k.day.truncate('M')"),
    ("k.join(w, using='id')", "no parameter `using=`", "k.join(w, predicates='id')"),
    ("r.code.safe_cast('int64')", "did you mean `.try_cast`", "r.code.try_cast('int64')"),
    (
        "k.select('id').except_(k.select(id='boss_id'))",
        "did you mean `.difference`",
        "k.select('id').difference(k.select(id='boss_id'))",
    ),
    (
        "k.group_by('name').summarise(n=k.count())",
        "did you mean `.aggregate`",
        "k.group_by('name').aggregate(n=k.count())",
    ),
    ("k.union(k, ignore_index=True)", "no parameter `ignore_index=`", "k.union(k)"),
    ("r.temp.argmin(by=r.n)", "no parameter `by=`", "r.temp.argmin(key=r.n)"),
    ("r.code.first('at')", "by keyword", "r.code.first(order_by='at')"),
    ("r.temp.percentile_cont(0.5)", "did you mean `.quantile`", "r.temp.quantile(0.5)"),
    # polars' and dplyr's names
    ("r.temp.is_infinite()", "did you mean `.isinf`", "r.temp.isinf()"),
    ("r.code.to_uppercase()", "did you mean `.upper`", "r.code.upper()"),
    ("k.full_join(w, 'id')", "did you mean `.outer_join`", "k.outer_join(w, 'id')"),
    (
        "r.code.replace_all('[0-9]', '')",
        "did you mean `.re_replace`",
        "r.code.re_replace('[0-9]', '')",
    ),
]
SIGNATURE_CASES += [
    ("r.code.ljust(10, '0')", "did you mean `.rpad`", "r.code.rpad(10, '0')"),
    (
        "ibis.except_(r.select('sensor'), w.select(sensor='seen'))",
        "did you mean `difference`",
        "ibis.difference(r.select('sensor'), w.select(sensor='seen'))",
    ),
    # one whole number for the one required whole-number parameter
    ("r.code.left(n=2)", "no parameter `n=`", "r.code.left(2)"),
    ("w.words.repeat(times=2)", "no parameter `times=`", "w.words.repeat(2)"),
    # pandas' keywords that say what Ibis does anyway
    (
        "r.fill_null({'temp': 0.0}, inplace=True)",
        "no parameter `inplace=`",
        "r.fill_null({'temp': 0.0})",
    ),
    ("r.info(verbose=True)", "no parameter `verbose=`", "r.info()"),
    ("w.words.union('x')", "takes arrays", "w.words.union(['x'])"),
    ("r.group_by('sensor').count('temp')", "GroupedTable.count() takes no arguments", None),
    # a data type compared as a type, not as its name (always unequal)
    (
        "r.select(*[c for c in r.columns if r[c].dtype == 'float64'])",
        "did you mean `.type`",
        "r.select(*[c for c in r.columns if r[c].type() == ibis.dtype('float64')])",
    ),
    ("(r.at - r.at).hours() > 1", "no number with `.hours`", "r.at.delta(r.at, unit='hour') > 1"),
    ("(r.at - r.at).dt.days", "no number with `.days`", "r.at.delta(r.at, unit='day')"),
    # seconds divided into minutes: whole minutes or a fraction, the user decides
    (
        "(r.at - r.at).total_seconds() / 60",
        "either whole minutes, `later.delta(earlier, unit='minute')`",
        None,
    ),
    (
        "(r.at - r.at).total_seconds() * 1000",
        "no number with",
        "r.at.delta(r.at, unit='second') * 1000",
    ),
    # NumPy's name on a grouped expression keeps its parentheses
    ("(r.temp / 100).arcsin()", "did you mean `.asin`", "(r.temp / 100).asin()"),
    # PySpark's camelCase names, a table's too; SQL's NTH_VALUE
    ("r.crossJoin(k)", "did you mean `.cross_join`", "r.cross_join(k)"),
    ("r.code.countDistinct()", "did you mean `.nunique`", "r.code.nunique()"),
    ("r.temp.nth_value(1)", "did you mean `.nth`", "r.temp.nth(1)"),
    ("w.words.remove('a', 'b')", "several are one call each", "w.words.remove('a').remove('b')"),
    ("r.code.isin(['a'], invert=True)", "no parameter `invert=`", "r.code.notin(['a'])"),
    # pandas' DataFrame.filter chooses columns
    ("r.filter(regex='^te')", "no parameter `regex=`", "r.select(ibis.selectors.matches('^te'))"),
    ("r.filter(items=['sensor', 'n'])", "no parameter `items=`", "r.select('sensor', 'n')"),
    (
        "r.value_counts(subset=['sensor'])",
        "no parameter `subset=`",
        "r.select('sensor').value_counts()",
    ),
    (
        "r.temp.mean().over(ibis.trailing_window(rows=2, order_by=r.at))",
        "no parameter `rows=`",
        "r.temp.mean().over(ibis.trailing_window(preceding=2, order_by=r.at))",
    ),
]


@pytest.mark.parametrize(("code", "words", "first"), SIGNATURE_CASES)
def test_signatures_say_what_the_call_takes(code: str, words: str, first: str | None) -> None:
    failure = failure_of(code)
    found = search(failure)
    assert any(words in result.diagnosis.message for result in found), found
    candidates = candidates_of(found, code)
    assert (candidates[0].code if candidates else None) == first
    if first is not None:
        builds(first)


def test_mixed_types_name_the_call_that_mixes_them() -> None:
    from ibis_copilot.repair.diagnose import last_resort

    findings = last_resort(failure_of("r.tags.get('room', 0)"))
    assert findings[0].message.startswith("`get(...)` mixes")


def test_a_rolling_window_without_a_time_column_gets_advice_but_no_fix() -> None:
    plain = ibis.table({"x": "float64", "y": "float64"}, name="plain")
    code = "plain.x.rolling(3).mean()"
    try:
        exec(code, {"plain": plain})  # noqa: S102 - a fixed test snippet
    except AttributeError as error:
        findings = diagnose(Failure(error, code, {"plain": plain}))
    assert "`.over(...)` a frame" in findings[0].message
    assert rule_fix(code, findings) is None, "no column says which rows come before"


@pytest.mark.parametrize("method", ["lstrip", "rstrip", "strip"])
def test_strip_of_characters_keeps_pythons_meaning_on_duckdb(method: str) -> None:
    from ibis_copilot.repair.candidates import _strip_call

    values = ["007", "x00", "0", "-]a-]", "", "a0b"]
    chars = "0-]"
    call = ast.parse(f"t.c.{method}({chars!r})").body[0].value  # type: ignore[attr-defined]
    rewritten = _strip_call(call, f"t.c.{method}({chars!r})")
    assert rewritten is not None
    assert "re_replace" in rewritten
    t = ibis.memtable({"c": values})
    got = ibis.duckdb.connect().execute(eval(rewritten, {"t": t}))  # noqa: S307 - our own edit
    assert list(got) == [getattr(value, method)(chars) for value in values]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45 minutes", ("45", "minutes")),
        ("7 Days", ("7", "days")),
        ("5 min", ("5", "minutes")),
        ("1 mo", ("1", "months")),
        ("1 m", None),  # months or minutes: not guessed
        ("1.5 days", None),
        ("seven days", None),
    ],
)
def test_interval_text_is_read_one_way_for_literals_and_window_bounds(
    text: str, expected: tuple[str, str] | None
) -> None:
    assert interval_words(text) == expected
    code = f"r.temp.sum().over(ibis.window(order_by='at', preceding='{text}', following=0))"
    fixed = rule_fix(code, diagnose(failure_of(code)))
    if expected is None:
        assert fixed is None or "interval(" not in fixed
    else:
        assert f"ibis.interval({expected[1]}={expected[0]})" in (fixed or "")


@pytest.mark.parametrize(
    ("text", "method", "expected"),
    [
        ("HH24:MI", "to_char", "%H:%M"),
        ("yyyy-mm-dd", "to_char", "%Y-%m-%d"),  # SQL's words in any case: mm is the month
        ("dd/MM/yyyy HH:mm", "date_format", "%d/%m/%Y %H:%M"),  # Java's: mm is minutes
        ("%Y-%m-%d %H:%i", "date_format", "%Y-%m-%d %H:%M"),  # MySQL's %i
        ("%Y-%m-%d %H:%M", "format", "%Y-%m-%d %H:%M"),  # strftime's already
    ],
)
def test_date_formats_of_other_tools_read_as_strftimes(
    text: str, method: str, expected: str
) -> None:
    from ibis_copilot.repair.units import strftime_format

    assert strftime_format(text, method) == expected


@pytest.mark.parametrize(
    ("code", "advice", "fix"),
    [
        ("ibis.to_sql(r, dialect='postgresql')", "'postgres', not 'postgresql'", "'postgres'"),
        ("ibis.to_sql(r, dialect='snowflak')", "'snowflake'", "'snowflake'"),
        ("ibis.to_sql(r, dialect='cobol')", "no dialect 'cobol'", None),
    ],
)
def test_a_dialect_is_called_by_ibiss_name(code: str, advice: str, fix: str | None) -> None:
    findings = diagnose(failure_of(code))
    assert any(advice in finding.message for finding in findings), findings
    fixed = rule_fix(code, findings)
    assert fixed == (code.replace(code.split("dialect=")[1][:-1], fix) if fix else None)
    if fixed is not None:
        exec(fixed, dict(NAMESPACE))  # noqa: S102 - the rules' fix of a fixed snippet


def test_a_one_row_table_compared_with_a_column_is_read_as_its_value() -> None:
    code = "mean = r.agg(m=r.temp.mean())\nr.filter(r.temp > mean)"
    namespace = dict(NAMESPACE)
    exec(code.splitlines()[0], namespace)  # noqa: S102 - the cell's first line ran
    try:
        exec(code.splitlines()[1], namespace)  # noqa: S102 - the failing line
    except TypeError as error:
        failure = Failure(error, code, namespace)
    findings = diagnose(failure)
    assert any("`mean.as_scalar()`" in finding.message for finding in findings), findings
    fixed = rule_fix(code, findings)
    assert fixed == "mean = r.agg(m=r.temp.mean())\nr.filter(r.temp > mean.as_scalar())"
    scope = dict(NAMESPACE)
    exec(fixed.replace("r.filter", "result = r.filter"), scope)  # noqa: S102 - the fix
    ibis.to_sql(scope["result"], dialect="duckdb")


def test_a_join_condition_in_sql_on_one_table_only_is_not_rewritten() -> None:
    # both sides named k: the condition cannot say which k each column is of
    code = "k.join(k.view(), 'k.boss_id = k.id')"
    assert rule_fix(code, diagnose(failure_of(code))) is None


def test_a_keyword_spelt_like_its_opposite_is_not_mapped_onto_it() -> None:
    import inspect

    from ibis_copilot.repair.candidates import _keyword_mapping

    end = inspect.Parameter("end_at", inspect.Parameter.KEYWORD_ONLY)
    assert _keyword_mapping(["start_at"], [end]) is None  # the reverse, not a misspelling
    assert _keyword_mapping(["end_att"], [end]) == {"end_att": "end_at"}


def test_python_math_of_a_name_the_cell_derived_is_read_as_the_columns_method() -> None:
    # `hav` is no table: it is an expression the cell's first line made
    code = "hav = r.temp / 2\nr.mutate(a=math.asin(hav))"
    namespace = dict(NAMESPACE)
    exec(code.splitlines()[0], namespace)  # noqa: S102 - the cell's first line ran
    try:
        exec(code.splitlines()[1], namespace)  # noqa: S102 - the failing line
    except TypeError as error:
        failure = Failure(error, code, namespace)
    assert rule_fix(code, diagnose(failure)) == "hav = r.temp / 2\nr.mutate(a=hav.asin())"


def test_an_interval_a_name_holds_is_read_as_the_difference_it_was_made_from() -> None:
    code = "took = r.at - r.at\nr.filter(took.hours() >= 1)"
    namespace = dict(NAMESPACE)
    exec(code.splitlines()[0], namespace)  # noqa: S102 - the cell's first line ran
    try:
        exec(code.splitlines()[1], namespace)  # noqa: S102 - the failing line
    except TypeError as error:
        failure = Failure(error, code, namespace)
    assert not [f for f in diagnose(failure) if "is a property" in f.message]
    candidates = candidates_of(search(failure), code)
    assert candidates[0].code.endswith("r.filter(r.at.delta(r.at, unit='hour') >= 1)")


def test_a_unit_of_an_interval_column_called_is_read_as_the_property() -> None:
    code = "r.filter((r.at - r.at).hours() >= 1)"  # a difference: delta (above)
    assert rule_fix(code, diagnose(failure_of(code))) is None
    interval = ibis.table({"span": "interval('D')"}, name="i")
    failure = Failure(
        TypeError("'IntervalColumn' object is not callable"), "i.span.days()", {"i": interval}
    )
    assert rule_fix("i.span.days()", diagnose(failure)) == "i.span.days"


def test_dropping_one_field_of_a_struct_rebuilds_the_struct_without_it() -> None:
    shelf = ibis.table({"shelf": "struct<floor: int8, aisle: string>", "x": "int64"}, name="b")
    code = "b.drop('shelf.aisle', 'x')"
    try:
        shelf.drop("shelf.aisle", "x")
    except Exception as error:  # noqa: BLE001 - the error is what the test inspects
        failure = Failure(error, code, {"b": shelf, "ibis": ibis})
    fixed = rule_fix(code, diagnose(failure))
    assert fixed == "b.mutate(shelf=ibis.struct({'floor': b.shelf['floor']})).drop('x')"
    result = eval(fixed, {"b": shelf, "ibis": ibis})  # noqa: S307 - the rules' fix above
    assert result.schema() == ibis.schema({"shelf": "struct<floor: int8>"})
