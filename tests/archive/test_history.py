"""The documented "as of T" query (docs/versions.md, run verbatim) and the history readers."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from archive.errors import NotInArchive
from archive.history import history, version_pair
from archive.reextract import reextract
from archive.store import Archive
from tests.archive.test_versions import BODY, GOV, T0, URL, fetch, page_html

DOCS = Path(__file__).resolve().parents[2] / "docs" / "versions.md"
OTHER = URL[:-1] + "2"


def as_of_query() -> str:
    blocks = re.findall(r"```sql\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    (query,) = [b for b in blocks if "-- as-of query" in b]
    return query


def test_as_of_query_from_the_docs(db_url: str) -> None:
    with Archive.open(db_url) as archive:
        archive.sync_sources([GOV])
        archive.ingest(fetch(page_html(), T0))
        edited = page_html(paragraphs=[*BODY[:-1], BODY[-1] + " وأصيب 8 آخرون."])
        archive.ingest(fetch(edited, T0 + timedelta(days=1)))
        other = fetch(page_html(paragraphs=BODY[3:]), T0 + timedelta(days=2))
        archive.ingest(other.__class__(**{**other.__dict__, "url": OTHER, "final_url": OTHER}))
        # An older extractor's text on version 2: `arshif reextract` adds version 3.
        with archive.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE article_versions SET extractor = 'old', text = text || :junk "
                    "WHERE version = 2"
                ),
                {"junk": "\nشارك هذا المقال عبر فيسبوك وتويتر وواتساب وتيلغرام الآن"},
            )
        (report,) = reextract(archive, {}, source="gov")
        assert report.revised == 1

        def at(when: str) -> list[tuple[str, int, str]]:
            with archive.engine.connect() as conn:
                rows = conn.execute(text(as_of_query()), {"as_of": when})
                return [(r.url, r.version, r.kind) for r in rows]

        assert at("2024-05-28 09:00:00") == []
        assert at("2024-05-28 12:00:00") == [(URL, 1, "first")]
        # version 2 as re-extracted (version 3 carries version 2's fetch time)
        assert at("2024-05-29 12:00:00") == [(URL, 3, "reextraction")]
        assert at("2024-06-30 00:00:00") == [(URL, 3, "reextraction"), (OTHER, 1, "first")]


def test_history_and_pairs(db_url: str) -> None:
    with Archive.open(db_url) as archive:
        archive.sync_sources([GOV])
        archive.ingest(fetch(page_html(), T0))
        archive.ingest(fetch(page_html(title="عنوان آخر تماماً"), T0 + timedelta(hours=1)))
        hist = history(archive.sessions, URL + "#comments")
        assert [(v.version, v.kind, v.has_capture) for v in hist.versions] == [
            (1, "first", True),
            (2, "edit", True),
        ]
        _, old, new = version_pair(archive.sessions, URL)
        assert (old.version, new.version) == (1, 2)
        with pytest.raises(NotInArchive, match="no version 5"):
            version_pair(archive.sessions, URL, 1, 5)
        with pytest.raises(NotInArchive, match="both version 2"):
            version_pair(archive.sessions, URL, 2, 2)
        with pytest.raises(NotInArchive, match="no article with URL"):
            history(archive.sessions, "http://gov.example/elsewhere")
