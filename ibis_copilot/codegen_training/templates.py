"""Programmatic Ibis expressions over a generated schema, each with its description.

Every template picks columns of the right kinds and values from the rows, and writes the
Ibis code, a templated natural-language request, a one-line explanation and, where one
is simple to write, the pandas equivalent. Nothing here is trusted: :mod:`.synthetic`
keeps a draft only once it builds, compiles and runs.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ibis_copilot.codegen_training.schemas import (
    CATEGORY,
    DATE,
    FLOAT,
    INT,
    TEXT,
    TIMESTAMP,
    GeneratedSchema,
)


@dataclass(frozen=True)
class Draft:
    """An unverified example: Ibis code and what it is for."""

    op: str
    code: str
    request: str
    why: str
    pandas: str | None = None


class NotApplicableError(Exception):
    """The schema lacks the columns a template needs."""


def words(name: str) -> str:
    return name.replace("_", " ")


def listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class Picker:
    """Columns and values of one schema, chosen with one random generator."""

    def __init__(self, schema: GeneratedSchema, rng: random.Random) -> None:
        self.schema, self.rng = schema, rng
        self.t = schema.fact.name
        self.d = schema.dimension.name
        self.key, self.fk = schema.domain.key, schema.domain.foreign_key

    def column(self, *kinds: str, table: str | None = None, avoid: tuple[str, ...] = ()) -> str:
        target = self.schema.tables[table or self.t]
        names = [n for n in target.of_kind(*kinds) if n not in avoid]
        if not names:
            raise NotApplicableError(kinds)
        return self.rng.choice(names)

    def number(self, avoid: tuple[str, ...] = ()) -> str:
        return self.column(INT, FLOAT, avoid=(self.key, self.fk, *avoid))

    def values(self, name: str, table: str | None = None) -> list[Any]:
        target = self.schema.tables[table or self.t]
        index = list(target.columns).index(name)
        return [row[index] for row in target.rows if row[index] is not None]

    def threshold(self, name: str) -> str:
        """A round value inside the column's range, as Python source."""
        values = sorted(self.values(name))
        value = values[int(len(values) * self.rng.uniform(0.25, 0.75))]
        if isinstance(value, int):
            return str(value)
        return str(round(value)) if value > 20 else f"{value:.1f}"

    def category(self, name: str) -> str:
        return str(self.rng.choice(sorted(set(self.values(name)))))

    def day(self, name: str) -> date:
        value = self.rng.choice(self.values(name))
        moment: date = value.date() if isinstance(value, datetime) else value
        return moment

    def some(self, k: int, avoid: tuple[str, ...] = ()) -> list[str]:
        names = [n for n in self.schema.fact.columns if n not in avoid]
        return sorted(self.rng.sample(names, min(k, len(names))), key=names.index)

    def words(self, name: str) -> str:
        """How a user names a column: the domain's words for it, whatever the schema
        calls it."""
        for table in self.schema.tables.values():
            column = table.columns.get(name)
            if column is not None and column.said:
                return column.said
        return words(name)

    def pick(self, *options: str) -> str:
        return self.rng.choice(options)


