"""Conversations kept as JSON files in the data directory, so a reload keeps them."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from ibis_copilot.errors import BadRequestError
from ibis_copilot.models.base import Message

CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class InvalidConversationError(BadRequestError):
    """The conversation id is malformed."""


class ConversationStore:
    """One file per conversation: ``<data>/conversations/<id>.json``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def new_id(self) -> str:
        return uuid.uuid4().hex

    def _path(self, conversation_id: str) -> Path:
        if not CONVERSATION_ID.match(conversation_id):
            raise InvalidConversationError(
                "conversation_id must be 1-64 letters, digits, '-' or '_'"
            )
        return self.directory / f"{conversation_id}.json"

    def load(self, conversation_id: str) -> list[Message]:
        """The stored messages (none for an unknown id)."""
        path = self._path(conversation_id)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [m for m in data.get("messages", []) if isinstance(m, dict)]

    def save(self, conversation_id: str, messages: list[Message]) -> None:
        path = self._path(conversation_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"messages": messages}, indent=1), encoding="utf-8")
        temporary.replace(path)
