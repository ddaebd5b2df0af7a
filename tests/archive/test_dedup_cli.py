"""``arshif dedup rebuild`` and ``arshif duplicates`` on real databases."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from archive.cli import main
from archive.fingerprint import PARAMS
from archive.store import Archive
from tests.archive.pages import article_html, page
from tests.archive.test_dedup import AGG, GOV, OPP, brief_of
from tests.archive.test_store import TITLE, WIRE, republished, rows

ORIG = "http://gov.example/archives/1"
COPY = "http://opp.example/news/7"
BRIEF = "http://agg.example/brief/3"


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as arc:
        arc.sync_sources([GOV, OPP, AGG])
        arc.ingest(
            page("gov", ORIG, article_html(TITLE, WIRE, published="2019-03-21T09:00:00+02:00"))
        )
        arc.ingest(
            page(
                "opp",
                COPY,
                article_html(TITLE, republished(WIRE), published="2019-03-21T15:00:00+02:00"),
            )
        )
        arc.ingest(page("agg", BRIEF, article_html(TITLE, brief_of(WIRE), published=None)))
        yield arc


def state(archive: Archive) -> list[tuple[object, ...]]:
    return rows(
        archive,
        "SELECT a.url, o.url, a.duplicate_kind FROM articles a "
        "LEFT JOIN articles o ON o.id = a.duplicate_of_id ORDER BY a.url",
    ) + rows(archive, "SELECT article_id, of_article_id FROM partial_reprints")


def test_duplicates_shows_the_cluster(archive: Archive, capsys: pytest.CaptureFixture[str]) -> None:
    db = archive.engine.url.render_as_string(hide_password=False)
    assert main(["duplicates", "--db", db, COPY + "?utm_source=x"]) == 0
    out = capsys.readouterr().out
    assert "2 copies of this story from 2 outlet(s), 1 partial reprint(s)" in out
    lines = out.splitlines()
    original = next(ln for ln in lines if " original " in ln)
    copy = next(ln for ln in lines if " duplicate " in ln)
    assert "gov" in original
    assert "2019-03-21 07:00" in original
    assert copy.startswith("*")
    assert "opp" in copy
    assert " near " in copy
    assert "partial reprint" in out

    assert main(["duplicates", "--db", db, "--json", BRIEF]) == 0
    members = json.loads(capsys.readouterr().out)
    assert [m["role"] for m in members] == ["original", "duplicate", "partial reprint"]
    assert members[2]["asked"] is True
    assert members[2]["kind"] == "partial"
    assert 0.8 <= members[2]["similarity"] <= 1.0

    assert main(["duplicates", "--db", db, "http://gov.example/archives/404"]) == 1
    assert "no archived article" in capsys.readouterr().out


def test_rebuild_recomputes_stale_fingerprints_and_relinks(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    db = archive.engine.url.render_as_string(hide_password=False)
    before = state(archive)
    assert len(before) == 4  # three articles and one partial reprint
    with archive.engine.begin() as conn:  # an archive from an older normaliser, links lost
        conn.execute(text("UPDATE fingerprints SET method = 'minhash:old', shingles = NULL"))
        conn.execute(text("DELETE FROM lsh_bands"))
        conn.execute(text("DELETE FROM partial_reprints"))
        conn.execute(
            text(
                "UPDATE articles SET duplicate_of_id = NULL, duplicate_kind = NULL, similarity = NULL"
            )
        )
    assert main(["dedup", "rebuild", "--db", db]) == 0
    captured = capsys.readouterr()
    assert "3 articles re-clustered" in captured.out
    assert (
        "1 duplicate(s) in 1 cluster(s), 1 partial reprint(s); 3 fingerprint(s) recomputed"
        in captured.out
    )
    assert "clusters" in captured.err  # the progress display
    assert state(archive) == before
    assert rows(archive, "SELECT DISTINCT method FROM fingerprints") == [(PARAMS.method,)]

    # A stricter threshold for this rebuild: the copy (similarity ~0.94) is left alone.
    assert main(["dedup", "rebuild", "--db", db, "--threshold", "0.99"]) == 0
    assert "0 fingerprint(s) recomputed" in capsys.readouterr().out
    assert rows(archive, "SELECT COUNT(*) FROM articles WHERE duplicate_of_id IS NOT NULL") == [
        (0,)
    ]


def test_rebuild_refuses_a_bad_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["dedup", "rebuild", "--threshold", "2"])
    assert exc.value.code == 2
    assert "expected a number in (0, 1]" in capsys.readouterr().err
