"""Split Markdown into chunks that follow the heading hierarchy and never split code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")

MIN_WORDS = 100
MAX_WORDS = 300


@dataclass(frozen=True)
class Section:
    """Text under one heading; ``headings`` is the path from the page's top heading."""

    headings: tuple[str, ...]
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


def blocks(markdown: str) -> Iterator[tuple[int, str, str]]:
    """Yield ``(level, heading, "")`` for headings and ``(0, "", block)`` for text blocks.

    A block is a paragraph or a whole fenced code block, never a part of one.
    """
    lines = markdown.splitlines()
    paragraph: list[str] = []
    i = 0

    def flush() -> Iterator[tuple[int, str, str]]:
        text = "\n".join(paragraph).strip()
        paragraph.clear()
        if text:
            yield 0, "", text

    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence:
            yield from flush()
            marker = fence.group(1)
            code = [line]
            i += 1
            while i < len(lines):
                code.append(lines[i])
                i += 1
                if lines[i - 1].strip().startswith(marker):
                    break
            yield 0, "", "\n".join(code)
            continue
        heading = HEADING.match(line)
        if heading:
            yield from flush()
            yield len(heading.group(1)), heading.group(2).strip(), ""
        elif not line.strip():
            yield from flush()
        else:
            paragraph.append(line)
        i += 1
    yield from flush()


def sections(markdown: str) -> list[Section]:
    """Group blocks under their heading path; text before any heading has an empty path."""
    path: list[tuple[int, str]] = []
    result: list[Section] = []
    current: list[str] = []

    def close() -> None:
        if current:
            result.append(Section(tuple(title for _, title in path), "\n\n".join(current)))
            current.clear()

    for level, title, text in blocks(markdown):
        if level:
            close()
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, title))
        else:
            current.append(text)
    close()
    return result


def _split_long(section: Section) -> list[Section]:
    """Cut a section above MAX_WORDS at block boundaries (a code block stays whole)."""
    if section.words <= MAX_WORDS:
        return [section]
    pieces: list[Section] = []
    current: list[str] = []
    count = 0
    for block in section.text.split("\n\n"):
        words = len(block.split())
        if current and count + words > MAX_WORDS:
            pieces.append(Section(section.headings, "\n\n".join(current)))
            current, count = [], 0
        current.append(block)
        count += words
    if current:
        pieces.append(Section(section.headings, "\n\n".join(current)))
    return pieces


def _merge_small(items: list[Section]) -> list[Section]:
    """Fold a section into the previous one when that one is under MIN_WORDS, is its
    ancestor, and the result stays within MAX_WORDS; the sub-heading stays in the text.

    Siblings are never merged, so every chunk's heading says exactly where it is.
    """
    merged: list[Section] = []
    for section in items:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.headings
            and previous.words < MIN_WORDS
            and previous.words + section.words <= MAX_WORDS
            and len(section.headings) > len(previous.headings)
            and section.headings[: len(previous.headings)] == previous.headings
        ):
            label = " > ".join(section.headings[len(previous.headings) :])
            joined = f"{previous.text}\n\n**{label}**\n\n{section.text}"
            merged[-1] = Section(previous.headings, joined)
        else:
            merged.append(section)
    return merged


def chunk_markdown(markdown: str) -> list[Section]:
    """Sections of about MIN_WORDS..MAX_WORDS words, following the heading hierarchy."""
    split = [piece for section in sections(markdown) for piece in _split_long(section)]
    return _merge_small(split)
