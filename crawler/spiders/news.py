"""One generic news spider, driven by the sources file.

It only discovers and fetches. Per source it reads sitemaps (indexes, gzip, Google News),
RSS/Atom feeds and, from the start page, follows links on the source's own host: links
matching ``article_pattern`` are articles, other links are listings followed up to
``max_depth``. When a source lists no sitemaps and no feeds, the ``Sitemap:`` lines of
its robots.txt are used. Every article response goes to the archive as a
:class:`~archive.prepare.FetchedPage`; failures go as :class:`~crawler.items.FetchFailed`.

On an archive that already knows the source, the :attr:`NewsSpider.gate` (set by
:class:`crawler.incremental.IncrementalExtension`) decides which known articles are fetched
again (due or signalled by a newer sitemap/feed date) and stops paging back through listings
whose articles are all known; a ``304`` answer to a conditional recheck goes to the archive as
:class:`~archive.recheck.NotModified` (docs/versions.md).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.prepare import FetchedPage
from archive.recheck import NotModified
from archive.sources import Source, load_sources
from archive.urls import canonical_url
from crawler.discovery import DiscoveryError, parse_feed, parse_sitemap, robots_sitemaps
from crawler.incremental import Gate, is_pagination
from crawler.items import FetchFailed

# Request priorities: discovery documents first, then articles, then listings.
_PRIO_DISCOVERY, _PRIO_ARTICLE, _PRIO_LISTING = 20, 10, 0
_MAX_SITEMAP_DEPTH = 4  # sitemap index nesting; guards against loops
# Sitemap entries waiting for a request: (source, loc, news date, lastmod, dated).
_Entry = tuple[str, str, datetime | None, datetime | None, datetime | None]


class NewsSpider(scrapy.Spider):
    name = "news"
    # Set by crawler.incremental.IncrementalExtension: which known articles to fetch again,
    # when to stop paging back (docs/versions.md). None: fetch everything discovered.
    gate: Gate | None = None

    def __init__(
        self,
        sources: Mapping[str, Source] | str | None = None,
        names: str | list[str] | None = None,
        max_pages: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if sources is None or isinstance(sources, str):
            # `scrapy crawl news -a sources=FILE -a names=a,b -a max_pages=N`
            sources = load_sources(sources or "sources.toml")
        if isinstance(names, str):
            names = [n for n in names.split(",") if n]
        if names:
            missing = [n for n in names if n not in sources]
            if missing:
                raise ValueError(f"unknown source(s): {', '.join(missing)}")
            sources = {n: sources[n] for n in names}
        self.sources: dict[str, Source] = dict(sources)
        self.max_pages = int(max_pages) if max_pages not in (None, "") else None
        self._articles: dict[str, set[str]] = {name: set() for name in self.sources}
        self._links = LinkExtractor(unique=True)
        # Sitemap entries not yet handed to Scrapy: a 100,000-URL sitemap becomes requests
        # only as the scheduler drains (ARSHIF_MAX_QUEUED), so memory stays flat.
        self._backlog: deque[_Entry] = deque()
        self.max_queued = 1000

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_queued = max(1, crawler.settings.getint("ARSHIF_MAX_QUEUED", 1000))
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        return spider

    # -- start -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for src in self.sources.values():
            for url in src.sitemaps:
                yield self._discovery(src, url, self.parse_sitemap)
            for url in src.feeds:
                yield self._discovery(src, url, self.parse_feed)
            if not src.sitemaps and not src.feeds:
                robots = urljoin(src.url, "/robots.txt")
                yield self._discovery(src, robots, self.parse_robots)
            yield self._listing(src, src.url, depth=0)
            if self.gate is not None:  # known articles due for a recheck, found or not
                for url in self.gate.rechecks(src):
                    if (req := self._article(src, url, None)) is not None:
                        yield req

    # -- callbacks ---------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Any]:
        src = self._source(response)
        for url in robots_sitemaps(response.body, response.url):
            if src.owns(url):
                yield self._discovery(src, url, self.parse_sitemap)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        src = self._source(response)
        try:
            sitemap = parse_sitemap(response.body, response.url)
        except DiscoveryError as exc:
            yield FetchFailed(src.name, response.url, "discovery", str(exc), response.status)
            return
        depth = response.meta.get("arshif_depth", 0)
        for entry in sitemap.entries:
            if sitemap.kind == "index":
                if depth < _MAX_SITEMAP_DEPTH and src.owns(entry.loc):
                    yield self._discovery(src, entry.loc, self.parse_sitemap, depth + 1)
            elif src.owns(entry.loc):
                dated = entry.news_publication_date or entry.lastmod
                self._backlog.append(
                    (src.name, entry.loc, entry.news_publication_date, entry.lastmod, dated)
                )
        yield from self._release()

    def parse_feed(self, response: Response) -> Iterator[Any]:
        src = self._source(response)
        try:
            entries = parse_feed(response.body, response.url)
        except DiscoveryError as exc:
            yield FetchFailed(src.name, response.url, "discovery", str(exc), response.status)
            return
        for entry in entries:
            dated = entry.published or entry.updated
            if (req := self._article(src, entry.link, None, entry.updated, dated)) is not None:
                yield req

    def parse_listing(self, response: Response) -> Iterator[Any]:
        src = self._source(response)
        if not isinstance(response, TextResponse):
            return
        if src.article_pattern is None and response.meta.get("arshif_depth", 0) > 0:
            # Without a pattern any page may be an article: the archive decides.
            yield self._page(src, response, is_article=None)
        yield from self._follow(src, response)
        yield from self._release()

    def parse_article(self, response: Response) -> Iterator[Any]:
        src = self._source(response)
        if response.status == 304:  # a conditional recheck: checked, unchanged
            yield NotModified(
                src.name,
                self._requested(response),
                response.url,
                self._headers(response),
                datetime.now(UTC),
                self._lastmod(src, response),
            )
            return
        yield self._page(src, response, is_article=True)
        if isinstance(response, TextResponse):
            yield from self._follow(src, response)
        yield from self._release()

    def errback(self, failure: Failure) -> Iterator[Any]:
        request: scrapy.Request = failure.request  # type: ignore[attr-defined]
        name = request.meta.get("arshif_source")
        kind = request.meta.get("arshif_kind")
        exc = failure.value
        if name is None or kind == "robots":
            return  # a missing robots.txt is normal
        if isinstance(exc, IgnoreRequest) and not isinstance(exc, HttpError):
            # Forbidden by robots.txt or filtered by a middleware: a policy, not an error.
            self.crawler.stats.inc_value("arshif/ignored")
            self.logger.debug("ignored %s: %s", request.url, exc)
            return
        if isinstance(exc, HttpError):
            status: int | None = exc.response.status
            message, failure_kind = f"HTTP {status}", "http"
        else:
            status = None
            message, failure_kind = f"{type(exc).__name__}: {failure.getErrorMessage()}", "network"
        if kind in ("sitemap", "feed") and failure_kind == "http":
            failure_kind = "discovery"
        yield FetchFailed(name, request.url, failure_kind, message, status)
        yield from self._release()

    # -- the sitemap backlog -------------------------------------------------------------

    def _release(self) -> Iterator[scrapy.Request]:
        """Requests for backlogged sitemap entries, while the scheduler holds fewer than
        ``max_queued``; called after every response, so the backlog drains as pages come."""
        budget = self.max_queued - self._queued()
        while self._backlog and budget > 0:
            name, loc, published, lastmod, dated = self._backlog.popleft()
            if (
                req := self._article(self.sources[name], loc, published, lastmod, dated)
            ) is not None:
                budget -= 1
                yield req

    def _queued(self) -> int:
        """Requests in Scrapy's scheduler (0 before the crawl runs, e.g. in tests)."""
        try:
            scheduler = self.crawler.engine.scheduler
        except (AttributeError, RuntimeError):
            return 0
        return len(scheduler) if scheduler is not None and hasattr(scheduler, "__len__") else 0

    def _idle(self) -> None:
        """Nothing in flight (the released requests were all filtered): release more."""
        if not self._backlog:
            return
        assert self.crawler.engine is not None
        for request in self._release():
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    # -- helpers -----------------------------------------------------------------------

    def _follow(self, src: Source, response: TextResponse) -> Iterator[scrapy.Request]:
        if not src.follow_links:
            return
        depth = response.meta.get("arshif_depth", 0)
        links = [link for link in self._links.extract_links(response) if src.owns(link.url)]
        stop_paging = self.gate is not None and self.gate.stop_paging(
            src, response.url, [link.url for link in links if src.is_article_url(link.url)]
        )
        for link in links:
            verdict = src.is_article_url(link.url)
            if verdict:
                if (req := self._article(src, link.url, None)) is not None:
                    yield req
            elif depth < src.max_depth and not (
                stop_paging and is_pagination(response.url, link.url)
            ):
                yield self._listing(src, link.url, depth + 1)

    def article_request(
        self, source: str, url: str, published: datetime | None = None
    ) -> scrapy.Request | None:
        """The request for an article of ``source`` (None if already requested, not the
        source's, or over ``max_pages``); used to resume pages an earlier run left."""
        return self._article(self.sources[source], url, published)

    def _article(
        self,
        src: Source,
        url: str,
        published: datetime | None,
        lastmod: datetime | None = None,
        dated: datetime | None = None,
    ) -> scrapy.Request | None:
        if not src.owns(url) or src.is_article_url(url) is False:
            return None
        key = canonical_url(url)
        extra: dict[str, Any] = {}
        if self.gate is not None:  # a known article is fetched again only when due
            if (verdict := self.gate.article(src, key, lastmod, dated)) is None:
                return None
            extra = verdict
        seen = self._articles[src.name]
        if key in seen:
            return None
        if self.max_pages is not None and len(seen) >= self.max_pages:
            self.crawler.stats.inc_value("arshif/over_max_pages")
            return None
        seen.add(key)
        return scrapy.Request(
            key,
            callback=self.parse_article,
            errback=self.errback,
            priority=_PRIO_ARTICLE,
            meta={
                "arshif_source": src.name,
                "arshif_kind": "article",
                "arshif_published": published,
                "arshif_depth": src.max_depth,
                **extra,
            },
        )

    def _listing(self, src: Source, url: str, depth: int) -> scrapy.Request:
        return scrapy.Request(
            canonical_url(url),
            callback=self.parse_listing,
            errback=self.errback,
            priority=_PRIO_LISTING - depth,
            meta={"arshif_source": src.name, "arshif_kind": "listing", "arshif_depth": depth},
        )

    def _discovery(self, src: Source, url: str, callback: Any, depth: int = 0) -> scrapy.Request:
        kind = {"parse_sitemap": "sitemap", "parse_feed": "feed"}.get(callback.__name__, "robots")
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.errback,
            priority=_PRIO_DISCOVERY,
            meta={"arshif_source": src.name, "arshif_kind": kind, "arshif_depth": depth},
        )

    def _source(self, response: Response) -> Source:
        name = response.meta["arshif_source"]
        # Any answer at all: an incremental crawl may fetch no article and still be healthy.
        self.crawler.stats.inc_value(f"arshif/responses/{name}")
        return self.sources[name]

    def _page(self, src: Source, response: Response, is_article: bool | None) -> FetchedPage:
        return FetchedPage(
            source=src.name,
            url=self._requested(response),
            final_url=response.url,
            status=response.status,
            headers=self._headers(response),
            body=response.body,
            fetched_at=datetime.now(UTC),
            is_article=is_article,
            published_hint=response.meta.get("arshif_published"),
            lastmod_hint=self._lastmod(src, response),
        )

    def _lastmod(self, src: Source, response: Response) -> datetime | None:
        hint: datetime | None = response.meta.get("arshif_lastmod")
        newest = self.gate.lastmod(src.name, response.url) if self.gate is not None else None
        return max(hint, newest) if hint and newest else (hint or newest)

    @staticmethod
    def _requested(response: Response) -> str:
        return str((response.meta.get("redirect_urls") or [response.url])[0])

    @staticmethod
    def _headers(response: Response) -> dict[str, str]:
        return {
            key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
            for key, values in response.headers.items()
        }
