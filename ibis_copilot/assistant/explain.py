"""Explain a failing cell: what went wrong, a corrected block, and where it comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ibis_copilot.assistant.prompts import render
from ibis_copilot.assistant.request_parts import dialect_from, imports_from, table_specs_from
from ibis_copilot.assistant.sources import Sources, format_sources
from ibis_copilot.code_blocks import first_code_block
from ibis_copilot.errors import BadRequestError
from ibis_copilot.expressions.namespace import TableSpecs
from ibis_copilot.knowledge.retrieval import SearchResult
from ibis_copilot.models.base import Generator

MAX_TRACEBACK_CHARS = 1500
MAX_CODE_CHARS = 6000


class InvalidExplainError(BadRequestError):
    """The explain request is malformed."""


@dataclass(frozen=True)
class ErrorReport:
    """A failing cell as the kernel saw it."""

    code: str
    error_type: str
    message: str
    traceback: str = ""
    schemas: str = ""
    tables: TableSpecs = field(default_factory=dict)
    dialect: str = "duckdb"
    imports: list[str] = field(default_factory=list)  # the kernel's Ibis imports

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ErrorReport:
        values = {
            name: body.get(name, "")
            for name in ("code", "error_type", "message", "traceback", "schemas")
        }
        if not all(isinstance(value, str) for value in values.values()):
            raise InvalidExplainError(
                "'code', 'error_type', 'message', 'traceback' and 'schemas' must be strings"
            )
        if not values["code"].strip() or not values["error_type"].strip():
            raise InvalidExplainError("'code' and 'error_type' are required")
        tables, dialect = table_specs_from(body.get("tables")), dialect_from(body.get("dialect"))
        imports = imports_from(body.get("imports"))
        return cls(**values, tables=tables, dialect=dialect, imports=imports)


@dataclass
class PreparedExplanation:
    prompt: str
    citations: list[SearchResult] = field(default_factory=list)


class ExplainWorkflow:
    """Builds the explanation prompt, with sources found from the error text."""

    def __init__(self, k: int = 3, max_tokens: int = 384) -> None:
        self.k, self.max_tokens = k, max_tokens

    @staticmethod
    def search_query(report: ErrorReport) -> str:
        """What to search the docs for: the error (bounded)."""
        return f"{report.error_type}: {report.message}"[:500]

    def prepare(
        self,
        generator: Generator,
        report: ErrorReport,
        sources: Sources | None = None,
        findings: list[str] | None = None,
    ) -> PreparedExplanation:
        citations = sources.results if sources else []
        sources_text = format_sources(citations)
        system = render(
            "explain_system", sources=f"\nSources:\n\n{sources_text}" if sources_text else ""
        )
        if report.schemas.strip():
            system += "\n\n" + render("chat_schemas", schemas=report.schemas.strip())
        user = render(
            "explain_user",
            code=report.code[-MAX_CODE_CHARS:],
            error_type=report.error_type,
            message=report.message,
            traceback=report.traceback[-MAX_TRACEBACK_CHARS:],
        )
        if findings:
            user += "\n\nA rule-based checker found:\n" + "\n".join(f"- {f}" for f in findings)
        prompt = generator.render_chat(
            [{"role": "system", "content": system}, {"role": "user", "content": user}]
        )
        return PreparedExplanation(prompt, citations)

    @staticmethod
    def result(answer: str) -> dict[str, Any]:
        """The explanation and the proposed fix (unchecked: the kernel checks it)."""
        return {"explanation": answer, "fixed_code": first_code_block(answer)}
