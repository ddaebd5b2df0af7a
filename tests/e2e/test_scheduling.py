"""Unattended crawling, for real: `arshif crawl` and `arshif run` in subprocesses against a
(slow) fixture web. Concurrent crawls, SIGKILL and resumption, --due, SIGTERM, status --check."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from archive.locks import locks
from archive.store import Archive
from archive.types import utcnow
from crawler.demo.web import FixtureWeb
from tests.e2e.test_crawl import arshif, sql

pytestmark = pytest.mark.e2e

# Serial requests with no politeness delay: Scrapy 2.19 enforces the per-site concurrency
# only when DOWNLOAD_DELAY > 0, hence 0.01 s rather than 0. One request in the downloader at
# a time, so a graceful stop finishes one page, not the whole queue Scrapy handed over.
SERIAL = [
    "-s",
    "CONCURRENT_REQUESTS=1",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "DOWNLOAD_DELAY=0.01",
    "-s",
    "DOWNLOAD_DELAY_JITTER=0",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=1",
]
ARTICLES = 14  # 7 per outlet


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb() as fixture:
        yield fixture


@pytest.fixture
def sources(web: FixtureWeb, tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(web.sources_toml(), encoding="utf-8")
    return path


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(what: Callable[[], bool], timeout: float = 60, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not what():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {message or what}")
        time.sleep(0.1)


def count(db_url: str, query: str) -> int:
    try:
        return int(sql(db_url, query)[0][0])
    except Exception:  # the database may not exist yet (the crawl is starting)
        return 0


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def assert_consistent(db_url: str) -> None:
    """No half articles and no duplicate versions; nothing left running or locked."""
    assert sql(db_url, "SELECT COUNT(*), COUNT(DISTINCT url) FROM articles") == [
        (ARTICLES, ARTICLES)
    ]
    assert sql(db_url, "SELECT COUNT(*), MAX(version) FROM article_versions") == [(ARTICLES, 1)]
    assert sql(
        db_url,
        "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS "
        "(SELECT 1 FROM article_versions v WHERE v.article_id = a.id)",
    ) == [(0,)]
    assert sql(db_url, "SELECT COUNT(*) FROM crawl_runs WHERE status = 'running'") == [(0,)]
    assert sql(db_url, "SELECT COUNT(*) FROM crawl_locks") == [(0,)]


def test_two_crawls_of_one_source_never_overlap(
    web: FixtureWeb, sources: Path, db_url: str
) -> None:
    web.delay = {"alsham": 1.0}  # alsham is slow; hurriya answers at once
    short_lease = ["-s", "ARSHIF_LEASE_SECONDS=3"]  # renewed every second
    first = start(
        "crawl", "--sources", str(sources), "--db", db_url, *SERIAL, *short_lease, "alsham"
    )
    try:
        wait_for(
            lambda: count(db_url, "SELECT COUNT(*) FROM crawl_locks") == 1,
            message="the first crawl to take its lock",
        )
        time.sleep(3.5)  # longer than the lease: only its renewal keeps the lock
        # The same source again: refused at once, with who holds it, exit status 3.
        second = arshif("crawl", "--sources", str(sources), "--db", db_url, *SERIAL, "alsham")
        assert second.returncode == 3, second.stdout + second.stderr
        assert "alsham: skipped: another process is crawling it:" in second.stderr
        assert "(run #" in second.stderr
        # Several sources: the locked one is skipped, the others are crawled.
        third = arshif("crawl", "--sources", str(sources), "--db", db_url, *SERIAL)
        assert third.returncode == 3, third.stdout + third.stderr
        assert "alsham: skipped" in third.stderr
        assert "hurriya  ok" in third.stdout
        assert "alsham " not in third.stdout  # no report line for a source not crawled
    finally:
        web.delay = 0.0
        code, out, err = finish(first)
    assert code == 0, out + err
    runs = sql(
        db_url,
        "SELECT s.name, COUNT(*) FROM crawl_runs r JOIN sources s ON s.id = r.source_id "
        "GROUP BY s.name ORDER BY s.name",
    )
    assert runs == [("alsham", 1), ("hurriya", 1)]
    assert_consistent(db_url)


def test_a_crawl_killed_with_sigkill_resumes_where_it_stopped(
    web: FixtureWeb, sources: Path, db_url: str, tmp_path: Path
) -> None:
    # Long enough that the dead crawl still holds its lease when the next `arshif crawl` has
    # started (several seconds on a loaded 2-core machine), short enough to wait out below.
    lease = ["-s", "ARSHIF_LEASE_SECONDS=15"]
    web.delay = 0.5
    crawl = start("crawl", "--sources", str(sources), "--db", db_url, *SERIAL, *lease)
    wait_for(
        lambda: count(db_url, "SELECT COUNT(*) FROM articles") >= 2,
        message="two stored articles",
    )
    crawl.kill()  # SIGKILL: no clean-up of any kind
    crawl.communicate(timeout=30)
    web.delay = 0.0

    # What the killed run left: whole articles only, runs still "running", a frontier.
    stored = {u for (u,) in sql(db_url, "SELECT url FROM articles")}
    assert 2 <= len(stored) < ARTICLES
    assert sql(db_url, "SELECT COUNT(*) FROM article_versions") == [(len(stored),)]
    assert sql(db_url, "SELECT DISTINCT status FROM crawl_runs") == [("running",)]
    pending = {u for (u,) in sql(db_url, "SELECT url FROM crawl_frontier")}
    assert pending, "the killed run left no frontier"

    # While its lease lasts, the dead crawl still holds the sources.
    early = arshif("crawl", "--sources", str(sources), "--db", db_url, *SERIAL, *lease)
    assert early.returncode == 3, early.stdout + early.stderr
    wait_for_leases_to_expire(db_url)

    # Resume with discovery switched off (sitemaps and feeds gone, no link following): only
    # the frontier can tell the next run which pages the killed one had not reached.
    blind = tmp_path / "blind.toml"
    blind.write_text(_without_discovery(web), encoding="utf-8")
    served_before = len(web.requests)
    resumed = arshif("crawl", "--sources", str(blind), "--db", db_url, *SERIAL)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "resuming" in resumed.stderr
    died = sql(db_url, "SELECT status, finish_reason FROM crawl_runs WHERE id <= 2")
    assert died == [("interrupted", "process died")] * 2
    fetched = {unquote(urlsplit(path).path) for _, _, path in web.requests[served_before:]}
    # A page whose transaction committed just before the kill may keep its frontier row (the
    # row goes right after the transaction): it is stored, so the resumed run need not fetch it.
    for url in pending - stored:
        assert unquote(urlsplit(url).path) in fetched, (
            f"{url} was not resumed; resumed run's log:\n{resumed.stderr[-3000:]}"
        )
    now_stored = {u for (u,) in sql(db_url, "SELECT url FROM articles")}
    assert stored | {u for u in pending if u in set(web.article_urls())} <= now_stored
    assert sql(db_url, "SELECT COUNT(*) FROM crawl_frontier") == [(0,)]

    # A normal crawl afterwards: every article exactly once, no duplicate versions.
    again = arshif("crawl", "--sources", str(sources), "--db", db_url, *SERIAL)
    assert again.returncode == 0, again.stdout + again.stderr
    assert_consistent(db_url)


def wait_for_leases_to_expire(db_url: str) -> None:
    with Archive.open(db_url) as archive, archive.sessions() as session:
        expiry = max(lock.expires_at for lock in locks(session))
    time.sleep(max(0.0, (expiry - utcnow()).total_seconds()) + 0.2)


def _without_discovery(web: FixtureWeb) -> str:
    lines = []
    for outlet in web.outlets.values():
        lines += [
            f"[sources.{outlet.name}]",
            f'url = "{outlet.base_url}"',
            f'sitemaps = ["{outlet.url("/no-sitemap.xml")}"]',  # listed, so no robots.txt ones
            "follow_links = false",
            f"article_pattern = '{outlet.article_pattern}'",
            "",
        ]
    return "\n".join(lines)


def test_due_twice_then_status_check_on_a_stalled_source(
    web: FixtureWeb, sources: Path, sqlite_url: str
) -> None:
    first = arshif("crawl", "--due", "--sources", str(sources), "--db", sqlite_url, *SERIAL)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "alsham   ok" in first.stdout
    served = len(web.requests)
    started = time.monotonic()
    second = arshif("crawl", "--due", "--sources", str(sources), "--db", sqlite_url, *SERIAL)
    took = time.monotonic() - started
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout == ""  # nothing for cron to mail
    assert len(web.requests) == served  # not one request
    assert sql(sqlite_url, "SELECT COUNT(*) FROM crawl_runs") == [(2,)]
    assert took < 15  # no Scrapy start-up; generous for a loaded test machine

    healthy = arshif("status", "--check", "--sources", str(sources), "--db", sqlite_url)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "all sources healthy" in healthy.stdout

    # Two more crawls find nothing new: with --stalled-runs 2 the sources need attention.
    for _ in range(2):
        assert (
            arshif("crawl", "--sources", str(sources), "--db", sqlite_url, *SERIAL).returncode == 0
        )
    stalled = arshif(
        "status", "--check", "--stalled-runs", "2", "--sources", str(sources), "--db", sqlite_url
    )
    assert stalled.returncode == 1, stalled.stdout + stalled.stderr
    assert "alsham: no new article in the last 2 runs" in stalled.stdout
    assert "hurriya: no new article in the last 2 runs" in stalled.stdout
    # Without --check, status only reports.
    assert arshif("status", "--sources", str(sources), "--db", sqlite_url).returncode == 0


def test_run_stops_cleanly_on_sigterm_mid_crawl(
    web: FixtureWeb, sources: Path, sqlite_url: str
) -> None:
    web.delay = 0.5
    scheduler = start("run", "--sources", str(sources), "--db", sqlite_url, *SERIAL)
    try:
        wait_for(
            lambda: count(sqlite_url, "SELECT COUNT(*) FROM articles") >= 1,
            message="the scheduled crawl to store an article",
        )
        scheduler.send_signal(signal.SIGTERM)
        code, _, err = finish(scheduler, timeout=60)
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
        web.delay = 0.0
    assert code == 0, err
    assert "passing it on to the crawl of alsham, hurriya" in err
    child = re.search(r"crawling alsham, hurriya \(pid (\d+)\)", err)
    assert child is not None, err
    assert not Path(f"/proc/{child[1]}").exists()  # waited for, not left behind
    assert "scheduler stopped" in err
    runs = sql(sqlite_url, "SELECT status, finish_reason, new_articles FROM crawl_runs")
    assert [(s, r) for s, r, _ in runs] == [("interrupted", "shutdown")] * 2
    stored = count(sqlite_url, "SELECT COUNT(*) FROM articles")
    assert 1 <= stored < ARTICLES
    # In-flight pages were stored whole, and the run counters agree with the archive.
    assert sum(n for _, _, n in runs) == stored
    assert count(sqlite_url, "SELECT COUNT(*) FROM article_versions") == stored
    assert count(sqlite_url, "SELECT COUNT(*) FROM crawl_locks") == 0

    # Interrupted sources are due at once: the next scheduled crawl resumes them.
    resumed = arshif("crawl", "--due", "--sources", str(sources), "--db", sqlite_url, *SERIAL)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert_consistent(sqlite_url)
