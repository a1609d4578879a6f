"""The tools' inputs and outputs as typed dictionaries: the SDK turns them into the JSON
schemas ``tools/list`` announces, and checks every answer against them.

``typing_extensions.TypedDict``: pydantic reads the standard library's only from 3.12.
"""

from __future__ import annotations

from typing import Literal, NotRequired

from typing_extensions import TypedDict


class TableSchema(TypedDict):
    """One table, as the kernel's ``notebook_context()`` describes it."""

    name: NotRequired[str]  # the table's name in the database (default: the variable)
    schema: dict[str, str]  # column -> Ibis type, e.g. {"amount": "float64"}


#: Variable name (as the code uses it) -> table.
Schemas = dict[str, TableSchema]


class SearchHit(TypedDict):
    """One cited result, as ``ibis-copilot search --json`` prints it."""

    rank: int
    score: float
    source: str
    path: str
    title: str
    heading: str
    url: str
    text: str
    similarity: float | None


class SearchOutput(TypedDict):
    results: list[SearchHit]


class ApiOutput(TypedDict):
    """An object of the installed Ibis, or the names nearest to the one asked for."""

    found: bool
    name: str  # as asked
    path: str | None  # where it lives, e.g. ibis.expr.types.relations.Table.join
    signature: str | None
    docstring: str | None  # summary, parameters, returns (Markdown), without examples
    examples: str | None  # the docstring's example code
    url: str | None  # its page in the Ibis reference
    also: list[str]  # other objects of the same name (``join`` of another class)
    closest: list[str]  # nearest existing names when not found
    ibis_version: str


class DialectRow(TypedDict):
    dialect: str
    ok: bool
    sql: str | None
    error: str | None


class SqlOutput(TypedDict):
    """The SQL for one dialect, or (``dialect: "all"``) the portability table."""

    dialect: str
    sql: str | None
    portability: list[DialectRow] | None


class UnknownNameOutput(TypedDict):
    name: str
    kind: str
    closest: list[str]


class BlockOutput(TypedDict):
    """The verdict on a block of code (ARCHITECTURE.md, *block*)."""

    code: str  # what to use: the repaired code when the rules changed it
    verdict: Literal["checked", "repaired", "not_checked"]
    reason: str
    unknown_names: list[UnknownNameOutput]
    sql: str | None
    original: str | None
    change: str  # the rules' edit as a unified diff


class Finding(TypedDict):
    rule: str
    message: str


class DiagnosisOutput(TypedDict):
    findings: list[Finding]
    fix: BlockOutput | None


class BackendRow(TypedDict):
    backend: str
    supported: bool


class SupportOutput(TypedDict):
    """Whether backends implement an operation (``ibis.expr.operations``)."""

    found: bool
    operation: str  # the operation class, or as asked when not found
    backends: list[BackendRow]
    closest: list[str]  # nearest operation names when not found
