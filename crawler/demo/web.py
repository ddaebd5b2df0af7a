"""The fixture web: fictional Arabic news outlets served over real HTTP on 127.0.0.1.

One :class:`~http.server.ThreadingHTTPServer` per outlet (different ports, so different
hosts to a crawler), all pages held in memory. ``arshif demo`` and the end-to-end tests crawl
it; :meth:`FixtureWeb.edit_article` and :meth:`FixtureWeb.cosmetic_change` change the live
site between crawls. See ``crawler/demo/README.md`` for every page and what it tests.

Usage::

    with FixtureWeb() as web:
        print(web.sources_toml())
        ...
        url = web.edit_article()

Run ``python -m crawler.demo.web --help`` to serve it by hand.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, MappingProxyType, TracebackType
from typing import Any, cast
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from crawler.demo.content import Article, apply_edit, load_articles
from crawler.demo.sites import SPECS, OutletSpec, Response, Routes, article_path, build_routes
from crawler.demo.sites import html_response as _html_response
from crawler.demo.templates import simple_page

__all__ = ["FixtureWeb", "Outlet", "main"]

HOST = "127.0.0.1"
_TRACKING_KEYS = frozenset({"fbclid", "gclid", "igshid"})


class Outlet:
    """One fictional outlet. ``base_url`` is known once the web has started."""

    def __init__(self, spec: OutletSpec) -> None:
        self.name = spec.name
        self.title = spec.title  # Arabic display name
        self.description = spec.description
        self.article_pattern = spec.article_pattern
        self.body_xpath = spec.body_xpath  # XPath of the article body element
        self._spec = spec
        self.port: int | None = None

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError(f"outlet {self.name!r}: FixtureWeb is not started")
        return f"http://{HOST}:{self.port}/"

    def url(self, path: str = "/") -> str:
        """Absolute URL of ``path`` (a root-relative path, percent-encoded as needed)."""
        return self.base_url + path.lstrip("/")

    @property
    def sitemaps(self) -> list[str]:
        return [self.url(p) for p in self._spec.sitemaps]

    @property
    def feeds(self) -> list[str]:
        return [self.url(p) for p in self._spec.feeds]

    def __repr__(self) -> str:
        where = self.base_url if self.port is not None else "not started"
        return f"<Outlet {self.name} {where}>"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, web: FixtureWeb, outlet: str) -> None:
        self.web = web
        self.outlet = outlet
        super().__init__((HOST, port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client went away mid-response: not our problem
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Serves GET and HEAD from the outlet's in-memory route table."""

    def version_string(self) -> str:
        return "arshif-fixture-web"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: no line on stderr per request."""

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _serve(self, *, send_body: bool) -> None:
        server = cast(_Server, self.server)
        delay = server.web.delay
        if isinstance(delay, Mapping):
            delay = delay.get(server.outlet, 0.0)
        if delay > 0:
            time.sleep(delay)  # a slow site, for crawls to interrupt mid-way
        resp = server.web._handle(server.outlet, self.command, self.path)
        etag = resp.header("ETag")
        if resp.status == 200 and etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(resp.status)
        for name, value in resp.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if send_body:
            self.wfile.write(resp.body)


def _strip_tracking(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not k.startswith("utm_") and k not in _TRACKING_KEYS]
    return query if len(kept) == len(pairs) else urlencode(kept)


class FixtureWeb:
    """The bundled offline web. Build it (no I/O), ``start()`` it, crawl it, ``stop()`` it.

    ``port_base``: serve outlet *i* on port ``port_base + i`` instead of a free port.
    ``delay``: seconds to wait before answering each request, or ``{outlet: seconds}`` (a slow
    site; the ``delay`` attribute may be changed while serving).
    """

    def __init__(
        self, *, port_base: int | None = None, delay: float | Mapping[str, float] = 0.0
    ) -> None:
        self.delay = delay
        self._articles, self._edit = load_articles()
        self._port_base = port_base
        self._outlets = {spec.name: Outlet(spec) for spec in SPECS}
        self._lock = threading.Lock()  # guards _routes and requests
        self._mutate = threading.Lock()  # serialises edit/cosmetic re-renders
        self._routes: dict[str, Routes] = {}
        self._not_found: dict[str, Response] = {}
        self._round = 0
        self._servers: list[tuple[_Server, threading.Thread]] = []
        self.requests: list[tuple[str, str, str]] = []  # (outlet, method, raw path+query)

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FixtureWeb:
        if self._servers:
            raise RuntimeError("FixtureWeb already started")
        try:
            for i, name in enumerate(self._outlets):
                port = 0 if self._port_base is None else self._port_base + i
                server = _Server(port, self, name)
                self._outlets[name].port = server.server_address[1]
                thread = threading.Thread(
                    target=server.serve_forever,
                    kwargs={"poll_interval": 0.05},
                    name=f"fixture-web-{name}",
                    daemon=True,
                )
                self._servers.append((server, thread))
            self._render()
            for _, thread in self._servers:
                thread.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        servers, self._servers = self._servers, []
        for server, thread in servers:
            if thread.is_alive():
                server.shutdown()
                thread.join()
            server.server_close()
        for outlet in self._outlets.values():
            outlet.port = None

    def __enter__(self) -> FixtureWeb:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- the public view ------------------------------------------------------------------

    @property
    def outlets(self) -> Mapping[str, Outlet]:
        return MappingProxyType(self._outlets)

    def sources_toml(self) -> str:
        """A sources file (TOML) with one ``[sources.NAME]`` table per outlet."""
        lines = ["# Fixture web of arshif: fictional outlets served on 127.0.0.1.", ""]
        for outlet in self._outlets.values():
            lines += [f"# {outlet.title}: {outlet.description}", f"[sources.{outlet.name}]"]
            lines.append(f'url = "{outlet.base_url}"')
            if outlet.sitemaps:
                lines.append("sitemaps = [" + ", ".join(f'"{u}"' for u in outlet.sitemaps) + "]")
            if outlet.feeds:
                lines.append("feeds = [" + ", ".join(f'"{u}"' for u in outlet.feeds) + "]")
            lines += [f"article_pattern = '{outlet.article_pattern}'", 'language = "ar"']
            lines += ['timezone = "Asia/Damascus"', ""]
        return "\n".join(lines)

    def articles(self, outlet: str | None = None) -> tuple[Article, ...]:
        """The articles as currently served (after any edit), by outlet and id."""
        return tuple(a for a in self._articles if outlet is None or a.outlet == outlet)

    def article_url(self, article: Article) -> str:
        """Canonical URL (as in ``rel=canonical``) of an article."""
        return self._outlets[article.outlet].url(article_path(article))

    def article_urls(self, outlet: str | None = None) -> list[str]:
        return [self.article_url(a) for a in self.articles(outlet)]

    def syndicated_pair(self) -> tuple[str, str]:
        """(original, republished copy): the wire story and its later republication."""
        copy = next(a for a in self._articles if a.syndicated_from is not None)
        original = next(
            a for a in self._articles if a.id == copy.syndicated_from and a.outlet != copy.outlet
        )
        return self.article_url(original), self.article_url(copy)

    @property
    def edited_url(self) -> str:
        """URL of the article that :meth:`edit_article` changes."""
        return self._outlets[self._edit.outlet].url(f"/archives/{self._edit.id}")

    # -- changing the live site -----------------------------------------------------------

    def edit_article(self) -> str:
        """Apply the scripted real edit (a casualty figure changes, one sentence is added,
        dateModified / article:modified_time / sitemap lastmod move on). Idempotent.
        Returns the edited article's URL."""
        with self._mutate:
            self._articles = tuple(
                apply_edit(a, self._edit)
                if (a.outlet, a.id) == (self._edit.outlet, self._edit.id)
                else a
                for a in self._articles
            )
            self._render()
        return self.edited_url

    def cosmetic_change(self) -> None:
        """Change view counters, the most-read box, related links and the ticker on every
        page; article content and metadata stay identical."""
        with self._mutate:
            self._round += 1
            self._render()

    # -- serving ----------------------------------------------------------------------------

    def _render(self) -> None:
        if not self._servers:
            return  # rendered on start(), when the ports are known
        routes: dict[str, Routes] = {}
        not_found: dict[str, Response] = {}
        for spec in SPECS:
            base = self._outlets[spec.name].base_url
            routes[spec.name] = build_routes(spec, base, self.articles(spec.name), self._round)
            message = "عذراً، الصفحة التي تبحث عنها غير موجودة أو ربما تم حذفها."
            page = simple_page("الصفحة غير موجودة", message, spec.title, base)
            not_found[spec.name] = _html_response(page, status=404)
        with self._lock:
            self._routes, self._not_found = routes, not_found

    def _handle(self, outlet: str, method: str, raw_path: str) -> Response:
        parts = urlsplit(raw_path)
        key = (unquote(parts.path), _strip_tracking(parts.query))
        with self._lock:
            self.requests.append((outlet, method, raw_path))
            return self._routes[outlet].get(key) or self._not_found[outlet]


def _wait_for_interrupt() -> None:
    stop = threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.demo.web",
        description="Serve arshif's offline fixture web of fictional Arabic news outlets on "
        "127.0.0.1 until Ctrl-C (or SIGTERM). Prints each outlet's URL and a sources file.",
    )
    parser.add_argument(
        "--port-base",
        type=int,
        default=None,
        metavar="N",
        help="serve outlet i on port N+i (default: free ports chosen by the OS)",
    )
    args = parser.parse_args(argv)
    with FixtureWeb(port_base=args.port_base) as web:
        for outlet in web.outlets.values():
            print(f"{outlet.name:8} {outlet.base_url}  {outlet.title}")
        print("\n# --- sources.toml ---")
        print(web.sources_toml(), flush=True)
        print("Serving; press Ctrl-C to stop.", file=sys.stderr, flush=True)
        _wait_for_interrupt()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
