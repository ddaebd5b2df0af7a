"""ProgressExtension: what a crawl is doing, while it does it.

On a terminal (stderr is a TTY) one status line is redrawn twice a second; log records are
printed above it, never through it. Elsewhere (cron, systemd, a pipe) one ``progress:`` log
line is written every ``ARSHIF_PROGRESS_INTERVAL`` seconds. The numbers come from the stats
the archive pipeline keeps (``arshif/new``, ``arshif/version``, ...)::

    2:11  412 pages (3.2/s)  new 120  versions 4  duplicates 9  errors 2  unchanged 280  queued 35

Settings: ``ARSHIF_PROGRESS`` (``auto`` (default), ``bar``, ``log`` or ``off``),
``ARSHIF_PROGRESS_INTERVAL`` (seconds, default 30; ``log`` mode).
"""

from __future__ import annotations

import logging
import shutil
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

log = logging.getLogger(__name__)

BAR_REFRESH = 0.5  # seconds between redraws of the live line
RATE_WINDOW = 10.0  # seconds over which pages/s is averaged
_PAGES = ("new", "version", "unchanged", "skipped", "failed")


@dataclass(frozen=True)
class Snapshot:
    pages: int
    new: int
    versions: int
    unchanged: int
    duplicates: int
    errors: int
    queued: int

    @classmethod
    def of(cls, stats: Mapping[str, Any]) -> Snapshot:
        def get(key: str) -> int:
            return int(stats.get(key) or 0)

        return cls(
            pages=sum(get(f"arshif/{k}") for k in _PAGES),
            new=get("arshif/new"),
            versions=get("arshif/version"),
            unchanged=get("arshif/unchanged"),
            duplicates=get("arshif/duplicate"),
            errors=get("arshif/failed") + get("arshif/fetch_failed"),
            queued=max(0, get("scheduler/enqueued") - get("scheduler/dequeued")),
        )


def format_progress(snap: Snapshot, rate: float, elapsed: float) -> str:
    minutes, seconds = divmod(int(elapsed), 60)
    hours, minutes = divmod(minutes, 60)
    clock = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    # What matters most first: a narrow terminal cuts the end of the line.
    return (
        f"{clock}  {snap.pages} pages ({rate:.1f}/s)  new {snap.new}  versions {snap.versions}  "
        f"duplicates {snap.duplicates}  errors {snap.errors}  unchanged {snap.unchanged}  "
        f"queued {snap.queued}"
    )


class _Rate:
    """Pages per second over the last ``window`` seconds."""

    def __init__(self, window: float = RATE_WINDOW) -> None:
        self.window = window
        self.points: deque[tuple[float, int]] = deque()

    def add(self, now: float, pages: int) -> float:
        self.points.append((now, pages))
        while len(self.points) > 2 and now - self.points[1][0] >= self.window:
            self.points.popleft()
        t0, p0 = self.points[0]
        return (pages - p0) / (now - t0) if now > t0 else 0.0


class _LiveLine:
    """One status line at the bottom of a terminal; writes from logging go above it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.text = ""
        self.lock = threading.RLock()

    def draw(self, text: str) -> None:
        width = max(20, shutil.get_terminal_size().columns - 1)
        with self.lock:
            self.text = text[:width]
            self.stream.write("\r\x1b[K" + self.text)
            self.stream.flush()

    def write(self, data: str) -> int:  # the stream logging handlers write to
        with self.lock:
            self.stream.write("\r\x1b[K" + data)
            if self.text and data.endswith("\n"):
                self.stream.write(self.text)
            self.stream.flush()
        return len(data)

    def flush(self) -> None:
        self.stream.flush()

    def finish(self) -> None:
        with self.lock:
            if self.text:
                self.stream.write("\r\x1b[K" + self.text + "\n")
                self.stream.flush()
            self.text = ""


class ProgressExtension:
    def __init__(self, crawler: Crawler, mode: str, interval: float, stream: TextIO) -> None:
        self.crawler = crawler
        self.mode = mode
        self.interval = interval
        self.stream = stream
        self.rate = _Rate()
        self.started = time.monotonic()
        self.task: Any = None
        self.line: _LiveLine | None = None
        self.redirected: list[logging.StreamHandler[Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        settings = crawler.settings
        mode = str(settings.get("ARSHIF_PROGRESS", "auto")).lower()
        if mode not in ("auto", "bar", "log", "off"):
            raise ValueError(f"ARSHIF_PROGRESS must be auto, bar, log or off, not {mode!r}")
        stream = sys.stderr
        if mode == "auto":
            mode = "bar" if stream.isatty() else "log"
        interval = settings.getfloat("ARSHIF_PROGRESS_INTERVAL", 30.0)
        if mode == "off" or (mode == "log" and interval <= 0):
            raise NotConfigured
        ext = cls(crawler, mode, interval, stream)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def snapshot(self) -> tuple[Snapshot, float, float]:
        assert self.crawler.stats is not None
        snap = Snapshot.of(self.crawler.stats.get_stats())
        now = time.monotonic()
        return snap, self.rate.add(now, snap.pages), now - self.started

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self.rate.add(self.started, 0)
        if self.mode == "bar":
            self.line = _LiveLine(self.stream)
            for handler in logging.getLogger().handlers:
                if isinstance(handler, logging.StreamHandler) and handler.stream is self.stream:
                    handler.setStream(self.line)
                    self.redirected.append(handler)
        self.task = create_looping_call(self.tick)
        self.task.start(BAR_REFRESH if self.mode == "bar" else self.interval, now=False)

    def tick(self) -> None:
        text = format_progress(*self.snapshot())
        if self.line is not None:
            self.line.draw(text)
        else:
            log.info("progress: %s", text)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.line is not None:
            self.line.draw(format_progress(*self.snapshot()))
            self.line.finish()
            for handler in self.redirected:
                handler.setStream(self.stream)
            self.redirected, self.line = [], None
        else:
            log.info("progress: %s (%s)", format_progress(*self.snapshot()), reason)
