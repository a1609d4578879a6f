"""The six tools as plain Python over the project's own code: the knowledge base, the
installed API, the check process and the repair rules. No MCP here (see ``server.py``).

Bad arguments raise :class:`~ibis_copilot.errors.BadRequestError` (or ``TooLargeError``)
with a message for the caller. Code passed in is never run in this process: the syntax
allowlist admits it or refuses it, and only the check process builds and compiles it.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import ibis

from ibis_copilot.assistant.request_parts import dialect_from, table_specs_from
from ibis_copilot.errors import BadRequestError, TooLargeError
from ibis_copilot.expressions.compile import PORTABILITY_DIALECTS
from ibis_copilot.expressions.namespace import TableSpecs
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.mcp_server import backend_support
from ibis_copilot.mcp_server.api_lookup import ApiReference
from ibis_copilot.mcp_server.schemas import (
    ApiOutput,
    BlockOutput,
    DiagnosisOutput,
    DialectRow,
    SearchHit,
    SearchOutput,
    SqlOutput,
    SupportOutput,
)
from ibis_copilot.repair.allowlist import admit
from ibis_copilot.repair.check import DEFAULT_TIMEOUT_S, CheckResult, check_code
from ibis_copilot.repair.names import from_error, unknown_names
from ibis_copilot.repair.verdict import check_block, diagnose_report

ALL_DIALECTS = "all"
MAX_CODE_CHARS = 20_000
MAX_MESSAGE_CHARS = 4_000
MAX_ERROR_TYPE_CHARS = 200
#: Check processes run at once for the portability table.
PARALLEL_CHECKS = max(1, min(4, os.cpu_count() or 1))


class CodeNotCompiledError(BadRequestError):
    """The allowlist refused the code, or the check process could not build it."""


def _code(code: Any) -> str:
    if not isinstance(code, str) or not code.strip():
        raise BadRequestError("'code' is empty; give the Ibis code to work on")
    if len(code) > MAX_CODE_CHARS:
        raise TooLargeError(f"'code' is {len(code)} characters; at most {MAX_CODE_CHARS}")
    return code


def _tables(schemas: Any) -> TableSpecs:
    """The request format of ``tables`` (ARCHITECTURE.md), each type checked to parse."""
    try:
        tables = table_specs_from(schemas)
    except BadRequestError as error:  # the HTTP API calls this field 'tables'
        raise BadRequestError(str(error).replace("'tables'", "'schemas'", 1)) from None
    for variable, table in tables.items():
        for column, dtype in table["schema"].items():
            try:
                ibis.dtype(dtype)
            except Exception:  # noqa: BLE001 - ibis raises several kinds for a bad type
                raise BadRequestError(
                    f"'schemas': {variable}.{column} has type {dtype!r}, which is not an Ibis "
                    "type (e.g. int64, float64, string, date, timestamp, array<string>)"
                ) from None
    return tables


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise BadRequestError(f"'{name}' must be a string")
    if len(value) > limit:
        raise TooLargeError(f"'{name}' is {len(value)} characters; at most {limit}")
    return value


def _not_compiled(code: str, tables: TableSpecs, reason: str) -> CodeNotCompiledError:
    names = unknown_names(code, tables) or from_error(reason, tables)
    hints = "; ".join(
        f"{name.name} is not a {name.kind}"
        + (f" (closest: {', '.join(name.closest)})" if name.closest else "")
        for name in names
    )
    return CodeNotCompiledError(f"not compiled: {reason}" + (f"; {hints}" if hints else ""))


def _row(dialect: str, result: CheckResult) -> DialectRow:
    error = None if result.checked else result.reason.removeprefix("compile: ")
    return {"dialect": dialect, "ok": result.checked, "sql": result.sql, "error": error}


class IbisTools:
    """What the MCP server offers, over one knowledge base and the installed Ibis."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        api: ApiReference | None = None,
        check_timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.knowledge = knowledge
        self.api = api or ApiReference()
        self.check_timeout = check_timeout

    def search_ibis_docs(self, query: str, k: int = 5) -> SearchOutput:
        """Cited results from the Ibis docs and API, ranked as ``ibis-copilot search``."""
        results = self.knowledge.search(query, k)
        return {"results": [cast(SearchHit, result.to_dict()) for result in results]}

    def ibis_api(self, name: str) -> ApiOutput:
        """Signature, docstring and examples of ``name`` in the installed Ibis."""
        return self.api.lookup(name)

    def compile_to_sql(self, code: str, schemas: Any, dialect: str = "duckdb") -> SqlOutput:
        """The SQL the code's expression compiles to, or the portability table (``all``)."""
        code, tables = _code(code), _tables(schemas)
        every = dialect == ALL_DIALECTS
        first = PORTABILITY_DIALECTS[0] if every else dialect_from(dialect)
        refused = admit(code)
        if refused is not None:
            raise CodeNotCompiledError(f"not compiled: {refused}")
        result = self._check(code, tables, first)
        if not result.checked and not (every and result.reason.startswith("compile: ")):
            raise _not_compiled(code, tables, result.reason)
        if not every:
            return {"dialect": first, "sql": result.sql, "portability": None}
        rest = PORTABILITY_DIALECTS[1:]
        with ThreadPoolExecutor(PARALLEL_CHECKS) as pool:
            others = list(pool.map(lambda name: self._check(code, tables, name), rest))
        rows = [_row(first, result)] + [_row(n, r) for n, r in zip(rest, others, strict=True)]
        return {"dialect": ALL_DIALECTS, "sql": None, "portability": rows}

    def check_ibis_code(self, code: str, schemas: Any, dialect: str = "duckdb") -> BlockOutput:
        """The verdict on the code: checked, repaired (with the edit) or not checked."""
        code, tables = _code(code), _tables(schemas)
        verdict = check_block(code, tables, dialect_from(dialect), self.check_timeout)
        return cast(BlockOutput, verdict.to_dict())

    def diagnose_ibis_error(
        self, code: str, error_type: str, message: str, schemas: Any, dialect: str = "duckdb"
    ) -> DiagnosisOutput:
        """The rules' findings for an error known as text, and their fix with its verdict."""
        code, tables = _code(code), _tables(schemas)
        error_type = _text(error_type, "error_type", MAX_ERROR_TYPE_CHARS).strip()
        if not error_type.isidentifier():
            raise BadRequestError("'error_type' must be an exception's name, e.g. AttributeError")
        message = _text(message, "message", MAX_MESSAGE_CHARS)
        findings, fix = diagnose_report(
            code,
            error_type,
            message,
            tables,
            dialect=dialect_from(dialect),
            timeout=self.check_timeout,
        )
        return {
            "findings": [{"rule": f.rule, "message": f.message} for f in findings],
            "fix": cast(BlockOutput, fix.to_dict()) if fix is not None else None,
        }

    def backend_support(self, operation: str, backend: str = "all") -> SupportOutput:
        """Whether ``backend`` (or every backend) implements the operation."""
        return backend_support.support(operation, backend)

    def _check(self, code: str, tables: TableSpecs, dialect: str) -> CheckResult:
        return check_code(code, tables, dialect=dialect, timeout=self.check_timeout)
