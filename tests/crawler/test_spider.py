"""The spider's callbacks on hand-built responses (whole crawls are in tests/e2e)."""

from __future__ import annotations

import asyncio
import gzip
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from archive.prepare import FetchedPage
from archive.sources import Source
from crawler.items import FetchFailed
from crawler.spiders.news import NewsSpider

GOV = Source(
    name="gov",
    url="http://gov.example/",
    sitemaps=("http://gov.example/sitemap_index.xml",),
    feeds=("http://gov.example/feed/",),
    article_pattern=re.compile(r"/archives/\d+$"),
    max_depth=1,
)
OPP = Source(name="opp", url="http://opp.example:8080/")


def make_spider(max_pages: int | None = None, **sources: Source) -> NewsSpider:
    chosen = sources or {"gov": GOV, "opp": OPP}
    crawler = get_crawler(NewsSpider)
    spider: NewsSpider = NewsSpider.from_crawler(crawler, sources=chosen, max_pages=max_pages)
    crawler.spider = spider
    assert crawler.stats is not None
    crawler.stats.open_spider()
    return spider


def response_for(
    request: Request, body: bytes, cls: type[Response] = HtmlResponse, **kw: Any
) -> Response:
    if issubclass(cls, TextResponse):
        kw.setdefault("encoding", "utf-8")
    return cls(url=request.url, body=body, request=request, **kw)


def start_requests(spider: NewsSpider) -> list[Request]:
    async def collect() -> list[Request]:
        return [r async for r in spider.start()]

    return asyncio.run(collect())


def test_start_requests_per_source() -> None:
    requests = start_requests(make_spider())
    by_source: dict[str, list[str]] = {}
    for r in requests:
        by_source.setdefault(r.meta["arshif_source"], []).append(f"{r.meta['arshif_kind']} {r.url}")
    assert by_source["gov"] == [
        "sitemap http://gov.example/sitemap_index.xml",
        "feed http://gov.example/feed/",
        "listing http://gov.example/",
    ]
    # No sitemaps or feeds configured: robots.txt is read for Sitemap: lines.
    assert by_source["opp"] == [
        "robots http://opp.example:8080/robots.txt",
        "listing http://opp.example:8080/",
    ]


def test_robots_sitemaps_on_the_sources_host_are_followed() -> None:
    spider = make_spider()
    req = next(r for r in start_requests(spider) if r.meta["arshif_kind"] == "robots")
    body = b"User-agent: *\nDisallow: /private/\nSitemap: /news-sitemap.xml\nSitemap: http://elsewhere.example/s.xml\n"
    out = list(spider.parse_robots(response_for(req, body, TextResponse)))
    assert [r.url for r in out] == ["http://opp.example:8080/news-sitemap.xml"]
    assert out[0].meta["arshif_kind"] == "sitemap"


SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://gov.example/post-sitemap.xml</loc></sitemap>
<sitemap><loc>http://gov.example/post-sitemap2.xml.gz</loc></sitemap>
<sitemap><loc>http://other.example/sitemap.xml</loc></sitemap>
</sitemapindex>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://gov.example/archives/1</loc>
  <news:news><news:publication_date>2019-03-21T10:15:00+02:00</news:publication_date>
  <news:title>x</news:title></news:news></url>
