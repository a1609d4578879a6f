"""Source: a folder of Ibis docs (Quarto ``.qmd``, ``.md``, ``.ipynb``)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from ibis_copilot.knowledge.chunks import DOCS_SITE, Chunk
from ibis_copilot.knowledge.markdown_sections import chunk_markdown
from ibis_copilot.knowledge.quarto import read_page
from ibis_copilot.knowledge.user_words import USER_WORDS_LINE

SUFFIXES = (".qmd", ".md", ".ipynb")
#: Top-level folders and the kind of page they hold.
KIND_BY_FOLDER = {
    "reference": "reference",
    "how-to": "how-to",
    "tutorials": "tutorial",
    "concepts": "concept",
    "backends": "backend",
    "posts": "blog",
    "presentations": "blog",
    "contribute": "contributing",
}
SKIPPED = ("404.qmd", "README.md", "CONTRIBUTING.md", "release_notes.qmd")


def page_kind(relative: Path) -> str:
    """The page's kind, from its top-level folder."""
    return KIND_BY_FOLDER.get(relative.parts[0], "page") if len(relative.parts) > 1 else "page"


def slugify(heading: str) -> str:
    """The anchor Quarto gives a heading: lower case, punctuation dropped, dashes."""
    text = re.sub(r"[`*_\[\]()]", "", heading.lower())
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"\s+", "-", text.strip())


def page_url(relative: Path, heading: str = "") -> str:
    """The public URL of a docs page (and heading anchor) on the Ibis site."""
    url = f"{DOCS_SITE}/{relative.with_suffix('.html').as_posix()}"
    return f"{url}#{slugify(heading)}" if heading else url


def is_indexed(relative: Path) -> bool:
    """Pages users read: not partials (``_*``), templates, or site chrome."""
    if relative.suffix not in SUFFIXES or relative.as_posix() in SKIPPED:
        return False
    return not any(part.startswith(("_", ".")) for part in relative.parts)


class DocsFolderSource:
    """Every page of a docs folder, chunked along its headings; with ``page_words`` (page
    path → phrases, :mod:`user_words`), a page with phrases gets one more chunk, cited as
    the page, with its title and how users ask for what it explains."""

    def __init__(
        self,
        root: Path,
        name: str = "docs",
        provenance: dict[str, object] | None = None,
        *,
        page_words: Mapping[str, list[str]] | None = None,
    ) -> None:
        self.root = root
        self.name = name
        self.provenance = {"path": str(root), **(provenance or {})}
        self.page_words = page_words or {}

    def files(self) -> list[Path]:
        """The pages to index, sorted (relative paths)."""
        return sorted(
            path.relative_to(self.root)
            for path in self.root.rglob("*")
            if path.is_file() and is_indexed(path.relative_to(self.root))
        )

    def chunks(self) -> Iterator[Chunk]:
        for relative in self.files():
            yield from self.page_chunks(relative)

    def page_chunks(self, relative: Path) -> Iterator[Chunk]:
        """The chunks of one page."""
        page = read_page(self.root / relative, self.root)
        kind = page_kind(relative)
        for section in chunk_markdown(page.markdown):
            headings = [h for h in section.headings if h != page.title]
            heading = " > ".join(headings)
            yield Chunk(
                source=self.name,
                path=relative.as_posix(),
                title=page.title,
                heading=heading,
                url=page_url(relative, headings[-1] if headings else ""),
                kind=kind,
                text=section.text,
            )
        if asked_as := self.page_words.get(relative.as_posix()):
            yield Chunk(
                source=self.name,
                path=relative.as_posix(),
                title=page.title,
                heading="",
                url=page_url(relative),
                kind=kind,
                text=f"{page.title}\n\n{USER_WORDS_LINE}{'; '.join(asked_as)}",
                extra={"part": "vocabulary"},
            )
