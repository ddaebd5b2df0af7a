"""The one pipeline: hands every fetched page to the archive, records runs and failures."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archive.ingest import FetchedPage, Outcome
from archive.recheck import NotModified
from archive.store import Archive
from crawler.items import FetchFailed

log = logging.getLogger(__name__)

# Scrapy close reasons that mean the crawl did what it was asked to do.
_OK_REASONS = {"finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout"}
_INTERRUPTED_REASONS = {"shutdown", "cancelled"}


class ArchivePipeline:
    """Settings: ``ARSHIF_DB_URL`` (database URL; default as ``arshif --db``).

    Stats: ``arshif/new``, ``arshif/version``, ``arshif/unchanged``, ``arshif/skipped``,
    ``arshif/failed``, ``arshif/duplicate``, ``arshif/fetch_failed``, ``arshif/not_modified``.
    """

    def __init__(self, crawler: Crawler, db_url: str | None) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.archive: Archive | None = None
        self.runs: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        if not crawler.settings.getbool("ARSHIF_ARCHIVE_ENABLED", True):
            raise NotConfigured
        pipeline = cls(crawler, crawler.settings.get("ARSHIF_DB_URL"))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        sources = getattr(spider, "sources", None)
        if not sources:
            raise NotConfigured("ArchivePipeline needs a spider with `sources`")
        self.archive = Archive.open(self.db_url)
        self.archive.sync_sources(sources.values())
        self.runs = {name: self.archive.start_run(name) for name in sources}
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("arshif/run_ids", sorted(self.runs.values()))

    def process_item(self, item: Any) -> Any:
        assert self.archive is not None
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        if isinstance(item, FetchFailed):
            stats.inc_value("arshif/fetch_failed")
            self.archive.record_failure(
                item.source,
                item.url,
                item.kind,
                item.message,
                item.http_status,
                self.runs.get(item.source),
            )
            return item
        if not isinstance(item, FetchedPage | NotModified):
            return item
        try:
            if isinstance(item, NotModified):  # a 304 recheck: checked, unchanged
                stats.inc_value("arshif/not_modified")
                self.archive.not_modified(item, self.runs.get(item.source))
                return item
            result = self.archive.ingest(item, self.runs.get(item.source))
        except Exception as exc:  # a bug or a database error: keep the evidence, go on
            log.exception("%s: ingest failed", item.final_url)
            stats.inc_value("arshif/failed")
            self.archive.record_failure(
                item.source,
                item.final_url,
                "ingest",
                f"{type(exc).__name__}: {exc}",
                item.status if isinstance(item, FetchedPage) else 304,
                self.runs.get(item.source),
            )
            return item
        stats.inc_value(f"arshif/{result.outcome.value}")
        if result.counts.get("duplicates"):
            stats.inc_value("arshif/duplicate")
        if result.outcome in (Outcome.NEW, Outcome.VERSION):
            log.info(
                "%s %s (article %s v%s%s)",
                result.outcome.value,
                unquote(result.url),
                result.article_id,
                result.version,
                f", duplicate of {result.duplicate_of_id}" if result.duplicate_of_id else "",
            )
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.archive is None:
            return
        try:
            for name, run_id in self.runs.items():
                status = (
                    "ok"
                    if reason in _OK_REASONS
                    else ("interrupted" if reason in _INTERRUPTED_REASONS else "failed")
                )
                run = self.archive.run(run_id)
                answered = self.crawler.stats and self.crawler.stats.get_value(
                    f"arshif/responses/{name}"
                )
                if status == "ok" and run.pages_fetched == 0 and run.errors > 0 and not answered:
                    status = "failed"  # nothing came back but errors: the source is down
                self.archive.finish_run(run_id, status, reason)
        finally:
            self.archive.close()
            self.archive = None
