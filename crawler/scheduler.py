"""``arshif run``: a long-running scheduler that crawls sources as they fall due.

A plain loop, no scheduling library: every ``RESCAN_SECONDS`` (and whenever a crawl ends or a
source falls due) it re-reads the sources file, asks the archive which sources are due
(:mod:`archive.schedule`) and starts a crawl for them. Scrapy's reactor runs once per process,
so each crawl is a child process (``python -m crawler.cli crawl --due NAME ...``), at most
``jobs`` at a time; sources due together share one child. The child takes the sources' locks
like any ``arshif crawl``, so a scheduler on another machine, or a cron job, never crawls the
same source at the same time.

SIGTERM or SIGINT: no new crawl starts, the signal is passed on to the running crawls (which
finish the requests already handed to the downloader, store those pages and record their runs
as interrupted), and the scheduler exits 0 once they have ended. A second signal is passed on
too, and so is one more after ``stop_timeout`` seconds: Scrapy then stops at once, and the
pages it had not stored stay in the frontier for the next crawl. Children run in their own
session, so a Ctrl-C in a terminal reaches them only once, through the scheduler.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType

from sqlalchemy.exc import SQLAlchemyError

from archive.durations import humanize, humanize_seconds
from archive.errors import SourcesError
from archive.locks import LEASE_SECONDS
from archive.schedule import Schedule
from archive.sources import Source, load_sources
from archive.store import Archive
from archive.types import utcnow

log = logging.getLogger(__name__)

RESCAN_SECONDS = 60.0  # re-read the sources file and the archive at least this often
STOP_TIMEOUT = 120.0  # after a stop signal, force crawls that have not stopped by then
_POLL_SECONDS = 1.0  # how often running children are checked


@dataclass
class _Child:
    proc: subprocess.Popen[bytes]
    names: tuple[str, ...]
    started: float
    signalled: int = 0  # how many of the scheduler's stop signals it has been sent


@dataclass
class Scheduler:
    sources_path: Path
    db_url: str | None
    only: Sequence[str] = ()  # restrict to these sources (default: every source in the file)
    jobs: int = 2
    crawl_args: Sequence[str] = ()  # passed to every `arshif crawl` child
    verbose: bool = False
    rescan: float = RESCAN_SECONDS
    stop_timeout: float = STOP_TIMEOUT
    python: str = sys.executable
    children: list[_Child] = field(default_factory=list)
    _stops: list[int] = field(default_factory=list)  # signals received, in order
    _wake: threading.Event = field(default_factory=threading.Event)
    _stopping_since: float | None = None
    _announced: tuple[str, datetime] | None = None

    def run(self) -> int:
        sources = self._load()  # a broken sources file at start-up is the user's error
        with Archive.open(self.db_url) as archive, self._signals():
            log.info(
                "scheduler started: %d source(s), at most %d crawl(s) at a time",
                len(sources),
                self.jobs,
            )
            next_scan = 0.0
            while True:
                ended = self._reap()
                if self._stops:
                    self._stop_children()
                    if not self.children:
                        break
                    self._sleep(_POLL_SECONDS)
                    continue
                if ended or time.monotonic() >= next_scan:
                    sources = self._reload(sources)
                    next_scan = time.monotonic() + self._scan(archive, sources)
                wait = next_scan - time.monotonic()
                self._sleep(min(wait, _POLL_SECONDS) if self.children else wait)
        log.info("scheduler stopped")
        return 0

    # -- one scan ------------------------------------------------------------------------

    def _scan(self, archive: Archive, sources: Mapping[str, Source]) -> float:
        """Start crawls of due sources; returns seconds until the next scan."""
        now = utcnow()
        try:
            archive.close_dead_runs(grace_seconds=LEASE_SECONDS)
            plan = archive.schedules(sources.values(), now)
        except SQLAlchemyError as exc:  # the database is away: keep going, try again later
            log.error("cannot read the archive (will retry in %ds): %s", self.rescan, exc)
            return self.rescan
        busy = {name for child in self.children for name in child.names}
        due = [n for n, s in plan.items() if s.is_due(now) and n not in busy]
        if due and len(self.children) < self.jobs:
            self._spawn(due)
        elif due:
            log.debug("due but waiting for a free slot: %s", ", ".join(due))
        elif not self.children:
            self._announce_next(plan, now)
        return min(self.rescan, _seconds_to_next_due(plan, now, busy | set(due)))

    def _announce_next(self, plan: Mapping[str, Schedule], now: datetime) -> None:
        """Log, once per change, what the scheduler is waiting for."""
        waiting = [s for s in plan.values() if not s.running]
        if not waiting:
            return
        nxt = min(waiting, key=lambda s: s.next_due)
        if self._announced != (nxt.source, nxt.next_due):
            self._announced = (nxt.source, nxt.next_due)
            log.info(
                "next: %s at %s UTC (in %s)",
                nxt.source,
                f"{nxt.next_due:%Y-%m-%d %H:%M}",
                humanize(nxt.next_due - now),
            )

    def _spawn(self, names: Sequence[str]) -> None:
        cmd = [self.python, "-m", "crawler.cli", *(["-v"] if self.verbose else [])]
        cmd += ["crawl", "--due", "--sources", str(self.sources_path)]
        cmd += ["--db", self.db_url] if self.db_url else []
        cmd += [*self.crawl_args, "--", *names]
        proc = subprocess.Popen(cmd, start_new_session=True)
        self.children.append(_Child(proc, tuple(names), time.monotonic()))
        log.info("crawling %s (pid %d)", ", ".join(names), proc.pid)

    def _reap(self) -> bool:
        ended = [c for c in self.children if c.proc.poll() is not None]
        for child in ended:
            self.children.remove(child)
            took = humanize_seconds(time.monotonic() - child.started)
            code = child.proc.returncode
            level = logging.INFO if code == 0 else logging.WARNING
            what = _EXIT_MEANINGS.get(code, f"exit status {code}")
            log.log(level, "crawl of %s ended after %s: %s", ", ".join(child.names), took, what)
        return bool(ended)

    # -- sources file --------------------------------------------------------------------

    def _load(self) -> dict[str, Source]:
        sources = load_sources(self.sources_path)
        unknown = [n for n in self.only if n not in sources]
        if unknown:
            raise SourcesError(
                f"{self.sources_path}: no source named {', '.join(map(repr, unknown))} "
                f"(known: {', '.join(sources)})"
            )
        return {n: sources[n] for n in self.only} if self.only else sources

    def _reload(self, current: dict[str, Source]) -> dict[str, Source]:
        try:
            return self._load()
        except SourcesError as exc:
            log.error("keeping the previous sources: %s", exc)
            return current

    # -- signals -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _signals(self) -> Iterator[None]:
        def on_signal(signum: int, frame: FrameType | None) -> None:
            self._stops.append(signum)  # logging is not safe here; the loop logs
            self._wake.set()

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _stop_children(self) -> None:
        """Pass stop signals on; force crawls still stopping after ``stop_timeout``."""
        now = time.monotonic()
        if self._stopping_since is None:
            self._stopping_since = now
        elif now - self._stopping_since > self.stop_timeout and len(self._stops) == 1:
            log.warning(
                "crawls still stopping after %ds: stopping them at once (the pages they had "
                "not stored are fetched first by the next crawl)",
                self.stop_timeout,
            )
            self._stops.append(self._stops[0])  # Scrapy stops at once on a second signal
        self._pass_on_signals()

    def _pass_on_signals(self) -> None:
        for child in self.children:
            while child.signalled < len(self._stops):
                signum = self._stops[child.signalled]
                child.signalled += 1
                log.info(
                    "%s: passing it on to the crawl of %s (pid %d)",
                    signal.Signals(signum).name,
                    ", ".join(child.names),
                    child.proc.pid,
                )
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child.proc.pid, signum)

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._wake.wait(seconds)
        self._wake.clear()


_EXIT_MEANINGS = {
    0: "ok",
    1: "a run failed or was interrupted (see `arshif status`)",
    2: "error (see its message above)",
    3: "locked by another process",
}


def _seconds_to_next_due(plan: Mapping[str, Schedule], now: datetime, exclude: set[str]) -> float:
    waiting = [s.next_due for n, s in plan.items() if n not in exclude and not s.running]
    if not waiting:
        return RESCAN_SECONDS
    return max(0.0, (min(waiting) - now).total_seconds())
