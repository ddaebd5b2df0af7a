"""LeaseExtension: keeps the crawl's source locks alive while the crawl runs.

``arshif crawl`` takes the locks before Scrapy starts (:func:`crawler.run.run_crawl`) and
releases them when it ends; in between, this extension renews their lease every third of
``ARSHIF_LEASE_SECONDS`` on the reactor thread. A crawl that hangs or dies stops renewing,
and its locks can be taken over once the lease has expired. If another process has taken a
lock over (this crawl was stalled for longer than the lease), the crawl stops with the close
reason ``lease_lost`` rather than crawl a source that someone else is crawling.

Settings: ``ARSHIF_LEASE_TOKEN`` (set by ``arshif crawl``; without it the extension is
off), ``ARSHIF_LEASE_SECONDS`` (default 300), ``ARSHIF_RUNS`` (the runs whose locks are held),
``ARSHIF_DB_URL``. Stats: ``arshif/lease_renewals``, ``arshif/lease_errors``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import deferred_from_coro
from sqlalchemy.exc import SQLAlchemyError

from archive.locks import LEASE_SECONDS, Holder
from archive.store import Archive

log = logging.getLogger(__name__)


class LeaseExtension:
    def __init__(
        self, crawler: Crawler, holder: Holder, lease_seconds: float, held: int, db_url: str | None
    ) -> None:
        self.crawler = crawler
        self.holder = holder
        self.lease_seconds = lease_seconds
        self.held = held
        self.db_url = db_url
        self.archive: Archive | None = None
        self.task: Any = None
        self.closing: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseExtension:
        settings = crawler.settings
        token = settings.get("ARSHIF_LEASE_TOKEN")
        if not token:
            raise NotConfigured("no locks to renew (not started by `arshif crawl`)")
        holder = Holder(token=token, host="", pid=0)  # locks are matched on the token
        lease = settings.getfloat("ARSHIF_LEASE_SECONDS", LEASE_SECONDS)
        held = len(settings.getdict("ARSHIF_RUNS"))
        ext = cls(crawler, holder, lease, held, settings.get("ARSHIF_DB_URL"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.archive = Archive.open(self.db_url, migrate=False)
        self.task = create_looping_call(self.renew)
        self.task.start(self.lease_seconds / 3, now=False)

    def renew(self) -> None:
        assert self.archive is not None
        assert self.crawler.stats is not None
        try:
            still_held = self.archive.renew_leases(self.holder, self.lease_seconds)
        except SQLAlchemyError as exc:  # the database is briefly away: try again next time
            self.crawler.stats.inc_value("arshif/lease_errors")
            log.warning("could not renew the crawl locks (will retry): %s", exc)
            return
        self.crawler.stats.inc_value("arshif/lease_renewals")
        if still_held < self.held and self.closing is None:
            log.error(
                "another process took over %d of this crawl's %d source lock(s) after the "
                "lease expired; stopping this crawl",
                self.held - still_held,
                self.held,
            )
            assert self.crawler.engine is not None
            self.closing = deferred_from_coro(
                self.crawler.engine.close_spider_async(reason="lease_lost")
            )

    def spider_closed(self, spider: Spider) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.archive is not None:
            self.archive.close()
            self.archive = None
