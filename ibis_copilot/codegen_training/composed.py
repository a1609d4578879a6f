"""Requests composed from parts, each part worded one of several ways.

The single-purpose templates teach one operation each, in one or two fixed sentences; a
model trained on them alone learns the sentences, not the reading. Here a request is one
to three conditions on a table (numbers, categories, sets, years, months, date ranges,
missing values) followed by what to show (columns, a count, the top rows, or measures
per group), and every part has several wordings, so the same code is asked for in many
ways and the same wording leads to different code.

Every condition holds for one row chosen first (the anchor), so the filtered table is
never empty; :mod:`.synthetic` still verifies the result like any other draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ibis_copilot.codegen_training.schemas import CATEGORY, DATE, FLOAT, INT, TIMESTAMP
from ibis_copilot.codegen_training.templates import (
    AGGREGATES,
    Draft,
    NotApplicableError,
    Picker,
    listing,
    month_of,
    quoted,
)

COMPARISONS = {
    ">": ("above", "over", "greater than", "more than"),
    "<": ("below", "under", "less than"),
    ">=": ("at least", "no less than"),
    "<=": ("at most", "no more than"),
}

#: A term whose top level is a comparison is parenthesized when combined with ``&``.
COMPARISON = re.compile(r" (==|!=|>=|<=|>|<) ")


@dataclass(frozen=True)
class Condition:
    """Ibis terms that all hold for the anchor row, and ways to say them after the
    table's name ("trips *with a fare above 30*")."""

    column: str
    terms: tuple[str, ...]
    phrases: tuple[str, ...]


class Composer:
    """Builds conditions and endings for one draft from a picker and an anchor row."""

    def __init__(self, p: Picker) -> None:
        self.p = p
        self.fact = p.schema.fact
        self.row = dict(zip(self.fact.columns, p.rng.choice(self.fact.rows), strict=True))

    def said(self, column: str) -> str:
        """A column as a user names it: in words mostly, sometimes as written."""
        return column if self.p.rng.random() < 0.3 else self.p.words(column)

    def anchored(self, *kinds: str, avoid: set[str]) -> str:
        names = [
            name
            for name in self.fact.of_kind(*kinds)
            if name not in avoid and self.row[name] is not None and name != self.p.key
        ]
        if not names:
            raise NotApplicableError(kinds)
        return self.p.rng.choice(names)

    def compare(self, avoid: set[str]) -> Condition:
        col = self.anchored(INT, FLOAT, avoid=avoid | {self.p.fk})
        value: float = self.row[col]
        op = self.p.pick(*COMPARISONS)
        shift = abs(value) * self.p.rng.uniform(0.05, 0.4)
        bound = value - shift if op in (">", ">=") else value + shift
        shown = str(round(bound)) if abs(bound) > 20 else f"{bound:.1f}"
        if (op == ">" and float(shown) >= value) or (op == "<" and float(shown) <= value):
            shown = str(int(value) - 1) if op == ">" else str(int(value) + 1)
        w = self.said(col)
        forms = ("with a {w} {cmp} {v}", "whose {w} is {cmp} {v}")
        phrases = [f.format(w=w, cmp=word, v=shown) for word in COMPARISONS[op] for f in forms]
        phrases.append(f"where {w} {op} {shown}")
        return Condition(col, (f"{self.p.t}.{col} {op} {shown}",), tuple(phrases))

    def others(self, col: str, value: str) -> list[str]:
        """The column's other values than ``value``, in order."""
        return sorted({str(v) for v in self.p.values(col)} - {value})

    def equals(self, avoid: set[str]) -> Condition:
        col = self.anchored(CATEGORY, avoid=avoid)
        value, w = str(self.row[col]), self.said(col)
        if self.p.rng.random() < 0.25:
            others = self.others(col, value)
            if others:
                other = self.p.rng.choice(others)
                return Condition(
                    col,
                    (f'{self.p.t}.{col} != "{other}"',),
                    (f"whose {w} is not {other}", f"with a {w} other than {other}"),
                )
        return Condition(
            col,
            (f'{self.p.t}.{col} == "{value}"',),
            (f"with {w} {value}", f"whose {w} is {value}", f'where {w} is "{value}"'),
        )

    def member(self, avoid: set[str]) -> Condition:
        col = self.anchored(CATEGORY, avoid=avoid)
        value = str(self.row[col])
        others = self.others(col, value)
        if not others:
            raise NotApplicableError("one value only")
        chosen = sorted([value, self.p.rng.choice(others)])
        w = self.said(col)
        return Condition(
            col,
            (f"{self.p.t}.{col}.isin([{quoted(chosen)}])",),
            (
                f"with {w} {' or '.join(chosen)}",
                f"whose {w} is one of {listing(chosen)}",
                f"where {w} is {chosen[0]} or {chosen[1]}",
            ),
        )

    def dated(self, avoid: set[str]) -> Condition:
        col = self.anchored(DATE, TIMESTAMP, avoid=avoid)
        moment: Any = self.row[col]
        day: date = moment.date() if isinstance(moment, datetime) else moment
        w, t = self.said(col), self.p.t
        timestamp = self.fact.columns[col].kind == TIMESTAMP
        form = self.p.pick("year", "month", *(() if timestamp else ("between",)))
        if form == "year":
            y = day.year
            return Condition(
                col,
                (f"{t}.{col}.year() == {y}",),
                (f"with a {w} in {y}", f"whose {w} falls in {y}", f"with {w} during {y}"),
            )
        if form == "month":
            start, end = month_of(day)
            return Condition(
                col,
                (f'{t}.{col} >= ibis.date("{start}")', f'{t}.{col} < ibis.date("{end}")'),
                (
                    f"with a {w} in {start:%B %Y}",
                    f"with {w} during {start:%B %Y}",
                    f"whose {w} is in {start:%Y-%m}",
                ),
            )
        first = date(day.year, day.month, max(1, day.day - self.p.rng.randrange(10)))
        last = date(day.year, day.month, min(28, day.day + self.p.rng.randrange(10)))
        last = max(last, day)
        return Condition(
            col,
            (f'{t}.{col}.between(ibis.date("{first}"), ibis.date("{last}"))',),
            (
                f"with a {w} from {first} to {last}",
                f"whose {w} is between {first:%d %B %Y} and {last:%d %B %Y}, both included",
            ),
        )

    def missing(self, avoid: set[str]) -> Condition:
        nullable = [n for n, c in self.fact.columns.items() if c.nullable and n not in avoid]
        if not nullable:
            raise NotApplicableError("nullable")
        col = self.p.rng.choice(nullable)
        w = self.said(col)
        if self.row[col] is None:
            return Condition(
                col,
                (f"{self.p.t}.{col}.isnull()",),
                (f"with no {w}", f"missing a {w}", f"where {w} is null", f"without any {w}"),
            )
        return Condition(
            col,
            (f"{self.p.t}.{col}.notnull()",),
            (f"with a {w}", f"where {w} is known", f"whose {w} is not missing"),
        )

    def conditions(self) -> list[Condition]:
        wanted = self.p.rng.choices((1, 2, 3), weights=(45, 40, 15))[0]
        makers = [self.compare, self.equals, self.member, self.dated, self.missing]
        found: list[Condition] = []
        for _ in range(wanted * 3):
            if len(found) == wanted:
                break
            try:
                found.append(self.p.rng.choice(makers)({c.column for c in found}))
            except NotApplicableError:
                continue
        if not found:
            raise NotApplicableError("no condition fits")
        return found


