"""SQL written by the model when Ibis cannot compile an expression: parsed, and labelled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot.errors import SqlglotError

from ibis_copilot.assistant.prompts import render
from ibis_copilot.code_blocks import first_code_block
from ibis_copilot.errors import BadRequestError
from ibis_copilot.models.base import Generator


class InvalidSqlRequestError(BadRequestError):
    """The SQL request is malformed."""


def sqlglot_dialects() -> list[str]:
    return sorted(name for name in sqlglot.Dialect.classes if name)


@dataclass(frozen=True)
class ModelSqlRequest:
    code: str
    dialect: str
    schemas: str = ""

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ModelSqlRequest:
        code, dialect, schemas = body.get("code"), body.get("dialect"), body.get("schemas", "")
        if not isinstance(code, str) or not code.strip():
            raise InvalidSqlRequestError("'code' must be a non-empty string")
        if not isinstance(schemas, str):
            raise InvalidSqlRequestError("'schemas' must be a string")
        if dialect not in sqlglot_dialects():
            raise InvalidSqlRequestError(
                f"unknown dialect {dialect!r}; valid dialects: {', '.join(sqlglot_dialects())}"
            )
        return cls(code, str(dialect), schemas)


class ModelSqlWorkflow:
    """Ibis code to SQL through the model, checked by sqlglot's parser."""

    def __init__(self, max_tokens: int = 256) -> None:
        self.max_tokens = max_tokens

    def prepare(self, generator: Generator, request: ModelSqlRequest) -> str:
        schemas = f"\nTables:\n{request.schemas.strip()}" if request.schemas.strip() else ""
        return generator.render_chat(
            [
                {"role": "system", "content": render("sql_system", dialect=request.dialect)},
                {"role": "user", "content": render("sql_user", code=request.code, schemas=schemas)},
            ]
        )

    @staticmethod
    def result(answer: str, dialect: str) -> dict[str, Any]:
        """The SQL, normalised when sqlglot parses it; always marked model-generated."""
        sql = first_code_block(answer, ("sql", "")) or answer.strip()
        outcome: dict[str, Any] = {
            "dialect": dialect,
            "sql": sql,
            "model_generated": True,
            "verified": False,
        }
        try:
            parsed = sqlglot.parse_one(sql, read=dialect)
        except SqlglotError as error:
            reason = str(error).splitlines()[0]
            return {
                **outcome,
                "parsed": False,
                "parse_error": reason,
                "blocks": [_block(sql, reason)],
            }
        sql = parsed.sql(dialect=dialect, pretty=True)
        return {**outcome, "parsed": True, "sql": sql, "blocks": [_block(sql, "")]}


def _block(sql: str, parse_error: str) -> dict[str, Any]:
    """The model's SQL as a ``blocks`` entry: never "checked" (Ibis did not compile it)."""
    parsed = f"does not parse: {parse_error}" if parse_error else "sqlglot parses it"
    return {
        "code": sql,
        "verdict": "not_checked",
        "reason": f"SQL written by the model, not compiled from Ibis; {parsed}",
        "unknown_names": [],
        "sql": None,
        "original": None,
        "change": "",
    }
