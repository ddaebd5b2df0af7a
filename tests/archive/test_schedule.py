"""When sources are due: never crawled, interrupted, ok/failed, running, dead."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from archive.locks import Holder
from archive.sources import Source
from archive.store import Archive
from archive.types import utcnow

FAST = Source(name="fast", url="http://fast.example/", every=timedelta(minutes=30))
SLOW = Source(name="slow", url="http://slow.example/", every=timedelta(days=1))
NEW = Source(name="new", url="http://new.example/")
ME = Holder("a" * 32, "here", 1)


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as arc:
        arc.sync_sources([FAST, SLOW])
        yield arc


def test_due_rules(archive: Archive) -> None:
    now = utcnow()
    plan = archive.schedules([FAST, SLOW, NEW], now)
    assert all(s.is_due(now) for s in plan.values())  # never crawled (or not even registered)
    assert plan["new"].last_run_id is None

    ok = archive.begin_run("fast", ME)
    failed = archive.begin_run("slow", ME)
    assert ok.run_id
    assert failed.run_id
    plan = archive.schedules([FAST, SLOW], utcnow())
    assert plan["fast"].running
    assert not plan["fast"].is_due(utcnow() + timedelta(days=9))

    archive.finish_run(ok.run_id, "ok", "finished")
    archive.finish_run(failed.run_id, "failed", "finished")
    archive.release_locks(ME)
    now = utcnow()
    plan = archive.schedules([FAST, SLOW], now)
    started = plan["fast"].last_started_at
    assert started is not None
    assert plan["fast"].next_due == started + timedelta(minutes=30)
    assert not plan["fast"].is_due(now)
    assert plan["fast"].is_due(started + timedelta(minutes=30))
    assert plan["slow"].last_status == "failed"
    assert not plan["slow"].is_due(now + timedelta(hours=23))  # failed: keep the rhythm

    again = archive.begin_run("fast", ME)
    assert again.run_id
    archive.finish_run(again.run_id, "interrupted", "shutdown")
    archive.release_locks(ME)
    assert archive.schedules([FAST], utcnow())["fast"].is_due(utcnow())  # resume at once


def test_a_run_whose_process_died_makes_the_source_due(archive: Archive) -> None:
    archive.begin_run("fast", ME, lease_seconds=0.05)  # then the process is killed
    time.sleep(0.1)
    plan = archive.schedules([FAST], utcnow())["fast"]
    assert (plan.running, plan.last_status) == (False, "interrupted")
    assert plan.is_due(utcnow())
