"""Run a crawl in this process (Scrapy's reactor can run once per process)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from archive.sources import Source
from archive.store import Archive, RunReport
from crawler.spiders.news import NewsSpider


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


def run_crawl(
    sources: Mapping[str, Source],
    *,
    db_url: str | None,
    max_pages: int | None = None,
    overrides: Sequence[tuple[str, str]] = (),
    log_level: str | None = None,
) -> list[RunReport]:
    """Crawl ``sources`` into the archive at ``db_url``; returns one summary per source."""
    # Open (and if empty, initialise) the archive before Scrapy starts, so a bad --db
    # fails fast with a clear message instead of inside the reactor.
    Archive.open(db_url).close()
    settings = crawl_settings(sources, db_url, overrides, log_level)
    quiet = settings.get("LOG_LEVEL") != "DEBUG"
    if quiet:
        settings.set("LOG_VERSIONS", [], priority="cmdline")
    process = CrawlerProcess(settings)
    if quiet:
        _quiet_startup_logs()  # after CrawlerProcess: its logging set-up resets levels
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, sources=dict(sources), max_pages=max_pages)
    process.start()
    assert crawler.stats is not None
    run_ids = crawler.stats.get_value("arshif/run_ids") or []
    with Archive.open(db_url) as archive:
        return archive.run_reports(run_ids)
