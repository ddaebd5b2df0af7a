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


def test_ingest_settles_the_frontier_row_in_the_page_transaction(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``frontier_url``: a stored, skipped or failed page leaves the frontier in its own
    transaction; a page whose transaction fails keeps its row."""
    from archive import ingest
    from tests.archive.pages import article_html, page

    gov = archive.source_id("gov")
    run = archive.start_run("gov")
    base = "http://gov.example/archives/"
    frontier.record(archive.sessions, gov, [Pending(f"{base}{i}", None) for i in range(5)], run)
    words = " ".join(["كلمة"] * 120)
    html = article_html("خبر", [f"{words} {i}" for i in range(3)])
    assert archive.ingest(page("gov", f"{base}0", html), run, frontier_url=f"{base}0").article_id
    short = article_html("قصير", ["سطر قصير"])
    assert archive.ingest(page("gov", f"{base}1", short), run, frontier_url=f"{base}1").reason
    archive.record_failure("gov", f"{base}2", "http", "404", 404, run, frontier_url=f"{base}2")

    def broken(*args: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ingest, "_store", broken)
    with pytest.raises(RuntimeError):
        archive.ingest(page("gov", f"{base}3", html), run, frontier_url=f"{base}3")
    assert urls(archive, "gov") == [f"{base}3", f"{base}4"]
    (counts,) = archive.run_reports([run])
    assert (counts.pages_fetched, counts.skipped, counts.errors) == (2, 1, 1)
