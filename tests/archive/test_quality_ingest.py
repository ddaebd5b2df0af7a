"""Quality flags and datelines through ingest, on real databases (A13, F5, C13).

Flagged texts are stored like any other, but never enter the duplicate index: two identical
pages of junk are not linked, and an article whose new version is junk leaves its cluster.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive.export import ExportOptions, export
from archive.ingest import Outcome
from archive.sources import Source
from archive.store import Archive
from tests.archive.pages import article_html, page
from tests.archive.test_store import TITLE, WIRE, republished, rows

GOV = Source(name="gov", url="http://gov.example/")
OPP = Source(name="opp", url="http://opp.example/")
AGG = Source(name="agg", url="http://agg.example/")
T0 = datetime(2019, 3, 22, 12, 0, tzinfo=UTC)


def junk(seed: int = 1) -> list[str]:
    """A wall of random Latin letters (a spam copy of an Arabic site), five paragraphs."""
    rnd = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [
        " ".join("".join(rnd.choices(letters, k=rnd.randint(3, 9))) for _ in range(30))
        for _ in range(5)
    ]


# PDF text: presentation forms in visual (reversed) order (F5).
VISUAL = ["ﻞﯿﻐﺸﺗ تادﺎﺷرا " * 12 + "ﺔﻟﺎﺳﺮﻟا ﻲﻓ ﺔﻣﺪﺨﻟا ﻦﻣ ﺔﺤﻔﺼﻟا" for _ in range(3)]


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as arc:
        arc.sync_sources([GOV, OPP, AGG])
        yield arc


def _fingerprinted(archive: Archive) -> set[object]:
    return {r[0] for r in rows(archive, "SELECT article_id FROM fingerprints")}


def test_low_quality_page_is_stored_but_not_linked_to_an_identical_one(archive: Archive) -> None:
    a = archive.ingest(page("gov", "http://gov.example/a/1", article_html(TITLE, junk())))
    b = archive.ingest(page("opp", "http://opp.example/b/1", article_html(TITLE, junk())))
    assert (a.outcome, b.outcome) == (Outcome.NEW, Outcome.NEW)
    assert b.duplicate_of_id is None
    stored = rows(archive, "SELECT quality_flags, arabic_share, text FROM article_versions")
    assert [(flags, share) for flags, share, _ in stored] == [("low_quality", 0.0)] * 2
    assert stored[0][2] == "\n".join(junk())  # the text is kept as extracted
    assert _fingerprinted(archive) == set()
    assert rows(archive, "SELECT COUNT(*) FROM lsh_bands") == [(0,)]
    # Identical good texts from the same two outlets are linked: the exclusion is the flag.
    c = archive.ingest(page("gov", "http://gov.example/a/2", article_html(TITLE, WIRE)))
    d = archive.ingest(page("opp", "http://opp.example/b/2", article_html(TITLE, WIRE)))
    assert d.duplicate_of_id == c.article_id
    assert _fingerprinted(archive) == {c.article_id, d.article_id}
    # Views: flagged articles are listed, but not in the corpus.
    assert rows(archive, "SELECT article_id FROM corpus") == [(c.article_id,)]
    overview = rows(
        archive, "SELECT article_id, in_corpus, quality_flags FROM articles_overview ORDER BY 1"
    )
    assert overview == [
        (a.article_id, 0, "low_quality"),
        (b.article_id, 0, "low_quality"),
        (c.article_id, 1, None),
        (d.article_id, 0, None),
    ]


def test_visual_order_page_is_kept_out_of_dedup(archive: Archive) -> None:
    a = archive.ingest(page("gov", "http://gov.example/a/1", article_html(TITLE, VISUAL)))
    b = archive.ingest(page("opp", "http://opp.example/b/1", article_html(TITLE, VISUAL)))
    assert (a.outcome, b.outcome) == (Outcome.NEW, Outcome.NEW)
    assert b.duplicate_of_id is None
    flags = rows(archive, "SELECT quality_flags FROM article_versions")
    assert flags == [("visual_order_suspect",)] * 2
    assert _fingerprinted(archive) == set()


def test_an_original_edited_into_junk_leaves_its_cluster(archive: Archive) -> None:
    orig = archive.ingest(
        page(
            "gov",
            "http://gov.example/a/1",
            article_html(TITLE, WIRE, published="2019-03-21T09:00:00+02:00"),
            fetched_at=T0,
        )
    )
    copies = [
        archive.ingest(
            page(
                name,
                f"http://{name}.example/n/1",
                article_html(TITLE, republished(WIRE), published=when),
                fetched_at=T0,
            )
        )
        for name, when in (
            ("opp", "2019-03-21T12:00:00+02:00"),
            ("agg", "2019-03-21T15:00:00+02:00"),
        )
    ]
    assert [c.duplicate_of_id for c in copies] == [orig.article_id] * 2
    edited = archive.ingest(
        page(
            "gov",
            "http://gov.example/a/1",
            article_html(TITLE, junk(), published="2019-03-21T09:00:00+02:00"),
            fetched_at=T0 + timedelta(hours=3),
        )
    )
    assert (edited.outcome, edited.version, edited.duplicate_of_id) == (Outcome.VERSION, 2, None)
    links = dict(rows(archive, "SELECT id, duplicate_of_id FROM articles"))
    opp, agg = (c.article_id for c in copies)
    # The copies stay together: the earliest-published one is their original now.
    assert links == {orig.article_id: None, opp: None, agg: opp}
    assert _fingerprinted(archive) == {opp, agg}
    assert rows(
        archive, "SELECT COUNT(*) FROM lsh_bands WHERE article_id = :i", i=orig.article_id
    ) == [(0,)]


def test_dateline_is_parsed_and_kept_in_the_text(archive: Archive) -> None:
    body = ["حلب-سانا-الجماهير", *WIRE]
    result = archive.ingest(page("gov", "http://gov.example/a/1", article_html(TITLE, body)))
    ((text, *fields),) = rows(
        archive,
        "SELECT text, dateline, dateline_place, dateline_source, dateline_reporter, quality_flags"
        " FROM article_versions WHERE article_id = :i",
        i=result.article_id,
    )
    assert fields == ["حلب-سانا-الجماهير", "حلب", "سانا > الجماهير", None, None]
    assert str(text).startswith("حلب-سانا-الجماهير\n" + WIRE[0][:20])
    (wire,) = rows(archive, "SELECT wire FROM fingerprints")[0]
    assert wire == "sana"


def test_export_carries_flags_datelines_and_a_readable_legacy_url(
    archive: Archive, tmp_path: Path
) -> None:
    legacy = "http://gov.example/news.php?id=5&title=%DA%E4%E6%C7%E4"
    archive.ingest(page("gov", legacy, article_html(TITLE, ["حماة-سانا", *WIRE])))
    archive.ingest(page("opp", "http://opp.example/b/1", article_html(TITLE, junk())))
    out = tmp_path / "corpus.jsonl"
    assert export(archive.engine, "jsonl", out, ExportOptions()) == 2
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    good, bad = records
    assert good["url"] == legacy  # the key keeps the cp1256 escapes byte for byte
    assert good["url_display"] == "http://gov.example/news.php?id=5&title=عنوان"
    assert (good["dateline_place"], good["dateline_source"], good["quality_flags"]) == (
        "حماة",
        "سانا",
        None,
    )
    assert bad["quality_flags"] == "low_quality"
    assert bad["url_display"] == bad["url"]


def test_junk_repaired_by_an_edit_joins_dedup_again(archive: Archive) -> None:
    orig = archive.ingest(
        page("gov", "http://gov.example/a/1", article_html(TITLE, WIRE), fetched_at=T0)
    )
    url = "http://opp.example/b/1"
    junk_first = archive.ingest(page("opp", url, article_html(TITLE, junk()), fetched_at=T0))
    assert junk_first.duplicate_of_id is None
    fixed = archive.ingest(
        page("opp", url, article_html(TITLE, WIRE), fetched_at=T0 + timedelta(hours=2))
    )
    assert (fixed.outcome, fixed.version) == (Outcome.VERSION, 2)
    assert fixed.duplicate_of_id == orig.article_id
    flags = rows(
        archive,
        "SELECT version, quality_flags FROM article_versions WHERE article_id = :i ORDER BY 1",
        i=fixed.article_id,
    )
    assert flags == [(1, "low_quality"), (2, None)]


def test_dedup_rebuild_keeps_flagged_texts_out(archive: Archive) -> None:
    from archive.dedup import default_verifier
    from archive.dedup_rebuild import rebuild

    a = archive.ingest(page("gov", "http://gov.example/a/1", article_html(TITLE, junk())))
    b = archive.ingest(page("opp", "http://opp.example/b/1", article_html(TITLE, junk())))
    c = archive.ingest(page("gov", "http://gov.example/a/2", article_html(TITLE, WIRE)))
    d = archive.ingest(page("opp", "http://opp.example/b/2", article_html(TITLE, WIRE)))
    # A rebuild re-fingerprints every article without a current fingerprint: not flagged ones.
    rebuild(archive.sessions, default_verifier())
    assert _fingerprinted(archive) == {c.article_id, d.article_id}
    linked = rows(archive, "SELECT id, duplicate_of_id FROM articles ORDER BY id")
    assert linked == [
        (a.article_id, None),
        (b.article_id, None),
        (c.article_id, None),
        (d.article_id, c.article_id),
    ]
