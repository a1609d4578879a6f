"""Pull code out of a model's Markdown answer."""

from __future__ import annotations

import re

BLOCK = re.compile(r"```([\w+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)


def first_code_block(text: str, languages: tuple[str, ...] = ("python", "py", "")) -> str | None:
    """The body of the first fenced block in one of ``languages`` ('' = unlabelled)."""
    for language, body in BLOCK.findall(text):
        if language.lower() in languages:
            return body.strip("\n") or None
    return None


def code_blocks(text: str, languages: tuple[str, ...] = ("python", "py", "")) -> list[str]:
    """The bodies of every fenced block in one of ``languages``, in order (empty ones
    skipped)."""
    return [
        body.strip("\n")
        for language, body in BLOCK.findall(text)
        if language.lower() in languages and body.strip()
    ]
