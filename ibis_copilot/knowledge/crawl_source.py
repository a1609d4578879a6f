"""Source: pages of a docs site, crawled politely and remembered between crawls."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from ibis_copilot.errors import UnavailableError
from ibis_copilot.knowledge.chunks import Chunk
from ibis_copilot.knowledge.crawler import (
    CrawlConfig,
    Crawler,
    CrawlReport,
    PageRecord,
    record_from_dict,
    record_to_dict,
)
from ibis_copilot.knowledge.docs_source import KIND_BY_FOLDER
from ibis_copilot.knowledge.markdown_sections import chunk_markdown


class CrawlSource:
    """Crawls ``config.start_url`` and yields its pages' sections as chunks.

    The previous crawl (pages, ETags, content hashes) is kept in ``state_dir`` so the
    next crawl sends conditional requests and re-embeds only what changed.
    """

    name = "crawl"

    def __init__(self, config: CrawlConfig, state_dir: Path) -> None:
        self.config = config
        host = urlsplit(config.start_url).netloc.replace(":", "_") or "site"
        self.state_file = state_dir / f"{host}.json"
        self.report: CrawlReport | None = None

    @property
    def provenance(self) -> dict[str, object]:
        return {
            "start_url": self.config.start_url,
            **(self.report.summary() if self.report else {}),
        }

    def _load_previous(self) -> dict[str, PageRecord]:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            return {url: record_from_dict(page) for url, page in data["pages"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def _save(self, report: CrawlReport) -> None:
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        pages = {url: record_to_dict(page) for url, page in report.pages.items()}
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps({"pages": pages}), encoding="utf-8")
        temporary.replace(self.state_file)

    def crawl(self) -> CrawlReport:
        """Run the crawl and remember what it found."""
        report = asyncio.run(Crawler(self.config, self._load_previous()).run())
        if report.aborted is None:
            self._save(report)
        self.report = report
        return report

    def chunks(self) -> Iterator[Chunk]:
        report = self.crawl()
        if report.aborted is not None:
            raise CrawlAbortedError(report.aborted)
        for page in report.pages.values():
            yield from page_chunks(page)


class CrawlAbortedError(UnavailableError):
    """The crawl stopped early (robots.txt unavailable, or the site keeps failing)."""


def page_chunks(page: PageRecord) -> Iterator[Chunk]:
    """A crawled page's sections as chunks, cited by URL and heading anchor."""
    first = urlsplit(page.url).path.strip("/").split("/")[0]
    kind = KIND_BY_FOLDER.get(first, "page")
    for section in chunk_markdown(page.markdown):
        heading = " > ".join(section.headings)
        anchor = page.anchors.get(section.headings[-1]) if section.headings else None
        yield Chunk(
            source="crawl",
            path=page.url,
            title=page.title,
            heading=heading,
            url=f"{page.url}#{anchor}" if anchor else page.url,
            kind=kind,
            text=section.text,
        )
