"""Pull code out of a model's Markdown answer: the server judges these blocks and the
kernel's ``%ibis_ask`` matches the verdicts to them, so both read fences the same way.
Pure text; safe to import on either side."""

from __future__ import annotations

import re

#: A fenced block: its language and its body (an unclosed last fence runs to the end).
BLOCK = re.compile(r"```([\w+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
#: The fence languages that hold Python ('' = unlabelled).
PYTHON_LANGUAGES = ("python", "py", "")


def first_code_block(text: str, languages: tuple[str, ...] = PYTHON_LANGUAGES) -> str | None:
    """The body of the first fenced block in one of ``languages`` ('' = unlabelled)."""
    for language, body in BLOCK.findall(text):
        if language.lower() in languages:
            return body.strip("\n") or None
    return None


def code_blocks(text: str, languages: tuple[str, ...] = PYTHON_LANGUAGES) -> list[str]:
    """The bodies of every fenced block in one of ``languages``, in order (empty ones
    skipped)."""
    return [
        body.strip("\n")
        for language, body in BLOCK.findall(text)
        if language.lower() in languages and body.strip()
    ]
