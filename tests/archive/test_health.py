"""Source health on real databases: each warning, and silence when all is well."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from archive.health import SourceHealth, Thresholds, source_health
from archive.locks import Holder
from archive.models import CrawlRun
from archive.sources import Source
from archive.store import Archive
from archive.types import utcnow
from tests.archive.pages import article_html, page, seed

SOURCES = {
    name: Source(name=name, url=f"http://{name}.example/", every=timedelta(hours=1))
    for name in ("good", "stalled", "failing", "noisy", "late", "dead", "never")
}
ME = Holder("m" * 32, "here", 1)


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as arc:
        arc.sync_sources(SOURCES.values())
        yield arc


def crawl(
    archive: Archive,
    source: str,
    *,
    new: int = 0,
    errors: int = 0,
    status: str = "ok",
    hours_ago: float = 0,
) -> int:
    start = archive.begin_run(source, ME)
    assert start.run_id is not None
    run = start.run_id
    for i in range(new):
        url = f"http://{source}.example/archives/{run}-{i}"
        body = article_html(f"خبر {run} {i}", [f"{source} {run} {i}", *seed("004")])
        archive.ingest(page(source, url, body), run_id=run)
    for _ in range(errors):
        archive.record_failure(source, f"http://{source}.example/x", "http", "HTTP 500", 500, run)
    archive.finish_run(run, status, "finished")
    archive.release_locks(ME)
    if hours_ago:
        with archive.sessions() as session, session.begin():
            session.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run)
                .values(started_at=utcnow() - timedelta(hours=hours_ago))
            )
    return run


def health(archive: Archive, **limits: float) -> dict[str, SourceHealth]:
    with archive.sessions() as session:
        result = source_health(session, SOURCES, utcnow(), Thresholds(**limits))  # type: ignore[arg-type]
    return {h.source: h for h in result}


def test_warnings(archive: Archive) -> None:
    crawl(archive, "good", new=2)
    crawl(archive, "good", new=4, errors=1)  # 1 error in 5 requests: at the threshold
    for _ in range(3):
        crawl(archive, "stalled", new=0)
    crawl(archive, "stalled", new=1, hours_ago=0)  # an older success does not help...
    for _ in range(3):
        crawl(archive, "stalled", new=0)  # ...once the last three runs found nothing
    crawl(archive, "failing", errors=2, status="failed")
    crawl(archive, "noisy", new=1, errors=3)
    crawl(archive, "late", new=1, hours_ago=5)
    archive.begin_run("dead", Holder("d" * 32, "gone", 9), lease_seconds=0.05)
    time.sleep(0.1)

    report = health(archive)
    assert report["good"].warnings == ()
    assert report["good"].new_per_day[-1] == 6
    assert report["good"].last_run is not None
    assert report["good"].last_run.errors_by_kind == {"http": 1}
    assert report["stalled"].warnings == ("no new article in the last 3 runs",)
    assert report["failing"].warnings[0].startswith("last run failed (#")
    assert report["failing"].warnings[1].startswith("error rate 100% in the last run")
    assert report["noisy"].warnings == (
        f"error rate 75% in the last run (#{report['noisy'].last_run.id}: 3 errors, 1 pages; "  # type: ignore[union-attr]
        "threshold 20%)",
    )
    assert report["late"].warnings[0].startswith("overdue: last run started 5h ago, due every 1h")
    assert report["never"].warnings == ("never crawled",)
    dead = report["dead"].warnings
    assert dead[0].startswith("stale lock: held by gone:9, lease expired")
    assert dead[1].startswith("stale run #")
    assert report["dead"].running is False

    # Thresholds are configurable.
    relaxed = health(archive, stalled_runs=4, max_error_rate=0.8, overdue_factor=6)
    assert relaxed["stalled"].warnings == ()
    assert relaxed["noisy"].warnings == ()
    assert relaxed["late"].warnings == ()


def test_next_due_and_running(archive: Archive) -> None:
    crawl(archive, "good", new=1)
    archive.begin_run("late", ME)  # crawling now
    report = health(archive)
    good = report["good"]
    assert good.next_due is not None
    assert good.last_run is not None
    assert good.next_due == good.last_run.started_at + timedelta(hours=1)
    assert report["late"].running
    assert report["late"].next_due is None
    assert report["late"].warnings == ()
    assert report["never"].next_due is not None
    assert report["never"].as_dict()["warnings"] == ["never crawled"]


@pytest.mark.parametrize(
    "bad", [{"stalled_runs": 0}, {"max_error_rate": 2}, {"overdue_factor": 0.5}]
)
def test_thresholds_are_validated(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        Thresholds(**bad)  # type: ignore[arg-type]
