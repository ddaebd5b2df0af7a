"""A fixture news site in editions (v1 → v2 → v3) for recrawl tests, served on 127.0.0.1.

Each article page plays one role across the editions (README.md has the table): a real
edit, a boilerplate-only change, a page without validators, a page answering 304 to
``If-None-Match``, a page whose ETag changes while its bytes do not, a page answering 304
to ``If-Modified-Since`` only, a whitespace/punctuation-spacing reflow, and a new article.
Pages are rendered with the fixture web's WordPress/Jannah theme from its real Arabic texts,
dated relative to when the site is built, so the recheck policy sees fresh articles.

    with EditionsSite() as site:
        site.sources_toml()      # one source, "editions"
        site.edition = 2         # switch the live site to v2
        site.log                 # [(edition, path, status, If-None-Match, If-Modified-Since)]
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from crawler.demo import feeds, jannah
from crawler.demo.content import Article, Block, apply_edit, load_articles
from crawler.demo.sites import etag
from crawler.demo.templates import ArticlePage, Chrome, Link, esc

PER_PAGE = 3
CATEGORY = "/archives/category/news"


@dataclass(frozen=True)
class Page:
    body: bytes
    etag: str | None
    last_modified: datetime | None


class EditionsSite:
    """One outlet ("editions") whose pages change between editions 1, 2 and 3."""

    ROLES: ClassVar[dict[int, str]] = {
        1: "edited",  # v2: casualty figures change, a sentence is added; v3: headline softened
        2: "boilerplate",  # v2: counter, ticker, related links, the read-also line change
        3: "no-validators",  # never sends ETag or Last-Modified: always a full 200
        4: "etag-304",  # identical in every edition, stable ETag: 304 to If-None-Match
        5: "etag-churn",  # identical bytes, a new ETag every edition: 200, unchanged
        6: "last-modified-304",  # no ETag; 304 to If-Modified-Since
        7: "reflowed",  # v2: whitespace and punctuation spacing change, text does not
        8: "new-in-v2",  # absent from v1
    }

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.edition = 1
        self.log: list[tuple[int, str, int, str | None, str | None]] = []
        self._lock = threading.Lock()
        self._articles = self._build()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> EditionsSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def url(self, n: int) -> str:
        return f"{self.base}archives/{n}"

    def sources_toml(self) -> str:
        return (
            f'[sources.editions]\nurl = "{self.base}"\nsitemaps = ["{self.base}sitemap.xml"]\n'
            "article_pattern = '/archives/\\d+$'\nmax_depth = 5\nlanguage = \"ar\"\n"
        )

    def requests(self, edition: int) -> dict[str, int]:
        """Status per article page requested while ``edition`` was live."""
        return {p: s for e, p, s, _, _ in self.log if e == edition and p[10:].isdigit()}

    # -- content --------------------------------------------------------------------------

    def _build(self) -> dict[int, Article]:
        arts, edit = load_articles()
        alsham = [a for a in arts if a.outlet == "alsham"]
        edited = next(a for a in alsham if a.id == edit.id)
        others = [a for a in alsham if a.id != edit.id]
        extra = next(a for a in arts if a.outlet == "hurriya" and a.encoding == "utf-8")
        picked = [edited, *others[:6], extra]
        out = {}
        for n, art in enumerate(picked, 1):
            published = self.now - timedelta(hours=10 - n)  # 9 h ... 2 h old, 8 newest
            out[n] = replace(art, outlet="editions", id=n, published=published, modified=published)
        self._edit = replace(edit, id=1, modified=out[1].published + timedelta(hours=1))
        return out

    def article(self, n: int) -> Article | None:
        art = self._articles[n]
        ed = self.edition
        if n == 8 and ed < 2:
            return None
        if n == 1 and ed >= 2:
            art = apply_edit(replace(art, outlet="alsham"), self._edit)
            art = replace(art, outlet="editions")
            if ed >= 3:
                art = replace(
                    art,
                    title=art.title.replace("استشهاد", "مقتل") + " (محدّث)",
                    modified=art.modified + timedelta(hours=1),
                )
        if n == 2:
            target = 4 if ed == 1 else 5
            read_also = Block("read_also", f"إقرأ أيضاً : {self._articles[target].title}", target)
            art = replace(art, blocks=(*art.blocks[:2], read_also, *art.blocks[2:]))
        if n == 7 and ed >= 2:
            blocks = tuple(
                replace(b, text=b.text.replace("،", " ، ").replace(" ", "  ")) for b in art.blocks
            )
            art = replace(art, blocks=blocks)
        return art

    def page(self, n: int) -> Page | None:
        art = self.article(n)
        if art is None:
            return None
        ed = self.edition if n == 2 else 1  # only the boilerplate page changes its chrome
        links = {i: self.url(i) for i in self._articles if i != 8 or self.edition >= 2}
        chrome = Chrome(
            views=1000 + 37 * n + 911 * ed,
            ticker=(f"عاجل: نشرة رقم {ed}",),
            most_read=tuple(Link(self.url(i), self._articles[i].title) for i in (3, 4, 5)),
            related=tuple(
                Link(self.url(i), self._articles[i].title) for i in ((4, 5) if ed == 1 else (6, 7))
            ),
        )
        nav = (Link(self.base, "الرئيسية"), Link(self.base + CATEGORY[1:], "أخبار"))
        html = jannah.article_page(ArticlePage(art, self.url(n), self.base, chrome, links, nav, ()))
        body = html.encode("utf-8")
        if n == 3:
            return Page(body, None, None)
        if n == 5:  # a server whose ETag is not derived from the content
            return Page(body, f'"build-{self.edition}"', art.modified)
        if n == 6:
            return Page(body, None, art.modified)
        return Page(body, etag(body), art.modified)

    def live(self) -> list[Article]:
        """The articles of the current edition, newest first."""
        arts = [a for n in self._articles if (a := self.article(n)) is not None]
        return sorted(arts, key=lambda a: a.published, reverse=True)

    def sitemap(self) -> bytes:
        return feeds.urlset([(self.url(a.id), a) for a in self.live()]).encode()

    def listing(self, page: int) -> bytes | None:
        arts = self.live()[(page - 1) * PER_PAGE : page * PER_PAGE]
        if not arts:
            return None
        items = "".join(f'<li><a href="{self.url(a.id)}">{esc(a.title)}</a></li>' for a in arts)
        more = ""
        if page * PER_PAGE < len(self.live()):  # "next" only, as many themes do
            more = f'<a rel="next" href="{self.base}{CATEGORY[1:]}/page/{page + 1}">التالي »</a>'
        return (
            '<!DOCTYPE html><html dir="rtl" lang="ar"><head><meta charset="utf-8">'
            f"<title>أخبار – صفحة {page}</title></head><body><h1>أخبار</h1>"
            f'<ul class="posts">{items}</ul><nav class="pager">{more}</nav></body></html>'
        ).encode()


def _handler(site: EditionsSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            with site._lock:
                status = self._serve()
                site.log.append(
                    (
                        site.edition,
                        self.path,
                        status,
                        self.headers.get("If-None-Match"),
                        self.headers.get("If-Modified-Since"),
                    )
                )

        def _serve(self) -> int:
            path = self.path.split("?")[0]
            html = "text/html; charset=UTF-8"
            if path == "/robots.txt":
                return self._send(200, b"User-agent: *\nDisallow: /wp-admin/\n", "text/plain")
            if path == "/sitemap.xml":
                return self._send(200, site.sitemap(), "application/xml")
            if path == "/":
                body = f'<html><body><a href="{site.base}{CATEGORY[1:]}">أخبار</a></body></html>'
                return self._send(200, body.encode(), html)
            if path.rstrip("/") == CATEGORY or path.startswith(CATEGORY + "/page/"):
                number = int(path.rsplit("/", 1)[-1]) if "/page/" in path else 1
                listing = site.listing(number)
                return self._send(200 if listing else 404, listing or b"404", html)
            if path.startswith("/archives/") and path[10:].isdigit():
                page = site.page(int(path[10:]))
                if page is not None:
                    return self._article(page)
            return self._send(404, b"<html><body>404</body></html>", html)

        def _article(self, page: Page) -> int:
            headers = []
            if page.etag:
                headers.append(("ETag", page.etag))
            if page.last_modified:
                headers.append(("Last-Modified", format_datetime(page.last_modified, usegmt=True)))
            inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
            fresh = (page.etag is not None and inm == page.etag) or (
                inm is None
                and ims is not None
                and page.last_modified is not None
                and parsedate_to_datetime(ims) >= page.last_modified
            )
            if fresh:
                self.send_response(304)
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                return 304
            return self._send(200, page.body, "text/html; charset=UTF-8", headers)

        def _send(
            self,
            status: int,
            body: bytes,
            ctype: str,
            extra: list[tuple[str, str]] = (),  # type: ignore[assignment]
        ) -> int:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            for name, value in extra:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return status

    return Handler
