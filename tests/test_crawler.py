"""The crawler against a real local HTTP server: politeness, scope, faults, increments."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from crawl_site import Site, page, quarto_page, serve, slow, status

from ibis_copilot.knowledge.crawl_source import CrawlAbortedError, CrawlSource
from ibis_copilot.knowledge.crawler import (
    CrawlConfig,
    Crawler,
    PageRecord,
    RateLimiter,
    canonical_url,
)
from ibis_copilot.knowledge.html_text import html_to_page

A_BODY = """<p>Joins combine tables.</p>
<section id="left-joins" class="level2"><h2 class="anchored">Left joins</h2>
<div class="sourceCode"><pre class="sourceCode python">
<code>t.left_join(s, "key")</code></pre></div>
</section>"""
LINKS = " ".join(
    f'<a href="{href}">{href}</a>'
    for href in [
        "a.html",
        "a.html#left-joins",
        "a.html?utm_source=news",
        "b.html",
        "missing.html",
        "error.html",
        "flaky.html",
        "redirect.html",
        "loop1.html",
        "slow.html",
        "data.pdf",
        "private/secret.html",
        "http://other.example/page.html",
        "../outside.html",
    ]
)


def flaky() -> object:
    calls = []

    def respond(_: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        calls.append(1)
        if len(calls) == 1:
            return 503, {"Retry-After": "0"}, b"busy"
        return 200, {"Content-Type": "text/html"}, quarto_page("Flaky", "<p>ok now</p>").encode()

    return respond


def etag_page(html: str, etag: str):  # type: ignore[no-untyped-def]
    def respond(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        if handler.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "text/html", "ETag": etag}, html.encode()

    return respond


def docs_site() -> Site:
    site = Site(routes={})
    site.routes.update(
        {
            "/robots.txt": lambda _: (
                200,
                {"Content-Type": "text/plain"},
                (
                    f"User-agent: *\nDisallow: /docs/private/\nSitemap: {site.base}/sitemap.xml\n"
                ).encode(),
            ),
            "/sitemap.xml": lambda _: (
                200,
                {"Content-Type": "application/xml"},
                (
                    '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"<url><loc>{site.base}/docs/from-sitemap.html</loc></url>"
                    "<url><loc>http://other.example/elsewhere.html</loc></url></urlset>"
                ).encode(),
            ),
            "/docs/index.html": page(quarto_page("Home", "<p>Welcome to the docs.</p>", LINKS)),
            "/docs/a.html": etag_page(quarto_page("Joins", A_BODY), '"v1"'),
            "/docs/b.html": page(quarto_page("Filters", "<p>Filter rows.</p>")),
            "/docs/error.html": status(500),
            "/docs/flaky.html": flaky(),
            "/docs/redirect.html": status(301, {"Location": "/docs/a.html"}),
            "/docs/loop1.html": status(302, {"Location": "/docs/loop2.html"}),
            "/docs/loop2.html": status(302, {"Location": "/docs/loop1.html"}),
            "/docs/slow.html": slow(2.0),
            "/docs/data.pdf": lambda _: (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4"),
            "/docs/private/secret.html": page("<p>secret</p>"),
            "/docs/from-sitemap.html": page(quarto_page("From the sitemap", "<p>Listed only.</p>")),
            "/outside.html": page("<p>outside the docs prefix</p>"),
        }
    )
    return site


def config(site: Site, **overrides: object) -> CrawlConfig:
    options = {"rate": 500.0, "concurrency": 2, "timeout": 0.5, "retries": 1, "backoff": 0.01}
    return CrawlConfig(f"{site.base}/docs/index.html", **{**options, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def site() -> Iterator[Site]:
    with serve(docs_site()) as running:
        yield running


def crawl(site: Site, previous: dict[str, PageRecord] | None = None, **overrides: object):  # type: ignore[no-untyped-def]
    return asyncio.run(Crawler(config(site, **overrides), previous).run())


def test_crawl_keeps_in_scope_html_pages(site: Site) -> None:
    report = crawl(site)
    assert sorted(url.removeprefix(site.base) for url in report.pages) == [
        "/docs/a.html",
        "/docs/b.html",
        "/docs/flaky.html",
        "/docs/from-sitemap.html",
        "/docs/index.html",
    ]
    joins = report.pages[f"{site.base}/docs/a.html"]
    assert joins.title == "Joins"
    assert '```python\nt.left_join(s, "key")\n```' in joins.markdown
    assert "Sidebar" not in joins.markdown
    assert "footer" not in joins.markdown
    assert joins.anchors == {"Left joins": "left-joins"}


def test_faults_are_skipped_with_reasons(site: Site) -> None:
    skipped = {
        reason: sorted(url.removeprefix(site.base) for url in urls)
        for reason, urls in crawl(site).skipped.items()
    }
    assert skipped == {
        "HTTP 404": ["/docs/missing.html"],
        "HTTP 500": ["/docs/error.html"],
        "redirect loop": ["/docs/loop1.html"],
        "network error (ReadTimeout)": ["/docs/slow.html"],
        "not HTML": ["/docs/data.pdf"],
        "disallowed by robots.txt": ["/docs/private/secret.html"],
    }


def test_politeness_and_scope(site: Site) -> None:
    crawl(site)
    requested = [path for path, _ in site.requests]
    assert site.count("/docs/private/secret.html") == 0, "robots.txt is obeyed"
    assert site.count("/outside.html") == 0, "the path prefix bounds the crawl"
    assert site.count("/docs/a.html?utm_source=news") == 0, "tracking queries are dropped"
    assert site.count("/docs/a.html") == 2, "once directly, once at the end of a redirect"
    assert site.count("/docs/error.html") == 2, "one retry, then give up"
    assert site.count("/docs/flaky.html") == 2, "a 503 is retried"
    assert requested[0] == "/robots.txt"
    assert all(headers["User-Agent"].startswith("ibis-copilot/") for _, headers in site.requests)


def test_recrawl_uses_conditional_requests_and_hashes(site: Site) -> None:
    first = crawl(site)
    assert first.changed == 5
    site.requests.clear()
    second = crawl(site, previous=first.pages)
    assert second.not_modified == 1, "a.html answered 304 to If-None-Match"
    a_request = next(headers for path, headers in site.requests if path == "/docs/a.html")
    assert a_request["If-None-Match"] == '"v1"'
    assert second.changed == 0
    assert second.unchanged == 4
    assert second.pages.keys() == first.pages.keys()


def test_page_cap(site: Site) -> None:
    report = crawl(site, max_pages=2)
    assert len(report.pages) <= 2
    assert report.skipped["page cap reached"]


def test_a_failing_site_is_not_hammered() -> None:
    broken = Site(routes={"/robots.txt": status(404)})
    links = "".join(f'<a href="p{i}.html">p{i}</a>' for i in range(50))
    broken.routes["/docs/index.html"] = page(links)
    for i in range(50):
        broken.routes[f"/docs/p{i}.html"] = status(500)
    with serve(broken) as site:
        report = crawl(site, max_consecutive_failures=3, concurrency=1)
        assert report.aborted is not None
        assert "3 failures in a row" in report.aborted
        assert len(site.requests) <= 2 + 3 * 2 + 2, "stops after 3 failed pages"


def test_robots_server_error_means_no_crawl() -> None:
    down = Site(routes={"/robots.txt": status(503), "/docs/index.html": page("<p>x</p>")})
    with serve(down) as site:
        report = crawl(site)
        assert report.aborted is not None
        assert report.aborted.startswith("robots.txt unavailable (HTTP 503)")
        assert site.count("/docs/index.html") == 0


def test_crawl_source_chunks_and_state(site: Site, tmp_path: Path) -> None:
    source = CrawlSource(config(site), tmp_path)
    chunks = list(source.chunks())
    left = next(chunk for chunk in chunks if chunk.heading == "Left joins")
    assert left.source == "crawl"
    assert left.path == f"{site.base}/docs/a.html"
    assert left.url == f"{site.base}/docs/a.html#left-joins"
    assert left.title == "Joins"
    assert source.state_file.is_file()
    assert source.provenance["pages"] == 5
    site.requests.clear()
    list(CrawlSource(config(site), tmp_path).chunks())
    a_request = next(headers for path, headers in site.requests if path == "/docs/a.html")
    assert a_request.get("If-None-Match") == '"v1"', "state survives between runs"


def test_aborted_crawl_raises_and_keeps_old_state(tmp_path: Path) -> None:
    down = Site(routes={"/robots.txt": status(500)})
    with serve(down) as site:
        source = CrawlSource(config(site), tmp_path)
        with pytest.raises(CrawlAbortedError, match=r"robots\.txt unavailable"):
            list(source.chunks())
        assert not source.state_file.exists()


def test_canonical_urls() -> None:
    assert canonical_url("HTTP://Example.COM:80/a/b.html?utm_source=x&q=1#top") == (
        "http://example.com/a/b.html?q=1"
    )
    assert canonical_url("https://example.com") == "https://example.com/"
    assert canonical_url("https://example.com:8443/x?fbclid=1") == "https://example.com:8443/x"


def test_rate_limiter_spaces_requests() -> None:
    now = [100.0]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    async def three_requests() -> None:
        limiter = RateLimiter(rate=2.0, clock=lambda: now[0], sleep=fake_sleep)
        for _ in range(3):
            await limiter.wait()

    asyncio.run(three_requests())
    assert slept == [0.5, 0.5]


def test_html_to_page_keeps_content_and_code() -> None:
    html = quarto_page("Joins", A_BODY, '<a href="b.html">B</a>').replace(
        "<head>", '<head><link rel="canonical" href="/docs/a.html">'
    )
    parsed = html_to_page(html, "http://site/docs/index.html")
    assert parsed.title == "Joins"
    assert parsed.canonical == "http://site/docs/a.html"
    assert "http://site/docs/b.html" in parsed.links, "links are read from the whole page"
    assert parsed.markdown.startswith("Joins combine tables.")
    assert "## Left joins" in parsed.markdown
    for chrome in ("Site navigation", "Sidebar", "On this page", "Copyright"):
        assert chrome not in parsed.markdown
