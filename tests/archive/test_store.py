"""Ingest semantics on real databases: versions, duplicates, failures, run counters."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from archive.ingest import Outcome
from archive.prepare import FetchedPage
from archive.sources import Source
from archive.store import Archive
from tests.archive.pages import article_html, page, seed

GOV = Source(name="gov", url="http://gov.example/", article_pattern=None)
OPP = Source(name="opp", url="http://opp.example/")
T0 = datetime(2019, 3, 22, 12, 0, tzinfo=UTC)

WIRE = seed("004")
TITLE = "لافروف: دول الغرب تتجاهل استخدام الإرهابيين سلاحاً كيميائياً في سورية"


def republished(paragraphs: list[str]) -> list[str]:
    """A lightly edited copy: other house spelling, a dateline, one paragraph dropped."""
    out = [p.replace("سورية", "سوريا").replace("الأميركية", "الأمريكية") for p in paragraphs]
    out[0] = "موسكو – (وكالات) " + out[0]
    del out[5]
    return out


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as arc:
        arc.sync_sources([GOV, OPP])
        yield arc


def rows(archive: Archive, sql: str, **params: object) -> list[tuple[object, ...]]:
    with archive.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def test_recrawl_without_change_adds_no_version(archive: Archive) -> None:
    body = article_html(TITLE, WIRE)
    first = archive.ingest(page("gov", "http://gov.example/archives/1", body, fetched_at=T0))
    assert (first.outcome, first.version) == (Outcome.NEW, 1)
    # Same text, different boilerplate around it (a view counter): not an edit.
    again = article_html(TITLE, WIRE, views=999)
    second = archive.ingest(
        page("gov", "http://gov.example/archives/1", again, fetched_at=T0 + timedelta(hours=1))
    )
    assert second.outcome == Outcome.UNCHANGED
    assert rows(archive, "SELECT COUNT(*) FROM article_versions") == [(1,)]
    (last_seen,) = rows(archive, "SELECT last_seen_at FROM articles")[0]
    assert str(last_seen).startswith("2019-03-22 13:00")


def test_real_change_adds_version_and_keeps_the_old_one(archive: Archive) -> None:
    url = "http://gov.example/archives/1"
    archive.ingest(page("gov", url, article_html(TITLE, WIRE), fetched_at=T0))
    edited = [*WIRE[:-1], WIRE[-1] + " وقتل في الهجوم 17 شخصاً."]
    result = archive.ingest(
        page("gov", url, article_html(TITLE, edited), fetched_at=T0 + timedelta(days=1))
    )
    assert (result.outcome, result.version) == (Outcome.VERSION, 2)
    versions = rows(archive, "SELECT version, text FROM article_versions ORDER BY version")
    assert [v for v, _ in versions] == [1, 2]
    assert "17 شخصاً" not in str(versions[0][1])
    assert "17 شخصاً" in str(versions[1][1])
    latest = rows(archive, "SELECT version FROM latest_versions")
    assert latest == [(2,)]


def test_near_duplicate_from_another_outlet_links_to_the_earliest_published(
    archive: Archive,
) -> None:
    orig = archive.ingest(
        page(
            "gov",
            "http://gov.example/archives/1",
            article_html(TITLE, WIRE, published="2019-03-21T09:00:00+02:00"),
            fetched_at=T0,
        )
    )
    copy = archive.ingest(
        page(
            "opp",
            "http://opp.example/news/7",
            article_html(
                TITLE.replace("سورية", "سوريا"),
                republished(WIRE),
                published="2019-03-21T15:00:00+02:00",
            ),
            fetched_at=T0,
        )
    )
    assert copy.outcome == Outcome.NEW
    assert copy.duplicate_of_id == orig.article_id
    kind, sim = rows(
        archive, "SELECT duplicate_kind, similarity FROM articles WHERE id = :i", i=copy.article_id
    )[0]
    assert kind == "near"
    assert isinstance(sim, float)
    assert 0.5 <= sim < 1.0
    corpus = rows(archive, "SELECT article_id, duplicate_count FROM corpus")
    assert corpus == [(orig.article_id, 1)]


def test_earlier_copy_arriving_later_becomes_the_original(archive: Archive) -> None:
    late = archive.ingest(
        page(
            "opp",
            "http://opp.example/news/7",
            article_html(TITLE, republished(WIRE), published="2019-03-21T15:00:00+02:00"),
            fetched_at=T0,
        )
    )
    early = archive.ingest(
        page(
            "gov",
            "http://gov.example/archives/1",
            article_html(TITLE, WIRE, published="2019-03-21T09:00:00+02:00"),
            fetched_at=T0 + timedelta(hours=2),
        )
    )
    assert early.duplicate_of_id is None
    links = dict(rows(archive, "SELECT id, duplicate_of_id FROM articles"))
    assert links == {late.article_id: early.article_id, early.article_id: None}
    assert rows(archive, "SELECT article_id FROM corpus") == [(early.article_id,)]


def test_exact_copy_under_another_url_of_the_same_outlet_is_linked(archive: Archive) -> None:
    a = archive.ingest(
        page("gov", "http://gov.example/archives/1", article_html(TITLE, WIRE), fetched_at=T0)
    )
    b = archive.ingest(
        page("gov", "http://gov.example/?p=1", article_html(TITLE, WIRE), fetched_at=T0)
    )
    assert b.duplicate_of_id == a.article_id
    assert rows(archive, "SELECT duplicate_kind FROM articles WHERE id = :i", i=b.article_id) == [
        ("exact",)
    ]


def test_similar_reports_of_one_outlet_are_not_syndication(archive: Archive) -> None:
    archive.ingest(
        page("gov", "http://gov.example/archives/1", article_html(TITLE, WIRE), fetched_at=T0)
    )
    b = archive.ingest(
        page(
            "gov",
            "http://gov.example/archives/2",
            article_html(TITLE, republished(WIRE)),
            fetched_at=T0,
        )
    )
    assert b.duplicate_of_id is None
    assert rows(archive, "SELECT COUNT(*) FROM corpus") == [(2,)]


def test_unrelated_articles_are_not_linked(archive: Archive) -> None:
    archive.ingest(
        page("gov", "http://gov.example/archives/1", article_html(TITLE, WIRE), fetched_at=T0)
    )
    other = archive.ingest(
        page(
            "opp",
            "http://opp.example/news/1",
            article_html("روسيا تدافع عن النظام", seed("000")),
            fetched_at=T0,
        )
    )
    assert other.outcome == Outcome.NEW
    assert other.duplicate_of_id is None


def test_canonical_link_decides_the_article_url(archive: Archive) -> None:
    body = article_html(TITLE, WIRE, canonical="/archives/1")
    result = archive.ingest(
        page("gov", "http://gov.example/archives/1?utm_source=telegram&x=1", body)
    )
    assert result.url == "http://gov.example/archives/1"
    # A canonical pointing to another site (a mirror) is not trusted as this article's key.
    foreign = article_html(TITLE, WIRE[:3], canonical="http://mirror.example/a/9")
    other = archive.ingest(page("opp", "http://opp.example/news/3", foreign))
    assert other.url == "http://opp.example/news/3"


def test_undecodable_page_is_a_recorded_failure(archive: Archive) -> None:
    run = archive.start_run("gov")
    junk = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20
    result = archive.ingest(page("gov", "http://gov.example/archives/9", junk), run_id=run)
    assert result.outcome == Outcome.FAILED
    assert rows(archive, "SELECT COUNT(*) FROM articles") == [(0,)]
    (kind, url, message) = rows(archive, "SELECT kind, url, message FROM fetch_failures")[0]
    assert kind == "decode"
    assert url == "http://gov.example/archives/9"
    assert message
    assert archive.run(run).errors == 1


def test_short_or_unmarked_pages_are_skipped(archive: Archive) -> None:
    result = archive.ingest(
        page("gov", "http://gov.example/tag/x", article_html("وسم", ["خبر قصير جداً"]))
    )
    assert result.outcome == Outcome.SKIPPED
    assert rows(archive, "SELECT COUNT(*) FROM articles") == [(0,)]


def test_run_counters_are_updated_with_each_page(archive: Archive) -> None:
    run = archive.start_run("gov")
    url = "http://gov.example/archives/1"
    archive.ingest(page("gov", url, article_html(TITLE, WIRE)), run_id=run)
    archive.ingest(page("gov", url, article_html(TITLE, WIRE)), run_id=run)
    archive.ingest(
        page("gov", url, article_html(TITLE, [*WIRE, "فقرة جديدة أضيفت لاحقاً إلى الخبر."])),
        run_id=run,
    )
    archive.ingest(
        page("gov", "http://gov.example/tag/x", article_html("وسم", ["قصير"])), run_id=run
    )
    archive.finish_run(run, "ok", "finished")
    r = archive.run(run)
    assert (r.pages_fetched, r.new_articles, r.unchanged, r.new_versions, r.skipped) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert r.status == "ok"
    assert r.finished_at is not None
    assert r.bytes_received > 0
    stats = {s.source: s for s in archive.stats()}
    assert (stats["gov"].articles, stats["gov"].versions, stats["gov"].last_run_status) == (
        1,
        2,
        "ok",
    )


def _ingest_at_once(archives: list[Archive], pages: list[FetchedPage]) -> None:
    barrier = threading.Barrier(len(pages))

    def work(arc: Archive, pg: FetchedPage) -> None:
        barrier.wait()
        arc.ingest(pg)

    threads = [
        threading.Thread(target=work, args=pair) for pair in zip(archives, pages, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.mark.postgres
@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_near_duplicates_are_still_linked(pg_url: str, attempt: int) -> None:
    """Two writers (separate engines, as two crawler processes) ingest a story and its
    copy at the same moment; the advisory lock makes the second one see the first."""
    archives = [Archive.open(pg_url), Archive.open(pg_url)]
    try:
        for arc in archives:
            arc.sync_sources([GOV, OPP])
        pages = [
            page(
                "gov",
                "http://gov.example/archives/1",
                article_html(TITLE, WIRE, published="2019-03-21T09:00:00+02:00"),
            ),
            page(
                "opp",
                "http://opp.example/news/7",
                article_html(TITLE, republished(WIRE), published="2019-03-21T15:00:00+02:00"),
            ),
        ]
        _ingest_at_once(archives, pages if attempt % 2 == 0 else pages[::-1])
        links = rows(
            archives[0], "SELECT url, duplicate_of_id IS NOT NULL FROM articles ORDER BY url"
        )
        assert links == [
            ("http://gov.example/archives/1", False),
            ("http://opp.example/news/7", True),
        ]
    finally:
        for arc in archives:
            arc.close()


@pytest.mark.postgres
@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_writers_of_one_url_store_one_article(pg_url: str, attempt: int) -> None:
    """Two writers store the same URL at the same moment: the loser's transaction fails on
    the unique URL hash and is retried, seeing the winner's article (no error, no copy)."""
    archives = [Archive.open(pg_url), Archive.open(pg_url)]
    try:
        for arc in archives:
            arc.sync_sources([GOV])
        html = article_html(TITLE, WIRE, published="2019-03-21T09:00:00+02:00")
        pages = [page("gov", "http://gov.example/archives/1", html) for _ in archives]
        results: list[str] = []
        barrier = threading.Barrier(2)

        def work(arc: Archive, pg: FetchedPage) -> None:
            barrier.wait()
            results.append(arc.ingest(pg).outcome.value)

        threads = [threading.Thread(target=work, args=p) for p in zip(archives, pages, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["new", "unchanged"]
        assert rows(archives[0], "SELECT COUNT(*) FROM articles") == [(1,)]
        assert rows(archives[0], "SELECT COUNT(*) FROM article_versions") == [(1,)]
        assert rows(archives[0], "SELECT COUNT(*) FROM fetch_state") == [(1,)]
    finally:
        for arc in archives:
            arc.close()
