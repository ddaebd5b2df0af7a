"""Run a crawl in this process (Scrapy's reactor can run once per process), under the
sources' crawl locks (:mod:`archive.locks`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from archive.errors import ConfigError
from archive.locks import NOT_SEEN, Holder, LockInfo, RunStart
from archive.sources import Source
from archive.store import Archive, RunReport
from crawler.spiders.news import NewsSpider

log = logging.getLogger(__name__)


def crawl_settings(
    sources: Mapping[str, Source],
    db_url: str | None,
    overrides: Sequence[tuple[str, str]] = (),
    log_level: str | None = None,
) -> Settings:
    """Project settings + per-source download slots + the user's ``-s`` overrides."""
    settings = get_project_settings()
    if "crawler.settings" not in str(settings.get("SPIDER_MODULES")):
        settings.setmodule("crawler.settings", priority="project")
    slots: dict[str, dict[str, Any]] = {}
    for src in sources.values():
        slot: dict[str, Any] = {}
        if src.delay is not None:
            slot["delay"] = src.delay
        if src.concurrency is not None:
            slot["concurrency"] = src.concurrency
        if slot:
            host = src.host.split(":")[0]  # Scrapy's slot key is the host name, no port
            slots[host] = slot
    if slots:
        settings.set("DOWNLOAD_SLOTS", slots, priority="project")
    if db_url:
        settings.set("ARSHIF_DB_URL", db_url, priority="cmdline")
    if log_level:
        settings.set("LOG_LEVEL", log_level, priority="cmdline")
    for name, value in overrides:
        settings.set(name, value, priority="cmdline")
    return settings


# Loggers whose INFO messages are start-up and shutdown inventories (enabled middlewares,
# overridden settings, the stats dump, migration context), not crawl progress.
_INVENTORY_LOGGERS = (
    "scrapy.middleware",
    "scrapy.crawler",
    "scrapy.utils.log",
    "scrapy.addons",
    "scrapy.statscollectors",
    "scrapy.extensions.telnet",
    "alembic",
)


def _quiet_startup_logs() -> None:
    for name in _INVENTORY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


@dataclass(frozen=True)
class CrawlResult:
    """What a crawl did: a report per source crawled, and the sources it left alone."""

    reports: list[RunReport]
    locked: dict[str, LockInfo] = field(default_factory=dict)  # another process crawls them
    not_due: list[str] = field(default_factory=list)  # crawled elsewhere since --due looked


def run_crawl(
    sources: Mapping[str, Source],
    *,
    db_url: str | None,
    max_pages: int | None = None,
    overrides: Sequence[tuple[str, str]] = (),
    log_level: str | None = None,
    last_starts: Mapping[str, datetime | None] | None = None,
) -> CrawlResult:
    """Crawl ``sources`` into the archive at ``db_url``, each under its crawl lock.

    Sources another process is crawling are skipped (``CrawlResult.locked``). With
    ``last_starts`` (scheduled crawls: the latest run start of each source as seen when it
    was judged due), a source crawled by someone else since then is skipped too.
    """
    settings = crawl_settings(sources, db_url, overrides, log_level)
    check_arshif_settings(settings)
    lease = settings.getfloat("ARSHIF_LEASE_SECONDS")
    holder = Holder.for_this_process()
    # Open (and if empty, initialise) the archive before Scrapy starts, so a bad --db
    # fails fast with a clear message instead of inside the reactor.
    with Archive.open(db_url) as archive:
        archive.sync_sources(sources.values())
        archive.close_dead_runs(grace_seconds=lease)
        result = _begin_runs(archive, sources, holder, lease, last_starts)
    runs = {r.source: r.run_id for r in result if r.run_id is not None}
    skipped = CrawlResult(
        [],
        locked={r.source: r.locked_by for r in result if r.locked_by is not None},
        not_due=[r.source for r in result if r.not_due],
    )
    if not runs:
        return skipped
    settings.set("ARSHIF_RUNS", runs, priority="cmdline")
    settings.set("ARSHIF_LEASE_TOKEN", holder.token, priority="cmdline")
    quiet = settings.get("LOG_LEVEL") != "DEBUG"
    if quiet:
        settings.set("LOG_VERSIONS", [], priority="cmdline")
    crashed: BaseException | None = None
    crawler = None
    try:
        process = CrawlerProcess(settings)
        if quiet:
            _quiet_startup_logs()  # after CrawlerProcess: its logging set-up resets levels
        crawler = process.create_crawler(NewsSpider)
        chosen = {name: sources[name] for name in runs}
        process.crawl(crawler, sources=chosen, max_pages=max_pages)
        process.start()
    except BaseException as exc:
        crashed = exc
        raise
    finally:
        # The pipeline publishes its runs when the spider opens: without them it never did.
        opened = crawler is not None and crawler.stats is not None
        opened = opened and bool(crawler.stats.get_value("arshif/runs"))  # type: ignore[union-attr]
        _end_runs(db_url, holder, runs.values(), crashed, opened)
    with Archive.open(db_url) as archive:
        return CrawlResult(archive.run_reports(runs.values()), skipped.locked, skipped.not_due)


def _begin_runs(
    archive: Archive,
    sources: Mapping[str, Source],
    holder: Holder,
    lease: float,
    last_starts: Mapping[str, datetime | None] | None,
) -> list[RunStart]:
    starts: list[RunStart] = []
    try:
        for name in sources:
            seen = last_starts[name] if last_starts is not None else NOT_SEEN
            starts.append(archive.begin_run(name, holder, lease, last_start_seen=seen))
    except BaseException:
        for start in starts:
            if start.run_id is not None:
                archive.finish_run(start.run_id, "failed", "crawl did not start")
        archive.release_locks(holder)
        raise
    return starts


def _end_runs(
    db_url: str | None,
    holder: Holder,
    run_ids: Iterable[int],
    crashed: BaseException | None,
    opened: bool,
) -> None:
    """After the reactor stopped: end runs the pipeline could not end, release the locks."""
    with Archive.open(db_url, migrate=False) as archive:
        for run_id in run_ids:
            if archive.run(run_id).status != "running":
                continue
            if crashed is not None:
                archive.finish_run(run_id, "failed", f"crawl crashed: {type(crashed).__name__}")
            elif not opened:  # Scrapy logged why (a component failed to start)
                archive.finish_run(run_id, "failed", "crawl did not start")
            else:  # a forced shutdown (second Ctrl-C / SIGTERM)
                archive.finish_run(run_id, "interrupted", "forced shutdown")
        archive.release_locks(holder)


_PROGRESS_MODES = ("auto", "bar", "log", "off")


def check_arshif_settings(settings: Settings) -> None:
    """arshif's own settings, checked before anything starts (one clear error, no traceback
    from inside Scrapy)."""
    mode = str(settings.get("ARSHIF_PROGRESS")).lower()
    if mode not in _PROGRESS_MODES:
        raise ConfigError(
            f"-s ARSHIF_PROGRESS: expected one of {', '.join(_PROGRESS_MODES)}, got {mode!r}"
        )
    for name, low in (("ARSHIF_LEASE_SECONDS", 1.0), ("ARSHIF_PROGRESS_INTERVAL", 0.0)):
        try:
            value = settings.getfloat(name)
        except ValueError:
            raise ConfigError(f"-s {name}: expected a number, got {settings.get(name)!r}") from None
        if value < low:
            raise ConfigError(f"-s {name}: expected at least {low:g}, got {value:g}")
