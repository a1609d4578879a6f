"""The real names a completion may write after a ``.``, from the schemas and installed Ibis.

Roots are the table variables, ``ibis`` and ``_``, and variables the code assigns from a
chain that starts at a root (``recent = orders.filter(...)``). After a dot on such a
chain, a name must be a column of one of the tables or a public name of the Ibis
expression types those tables produce; right after ``ibis.``, a public ``ibis`` name; in
a string naming a column, a column of one of the tables.
"""

from __future__ import annotations

import functools
import re

import ibis

from ibis_copilot.expressions.namespace import TableSpecs
from ibis_copilot.models.member_names import BEFORE_CHARS, MemberNames
from ibis_copilot.repair.names import public_names, unbound_tables

#: ``name = other...`` at the start of a line: ``name`` holds what ``other`` starts.
ASSIGNMENT = re.compile(r"^\s*([A-Za-z_]\w*)\s*=\s*\(?\s*([A-Za-z_]\w*)", re.MULTILINE)
ALWAYS_ROOTS = ("ibis", "_")


@functools.cache
def _table_members() -> frozenset[str]:
    table = ibis.table({"k": "string", "v": "int64"}, name="t")
    parts = (table, table.group_by("k"), table.v.sum())
    return frozenset(name for part in parts for name in public_names(part))


@functools.cache
def _column_members(dtype: str) -> frozenset[str]:
    column = ibis.table({"c": dtype}, name="t").c
    return frozenset(public_names(column) + public_names(column.max()))


@functools.cache
def _ibis_functions() -> frozenset[str]:
    return frozenset(public_names(ibis))


def roots_in(code: str, tables: TableSpecs) -> frozenset[str]:
    """The table variables, ``ibis``, ``_`` and what ``code`` assigns from them."""
    roots = set(tables) | set(ALWAYS_ROOTS)
    assignments = ASSIGNMENT.findall(code)
    grew = True
    while grew:
        before = len(roots)
        roots |= {name for name, source in assignments if source in roots}
        grew = len(roots) > before
    return frozenset(roots)


def member_names(code: str, tables: TableSpecs) -> MemberNames:
    """What may follow a dot in a completion that continues ``code`` over ``tables``."""
    members = set(_table_members())
    columns: set[str] = set()
    for table in unbound_tables(tables).values():
        for column, dtype in table.schema().items():
            columns.add(column)
            members |= {column} | _column_members(str(dtype))
    return MemberNames(
        roots=roots_in(code, tables),
        members=frozenset(members),
        modules={"ibis": _ibis_functions()},
        before=code[-BEFORE_CHARS:],
        columns=frozenset(columns),
    )
