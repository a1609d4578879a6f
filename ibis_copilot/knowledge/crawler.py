"""A polite, incremental crawler for a documentation site.

Same-site scope (the start URL's host and path prefix), robots.txt obeyed, sitemap.xml
used for seeds, one request per ``1 / rate`` seconds across ``concurrency`` workers,
retries with exponential backoff (honouring ``Retry-After``), conditional requests
(ETag / Last-Modified) and content hashes so a re-crawl only re-reads what changed,
canonical URLs, a page cap, and a stop after repeated failures so a failing site is
never hammered.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

from ibis_copilot._version import __version__
from ibis_copilot.knowledge.html_text import html_to_page

USER_AGENT = f"ibis-copilot/{__version__} (+docs indexer)"
TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ref_src")
RETRYABLE = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True)
class CrawlConfig:
    """How to crawl; the defaults are polite for a public docs site."""

    start_url: str
    rate: float = 1.0  # requests per second, all workers together
    concurrency: int = 2
    max_pages: int = 500
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    max_consecutive_failures: int = 5
    user_agent: str = USER_AGENT


@dataclass
class PageRecord:
    """What is remembered of a page between crawls."""

    url: str
    title: str
    markdown: str
    content_hash: str
    links: list[str] = field(default_factory=list)
    anchors: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class CrawlReport:
    """What a crawl did: pages kept, and why others were not."""

    pages: dict[str, PageRecord] = field(default_factory=dict)
    fetched: int = 0
    not_modified: int = 0
    unchanged: int = 0
    changed: int = 0
    skipped: dict[str, list[str]] = field(default_factory=dict)
    aborted: str | None = None

    def skip(self, reason: str, url: str) -> None:
        self.skipped.setdefault(reason, []).append(url)

    def summary(self) -> dict[str, Any]:
        return {
            "pages": len(self.pages),
            "fetched": self.fetched,
            "not_modified": self.not_modified,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "skipped": {reason: len(urls) for reason, urls in self.skipped.items()},
            "aborted": self.aborted,
        }


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking query."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    netloc = (
        host
        if port is None or (scheme, port) in {("http", 80), ("https", 443)}
        else (f"{host}:{port}")
    )
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith(TRACKING_PARAMS)
        ]
    )
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


class RateLimiter:
    """Spaces request starts at least ``1 / rate`` seconds apart, across all workers."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self.clock, self.sleep = clock, sleep
        self.next_start = 0.0
        self.lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self.lock:
            now = self.clock()
            if self.next_start > now:
                await self.sleep(self.next_start - now)
                now = self.next_start
            self.next_start = now + self.interval


