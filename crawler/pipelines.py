"""The one pipeline: hands every fetched page to the archive, records runs and failures."""

from __future__ import annotations

import logging
import time
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
OK_REASONS = {"finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout"}
_INTERRUPTED_REASONS = {"shutdown", "cancelled"}
# 304 rechecks are cheap to fetch and come in thousands on a recrawl: they are recorded in
# batches, one transaction per NOT_MODIFIED_BATCH checks or NOT_MODIFIED_SECONDS, and at close.
NOT_MODIFIED_BATCH = 200
NOT_MODIFIED_SECONDS = 5.0


class ArchivePipeline:
    """Settings: ``ARSHIF_DB_URL`` (database URL; default as ``arshif --db``),
    ``ARSHIF_RUNS`` (``{source: run id}`` of runs ``arshif crawl`` already started under the
    sources' locks; sources missing from it get a run started here, without a lock).

    Stats: ``arshif/new``, ``arshif/version``, ``arshif/unchanged``, ``arshif/skipped``,
    ``arshif/failed``, ``arshif/duplicate``, ``arshif/fetch_failed``, ``arshif/not_modified``.
    """

    def __init__(self, crawler: Crawler, db_url: str | None) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.archive: Archive | None = None
        self.runs: dict[str, int] = {}
        self._not_modified: list[tuple[NotModified, int | None]] = []
        self._not_modified_since = 0.0

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
        started = self.crawler.settings.getdict("ARSHIF_RUNS")
        self.runs = {
            name: int(started[name]) if name in started else self.archive.start_run(name)
            for name in sources
        }
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("arshif/run_ids", sorted(self.runs.values()))
        self.crawler.stats.set_value("arshif/runs", dict(self.runs))

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
        if isinstance(item, NotModified):  # a 304 recheck: checked, unchanged
            stats.inc_value("arshif/not_modified")
            if not self._not_modified:
                self._not_modified_since = time.monotonic()
            self._not_modified.append((item, self.runs.get(item.source)))
            if (
                len(self._not_modified) >= NOT_MODIFIED_BATCH
                or time.monotonic() - self._not_modified_since >= NOT_MODIFIED_SECONDS
            ):
                self._flush_not_modified()
            return item
        if not isinstance(item, FetchedPage):
            return item
        try:
            result = self.archive.ingest(item, self.runs.get(item.source))
        except Exception as exc:  # a bug or a database error: keep the evidence, go on
            log.exception("%s: ingest failed", item.final_url)
            stats.inc_value("arshif/failed")
            self.archive.record_failure(
                item.source,
                item.final_url,
                "ingest",
                f"{type(exc).__name__}: {exc}",
                item.status,
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

    def _flush_not_modified(self) -> None:
        assert self.archive is not None
        batch, self._not_modified = self._not_modified, []
        if not batch:
            return
        try:
            self.archive.not_modified_many(batch)
        except Exception as exc:  # keep the evidence, go on
            log.exception("recording %d not-modified rechecks failed", len(batch))
            for item, run_id in batch:
                self.archive.record_failure(
                    item.source,
                    item.final_url,
                    "ingest",
                    f"{type(exc).__name__}: {exc}",
                    304,
                    run_id,
                )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.archive is None:
            return
        try:
            self._flush_not_modified()
            for name, run_id in self.runs.items():
                status = (
                    "ok"
                    if reason in OK_REASONS
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
