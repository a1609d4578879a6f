"""Opt-in, local record of what the assistant did: SQLite in the data directory.

Nothing leaves the machine. Only sizes and timings are kept, never prompt or answer text.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS interactions (
    id TEXT PRIMARY KEY,
    at REAL NOT NULL,
    workflow TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    first_token_ms REAL,
    total_ms REAL,
    accepted INTEGER
)
"""


class InteractionLog:
    """Append interactions; mark completions accepted; summarise for ``ibis-copilot stats``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path)
        connection.execute(SCHEMA)
        return connection

    def record(
        self,
        workflow: str,
        model: str,
        *,
        prompt_tokens: int,
        completion_tokens: int,
        first_token_ms: float | None,
        total_ms: float,
    ) -> str:
        """Store one interaction; returns its id (for reporting acceptance later)."""
        interaction_id = uuid.uuid4().hex
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO interactions VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (
                    interaction_id,
                    time.time(),
                    workflow,
                    model,
                    prompt_tokens,
                    completion_tokens,
                    first_token_ms,
                    total_ms,
                ),
            )
        return interaction_id

    def mark_accepted(self, interaction_id: str, accepted: bool) -> bool:
        """Record whether the user took a completion; False if the id is unknown."""
        with self._connect() as connection:
            cursor = connection.execute(
                "UPDATE interactions SET accepted = ? WHERE id = ?", (int(accepted), interaction_id)
            )
            return cursor.rowcount == 1

    def summary(self) -> dict[str, Any]:
        """Per workflow: count, median time to first token, p95 latency, acceptance."""
        if not self.path.exists():
            return {}
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT workflow, first_token_ms, total_ms, accepted, prompt_tokens, "
                "completion_tokens FROM interactions"
            ).fetchall()
        result: dict[str, Any] = {}
        for workflow in sorted({row[0] for row in rows}):
            mine = [row for row in rows if row[0] == workflow]
            firsts = [row[1] for row in mine if row[1] is not None]
            totals = sorted(row[2] for row in mine)
            judged = [row[3] for row in mine if row[3] is not None]
            result[workflow] = {
                "count": len(mine),
                "first_token_ms_p50": statistics.median(firsts) if firsts else None,
                "total_ms_p95": totals[int(0.95 * (len(totals) - 1))],
                "prompt_tokens": sum(row[4] or 0 for row in mine),
                "completion_tokens": sum(row[5] or 0 for row in mine),
                "acceptance": (sum(judged) / len(judged)) if judged else None,
            }
        return result