def filter_code(t: str, conditions: list[Condition], rng: Any) -> str:
    """``t.filter(...)``: one term inline; several as ``&`` of parenthesized terms on
    their own lines, or as separate arguments."""
    terms = [term for condition in conditions for term in condition.terms]
    if len(terms) == 1:
        return f"{t}.filter({terms[0]})"
    if len(terms) == 2 and rng.random() < 0.3:
        return f"{t}.filter({', '.join(terms)})"
    wrapped = [f"({term})" if COMPARISON.search(term) else term for term in terms]
    body = "\n    & ".join(wrapped)
    return f"{t}.filter(\n    {body}\n)"


def said_conditions(conditions: list[Condition], rng: Any) -> str:
    phrases = [rng.choice(condition.phrases) for condition in conditions]
    return listing(phrases) if rng.random() < 0.7 else ", ".join(phrases)


def composed_query(p: Picker) -> Draft:
    """Conditions on the fact table, then columns, a count, the top rows or measures."""
    composer = Composer(p)
    conditions = composer.conditions()
    t, rng = p.t, p.rng
    filtered = filter_code(t, conditions, rng)
    where = said_conditions(conditions, rng)
    ending = p.pick("rows", "rows", "count", "top", "group")
    used = [c.column for c in conditions]
    if ending == "rows":
        shown = p.some(rng.choice((2, 3)))
        cols = listing([composer.said(c) for c in shown])
        code = f"{filtered}.select({quoted(shown)})"
        request = p.pick(
            f"Which {t} {where}? Show {cols}.",
            f"Show the {t} {where}: {cols}.",
            f"List {cols} of the {t} {where}.",
            f"Give me {cols} for {t} {where}.",
            f"Find {t} {where} and return {cols}.",
            f"{t.capitalize()} {where}, with {cols}.",
        )
        why = "`filter` keeps the rows meeting every condition; `select` picks columns."
        return Draft("filter", code, request, why)
    if ending == "count":
        code = f"{filtered}.count()"
        request = p.pick(
            f"How many {t} are there {where}?",
            f"How many {t} {where}?",
            f"Count the {t} {where}.",
            f"Number of {t} {where}.",
        )
        why = "`count()` of the filtered table is its number of rows."
        return Draft("filter", code, request, why)
    num = p.number(avoid=tuple(used))
    if ending == "top":
        k, highest = rng.choice((1, 3, 5)), rng.random() < 0.7
        order = f'ibis.desc("{num}")' if highest else f'"{num}"'
        word = p.pick("highest", "largest") if highest else p.pick("lowest", "smallest")
        code = f"{filtered}.order_by({order}).limit({k})"
        n = composer.said(num)
        request = p.pick(
            f"The {k} {t} {where} with the {word} {n}.",
            f"Among the {t} {where}, which {k} have the {word} {n}?",
            f"Top {k} {t} by {n} ({word} first), only those {where}.",
        )
        return Draft("topk", code, request, "Filter first, then `order_by` and `limit`.")
    cat = p.column(CATEGORY, avoid=tuple(used))
    name = "kept" if rng.random() < 0.5 else "selected"
    fn = p.pick("sum", "mean", "max")
    measure = {"sum": "total", "mean": "avg", "max": "max"}[fn] + f"_{num}"
    said_fn = AGGREGATES[fn]
    code = (
        f"{name} = {filtered}\n"
        f'{name}.group_by("{cat}").agg(n={name}.count(), {measure}={name}.{num}.{fn}())'
    )
    c, n = composer.said(cat), composer.said(num)
    request = p.pick(
        f"For the {t} {where}: per {c}, how many are there and what is their {said_fn} {n}?",
        f"Per {c}, the number of {t} {where} and their {said_fn} {n}.",
        f"Group the {t} {where} by {c}; give the count and the {said_fn} {n}.",
    )
    why = "Name the filtered table, then group it and aggregate."
    return Draft("group_by", code, request, why)
