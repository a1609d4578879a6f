"""A real local HTTP server playing a small docs site, for the crawler tests."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from local_http import QuietHandler, local_server


def quarto_page(title: str, body: str, links: str = "") -> str:
    """A page shaped like Quarto's output: sidebar, TOC, main content, footer."""
    return f"""<!DOCTYPE html><html><head><title>{title} | Site</title></head><body>
<header id="quarto-header"><nav class="navbar">Site navigation</nav></header>
<nav id="quarto-sidebar" class="sidebar">Sidebar {links}</nav>
<div id="quarto-margin-sidebar"><nav id="TOC">On this page</nav></div>
<main class="content" id="quarto-document-content">
<header id="title-block-header"><h1 class="title">{title}</h1></header>
{body}
</main>
<footer class="footer">Copyright footer text</footer></body></html>"""


@dataclass
class Site:
    """Routes, plus a log of every request the server received."""

    routes: dict[str, Callable[[BaseHTTPRequestHandler], tuple[int, dict[str, str], bytes]]]
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def count(self, path: str) -> int:
        return sum(1 for requested, _ in self.requests if requested == path)


def page(html: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    def respond(_: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "text/html; charset=utf-8", **(headers or {})}, html.encode()

    return respond


def status(code: int, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    def respond(_: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        return code, headers or {}, b"error page"

    return respond


@contextmanager
def serve(site: Site) -> Iterator[Site]:
    """Serve ``site`` on 127.0.0.1 in a thread; unknown paths are 404."""

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            path = self.path.split("?")[0]
            site.requests.append((self.path, dict(self.headers)))
            route = site.routes.get(path, status(404))
            code, headers, body = route(self)
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # the client may have timed out already

    with local_server(Handler) as base:
        site.base = base
        yield site


def slow(seconds: float):  # type: ignore[no-untyped-def]
    def respond(_: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        time.sleep(seconds)
        return 200, {"Content-Type": "text/html"}, b"<p>late</p>"

    return respond
