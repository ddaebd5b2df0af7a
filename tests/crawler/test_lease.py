"""LeaseExtension: renews the crawl's locks, and stops the crawl if one was taken over."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from sqlalchemy import text

from archive.locks import Holder
from archive.sources import Source
from archive.store import Archive
from crawler.lease import LeaseExtension
from crawler.spiders.news import NewsSpider

ME = Holder("c" * 32, "here", 1)


class FakeEngine:
    def __init__(self) -> None:
        self.closed: list[str] = []

    async def close_spider_async(self, *, reason: str) -> None:
        self.closed.append(reason)


def expiry(archive: Archive) -> Any:
    with archive.engine.connect() as conn:
        return conn.execute(text("SELECT expires_at FROM crawl_locks")).scalar_one()


def test_off_without_a_token() -> None:
    with pytest.raises(NotConfigured):
        LeaseExtension.from_crawler(get_crawler(NewsSpider))


def test_renews_and_notices_a_takeover(sqlite_url: str) -> None:
    with Archive.open(sqlite_url) as archive:
        archive.sync_sources([Source("gov", "http://gov.example/")])
        run = archive.begin_run("gov", ME, lease_seconds=1).run_id
        crawler = get_crawler(
            NewsSpider,
            {
                "ARSHIF_DB_URL": sqlite_url,
                "ARSHIF_LEASE_TOKEN": ME.token,
                "ARSHIF_LEASE_SECONDS": 1,
                "ARSHIF_RUNS": {"gov": run},
            },
        )
        ext = LeaseExtension.from_crawler(crawler)
        engine = FakeEngine()
        crawler.engine = engine  # type: ignore[assignment]
        assert crawler.stats is not None
        ext.archive = Archive.open(sqlite_url, migrate=False)
        try:
            before = expiry(archive)
            time.sleep(0.05)
            ext.renew()
            assert expiry(archive) > before
            assert crawler.stats.get_value("arshif/lease_renewals") == 1
            assert engine.closed == []

            time.sleep(1.1)  # the lease expires; another process takes the source over
            assert archive.begin_run("gov", Holder("d" * 32, "other", 2)).run_id is not None

            async def renew_twice() -> None:
                ext.renew()
                ext.renew()  # the crawl is asked to stop once only
                await asyncio.sleep(0.01)

            asyncio.run(renew_twice())
            assert ext.closing is not None
            assert engine.closed == ["lease_lost"]
        finally:
            ext.spider_closed(crawler.spider)  # type: ignore[arg-type]
