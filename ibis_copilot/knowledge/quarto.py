"""Turn a Quarto (.qmd), Markdown or notebook page into plain Markdown worth indexing.

Resolves ``{{< include >}}``, keeps ``{python}`` cells as Python code blocks (dropping
cells marked ``include: false``), flattens callouts and tabsets so their titles do not
become page headings, drops other shortcodes, HTML comments and raw HTML blocks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

INCLUDE = re.compile(r"\{\{<\s*include\s+(\S+?)\s*>\}\}")
SHORTCODE = re.compile(r"\{\{<.*?>\}\}")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(\{?[\w.+-]*\}?)?(.*)$")
DIV_OPEN = re.compile(r"^\s*(:{3,})\s*\{([^}]*)\}\s*$|^\s*(:{3,})\s*([\w-]+)\s*$")
DIV_CLOSE = re.compile(r"^\s*:{3,}\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(\{[^}]*\})?\s*$")
CELL_OPTION = re.compile(r"^\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$")
MAX_INCLUDE_DEPTH = 5


@dataclass(frozen=True)
class Page:
    """A docs page as clean Markdown plus its front matter."""

    title: str
    markdown: str
    front_matter: dict[str, object]


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """Separate a leading YAML front-matter block; malformed YAML is treated as absent."""
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end == -1:
        return {}, text
    try:
        data = yaml.safe_load(text[3:end]) or {}
    except yaml.YAMLError:
        data = {}
    body = text[end + 4 :].split("\n", 1)
    return (data if isinstance(data, dict) else {}), (body[1] if len(body) > 1 else "")


def resolve_includes(text: str, page: Path, docs_root: Path, depth: int = 0) -> str:
    """Inline ``{{< include path >}}`` (``/path`` is relative to the docs root)."""

    def replace(match: re.Match[str]) -> str:
        target = match.group(1)
        path = docs_root / target.lstrip("/") if target.startswith("/") else page.parent / target
        path = path.resolve()
        if depth >= MAX_INCLUDE_DEPTH or not path.is_file() or docs_root not in path.parents:
            return ""
        _, body = split_front_matter(path.read_text(encoding="utf-8", errors="replace"))
        return resolve_includes(body, path, docs_root, depth + 1)

    return INCLUDE.sub(replace, text)


def _cell_options(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    options: dict[str, str] = {}
    code: list[str] = []
    for line in lines:
        match = CELL_OPTION.match(line)
        if match and not code:
            options[match.group(1)] = match.group(2).strip("'\"")
        else:
            code.append(line)
    return options, code


def _div_classes(line: str) -> str | None:
    match = DIV_OPEN.match(line)
    if not match:
        return None
    return match.group(2) if match.group(2) is not None else match.group(4)


def flatten_quarto(markdown: str) -> str:
    """Rewrite Quarto constructs into plain Markdown (see the module docstring)."""
    out: list[str] = []
    lines = markdown.splitlines()
    # Stack of open divs: True where headings inside are labels, not page headings.
    divs: list[bool] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence and fence.group(2):
            marker, info = fence.group(2), (fence.group(3) or "").strip("{}").lower()
            block: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(marker):
                block.append(lines[i])
                i += 1
            i += 1
            options, code = _cell_options(block)
            if options.get("include") == "false" or options.get("echo") == "false":
                continue
            language = info.split()[0] if info else ""
            out.extend([f"```{language}", *code, "```"])
            continue
        classes = _div_classes(line)
        if classes is not None:
            label_div = "callout" in classes or "panel-tabset" in classes
            divs.append(label_div or (bool(divs) and divs[-1]))
            if "callout" in classes:
                kind = re.search(r"callout-(\w+)", classes)
                out.append(f"**{(kind.group(1) if kind else 'note').capitalize()}:**")
            i += 1
            continue
        if divs and DIV_CLOSE.match(line):
            divs.pop()
            i += 1
            continue
        heading = HEADING.match(line)
        if heading and divs and divs[-1]:
            out.append(f"**{heading.group(2)}**")
        elif heading:
            out.append(f"{heading.group(1)} {heading.group(2)}")
        else:
            out.append(line)
        i += 1
    return "\n".join(out)


def notebook_to_markdown(text: str) -> str:
    """Markdown cells as they are, code cells as Python blocks; outputs dropped."""
    try:
        cells = json.loads(text).get("cells", [])
    except (json.JSONDecodeError, AttributeError):
        return ""
    parts = []
    for cell in cells:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "code":
            parts.append(f"```python\n{source}\n```")
        elif cell.get("cell_type") == "markdown":
            parts.append(source)
    return "\n\n".join(parts)


def read_page(path: Path, docs_root: Path) -> Page:
    """Read one docs file into a Page with includes resolved and Quarto flattened."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        raw = notebook_to_markdown(raw)
    front, body = split_front_matter(raw)
    body = resolve_includes(body, path.resolve(), docs_root.resolve())
    body = HTML_COMMENT.sub("", body)
    body = SHORTCODE.sub("", flatten_quarto(body))
    title = str(front.get("title") or "").strip()
    lines = body.lstrip("\n").splitlines()
    top = HEADING.match(lines[0]) if lines else None
    if top and len(top.group(1)) == 1 and (not title or top.group(2) == title):
        # The page title is kept apart, not repeated as a section heading.
        title = top.group(2)
        lines = lines[1:]
    return Page(title=title or path.stem, markdown="\n".join(lines), front_matter=front)