<url><loc>http://gov.example/archives/2?utm_source=x</loc></url>
<url><loc>http://gov.example/archives/2</loc></url>
<url><loc>http://gov.example/category/news</loc></url>
<url><loc>http://other.example/archives/3</loc></url>
</urlset>"""


def test_sitemap_index_follows_children_on_the_sources_host() -> None:
    spider = make_spider()
    req = Request(
        "http://gov.example/sitemap_index.xml",
        meta={"arshif_source": "gov", "arshif_kind": "sitemap"},
    )
    out = list(spider.parse_sitemap(response_for(req, SITEMAP_INDEX, Response)))
    assert [r.url for r in out] == [
        "http://gov.example/post-sitemap.xml",
        "http://gov.example/post-sitemap2.xml.gz",
    ]
    assert all(r.meta["arshif_depth"] == 1 for r in out)


def test_news_sitemap_yields_articles_with_date_hints_once_each() -> None:
    spider = make_spider()
    req = Request(
        "http://gov.example/news.xml", meta={"arshif_source": "gov", "arshif_kind": "sitemap"}
    )
    out = list(spider.parse_sitemap(response_for(req, gzip.compress(NEWS_SITEMAP), Response)))
    assert [r.url for r in out] == [
        "http://gov.example/archives/1",
        "http://gov.example/archives/2",
    ]
    assert out[0].meta["arshif_published"] == datetime(2019, 3, 21, 8, 15, tzinfo=UTC)
    assert out[0].meta["arshif_kind"] == "article"


def test_max_pages_caps_article_requests_per_source() -> None:
    spider = make_spider(max_pages=1)
    req = Request(
        "http://gov.example/news.xml", meta={"arshif_source": "gov", "arshif_kind": "sitemap"}
    )
    out = list(spider.parse_sitemap(response_for(req, NEWS_SITEMAP, Response)))
    assert [r.url for r in out] == ["http://gov.example/archives/1"]
    assert spider.crawler.stats is not None
    # Links not followed because of the cap (two spellings of archives/2 here).
    assert spider.crawler.stats.get_value("arshif/over_max_pages") == 2


def test_broken_sitemap_is_a_recorded_failure() -> None:
    spider = make_spider()
    req = Request(
        "http://gov.example/sitemap.xml", meta={"arshif_source": "gov", "arshif_kind": "sitemap"}
    )
    (item,) = spider.parse_sitemap(response_for(req, b"<html><body>Not found</body></html>"))
    assert isinstance(item, FetchFailed)
    assert item.kind == "discovery"
    assert "http://gov.example/sitemap.xml" in item.message


LISTING = """<html><body>
<a href="/archives/10">خبر</a> <a href="/archives/11?utm_source=tg">خبر</a>
<a href="/category/news/page/2">التالي</a> <a href="http://other.example/archives/12">خارجي</a>
<a href="mailto:x@y">بريد</a>
</body></html>""".encode()


def test_listing_links_split_into_articles_and_listings_within_depth() -> None:
    spider = make_spider()
    req = Request(
        "http://gov.example/",
        meta={"arshif_source": "gov", "arshif_kind": "listing", "arshif_depth": 0},
    )
    out = list(spider.parse_listing(response_for(req, LISTING)))
    kinds = [(r.meta["arshif_kind"], r.url) for r in out]
    assert kinds == [
        ("article", "http://gov.example/archives/10"),
        ("article", "http://gov.example/archives/11"),
        ("listing", "http://gov.example/category/news/page/2"),
    ]
    # At max_depth, listings are not followed further; articles still are.
    deep = Request(
        "http://gov.example/c",
        meta={"arshif_source": "gov", "arshif_kind": "listing", "arshif_depth": 1},
    )
    out = list(make_spider().parse_listing(response_for(deep, LISTING)))
    assert {r.meta["arshif_kind"] for r in out} == {"article"}


def test_without_pattern_followed_pages_are_offered_to_the_archive() -> None:
    spider = make_spider()
    req = Request(
        "http://opp.example:8080/news/5",
        meta={"arshif_source": "opp", "arshif_kind": "listing", "arshif_depth": 1},
    )
    out = list(
        spider.parse_listing(
            response_for(req, b"<html><body><a href='/news/6'>x</a></body></html>")
        )
    )
    pages = [o for o in out if isinstance(o, FetchedPage)]
    assert len(pages) == 1
    assert pages[0].is_article is None


def test_article_page_carries_raw_bytes_headers_and_both_urls() -> None:
    spider = make_spider()
    req = Request(
        "http://gov.example/archives/7",
        meta={
            "arshif_source": "gov",
            "arshif_kind": "article",
            "arshif_depth": 1,
            "redirect_urls": ["http://gov.example/?p=7"],
            "arshif_published": None,
        },
    )
    body = "<html><body><p>نص</p></body></html>".encode("cp1256")
    resp = HtmlResponse(url=req.url, body=body, request=req, headers={"Content-Type": "text/html"})
    (page, *_links) = spider.parse_article(resp)
    assert isinstance(page, FetchedPage)
    assert page.url == "http://gov.example/?p=7"
    assert page.final_url == "http://gov.example/archives/7"
    assert page.body == body
    assert page.headers["content-type"] == "text/html"
    assert page.is_article is True
    assert page.fetched_at.tzinfo is not None


def _failure(exc: Exception, request: Request) -> Failure:
    failure = Failure(exc)
    failure.request = request  # type: ignore[attr-defined]
    return failure


def test_errback_records_http_and_network_errors_but_not_robots() -> None:
    spider = make_spider()
    req = Request(
        "http://gov.example/archives/404", meta={"arshif_source": "gov", "arshif_kind": "article"}
    )
    resp = HtmlResponse(url=req.url, status=404, body=b"", request=req)
    (item,) = spider.errback(_failure(HttpError(resp), req))
    assert (item.kind, item.http_status, item.message) == ("http", 404, "HTTP 404")
    (item,) = spider.errback(_failure(ConnectionRefusedError("refused"), req))
    assert item.kind == "network"
    assert item.http_status is None
    assert list(spider.errback(_failure(IgnoreRequest("Forbidden by robots.txt"), req))) == []
    robots = Request(
        "http://gov.example/robots.txt", meta={"arshif_source": "gov", "arshif_kind": "robots"}
    )
    assert list(spider.errback(_failure(ConnectionRefusedError("x"), robots))) == []


def test_unknown_source_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown source"):
        NewsSpider(sources={"gov": GOV}, names="gov,nope")


def test_sitemap_entries_wait_in_a_backlog_while_the_scheduler_is_full() -> None:
    """A huge sitemap must not become requests all at once (issue 8: memory stays flat)."""
    spider = make_spider()
    spider.max_queued = 3
    urls = "".join(f"<url><loc>http://gov.example/archives/{i}</loc></url>" for i in range(10))
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    req = Request(
        "http://gov.example/post-sitemap.xml",
        meta={"arshif_source": "gov", "arshif_kind": "sitemap"},
    )
    out = list(spider.parse_sitemap(response_for(req, body.encode(), Response)))
    assert [r.url for r in out] == [f"http://gov.example/archives/{i}" for i in range(3)]
    assert len(spider._backlog) == 7
    # Each later response releases more, up to the limit, until the backlog is empty.
    page = Request("http://gov.example/archives/0", meta={"arshif_source": "gov"})
    later = [
        r
        for r in spider.parse_article(response_for(page, b"<html></html>"))
        if isinstance(r, Request)
    ]
    assert [r.url for r in later][-3:] == [f"http://gov.example/archives/{i}" for i in range(3, 6)]
    assert len(spider._backlog) == 4
