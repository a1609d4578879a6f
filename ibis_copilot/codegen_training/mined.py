"""Ibis code mined from the project's own sources: docs code blocks with the prose before
them, docstring examples of the installed API and, from an Ibis checkout, its tests.

Mined code is never executed; it only has to parse. The docs and API are read by the
knowledge base's own readers, so training sees the same text the index does.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ibis_copilot.code_blocks import BLOCK, PYTHON_LANGUAGES
from ibis_copilot.codegen_training.example import CodeExample
from ibis_copilot.knowledge.chunks import Chunk

MAX_CODE_CHARS = 1200
MAX_PROSE_CHARS = 400
DOCTEST = re.compile(r"^(?:>>>|\.\.\.) ?", re.MULTILINE)
#: Code that is only shell commands, installs or output is of no use.
NOT_IBIS = re.compile(r"^\s*(?:pip|conda|!|%|\$)", re.MULTILINE)


def parses(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


def _usable(code: str) -> bool:
    return (
        0 < len(code) <= MAX_CODE_CHARS
        and ("ibis" in code or "." in code)
        and not NOT_IBIS.search(code)
        and parses(code)
    )


def _prose_before(text: str, start: int) -> str:
    """The last paragraph of prose before position ``start`` (no code in it)."""
    before = BLOCK.sub("", text[:start]).strip()
    paragraph = before.rsplit("\n\n", 1)[-1].strip()
    return paragraph[-MAX_PROSE_CHARS:]


def chunk_examples(chunk: Chunk, kind: str) -> Iterator[CodeExample]:
    """Each usable Python block of a chunk, with the prose that introduces it."""
    for match in BLOCK.finditer(chunk.text):
        language, body = match.group(1), match.group(2)
        if language.lower() not in PYTHON_LANGUAGES:
            continue
        code = body.strip("\n")
        if kind == "docstring":
            lines = [line for line in code.splitlines() if DOCTEST.match(line)]
            code = DOCTEST.sub("", "\n".join(lines))
        if not _usable(code):
            continue
        prose = _prose_before(chunk.text, match.start())
        heading = " > ".join(part for part in (chunk.title, chunk.heading) if part)
        context = "\n".join(part for part in (heading, prose) if part)
        group = chunk.path if chunk.path.startswith("api:") else f"page:{chunk.path}"
        yield CodeExample(kind, group, code, context=context)


def docs_examples(chunks: Iterable[Chunk]) -> list[CodeExample]:
    """Docs pages' code blocks (API chunks, whose path starts ``api:``, give docstrings)."""
    found: list[CodeExample] = []
    for chunk in chunks:
        kind = "docstring" if chunk.path.startswith("api:") else "docs"
        found.extend(chunk_examples(chunk, kind))
    return found


def repo_test_examples(root: Path, package: str = "ibis", limit: int = 2000) -> list[CodeExample]:
    """Test functions of an Ibis checkout (``<package>/**/tests/*.py``), one example each."""
    found: list[CodeExample] = []
    for path in sorted((root / package).glob("**/tests/**/test_*.py")):
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue
        relative = path.relative_to(root).as_posix()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and "ibis" in ast.unparse(node):
                code = ast.get_source_segment(source, node) or ""
                if 0 < len(code) <= MAX_CODE_CHARS:
                    found.append(CodeExample("repo", f"repo:{relative}", code))
                    if len(found) >= limit:
                        return found
    return found
