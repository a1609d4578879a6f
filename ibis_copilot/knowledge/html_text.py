"""HTML to Markdown for indexing: main content and code blocks, no site chrome.

Tuned for Quarto-rendered sites (the Ibis docs), and sensible for others: the main
element (or article/body) is kept; navigation, sidebars, tables of contents, headers,
footers, scripts and buttons are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

DROPPED_TAGS = ("script", "style", "noscript", "nav", "footer", "aside", "form", "button", "svg")
DROPPED_SELECTORS = (
    "#quarto-sidebar",
    "#quarto-margin-sidebar",
    "#TOC",
    "#quarto-header",
    ".sidebar",
    ".quarto-title-meta",
    ".code-copy-button",
    ".quarto-alternate-formats",
    "#title-block-header",
)
#: Elements that start their own block; anything holding one is walked, not flattened.
BLOCK_TAGS = (
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "table",
    "p",
    "div",
    "section",
    "blockquote",
    "dl",
    "figure",
)


@dataclass
class HtmlPage:
    """What the crawler keeps of a page."""

    title: str
    markdown: str
    links: list[str] = field(default_factory=list)
    canonical: str | None = None
    anchors: dict[str, str] = field(default_factory=dict)


def _text(node: Tag | NavigableString) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ") if isinstance(node, Tag) else str(node))


def _code_language(pre: Tag) -> str:
    classes = [*(pre.get("class") or []), *((pre.code.get("class") or []) if pre.code else [])]
    for value in classes:
        name = str(value).removeprefix("language-")
        if name not in {"sourceCode", "code-with-copy", "cell-code", "number-lines"}:
            return name
    return ""


class _Writer:
    """Walks the content tree and writes Markdown blocks."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.anchors: dict[str, str] = {}

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                text = str(child).strip()
                if text:
                    self.blocks.append(re.sub(r"\s+", " ", text))
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, tag: Tag) -> None:
        name = tag.name
        if re.fullmatch(r"h[1-6]", name):
            title = _text(tag).strip().rstrip("¶").strip()
            if title:
                self.blocks.append(f"{'#' * int(name[1])} {title}")
                anchor = tag.get("id") or (tag.parent.get("id") if tag.parent else None)
                if anchor:
                    self.anchors.setdefault(title, str(anchor))
        elif name == "pre":
            code = tag.get_text().strip("\n")
            fence = "````" if "```" in code else "```"
            self.blocks.append(f"{fence}{_code_language(tag)}\n{code}\n{fence}")
        elif name in {"ul", "ol"}:
            for index, item in enumerate(tag.find_all("li", recursive=False), start=1):
                marker = f"{index}." if name == "ol" else "-"
                self.blocks.append(f"{marker} {_text(item).strip()}")
        elif name == "table":
            for row in tag.find_all("tr"):
                cells = [_text(cell).strip() for cell in row.find_all(["th", "td"])]
                self.blocks.append("| " + " | ".join(cells) + " |")
        elif tag.find(BLOCK_TAGS):
            self.walk(tag)
        else:
            text = _text(tag).strip()
            if text:
                self.blocks.append(text)


def html_to_page(html: str, url: str) -> HtmlPage:
    """Title, Markdown of the main content, absolute links and the canonical URL."""
    soup = BeautifulSoup(html, "html.parser")
    links = [urljoin(url, str(a["href"])) for a in soup.find_all("a", href=True)]
    canonical_tag = soup.find("link", rel="canonical", href=True)
    canonical = urljoin(url, str(canonical_tag["href"])) if isinstance(canonical_tag, Tag) else None
    heading = soup.find("h1")
    title = _text(heading).strip() if heading else ""
    if not title and soup.title:
        title = _text(soup.title).strip()
    root = (
        soup.select_one("main#quarto-document-content")
        or soup.find("main")
        or soup.find("article")
        or soup.body
        or soup
    )
    for tag in root.find_all(DROPPED_TAGS):
        tag.decompose()
    for selector in DROPPED_SELECTORS:
        for tag in root.select(selector):
            tag.decompose()
    writer = _Writer()
    writer.walk(root)
    markdown = "\n\n".join(writer.blocks)
    if title:  # the title is kept apart, not repeated as the first heading
        markdown = re.sub(rf"^# {re.escape(title)}\n*", "", markdown)
    return HtmlPage(title, markdown, links, canonical, writer.anchors)
