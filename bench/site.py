"""A synthetic Arabic news site of N article pages for benchmarks, served on 127.0.0.1.

Articles are assembled deterministically from the paragraphs of the fixture web (real Arabic
text) and rendered with the fixture web's WordPress/Jannah theme: realistic pages (navigation,
ticker, share buttons, related posts, comment form, footer; 20-30 kB each). The site has a
robots.txt, a sitemap index with sitemaps of 1,000 URLs each, and an RSS feed of the newest
50. All pages are rendered up front, so serving costs almost no CPU during a measurement.

Article pages carry ``ETag`` and ``Last-Modified`` and answer ``If-None-Match`` /
``If-Modified-Since`` with ``304 Not Modified``, as most news sites' servers or CDNs do. The
site counts requests and the bytes it sends (status line, headers and body), so a benchmark
can compare what two crawls transferred.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from crawler.demo import feeds, jannah
from crawler.demo.content import Article, Block, load_articles
from crawler.demo.templates import ArticlePage, Chrome, Link

SITEMAP_SIZE = 1000
_START = datetime(2019, 1, 1, 8, 0, tzinfo=UTC)


def _paragraph_pool() -> list[str]:
    articles, _ = load_articles()
    pool = [
        b.text
        for art in articles
        for b in art.blocks
        if b.kind == "p" and len(b.text.split()) >= 12
    ]
    return sorted(set(pool))


def synthetic_articles(n: int, seed: int = 1) -> list[Article]:
    """``n`` distinct articles: each 5-9 paragraphs drawn from the pool, sentences shuffled."""
    rnd = random.Random(seed)
    pool = _paragraph_pool()
    titles = pool
    out = []
    for i in range(n):
        paras = rnd.sample(pool, rnd.randint(5, 9))
        blocks = []
        for p in paras:
            sentences = [s for s in p.replace("،", "، ").split(". ") if s]
            rnd.shuffle(sentences)
            blocks.append(Block("p", ". ".join(sentences)))
        title_words = rnd.choice(titles).split()[:9]
        published = _START + timedelta(minutes=37 * i)
        out.append(
            Article(
                outlet="alsham",
                id=100_000 + i,
                title=" ".join(title_words) + f" ({i})",
                author="فريق التحرير",
                section="أخبار",
                tags=("سورية",),
                published=published,
                modified=published,
                blocks=tuple(blocks),
            )
        )
    return out


class SyntheticSite:
    """Pre-rendered pages of ``n`` articles; ``with SyntheticSite(2000) as site: site.base``."""

    def __init__(self, n: int, seed: int = 1) -> None:
        self.n = n
        self.articles = synthetic_articles(n, seed)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.validators: dict[str, tuple[str, datetime]] = {}  # article path -> ETag, modified
        self.requests = 0
        self.bytes_sent = 0
        self._count = threading.Lock()
        self._render()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def article_urls(self) -> list[str]:
        return [f"{self.base}archives/{a.id}" for a in self.articles]

    def _render(self) -> None:
        nav = (Link(self.base, "الرئيسية"), Link(self.base + "archives/category/news", "أخبار"))
        links = [Link(u, a.title) for u, a in zip(self.article_urls, self.articles, strict=True)]
        html = "text/html; charset=utf-8"
        for i, (art, url) in enumerate(zip(self.articles, self.article_urls, strict=True)):
            chrome = Chrome(
                views=1000 + i,
                ticker=tuple(a.title for a in self.articles[max(0, i - 4) : i]) or ("عاجل",),
                most_read=tuple(links[(i * 7 + k) % self.n] for k in range(5)),
                related=tuple(links[(i + k + 1) % self.n] for k in range(3)),
            )
            page = ArticlePage(art, url, self.base, chrome, {}, nav, ())
            body = jannah.article_page(page).encode("utf-8")
            self.pages[f"/archives/{art.id}"] = (html, body)
            tag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            self.validators[f"/archives/{art.id}"] = (tag, art.modified)
        entries = list(zip(self.article_urls, self.articles, strict=True))
        children = []
        for k in range(0, self.n, SITEMAP_SIZE):
            chunk = entries[k : k + SITEMAP_SIZE]
            path = f"/post-sitemap{k // SITEMAP_SIZE + 1}.xml"
            self.pages[path] = ("application/xml", feeds.urlset(chunk).encode())
            children.append((self.base + path[1:], max(a.modified for _, a in chunk)))
        xml = "application/xml"
        self.pages["/sitemap_index.xml"] = (xml, feeds.sitemap_index(children).encode())
        newest = sorted(entries, key=lambda e: e[1].published, reverse=True)[:50]
        rss = feeds.rss("الموقع", self.base, "موقع تجريبي", newest, [a.text for _, a in newest])
        self.pages["/feed/"] = (xml, rss.encode())
        robots = feeds.robots(["/wp-admin/"], sitemaps=[self.base + "sitemap_index.xml"])
        self.pages["/robots.txt"] = ("text/plain", robots.encode())
        self.pages["/"] = (html, b"<html><body><a href='/feed/'>feed</a></body></html>")

    def sources_toml(self, name: str = "bench") -> str:
        return (
            f'[sources.{name}]\nurl = "{self.base}"\nsitemaps = ["{self.base}sitemap_index.xml"]\n'
            "article_pattern = '/archives/\\d+$'\nfollow_links = false\nlanguage = \"ar\"\n"
        )

    def sent(self, nbytes: int) -> None:
        with self._count:
            self.requests += 1
            self.bytes_sent += nbytes

    def __enter__(self) -> SyntheticSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(site: SyntheticSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            found = site.pages.get(path)
            ctype, body = found or ("text/html; charset=utf-8", b"<html><body>404</body></html>")
            status, headers = (200 if found else 404), [("Content-Type", ctype)]
            if path in site.validators:
                tag, modified = site.validators[path]
                headers += [("ETag", tag), ("Last-Modified", format_datetime(modified, True))]
                if _fresh(
                    self.headers.get("If-None-Match"),
                    self.headers.get("If-Modified-Since"),
                    tag,
                    modified,
                ):
                    status, body, headers = 304, b"", headers[1:]
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            head = sum(len(line) for line in getattr(self, "_headers_buffer", []))
            self.end_headers()
            self.wfile.write(body)
            site.sent(head + 2 + len(body))

    return Handler


def _fresh(inm: str | None, ims: str | None, tag: str, modified: datetime) -> bool:
    if inm is not None:
        return inm == tag
    if ims is None:
        return False
    try:
        return parsedate_to_datetime(ims) >= modified
    except (TypeError, ValueError):
        return False


@contextmanager
def serve(n: int, seed: int = 1) -> Iterator[SyntheticSite]:
    with SyntheticSite(n, seed) as site:
        yield site
