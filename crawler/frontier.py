"""FrontierMiddleware: a crawl killed mid-way resumes with the pages it had not reached.

A spider middleware around the news spider, storing its state in the archive's
``crawl_frontier`` table (see :mod:`archive.frontier` for why a table and not ``JOBDIR``):

- at start, the articles earlier runs of each source left unprocessed are scheduled first;
- every article request is recorded *before* it reaches the scheduler (in batches);
- once a page has gone through the pipeline (stored, skipped, or recorded as a failure), its
  row is gone: the pipeline removes it in the page's own transaction (``frontier_url`` of
  :meth:`archive.store.Archive.ingest`), so storing a page and forgetting it are one atomic
  step; this middleware then only stops tracking it (signal
  :data:`crawler.pipelines.page_written`, ``settled=True``);
- when the crawl ends normally, whatever this run recorded and did not process is forgotten
  (robots.txt, say, forbade it); after an interruption it stays for the next run.

Settings: ``ARSHIF_FRONTIER_ENABLED`` (default true), ``ARSHIF_DB_URL``, ``ARSHIF_RUNS``.
Stats: ``arshif/frontier_resumed``, ``arshif/frontier_errors``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from sqlalchemy.exc import SQLAlchemyError

from archive import frontier
from archive.frontier import Pending
from archive.store import Archive
from crawler.items import FetchedPage, FetchFailed
from crawler.pipelines import OK_REASONS, page_written

log = logging.getLogger(__name__)

_BATCH = 500


class FrontierMiddleware:
    def __init__(self, crawler: Crawler, db_url: str | None) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.archive: Archive | None = None
        self.source_ids: dict[str, int] = {}
        self.runs: dict[str, int] = {}
        self.tracked: dict[str, set[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierMiddleware:
        settings = crawler.settings
        if not settings.getbool("ARSHIF_FRONTIER_ENABLED", True) or not settings.getbool(
            "ARSHIF_ARCHIVE_ENABLED", True
        ):
            raise NotConfigured
        mw = cls(crawler, settings.get("ARSHIF_DB_URL"))
        crawler.signals.connect(mw.item_scraped, signal=page_written)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    # -- spider middleware ---------------------------------------------------------------

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        self._open()
        spider: Any = self.crawler.spider
        seeds: list[Request] = []
        for name, source_id in self.source_ids.items():
            left = self._call(frontier.pending, source_id) or []
            requests, rejected = [], []
            for p in left:
                request = spider.article_request(name, p.url, p.published_hint)
                if request is not None:
                    requests.append(request)
                else:
                    rejected.append(p.url)
            if rejected and getattr(spider, "max_pages", None) is None:
                # Stored and not due (its transaction committed just before a crash, before
                # its row went), or no longer the source's: nothing left to resume.
                self._call(frontier.reached, source_id, rejected)
            if requests:
                log.info(
                    "%s: resuming %d article(s) an earlier run had not reached", name, len(requests)
                )
                self._stats_inc("arshif/frontier_resumed", len(requests))
            seeds += requests
        for i in range(0, len(seeds), _BATCH):
            for request in self._record(seeds[i : i + _BATCH]):
                yield request
        async for obj in self._recorded(start):
            yield obj

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for obj in self._recorded(result):
            yield obj

    async def _recorded(self, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """Pass everything through; article requests only once they are recorded."""
        held: list[Request] = []
        async for obj in result:
            if isinstance(obj, Request) and self._source_of(obj) is not None:
                held.append(obj)
                if len(held) >= _BATCH:
                    for request in self._record(held):
                        yield request
                    held = []
            else:
                yield obj
        for request in self._record(held):
            yield request

    # -- signals -------------------------------------------------------------------------

    def item_scraped(self, item: Any, response: Any, spider: Spider, settled: bool = False) -> None:
        """``settled``: the pipeline removed the page's row in the page's transaction."""
        if not isinstance(item, FetchedPage | FetchFailed):
            return
        tracked = self.tracked.get(item.source)
        if tracked is None or item.url not in tracked:
            return
        tracked.discard(item.url)
        if not settled:
            self._call(frontier.reached, self.source_ids[item.source], [item.url])

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.archive is None:
            return
        try:
            if reason in OK_REASONS:
                for run_id in self.runs.values():
                    self._call(frontier.clear, run_id)
        finally:
            self.archive.close()
            self.archive = None

    # -- helpers -------------------------------------------------------------------------

    def _open(self) -> None:
        spider: Any = self.crawler.spider
        self.archive = Archive.open(self.db_url, migrate=False)
        self.source_ids = self.archive.lookup_source_ids(spider.sources)
        runs = self.crawler.settings.getdict("ARSHIF_RUNS")
        assert self.crawler.stats is not None
        runs = runs or self.crawler.stats.get_value("arshif/runs") or {}
        self.runs = {name: int(run) for name, run in runs.items()}
        self.tracked = {name: set() for name in self.source_ids}

    def _source_of(self, request: Request) -> str | None:
        name = request.meta.get("arshif_source")
        if request.meta.get("arshif_kind") == "article" and name in self.source_ids:
            return str(name)
        return None

    def _record(self, requests: list[Request]) -> Iterable[Request]:
        by_source: dict[str, list[Pending]] = {}
        for request in requests:
            name = self._source_of(request)
            assert name is not None
            by_source.setdefault(name, []).append(
                Pending(request.url, request.meta.get("arshif_published"))
            )
            self.tracked[name].add(request.url)
        for name, entries in by_source.items():
            self._call(frontier.record, self.source_ids[name], entries, self.runs.get(name))
        return requests

    def _call(self, func: Any, *args: Any) -> Any:
        """Run a frontier operation; a database hiccup degrades resumption, not the crawl."""
        if self.archive is None:
            return None
        try:
            return func(self.archive.sessions, *args)
        except SQLAlchemyError as exc:
            self._stats_inc("arshif/frontier_errors")
            log.warning("frontier: %s failed (resumption may miss pages): %s", func.__name__, exc)
            return None

    def _stats_inc(self, key: str, n: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key, n)
