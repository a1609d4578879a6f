"""Look up an object of the installed Ibis by name: its signature, docstring and examples,
or the nearest names when it does not exist.

Reads the same chunks the knowledge base indexes from the installed package
(:class:`~ibis_copilot.knowledge.api_source.ApiSource`, griffe, nothing imported), once,
on first use (a few seconds).
"""

from __future__ import annotations

import difflib
import re
import threading
from collections import defaultdict

from ibis_copilot.errors import BadRequestError
from ibis_copilot.knowledge.api_source import ApiSource
from ibis_copilot.knowledge.chunks import Chunk
from ibis_copilot.knowledge.index import installed_ibis_version
from ibis_copilot.mcp_server.schemas import ApiOutput

MAX_NAME_CHARS = 200
MAX_ALSO = 8
MAX_CLOSEST = 5
EXAMPLES = re.compile(r"\n*Examples:\n```python\n(.*?)\n```", re.DOTALL)


class InvalidApiNameError(BadRequestError):
    """The name to look up is empty or not a dotted Python name."""


def _keys(chunk: Chunk) -> set[str]:
    """Every way to name the chunk's object: ``join``, ``Table.join``, ``ibis.desc``..."""
    parts = chunk.path.removeprefix("api:").split(".")
    keys = {".".join(parts[i:]).lower() for i in range(len(parts))}
    user_name = chunk.extra.get("user_name", "")
    return keys | {user_name.lower(), user_name.lower().removeprefix("ibis.")} - {""}


def _preference(chunk: Chunk) -> tuple[bool, int]:
    """The expression API before backend internals, then the shortest path."""
    return ".expr.types." not in chunk.path, len(chunk.path)


def _spelled_as(chunk: Chunk, name: str) -> bool:
    """Whether ``name`` names the chunk's object with the same case (``join``, not ``Join``)."""
    path = chunk.path.removeprefix("api:")
    user_name = chunk.extra.get("user_name", "")
    return f".{path}".endswith(f".{name}") or name in {user_name, f"ibis.{name}"}


class ApiReference:
    """The installed Ibis API by name (loaded once, thread-safe)."""

    def __init__(self, source: ApiSource | None = None) -> None:
        self._source = source or ApiSource()
        self._lock = threading.Lock()
        self._by_key: dict[str, list[Chunk]] | None = None
        self._display: dict[str, str] = {}

    def load(self) -> None:
        """Read the package (idempotent; a second caller waits for the first)."""
        with self._lock:
            if self._by_key is not None:
                return
            by_key: dict[str, list[Chunk]] = defaultdict(list)
            for chunk in self._source.chunks():
                path = chunk.path.removeprefix("api:")
                for key in _keys(chunk):
                    by_key[key].append(chunk)
                # the short forms offered as "closest": Class.method, and ibis.function
                self._display[".".join(path.split(".")[-2:]).lower()] = ".".join(
                    path.split(".")[-2:]
                )
                user_name = chunk.extra.get("user_name", "")
                if user_name.count(".") == 1:
                    self._display[user_name.lower()] = user_name
            for chunks in by_key.values():
                chunks.sort(key=_preference)
            self._by_key = dict(by_key)

    def lookup(self, name: str) -> ApiOutput:
        """The object ``name`` refers to (``Table.join``, ``ibis.desc``, a full path)."""
        key = _normalized(name)
        self.load()
        assert self._by_key is not None  # noqa: S101 - load() sets it
        found = self._by_key.get(key) or self._by_key.get(key.removeprefix("ibis."), [])
        if not found:
            return self._not_found(name, key)
        spelled = name.strip().removesuffix("()")
        found = sorted(found, key=lambda chunk: not _spelled_as(chunk, spelled))  # stable
        best = found[0]
        text = best.text.split("\n\n", 1)
        body = text[1] if len(text) > 1 else ""
        examples = EXAMPLES.search(body)
        return {
            "found": True,
            "name": name,
            "path": best.path.removeprefix("api:"),
            "signature": text[0].splitlines()[0],
            "docstring": EXAMPLES.sub("", body).strip(),
            "examples": examples.group(1) if examples else None,
            "url": best.url,
            "also": [chunk.path.removeprefix("api:") for chunk in found[1 : 1 + MAX_ALSO]],
            "closest": [],
            "ibis_version": installed_ibis_version(),
        }

    def _not_found(self, name: str, key: str) -> ApiOutput:
        candidates = list(self._display)
        tail = key.rsplit(".", 1)[-1]
        close = difflib.get_close_matches(key, candidates, n=MAX_CLOSEST, cutoff=0.6)
        close += [
            match
            for match in difflib.get_close_matches(tail, candidates, n=MAX_CLOSEST, cutoff=0.6)
            if match not in close
        ]
        return {
            "found": False,
            "name": name,
            "path": None,
            "signature": None,
            "docstring": None,
            "examples": None,
            "url": None,
            "also": [],
            "closest": [self._display[match] for match in close[:MAX_CLOSEST]],
            "ibis_version": installed_ibis_version(),
        }


def _normalized(name: str) -> str:
    """``ibis.Table.join()`` -> ``ibis.table.join``; an InvalidApiNameError for non-names."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidApiNameError("the name is empty; give e.g. Table.join or ibis.desc")
    stripped = name.strip().removesuffix("()")
    if len(stripped) > MAX_NAME_CHARS or not all(
        part.isidentifier() for part in stripped.split(".")
    ):
        raise InvalidApiNameError(f"{name[:MAX_NAME_CHARS]!r} is not a dotted Python name")
    return stripped.lower()
