"""The `arshif run` loop in-process, with a stand-in for the crawl child (a shell script), so
what it starts, when, and how it stops can be checked in seconds. Real crawls: tests/e2e."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive.locks import Holder
from archive.schedule import Schedule
from archive.sources import Source
from archive.store import Archive
from crawler.scheduler import Scheduler, _seconds_to_next_due

# Logs its arguments, then waits; the first SIGTERM is noted, the second ends it (like Scrapy:
# a graceful stop first, an immediate one on the second signal) unless GRACEFUL is set.
FAKE_CRAWL = """#!/bin/sh
log="$FAKE_LOG"
echo "start $*" >> "$log"
terms=0
on_term() {
  terms=$((terms + 1)); echo "TERM $terms" >> "$log"
  if [ -n "$GRACEFUL" ] || [ "$terms" -ge 2 ]; then exit 1; fi
}
trap on_term TERM
while true; do sleep 0.05; done
"""

SOURCES = """
[sources.due]
url = "http://due.example/"
every = "30m"
[sources.fresh]
url = "http://fresh.example/"
every = "1d"
"""


@pytest.fixture
def setup(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    fake = tmp_path / "fake-python"
    fake.write_text(FAKE_CRAWL, encoding="utf-8")
    fake.chmod(0o755)
    log = tmp_path / "children.log"
    log.touch()
    monkeypatch.setenv("FAKE_LOG", str(log))
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES, encoding="utf-8")
    with Archive.open(sqlite_url) as archive:  # "fresh" was crawled a minute ago
        archive.sync_sources([Source("fresh", "http://fresh.example/")])
        me = Holder("f" * 32, "here", 1)
        run = archive.begin_run("fresh", me).run_id
        assert run is not None
        archive.finish_run(run, "ok", "finished")
        archive.release_locks(me)
    return fake, log


def stop_when(log: Path, needle: str, times: int = 1) -> threading.Thread:
    def watch() -> None:
        deadline = time.monotonic() + 30
        while log.read_text().count(needle) < times and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_starts_due_sources_once_and_passes_sigterm_on(
    setup: tuple[Path, Path], tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, log = setup
    monkeypatch.setenv("GRACEFUL", "1")
    scheduler = Scheduler(
        sources_path=tmp_path / "sources.toml",
        db_url=sqlite_url,
        crawl_args=["-s", "X=1"],
        rescan=0.1,  # many scans while the child runs: it must not be started again
        python=str(fake),
    )
    before = signal.getsignal(signal.SIGTERM)
    watcher = stop_when(log, "start")
    assert scheduler.run() == 0
    watcher.join()
    lines = log.read_text().splitlines()
    starts = [line for line in lines if line.startswith("start")]
    assert starts == [
        f"start -m crawler.cli crawl --due --sources {tmp_path / 'sources.toml'} "
        f"--db {sqlite_url} -s X=1 -- due"
    ]
    assert lines.count("TERM 1") == 1
    assert scheduler.children == []
    assert signal.getsignal(signal.SIGTERM) == before  # handlers restored


def test_a_crawl_that_does_not_stop_is_forced_after_the_timeout(
    setup: tuple[Path, Path], tmp_path: Path, sqlite_url: str
) -> None:
    fake, log = setup
    scheduler = Scheduler(
        sources_path=tmp_path / "sources.toml",
        db_url=sqlite_url,
        python=str(fake),
        stop_timeout=0.5,
    )
    stop_when(log, "start")
    started = time.monotonic()
    assert scheduler.run() == 0
    assert time.monotonic() - started < 20
    lines = log.read_text().splitlines()
    assert lines[-2:] == ["TERM 1", "TERM 2"]


def test_seconds_to_next_due() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def sched(name: str, due_in: float, running: bool = False) -> Schedule:
        return Schedule(
            name, timedelta(hours=1), None, None, None, running, now + timedelta(seconds=due_in)
        )

    plan = {"a": sched("a", 300), "b": sched("b", 30), "c": sched("c", 5, running=True)}
    assert _seconds_to_next_due(plan, now, exclude=set()) == 30
    assert _seconds_to_next_due(plan, now, exclude={"b"}) == 300
    assert _seconds_to_next_due({"a": sched("a", -10)}, now, exclude=set()) == 0
