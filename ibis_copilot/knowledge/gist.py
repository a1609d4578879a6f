"""A chunk's gist: its prose in plain words, embedded beside the whole chunk.

An API chunk's text opens with dotted names and a signature, and many sections are
mostly code; the embedding of such a text sits far from a question asked in words
("smallest number in each row's list"). The gist keeps the object's name as words and
the prose (``ArrayValue.mins`` → "array value mins. Return the minimum value in the
array."), so a second nearest-neighbour list can find it. Decided on the development
questions (2026-12-01); see benchmarks/README.md.
"""

from __future__ import annotations

import re

from ibis_copilot.knowledge.chunks import Chunk

#: Characters kept: MiniLM reads about 256 word pieces; prose comes first anyway.
GIST_CHARS = 600
CODE_BLOCK = re.compile(r"```.*?```", re.S)
LINK = re.compile(r"\[`?([^`\]]+)`?\]\([^)]*\)")
CAMEL = re.compile(r"([a-z])([A-Z])")
#: Lines that are code or SQL rather than prose.
CODE_LINES = (">>>", "...", "Its examples compile", "SELECT", "WITH ")


def name_words(name: str) -> str:
    """``ArrayValue`` → ``array value``, ``pivot_longer`` → ``pivot longer``."""
    return CAMEL.sub(r"\1 \2", name).replace("_", " ").lower()


def _is_signature(chunk: Chunk, line: str) -> bool:
    return chunk.path.startswith("api:") and line.startswith("ibis.") and "(" in line


def gist(chunk: Chunk) -> str:
    """The words to embed for ``chunk``'s second vector."""
    prose = []
    for raw in CODE_BLOCK.sub(" ", chunk.text).splitlines():
        line = raw.strip()
        if line and not line.startswith(CODE_LINES) and not _is_signature(chunk, line):
            prose.append(LINK.sub(r"\1", line))
    if chunk.path.startswith("api:"):
        head = " ".join(name_words(part) for part in chunk.path[4:].split(".")[-2:])
    else:
        head = " > ".join(part for part in (chunk.title, chunk.heading) if part)
    return f"{head}. {' '.join(prose)}"[:GIST_CHARS]
