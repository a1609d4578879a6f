"""The unit of knowledge: a chunk of text with where it came from."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

DOCS_SITE = "https://ibis-project.org"

#: Kinds of page, from most to least authoritative for "how do I" questions.
KINDS = (
    "reference",
    "how-to",
    "tutorial",
    "concept",
    "backend",
    "source",
    "page",
    "contributing",
    "blog",
)


@dataclass(frozen=True)
class Chunk:
    """A piece of a docs page or one API object, ready to embed and cite.

    ``path`` is the docs path relative to the docs root (``how-to/extending/sql.qmd``),
    or ``api:<fully.qualified.name>`` for the installed package's API reference.
    """

    source: str
    path: str
    title: str
    heading: str
    url: str
    kind: str
    text: str
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def document(self) -> str:
        """What gets embedded and indexed: the heading path gives the text its context."""
        context = " > ".join(part for part in (self.title, self.heading) if part)
        return f"{context}\n\n{self.text}" if context else self.text

    @property
    def chunk_id(self) -> str:
        """Content address: identical chunks get the same id, so unchanged ones are skipped."""
        payload = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(payload).hexdigest()[:32]

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (strings only)."""
        return {
            "source": self.source,
            "path": self.path,
            "title": self.title,
            "heading": self.heading,
            "url": self.url,
            "kind": self.kind,
            **{f"x_{key}": value for key, value in self.extra.items()},
        }

    @classmethod
    def from_stored(cls, text: str, metadata: dict[str, Any]) -> Chunk:
        """Rebuild a chunk from what the store returned."""
        extra = {k[2:]: str(v) for k, v in metadata.items() if k.startswith("x_")}
        return cls(
            source=str(metadata["source"]),
            path=str(metadata["path"]),
            title=str(metadata["title"]),
            heading=str(metadata["heading"]),
            url=str(metadata["url"]),
            kind=str(metadata["kind"]),
            text=text,
            extra=extra,
        )
