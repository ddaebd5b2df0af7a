"""Crawl locks with a lease on real databases: refusal, takeover, dead runs, renewal."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from archive.locks import Holder, LockInfo, RunStart
from archive.sources import Source
from archive.store import Archive

GOV = Source(name="gov", url="http://gov.example/")
OPP = Source(name="opp", url="http://opp.example/")


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as arc:
        arc.sync_sources([GOV, OPP])
        yield arc


def rows(archive: Archive, sql: str) -> list[tuple[object, ...]]:
    with archive.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def holder(name: str) -> Holder:
    return Holder(token=name.ljust(32, "0"), host=f"host-{name}", pid=100)


def test_second_holder_is_refused_until_the_first_releases(archive: Archive) -> None:
    first = archive.begin_run("gov", holder("a"))
    assert first.run_id is not None
    assert first.locked_by is None
    second = archive.begin_run("gov", holder("b"))
    assert second.run_id is None
    assert isinstance(second.locked_by, LockInfo)
    assert (second.locked_by.host, second.locked_by.run_id) == ("host-a", first.run_id)
    assert "host-a:100 (run #" in second.locked_by.describe()
    # Another source is independent.
    assert archive.begin_run("opp", holder("b")).run_id is not None

    archive.finish_run(first.run_id, "ok", "finished")
    assert archive.release_locks(holder("a")) == 1
    third = archive.begin_run("gov", holder("b"))
    assert third.run_id is not None
    assert third.died == ()  # the first run had ended properly
    assert rows(archive, "SELECT COUNT(*) FROM crawl_locks") == [(2,)]


def test_expired_lease_is_taken_over_and_the_dead_run_closed(archive: Archive) -> None:
    dead = archive.begin_run("gov", holder("a"), lease_seconds=0.05)
    time.sleep(0.1)
    taken = archive.begin_run("gov", holder("b"))
    assert taken.run_id is not None
    assert taken.died == (dead.run_id,)
    assert dead.run_id is not None
    run = archive.run(dead.run_id)
    assert (run.status, run.finish_reason) == ("interrupted", "process died")
    assert run.finished_at is not None
    assert run.duration_seconds is not None
    assert run.duration_seconds < 5  # ended at its last renewal, not at the takeover
    # The dead holder cannot renew what it lost; the new one can.
    assert archive.renew_leases(holder("a")) == 0
    assert archive.renew_leases(holder("b")) == 1
    assert rows(archive, "SELECT holder_host, run_id FROM crawl_locks") == [
        ("host-b", taken.run_id)
    ]


def test_renewal_extends_the_lease(archive: Archive) -> None:
    archive.begin_run("gov", holder("a"), lease_seconds=0.3)
    for _ in range(4):
        time.sleep(0.1)
        assert archive.renew_leases(holder("a"), lease_seconds=0.3) == 1
    refused = archive.begin_run("gov", holder("b"))
    assert refused.locked_by is not None  # 0.4 s after taking a 0.3 s lease: still held


def test_a_source_crawled_meanwhile_is_no_longer_due(archive: Archive) -> None:
    seen = archive.schedules([GOV])["gov"].last_started_at
    assert seen is None
    other = archive.begin_run("gov", holder("a"))
    assert other.run_id is not None
    archive.finish_run(other.run_id, "ok")
    archive.release_locks(holder("a"))
    late = archive.begin_run("gov", holder("b"), last_start_seen=seen)
    assert (late.run_id, late.not_due) == (None, True)
    latest = archive.schedules([GOV])["gov"].last_started_at
    assert archive.begin_run("gov", holder("b"), last_start_seen=latest).run_id is not None


def test_runs_left_running_without_a_lock_are_closed(archive: Archive) -> None:
    orphan = archive.start_run("gov")  # a process that died before this feature, say
    live = archive.begin_run("opp", holder("a"))
    assert archive.close_dead_runs(grace_seconds=3600) == []  # too recent to judge
    assert archive.close_dead_runs(grace_seconds=0) == [orphan]
    assert archive.run(orphan).finish_reason == "process died"
    assert live.run_id is not None
    assert archive.run(live.run_id).status == "running"  # its lease is live


def test_finish_run_records_errors_by_kind_and_duration(archive: Archive) -> None:
    start = archive.begin_run("gov", holder("a"))
    assert start.run_id is not None
    for kind in ("http", "http", "network"):
        archive.record_failure("gov", "http://gov.example/x", kind, "boom", run_id=start.run_id)
    archive.finish_run(start.run_id, "ok", "finished")
    run = archive.run(start.run_id)
    assert run.errors == 3
    assert run.errors_by_kind == {"http": 2, "network": 1}
    assert run.duration_seconds is not None
    assert run.duration_seconds >= 0


@pytest.mark.parametrize("attempt", range(3))
def test_simultaneous_starts_give_exactly_one_run(db_url: str, attempt: int) -> None:
    """Separate engines (as separate processes) race for one source."""
    archives = [Archive.open(db_url) for _ in range(4)]
    try:
        for arc in archives:
            arc.sync_sources([GOV])
        barrier = threading.Barrier(len(archives))
        results: list[RunStart] = []

        def work(arc: Archive, who: str) -> None:
            barrier.wait()
            results.append(arc.begin_run("gov", holder(who)))

        threads = [
            threading.Thread(target=work, args=(arc, f"h{i}{attempt}"))
            for i, arc in enumerate(archives)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        started = [r for r in results if r.run_id is not None]
        assert len(started) == 1
        assert all(r.locked_by is not None for r in results if r.run_id is None)
        assert rows(archives[0], "SELECT COUNT(*) FROM crawl_runs") == [(1,)]
    finally:
        for arc in archives:
            arc.close()