class Crawler:
    """Crawls one site; ``previous`` holds the last crawl's pages for conditional requests."""

    def __init__(
        self,
        config: CrawlConfig,
        previous: dict[str, PageRecord] | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.config = config
        self.previous = previous or {}
        self.limiter = limiter or RateLimiter(config.rate)
        start = urlsplit(canonical_url(config.start_url))
        self.origin = f"{start.scheme}://{start.netloc}"
        self.prefix = start.path.rsplit("/", 1)[0] + "/"
        self.robots = RobotFileParser()
        self.report = CrawlReport()
        self.failures = 0

    def in_scope(self, url: str) -> bool:
        """Same scheme, host and path prefix as the start URL."""
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin and parts.path.startswith(
            self.prefix
        )

    async def run(self) -> CrawlReport:
        """Crawl from the start URL (and the sitemap), within the page cap."""
        headers = {"User-Agent": self.config.user_agent}
        async with httpx.AsyncClient(
            headers=headers,
            timeout=self.config.timeout,
            follow_redirects=True,
            max_redirects=5,
        ) as client:
            if not await self._read_robots(client):
                return self.report
            seeds = [canonical_url(self.config.start_url), *await self._sitemap_urls(client)]
            await self._crawl(client, seeds)
        return self.report

    async def _crawl(self, client: httpx.AsyncClient, seeds: list[str]) -> None:
        queue: asyncio.Queue[str] = asyncio.Queue()
        seen: set[str] = set()
        queued = 0

        def enqueue(url: str) -> None:
            nonlocal queued
            url = canonical_url(url)
            if url in seen or not self.in_scope(url):
                return
            seen.add(url)
            if not self.robots.can_fetch(self.config.user_agent, url):
                self.report.skip("disallowed by robots.txt", url)
            elif queued >= self.config.max_pages:
                self.report.skip("page cap reached", url)
            else:
                queued += 1
                queue.put_nowait(url)

        for url in seeds:
            enqueue(url)

        async def worker() -> None:
            while True:
                url = await queue.get()
                try:
                    if self.report.aborted is None:
                        for link in await self._visit(client, url):
                            enqueue(link)
                finally:
                    queue.task_done()

        workers = [asyncio.create_task(worker()) for _ in range(self.config.concurrency)]
        await queue.join()
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)

    async def _get(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str]
    ) -> httpx.Response | str:
        """The response, or the reason it could not be had after the retries."""
        delay = self.config.backoff
        reason = ""
        for attempt in range(self.config.retries + 1):
            await self.limiter.wait()
            try:
                response = await client.get(url, headers=headers)
            except httpx.TooManyRedirects:
                return "redirect loop"
            except httpx.HTTPError as error:
                reason = f"network error ({type(error).__name__})"
            else:
                if response.status_code not in RETRYABLE:
                    return response
                reason = f"HTTP {response.status_code}"
                delay = max(delay, _retry_after(response) or 0.0)
            if attempt < self.config.retries:
                await asyncio.sleep(min(delay, MAX_RETRY_AFTER))
                delay *= 2
        return reason

    async def _visit(self, client: httpx.AsyncClient, url: str) -> list[str]:
        """Fetch one page, record it, and return the links to follow."""
        before = self.previous.get(url)
        headers = {}
        if before and before.etag:
            headers["If-None-Match"] = before.etag
        if before and before.last_modified:
            headers["If-Modified-Since"] = before.last_modified
        result = await self._get(client, url, headers)
        if isinstance(result, str):
            self._failed(result, url)
            return []
        self.failures = 0
        self.report.fetched += 1
        final = canonical_url(str(result.url))
        if result.status_code == 304 and before is not None:
            self.report.not_modified += 1
            self.report.pages[url] = before
            return before.links
        if result.status_code >= 400:
            self.report.skip(f"HTTP {result.status_code}", url)
            return []
        if final != url and not self.in_scope(final):
            self.report.skip("redirected out of scope", url)
            return []
        if "html" not in result.headers.get("content-type", ""):
            self.report.skip("not HTML", url)
            return []
        return self._record(final, result)

    def _record(self, url: str, response: httpx.Response) -> list[str]:
        """Keep a fetched HTML page under its canonical URL; return its links."""
        page = html_to_page(response.text, url)
        key = canonical_url(page.canonical) if page.canonical else url
        key = key if self.in_scope(key) else url
        if key in self.report.pages:
            return []  # another URL already gave this canonical page
        digest = hashlib.sha256(page.markdown.encode()).hexdigest()
        earlier = self.previous.get(key)
        if earlier is not None and earlier.content_hash == digest:
            self.report.unchanged += 1
        else:
            self.report.changed += 1
        record = PageRecord(
            url=key,
            title=page.title,
            markdown=page.markdown,
            content_hash=digest,
            links=[canonical_url(link) for link in page.links],
            anchors=page.anchors,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
        self.report.pages[key] = record
        return record.links

    def _failed(self, reason: str, url: str) -> None:
        self.report.skip(reason, url)
        self.failures += 1
        if self.failures >= self.config.max_consecutive_failures:
            self.report.aborted = (
                f"stopped after {self.failures} failures in a row (last: {reason} at {url})"
            )

    async def _read_robots(self, client: httpx.AsyncClient) -> bool:
        """Load robots.txt; a server error there means: do not crawl now."""
        url = f"{self.origin}/robots.txt"
        result = await self._get(client, url, {})
        if isinstance(result, str) or result.status_code >= 500:
            reason = result if isinstance(result, str) else f"HTTP {result.status_code}"
            self.report.aborted = f"robots.txt unavailable ({reason}); not crawling"
            return False
        lines = result.text.splitlines() if result.status_code == 200 else []
        self.robots.parse(lines)
        return True

    async def _sitemap_urls(self, client: httpx.AsyncClient) -> list[str]:
        """Page URLs listed by the site's sitemaps (robots.txt's, else /sitemap.xml)."""
        sitemaps = self.robots.site_maps() or [f"{self.origin}/sitemap.xml"]
        urls: list[str] = []
        for sitemap in sitemaps[:5]:
            result = await self._get(client, sitemap, {})
            if isinstance(result, str) or result.status_code != 200:
                continue
            try:
                # expat resolves no external entities; sitemaps come from the crawled site.
                tree = ET.fromstring(result.content)  # noqa: S314
            except ET.ParseError:
                continue
            urls.extend(
                (element.text or "").strip()
                for element in tree.iter()
                if element.tag.endswith("loc") and element.text
            )
        return [url for url in urls if self.in_scope(canonical_url(url))]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def record_to_dict(record: PageRecord) -> dict[str, Any]:
    return asdict(record)


def record_from_dict(data: dict[str, Any]) -> PageRecord:
    return PageRecord(**data)
