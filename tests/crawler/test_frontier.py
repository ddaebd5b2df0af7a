"""FrontierMiddleware on a real archive: resume, record before scheduling, forget on arrival,
clear only after a normal end."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from sqlalchemy import text

from archive import frontier
from archive.frontier import Pending
from archive.sources import Source
from archive.store import Archive
from crawler.frontier import FrontierMiddleware
from crawler.items import FetchedPage, FetchFailed
from crawler.spiders.news import NewsSpider

GOV = Source(
    name="gov",
    url="http://gov.example/",
    sitemaps=("http://gov.example/sitemap.xml",),
    article_pattern=re.compile(r"/archives/\d+$"),
)
HINT = datetime(2019, 5, 28, 9, 30, tzinfo=UTC)


def setup(db_url: str) -> tuple[Any, NewsSpider, int, int]:
    """An archive where a killed run (``old``) left two articles; a new run (``new``)."""
    with Archive.open(db_url) as archive:
        archive.sync_sources([GOV])
        old, new = archive.start_run("gov"), archive.start_run("gov")
        frontier.record(
            archive.sessions,
            archive.source_id("gov"),
            [
                Pending("http://gov.example/archives/1", HINT),
                Pending("http://gov.example/archives/2", None),
            ],
            old,
        )
    crawler = get_crawler(NewsSpider, {"ARSHIF_DB_URL": db_url, "ARSHIF_RUNS": {"gov": new}})
    spider: NewsSpider = NewsSpider.from_crawler(crawler, sources={"gov": GOV})
    crawler.spider = spider
    assert crawler.stats is not None
    crawler.stats.open_spider()
    return crawler, spider, old, new


def rows(db_url: str) -> list[tuple[Any, ...]]:
    with Archive.open(db_url) as archive, archive.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(text("SELECT url, run_id FROM crawl_frontier ORDER BY url"))
        ]


async def collect(agen: AsyncIterator[Any]) -> list[Any]:
    return [x async for x in agen]


async def aiter_of(*items: Any) -> AsyncIterator[Any]:
    for item in items:
        yield item


def page(url: str) -> FetchedPage:
    return FetchedPage("gov", url, url, 200, {}, b"<html></html>", datetime.now(UTC), True)


def test_resume_record_reach_and_clear(sqlite_url: str) -> None:
    crawler, spider, _old, new = setup(sqlite_url)
    mw = FrontierMiddleware.from_crawler(crawler)

    # Start: the leftovers come first, as article requests, then the spider's own.
    started = asyncio.run(collect(mw.process_start(spider.start())))
    resumed = [r for r in started if r.meta["arshif_kind"] == "article"]
    assert [r.url for r in resumed] == [
        "http://gov.example/archives/1",
        "http://gov.example/archives/2",
    ]
    assert resumed[0].meta["arshif_published"] == HINT
    assert [r.meta["arshif_kind"] for r in started[2:]] == ["sitemap", "listing"]
    assert rows(sqlite_url) == [
        ("http://gov.example/archives/1", new),  # adopted by the run that resumed them
        ("http://gov.example/archives/2", new),
    ]
    assert crawler.stats.get_value("arshif/frontier_resumed") == 2

    # A callback's output: article requests are recorded before they are passed on.
    listing = HtmlResponse("http://gov.example/", body=b"", request=Request("http://gov.example/"))
    found = spider.article_request("gov", "http://gov.example/archives/3")
    seen_before_yield: list[list[tuple[Any, ...]]] = []

    async def watch() -> list[Any]:
        out = []
        async for obj in mw.process_spider_output(listing, aiter_of(found, "item")):
            if isinstance(obj, Request):
                seen_before_yield.append(rows(sqlite_url))
            out.append(obj)
        return out

    assert asyncio.run(watch()) == ["item", found]
    assert ("http://gov.example/archives/3", new) in seen_before_yield[0]

    # Pages that went through the pipeline are forgotten, stored or failed alike.
    mw.item_scraped(page("http://gov.example/archives/1"), None, spider)
    mw.item_scraped(
        FetchFailed("gov", "http://gov.example/archives/3", "http", "HTTP 500", 500), None, spider
    )
    mw.item_scraped(page("http://gov.example/not-tracked"), None, spider)
    assert rows(sqlite_url) == [("http://gov.example/archives/2", new)]

    # Interrupted: what is left stays for the next run.
    mw.spider_closed(spider, "shutdown")
    assert rows(sqlite_url) == [("http://gov.example/archives/2", new)]


def test_a_normal_end_forgets_only_what_this_run_scheduled(sqlite_url: str) -> None:
    crawler, spider, old, new = setup(sqlite_url)
    crawler.spider.max_pages = 1  # only one of the two leftovers is rescheduled
    mw = FrontierMiddleware.from_crawler(crawler)
    asyncio.run(collect(mw.process_start(aiter_of())))
    assert rows(sqlite_url) == [
        ("http://gov.example/archives/1", new),
        ("http://gov.example/archives/2", old),
    ]
    mw.spider_closed(spider, "finished")
    assert rows(sqlite_url) == [("http://gov.example/archives/2", old)]


def test_leftovers_the_spider_will_not_fetch_are_dropped_at_resume(sqlite_url: str) -> None:
    """A row whose page was stored just before a crash (its row outlived the transaction) is
    rejected by the incremental gate; one that is no longer an article URL is rejected too.
    Either way nothing is left to resume, so the row goes instead of lingering for ever."""
    crawler, _spider, old, new = setup(sqlite_url)
    with Archive.open(sqlite_url) as archive:
        archive.sync_sources([GOV])
        frontier.record(
            archive.sessions,
            archive.source_id("gov"),
            [Pending("http://gov.example/about", None)],
            old,
        )
    mw = FrontierMiddleware.from_crawler(crawler)
    started = asyncio.run(collect(mw.process_start(aiter_of())))
    assert [r.url for r in started] == [
        "http://gov.example/archives/1",
        "http://gov.example/archives/2",
    ]
    assert rows(sqlite_url) == [
        ("http://gov.example/archives/1", new),
        ("http://gov.example/archives/2", new),
    ]
