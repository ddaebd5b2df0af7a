"""The one pipeline: hands every fetched page to the archive, records runs and failures.

Pages are extracted in worker processes (:mod:`crawler.extractors`,
``ARSHIF_EXTRACT_PROCESSES``) and stored by one writer thread (deduplication, versions, the
one transaction per page), never on the Twisted reactor's thread: while a page is extracted
and stored, Scrapy keeps downloading. One writer keeps the writes in arrival order, one page
per transaction, and Scrapy waits for a page's write before it counts the item as scraped
(and before it closes the spider), so a graceful stop loses nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.reactor import is_asyncio_reactor_installed
from twisted.python.threadpool import ThreadPool

from archive.ingest import IngestResult, Outcome
from archive.prepare import FetchedPage, Prepared
from archive.recheck import NotModified
from archive.store import Archive
from crawler.extractors import Extractors
from crawler.items import FetchFailed

log = logging.getLogger(__name__)

# Scrapy close reasons that mean the crawl did what it was asked to do.
OK_REASONS = {"finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout"}
_INTERRUPTED_REASONS = {"shutdown", "cancelled"}
# 304 rechecks are cheap to fetch and come in thousands on a recrawl: they are recorded in
# batches, one transaction per NOT_MODIFIED_BATCH checks or NOT_MODIFIED_SECONDS, and at close.
NOT_MODIFIED_BATCH = 200
NOT_MODIFIED_SECONDS = 5.0
# The learned boilerplate lines handed to extraction workers are read again when a stored
# page made a line learned (IngestResult.learned_changed), and otherwise at most this often
# (new articles also raise the share a line needs, so lines may drop out): not after every
# new article, which in a first crawl is every page.
LEARNED_REFRESH_SECONDS = 5.0
_T = TypeVar("_T")

# Sent on the writer thread (item=, response=None, spider=, settled=) right after a page or a
# fetch failure was written. ``settled``: its crawl-frontier row was removed in the same
# transaction (the frontier then only forgets it; else it removes the row itself).
page_written = object()


def _reactor() -> Any:
    """The installed reactor (importing it at module level would install the default one)."""
    from twisted.internet import reactor

    return reactor


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
        self._writer: ThreadPool | None = None
        self._stop_trigger: Any = None
        self._extractors: Extractors | None = None
        self._learned: dict[str, frozenset[str]] = {}  # per source, as of the last refresh
        self._learned_at: dict[str, float] = {}  # per source, time.monotonic() of that refresh
        # Settle each page's crawl-frontier row in its own transaction (crawler.frontier).
        self._settle = crawler.settings.getbool("ARSHIF_FRONTIER_ENABLED", True)

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
        self._writer = ThreadPool(1, 1, name="arshif-writer")
        self._writer.start()
        processes = self.crawler.settings.getint("ARSHIF_EXTRACT_PROCESSES", 1)
        if processes > 0 and is_asyncio_reactor_installed():
            self._extractors = Extractors(processes)
            self._learned = {name: self.archive.learned_lines(name) for name in sources}
            self._learned_at = dict.fromkeys(sources, time.monotonic())
        # A forced shutdown (second Ctrl-C) may skip spider_closed: workers must still end.
        self._stop_trigger = _reactor().addSystemEventTrigger(
            "during", "shutdown", self._stop_workers
        )

    async def _on_writer(self, func: Callable[..., _T], *args: Any) -> _T:
        """Run ``func(*args)`` on the writer thread; the reactor goes on meanwhile."""
        from twisted.internet import threads

        if self._writer is None:  # not opened through open_spider (tests): run it here
            return func(*args)
        deferred = threads.deferToThreadPool(_reactor(), self._writer, func, *args)
        return await maybe_deferred_to_future(deferred)

    def _stop_workers(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.stop()  # the page being written is finished first
        extractors, self._extractors = self._extractors, None
        if extractors is not None:
            extractors.stop()

    async def process_item(self, item: Any) -> Any:
        assert self.archive is not None
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        if isinstance(item, FetchFailed):
            stats.inc_value("arshif/fetch_failed")
            await self._on_writer(self._record_fetch_failure, item)
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
                batch, self._not_modified = self._not_modified, []
                await self._on_writer(self._flush_not_modified, batch)
            return item
        if not isinstance(item, FetchedPage):
            return item
        prepared = None
        if self._extractors is not None:
            source = self.archive.source(item.source)
            learned = self._learned.get(item.source, frozenset())
            prepared = await self._extractors.prepare(item, source, learned)
        result = await self._on_writer(self._ingest, item, prepared)
        if result is None:
            stats.inc_value("arshif/failed")
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

    def _ingest(self, item: FetchedPage, prepared: Prepared | None) -> IngestResult | None:
        """On the writer thread: store one page (None when ingest failed; recorded)."""
        assert self.archive is not None
        result = None
        settle = item.url if self._settle else None
        try:
            result = self.archive.ingest(
                item, self.runs.get(item.source), prepared, frontier_url=settle
            )
        except Exception as exc:  # a bug or a database error: keep the evidence, go on
            log.exception("%s: ingest failed", item.final_url)
            self.archive.record_failure(
                item.source,
                item.final_url,
                "ingest",
                f"{type(exc).__name__}: {exc}",
                item.status,
                self.runs.get(item.source),
                frontier_url=settle,
            )
        self._written(item)
        if result is not None and result.outcome is Outcome.NEW and self._extractors is not None:
            # A new article may turn lines into learned boilerplate for the next pages.
            now = time.monotonic()
            since = now - self._learned_at.get(item.source, 0.0)
            if result.learned_changed or since >= LEARNED_REFRESH_SECONDS:
                self._learned[item.source] = self.archive.learned_lines(item.source)
                self._learned_at[item.source] = now
        return result

    def _record_fetch_failure(self, item: FetchFailed) -> None:
        assert self.archive is not None
        self.archive.record_failure(
            item.source,
            item.url,
            item.kind,
            item.message,
            item.http_status,
            self.runs.get(item.source),
            frontier_url=item.url if self._settle else None,
        )
        self._written(item)

    def _written(self, item: FetchedPage | FetchFailed) -> None:
        self.crawler.signals.send_catch_log(
            page_written,
            item=item,
            response=None,
            spider=self.crawler.spider,
            settled=self._settle,
        )

    def _flush_not_modified(self, batch: list[tuple[NotModified, int | None]]) -> None:
        assert self.archive is not None
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
        # Scrapy has waited for every item: the writer thread is idle, the rest runs here.
        self._stop_workers()
        if self._stop_trigger is not None:
            _reactor().removeSystemEventTrigger(self._stop_trigger)
            self._stop_trigger = None
        try:
            batch, self._not_modified = self._not_modified, []
            self._flush_not_modified(batch)
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