def month_of(day: date) -> tuple[date, date]:
    """The first day of ``day``'s month and of the month after."""
    return date(day.year, day.month, 1), date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def quoted(names: list[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


AGGREGATES = {"sum": "total", "mean": "average", "max": "largest", "min": "smallest"}


def filter_compare(p: Picker) -> Draft:
    col = p.number()
    value, op = p.threshold(col), p.pick(">", "<", ">=")
    shown = [*p.some(2, avoid=(col,)), col]
    phrase = {">": "above", "<": "below", ">=": "at least"}[op]
    request = p.pick(
        f"Which {p.t} have a {p.words(col)} {phrase} {value}? Show {listing(shown)}.",
        f"List the {p.t} whose {p.words(col)} is {phrase} {value}, with {listing(shown)}.",
        f"Filter {p.t} to rows with {p.words(col)} {phrase} {value} and keep {listing(shown)}.",
    )
    code = f"{p.t}.filter({p.t}.{col} {op} {value}).select({quoted(shown)})"
    pandas = f'{p.t}[{p.t}["{col}"] {op} {value}][[{quoted(shown)}]]'
    return Draft(
        "filter", code, request, "`filter` keeps matching rows; `select` picks columns.", pandas
    )


def filter_category(p: Picker) -> Draft:
    cat, num = p.column(CATEGORY), p.number()
    label, value = p.category(cat), p.threshold(num)
    request = p.pick(
        f"Show the {p.t} with {p.words(cat)} {label!r} and {p.words(num)} over {value}.",
        f"Find {p.t} where {p.words(cat)} is {label} and {p.words(num)} > {value}.",
    )
    code = p.pick(
        f'{p.t}.filter(({p.t}.{cat} == "{label}") & ({p.t}.{num} > {value}))',
        f'{p.t}.filter({p.t}.{cat} == "{label}", {p.t}.{num} > {value})',
        f'{p.t}.filter((_.{cat} == "{label}") & (_.{num} > {value}))',
    )
    pandas = f'{p.t}[({p.t}["{cat}"] == "{label}") & ({p.t}["{num}"] > {value})]'
    return Draft(
        "filter", code, request, "Conditions combine with `&` (or as several arguments).", pandas
    )


def filter_isin(p: Picker) -> Draft:
    cat = p.column(CATEGORY)
    labels = sorted(set(p.values(cat)))
    chosen = p.rng.sample(labels, min(2, len(labels)))
    negate = p.rng.random() < 0.3
    options = ", ".join(f'"{label}"' for label in chosen)
    test = f"{p.t}.{cat}.isin([{options}])"
    code = f"{p.t}.filter({'~' if negate else ''}{test})"
    request = (
        f"Which {p.t} have a {p.words(cat)} other than {listing(chosen)}?"
        if negate
        else f"Keep the {p.t} whose {p.words(cat)} is {' or '.join(chosen)}."
    )
    pandas = f'{p.t}[{"~" if negate else ""}{p.t}["{cat}"].isin([{options}])]'
    return Draft("filter", code, request, "`isin` tests membership; `~` negates it.", pandas)


def filter_null(p: Picker) -> Draft:
    nullable = [n for n, c in p.schema.fact.columns.items() if c.nullable]
    if not nullable:
        raise NotApplicableError("nullable")
    col = p.rng.choice(nullable)
    missing = p.rng.random() < 0.5
    method, pandas_method = ("isnull", "isna") if missing else ("notnull", "notna")
    request = (
        f"Which {p.t} have no {p.words(col)} recorded?"
        if missing
        else f"Drop the {p.t} where {p.words(col)} is missing."
    )
    code = p.pick(f"{p.t}.filter({p.t}.{col}.{method}())", f"{p.t}.filter(_.{col}.{method}())")
    if not missing and p.rng.random() < 0.4:
        code = f'{p.t}.drop_null("{col}")'
    pandas = f'{p.t}[{p.t}["{col}"].{pandas_method}()]'
    return Draft(
        "nulls", code, request, "Missing values are tested with `isnull`/`notnull`.", pandas
    )


def group_aggregate(p: Picker) -> Draft:
    cat, num = p.column(CATEGORY), p.number()
    fn = p.pick(*AGGREGATES)
    name = f"{AGGREGATES[fn]}_{num}" if fn != "mean" else f"avg_{num}"
    ordered = p.rng.random() < 0.5
    value = p.pick(f"{p.t}.{num}.{fn}()", f"_.{num}.{fn}()")
    code = f'{p.t}.group_by("{cat}").agg({name}={value})'
    request = p.pick(
        f"What is the {AGGREGATES[fn]} {p.words(num)} per {p.words(cat)}?",
        f"For each {p.words(cat)}, compute the {AGGREGATES[fn]} {p.words(num)} of the {p.t}.",
    )
    pandas = f'{p.t}.groupby("{cat}", as_index=False).agg({name}=("{num}", "{fn}"))'
    if ordered:
        code = f'{code}.order_by(ibis.desc("{name}"))'
        request += " Sort from highest to lowest."
        pandas += f'.sort_values("{name}", ascending=False)'
    return Draft(
        "group_by", code, request, "`group_by` then `agg` computes one row per group.", pandas
    )


def group_count(p: Picker) -> Draft:
    cat = p.column(CATEGORY)
    having = p.rng.random() < 0.4
    count = p.pick(f"{p.t}.count()", "_.count()")
    code = f'{p.t}.group_by("{cat}").agg(n={count})'
    request = f"How many {p.t} are there for each {p.words(cat)}?"
    pandas: str | None = (
        f'{p.t}.groupby("{cat}", as_index=False).size().rename(columns={{"size": "n"}})'
    )
    if having:
        code = f"{code}.filter(_.n >= 5)"
        request = f"Which {p.words(cat)} values have at least 5 {p.t}? Give the count."
        pandas = None
    return Draft(
        "group_by", code, request, "`count()` inside `agg` counts the rows of each group.", pandas
    )


def group_multi(p: Picker) -> Draft:
    cat, num = p.column(CATEGORY), p.number()
    code = (
        f'{p.t}.group_by("{cat}").agg(\n'
        f"    n=_.count(),\n"
        f"    total_{num}=_.{num}.sum(),\n"
        f"    avg_{num}=_.{num}.mean(),\n"
        ")"
    )
    request = f"Per {p.words(cat)}: the number of {p.t}, the total and the average {p.words(num)}."
    return Draft("group_by", code, request, "One `agg` call can compute several measures.")


def value_counts(p: Picker) -> Draft:
    cat = p.column(CATEGORY)
    code = p.pick(f"{p.t}.{cat}.value_counts()", f'{p.t}["{cat}"].value_counts()')
    request = f"Count the {p.t} by {p.words(cat)}."
    pandas = f'{p.t}["{cat}"].value_counts()'
    return Draft("group_by", code, request, "`value_counts` counts each distinct value.", pandas)


def top_k(p: Picker) -> Draft:
    num, k = p.number(), p.rng.choice([3, 5, 10])
    desc = p.rng.random() < 0.75
    order = p.pick(f'ibis.desc("{num}")', f"{p.t}.{num}.desc()") if desc else f'"{num}"'
    code = f"{p.t}.order_by({order}).limit({k})"
    word = "largest" if desc else "smallest"
    request = p.pick(
        f"The {k} {p.t} with the {word} {p.words(num)}.",
        f"Show the top {k} {p.t} by {p.words(num)}"
        + (" (highest first)." if desc else " (lowest first)."),
    )
    pandas = f'{p.t}.{"nlargest" if desc else "nsmallest"}({k}, "{num}")'
    return Draft(
        "topk",
        code,
        request,
        "`order_by` with `ibis.desc` then `limit` keeps the top rows.",
        pandas,
    )


def top_categories(p: Picker) -> Draft:
    cat = p.column(CATEGORY)
    code = f"{p.t}.{cat}.topk(2)"
    request = f"Which 2 {p.words(cat)} values occur most often among the {p.t}?"
    return Draft("topk", code, request, "`topk` counts values and keeps the most frequent.")


def distinct(p: Picker) -> Draft:
    cat = p.column(CATEGORY)
    if p.rng.random() < 0.5:
        code = f"{p.t}.{cat}.nunique()"
        request = f"How many different {p.words(cat)} values do the {p.t} have?"
        pandas = f'{p.t}["{cat}"].nunique()'
    else:
        code = f'{p.t}.select("{cat}").distinct()'
        request = f"List the distinct {p.words(cat)} values of {p.t}."
        pandas = f'{p.t}[["{cat}"]].drop_duplicates()'
    return Draft("distinct", code, request, "`distinct`/`nunique` remove duplicates.", pandas)


def join(p: Picker) -> Draft:
    label = p.column(TEXT, CATEGORY, INT, FLOAT, DATE, table=p.d, avoid=(p.fk,))
    shown = p.some(2, avoid=(p.fk,))
    how = p.pick("join", "join", "left_join")
    predicate = p.pick(f'"{p.fk}"', f"{p.t}.{p.fk} == {p.d}.{p.fk}")
    code = f"{p.t}.{how}({p.d}, {predicate}).select({quoted([*shown, label])})"
    request = (
        f"List every one of the {p.t} with its {p.words(label)} when its "
        f"{p.words(p.fk)} is in {p.d}."
        if how == "join"
        else f"Every one of the {p.t} with its {p.words(label)} from {p.d} (or missing)."
    ) + f" Show {listing([*shown, label])}."
    pandas_how = "inner" if how == "join" else "left"
    pandas = f'{p.t}.merge({p.d}, on="{p.fk}", how="{pandas_how}")[[{quoted([*shown, label])}]]'
    return Draft("join", code, request, f"`{how}` matches rows on {p.fk}.", pandas)


def join_aggregate(p: Picker) -> Draft:
    group = p.column(CATEGORY, TEXT, table=p.d, avoid=(p.fk,))
    num = p.number()
    code = (
        f'joined = {p.t}.join({p.d}, "{p.fk}")\n'
        f'joined.group_by("{group}").agg(total_{num}=joined.{num}.sum())'
    )
    request = f"Total {p.words(num)} of the {p.t} per {p.words(group)} of their {p.d}."
    return Draft("join", code, request, "Join first, then group by a column of the joined table.")


def anti_join(p: Picker) -> Draft:
    semi = p.rng.random() < 0.5
    how = "semi_join" if semi else "anti_join"
    code = f'{p.t}.{how}({p.d}, "{p.fk}")'
    request = (
        f"Which {p.t} have a {p.words(p.fk)} that exists in {p.d}?"
        if semi
        else f"Which {p.t} have a {p.words(p.fk)} with no match in {p.d}?"
    )
    return Draft("join", code, request, f"`{how}` keeps rows by whether a match exists.")


def window_rank(p: Picker) -> Draft:
    cat, num = p.column(CATEGORY), p.number()
    rank = f'ibis.row_number().over(group_by="{cat}", order_by=ibis.desc("{num}"))'
    if p.rng.random() < 0.5:
        code = f"{p.t}.mutate(rank={rank})"
        request = f"Rank the {p.t} by {p.words(num)} within each {p.words(cat)} (0 is the largest)."
    else:
        code = f"{p.t}.filter({rank} == 0)"
        request = f"For each {p.words(cat)}, the one row of {p.t} with the largest {p.words(num)}."
    return Draft(
        "window", code, request, "`row_number().over(...)` numbers rows in each group from 0."
    )


def window_share(p: Picker) -> Draft:
    cat, num = p.column(CATEGORY), p.number()
    code = p.pick(
        f'{p.t}.mutate(share={p.t}.{num} / {p.t}.{num}.sum().over(group_by="{cat}"))',
        f'{p.t}.mutate(group_avg=_.{num}.mean().over(group_by="{cat}"))',
    )
    request = (
        f"Add each row's share of the total {p.words(num)} of its {p.words(cat)}."
        if "share" in code
        else f"Add the average {p.words(num)} of each row's {p.words(cat)} as a column."
    )
    return Draft("window", code, request, "An aggregate `.over(group_by=...)` is a window.")


def window_running(p: Picker) -> Draft:
    num, when = p.number(), p.column(DATE, TIMESTAMP)
    if p.rng.random() < 0.5:
        code = f'{p.t}.mutate(running_{num}={p.t}.{num}.cumsum(order_by="{when}"))'
        request = f"A running total of {p.words(num)} over {p.words(when)}."
    else:
        code = f'{p.t}.mutate(previous_{num}={p.t}.{num}.lag().over(order_by="{when}"))'
        request = f"Next to each row, the {p.words(num)} of the previous row by {p.words(when)}."
    return Draft("window", code, request, "Cumulative and lag windows need an order.")


def date_year(p: Picker) -> Draft:
    when = p.column(DATE)
    year = p.day(when).year
    code = p.pick(
        f"{p.t}.filter({p.t}.{when}.year() == {year})",
        f"{p.t}.filter(_.{when}.year() == {year})",
    )
    request = f"The {p.t} whose {p.words(when)} falls in {year}."
    pandas = f'{p.t}[pd.to_datetime({p.t}["{when}"]).dt.year == {year}]'
    return Draft("dates", code, request, "`.year()` extracts the year of a date.", pandas)


def date_range(p: Picker) -> Draft:
    when = p.column(DATE)
    day = p.day(when)
    start, end = month_of(day)
    code = (
        f"{p.t}.filter(\n"
        f'    ({p.t}.{when} >= ibis.date("{start}")) & ({p.t}.{when} < ibis.date("{end}"))\n'
        ")"
    )
    request = f"The {p.t} with a {p.words(when)} in {start:%B %Y}."
    return Draft("dates", code, request, "Compare dates with `ibis.date` literals.")


def date_interval(p: Picker) -> Draft:
    when = p.column(DATE)
    day, days = p.day(when), p.rng.choice([7, 30, 90])
    code = f'{p.t}.filter({p.t}.{when} >= ibis.date("{day}") - ibis.interval(days={days}))'
    request = f"The {p.t} from the {days} days up to {day} or later, by {p.words(when)}."
    return Draft("dates", code, request, "`ibis.interval` shifts a date.")


def date_group(p: Picker) -> Draft:
    when = p.column(DATE, TIMESTAMP)
    part = p.pick("month", "year", "truncate")
    key = f'{p.t}.{when}.truncate("M")' if part == "truncate" else f"{p.t}.{when}.{part}()"
    name = "month" if part != "year" else "year"
    code = f'{p.t}.group_by({name}={key}).agg(n=_.count()).order_by("{name}")'
    request = f"How many {p.t} per {name} of {p.words(when)}, in order?"
    return Draft("dates", code, request, "Group by an expression of the date, named in `group_by`.")


def date_parts(p: Picker) -> Draft:
    ts = p.column(TIMESTAMP, DATE)
    kind = p.schema.fact.columns[ts].kind
    if kind == TIMESTAMP and p.rng.random() < 0.5:
        code = f"{p.t}.mutate(hour={p.t}.{ts}.hour(), day={p.t}.{ts}.date())"
        request = f"Add the hour and the calendar day of {p.words(ts)}."
    else:
        column = f"{p.t}.{ts}"
        code = (
            f'{p.t}.mutate(month={column}.strftime("%Y-%m"), weekday={column}.day_of_week.index())'
        )
        request = f"Add the year-month as text and the weekday number of {p.words(ts)}."
    return Draft("dates", code, request, "Temporal columns have methods for their parts.")


def date_delta(p: Picker) -> Draft:
    dates = p.schema.fact.of_kind(DATE)
    if len(dates) < 2:
        raise NotApplicableError("two dates")
    later, earlier = (
        sorted(dates, key=lambda n: "deliver" not in n)[:2]
        if any("deliver" in n for n in dates)
        else dates[:2]
    )
    code = f'{p.t}.mutate(days={p.t}.{later}.delta({p.t}.{earlier}, unit="day"))'
    request = f"Add the number of days from {p.words(earlier)} to {p.words(later)}."
    return Draft("dates", code, request, "`delta` counts the units between two dates.")


def strings(p: Picker) -> Draft:
    col = p.column(TEXT, CATEGORY)
    sample = p.category(col)
    choice = p.rng.randrange(5)
    if choice == 0:
        code = f"{p.t}.mutate(upper_{col}={p.t}.{col}.upper())"
        request = f"Add {p.words(col)} in upper case."
    elif choice == 1:
        piece = sample[:3].lower()
        code = f'{p.t}.filter({p.t}.{col}.lower().contains("{piece}"))'
        request = f"The {p.t} whose {p.words(col)} contains {piece!r}, ignoring case."
    elif choice == 2:
        code = f'{p.t}.filter({p.t}.{col}.startswith("{sample[0]}"))'
        request = f"The {p.t} whose {p.words(col)} starts with {sample[0]!r}."
    elif choice == 3:
        code = f"{p.t}.mutate({col}_length={p.t}.{col}.length())"
        request = f"Add the length of {p.words(col)} in characters."
    else:
        code = f"{p.t}.mutate(short_{col}={p.t}.{col}.substr(0, 3))"
        request = f"Add the first three characters of {p.words(col)}."
    return Draft("strings", code, request, "String columns have methods like `upper`, `contains`.")


def fill_nulls(p: Picker) -> Draft:
    nullable = [
        n for n, c in p.schema.fact.columns.items() if c.nullable and c.kind in (INT, FLOAT)
    ]
    if not nullable:
        raise NotApplicableError("nullable number")
    col = p.rng.choice(nullable)
    code = p.pick(
        f"{p.t}.mutate({col}={p.t}.{col}.fill_null(0))",
        f"{p.t}.mutate({col}=ibis.coalesce({p.t}.{col}, 0))",
    )
    request = f"Replace missing {p.words(col)} with 0."
    pandas = f'{p.t}.assign({col}={p.t}["{col}"].fillna(0))'
    return Draft("nulls", code, request, "`fill_null` (or `ibis.coalesce`) replaces NULLs.", pandas)


def count_nulls(p: Picker) -> Draft:
    nullable = [n for n, c in p.schema.fact.columns.items() if c.nullable]
    if not nullable:
        raise NotApplicableError("nullable")
    col = p.rng.choice(nullable)
    code = f"{p.t}.{col}.isnull().sum()"
    request = f"How many {p.t} have no {p.words(col)}?"
    pandas = f'{p.t}["{col}"].isna().sum()'
    return Draft("nulls", code, request, "Summing a boolean column counts the true values.", pandas)


def case_when(p: Picker) -> Draft:
    num = p.number()
    value = p.threshold(num)
    if p.rng.random() < 0.5:
        code = f'{p.t}.mutate(size=({p.t}.{num} > {value}).ifelse("high", "low"))'
    else:
        code = (
            f'{p.t}.mutate(\n    size=ibis.cases(({p.t}.{num} > {value}, "high"), else_="low")\n)'
        )
    request = f"Label each row 'high' when {p.words(num)} is over {value}, else 'low'."
    return Draft("case", code, request, "`ifelse` and `ibis.cases` write CASE WHEN.")


def set_operation(p: Picker) -> Draft:
    cat = p.column(CATEGORY)
    labels = sorted(set(p.values(cat)))
    first, second = p.rng.sample(labels, 2) if len(labels) > 1 else (labels[0], labels[0])
    op = p.pick("union", "intersect", "difference")
    cols = quoted([p.key, cat])
    left = f'{p.t}.filter({p.t}.{cat} == "{first}").select({cols})'
    right = (
        f'{p.t}.filter({p.t}.{cat} != "{second}").select({cols})'
        if op != "union"
        else f'{p.t}.filter({p.t}.{cat} == "{second}").select({cols})'
    )
    code = f"first = {left}\nsecond = {right}\n" + p.pick(
        f"first.{op}(second)", f"ibis.{op}(first, second)"
    )
    request = f"The {op} of two selections of {p.t}: {p.words(cat)} {first!r}, and " + (
        f"{p.words(cat)} {second!r}." if op == "union" else f"{p.words(cat)} not {second!r}."
    )
    return Draft("set_ops", code, request, f"`{op}` combines tables with the same columns.")


def selectors(p: Picker) -> Draft:
    choice = p.rng.randrange(4)
    if choice == 0:
        code = f"{p.t}.select(s.numeric())"
        request = f"Keep only the numeric columns of {p.t}."
    elif choice == 1:
        code = f'{p.t}.select(s.of_type("string"))'
        request = f"Keep only the text columns of {p.t}."
    elif choice == 2:
        code = f"{p.t}.agg(s.across(s.numeric(), _.mean()))"
        request = f"The mean of every numeric column of {p.t}."
    else:
        prefix = p.fk.split("_")[0][:3]
        code = f'{p.t}.select(s.startswith("{prefix}"))'
        request = f"The columns of {p.t} whose name starts with {prefix!r}."
    return Draft(
        "selectors", code, request, "Selectors (`ibis.selectors as s`) pick columns by rule."
    )


def scalar(p: Picker) -> Draft:
    num = p.number()
    fn = p.pick(*AGGREGATES)
    if p.rng.random() < 0.5:
        code = f"{p.t}.{num}.{fn}()"
        request = f"What is the {AGGREGATES[fn]} {p.words(num)} over all {p.t}?"
        pandas = f'{p.t}["{num}"].{fn}()'
    else:
        code = f"{p.t}.agg(n={p.t}.count(), {fn}_{num}={p.t}.{num}.{fn}())"
        request = f"The number of {p.t} and their {AGGREGATES[fn]} {p.words(num)}, in one row."
        pandas = None
    return Draft("aggregate", code, request, "Reductions on a column give one value.", pandas)


def mutate_rename(p: Picker) -> Draft:
    numbers = [n for n in p.schema.fact.of_kind(INT, FLOAT) if n not in (p.key, p.fk)]
    if len(numbers) >= 2 and p.rng.random() < 0.6:
        a, b = p.rng.sample(numbers, 2)
        code = f"{p.t}.mutate(ratio={p.t}.{a} / {p.t}.{b})"
        request = f"Add the ratio of {p.words(a)} to {p.words(b)}."
        pandas = f'{p.t}.assign(ratio={p.t}["{a}"] / {p.t}["{b}"])'
        return Draft("mutate", code, request, "`mutate` adds computed columns.", pandas)
    col = p.column(CATEGORY, TEXT)
    code = p.pick(f'{p.t}.rename(label="{col}")', f'{p.t}.drop("{col}")')
    request = (
        f"Rename the column {col} to label." if "rename" in code else f"Drop the {col} column."
    )
    return Draft("mutate", code, request, '`rename(new="old")` and `drop` reshape columns.')


def pipeline(p: Picker) -> Draft:
    when, cat, num = p.column(DATE), p.column(CATEGORY), p.number()
    year = p.day(when).year
    code = (
        f"recent = {p.t}.filter({p.t}.{when}.year() >= {year})\n"
        f'recent.group_by("{cat}").agg(avg_{num}=recent.{num}.mean()).order_by("{cat}")'
    )
    request = (
        f"Since {year} (by {p.words(when)}), the average {p.words(num)} per {p.words(cat)}, "
        f"sorted by {p.words(cat)}."
    )
    return Draft("pipeline", code, request, "Name an intermediate table, then keep going.")


TEMPLATES: tuple[Callable[[Picker], Draft], ...] = (
    filter_compare, filter_category, filter_isin, filter_null, group_aggregate, group_count,
    group_multi, value_counts, top_k, top_categories, distinct, join, join_aggregate,
    anti_join, window_rank, window_share, window_running, date_year, date_range,
    date_interval, date_group, date_parts, date_delta, strings, fill_nulls, count_nulls,
    case_when, set_operation, selectors, scalar, mutate_rename, pipeline,
)  # fmt: skip
