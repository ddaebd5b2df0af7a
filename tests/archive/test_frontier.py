"""The per-source frontier on real databases: record, adopt, reach, clear."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from archive import frontier
from archive.frontier import Pending
from archive.sources import Source
from archive.store import Archive

GOV = Source(name="gov", url="http://gov.example/")
OPP = Source(name="opp", url="http://opp.example/")
HINT = datetime(2019, 5, 28, 9, 30, tzinfo=UTC)


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as arc:
        arc.sync_sources([GOV, OPP])
        yield arc


def urls(archive: Archive, source: str) -> list[str]:
    return [p.url for p in frontier.pending(archive.sessions, archive.source_id(source))]


def test_a_killed_run_leaves_exactly_the_pages_it_had_not_reached(archive: Archive) -> None:
    gov, opp = archive.source_id("gov"), archive.source_id("opp")
    run = archive.start_run("gov")
    batch = [
        Pending(f"http://gov.example/archives/{i}", HINT if i == 1 else None) for i in range(5)
    ]
    frontier.record(archive.sessions, gov, batch, run)
    frontier.record(archive.sessions, opp, [Pending("http://opp.example/a", None)], None)
    frontier.reached(archive.sessions, gov, ["http://gov.example/archives/0"])
    frontier.reached(archive.sessions, gov, ["http://gov.example/archives/3", "http://x/"])
    left = frontier.pending(archive.sessions, gov)
    assert [p.url for p in left] == [f"http://gov.example/archives/{i}" for i in (1, 2, 4)]
    assert left[0].published_hint == HINT
    assert urls(archive, "opp") == ["http://opp.example/a"]  # per source


def test_a_run_adopts_what_it_reschedules_and_clears_only_that(archive: Archive) -> None:
    gov = archive.source_id("gov")
    killed = archive.start_run("gov")
    frontier.record(
        archive.sessions, gov, [Pending(f"http://gov.example/{i}", None) for i in range(3)], killed
    )
    resumed = archive.start_run("gov")
    # The next run (say with --max-pages 2) reschedules two of the three leftovers.
    frontier.record(
        archive.sessions, gov, [Pending(f"http://gov.example/{i}", None) for i in range(2)], resumed
    )
    assert frontier.clear(archive.sessions, resumed) == 2
    assert urls(archive, "gov") == ["http://gov.example/2"]  # never reached: kept


def test_large_batches_are_recorded(archive: Archive) -> None:
    gov = archive.source_id("gov")
    many = [Pending(f"http://gov.example/archives/{i}", None) for i in range(1234)]
    frontier.record(archive.sessions, gov, many, None)
    frontier.record(archive.sessions, gov, many[:10], None)  # duplicates are no error
    assert len(urls(archive, "gov")) == 1234
