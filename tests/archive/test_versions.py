"""Versions mean edits: change detection, diff summaries, raw capture, re-extraction on
extractor drift, and 304 rechecks, through real ingest on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import hashlib
import html
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from archive.extract import EXTRACTOR
from archive.ingest import Outcome
from archive.prepare import FetchedPage
from archive.recheck import NotModified
from archive.sources import Source
from archive.store import Archive
from tests.archive.pages import seed

GOV = Source(name="gov", url="http://gov.example/")
URL = "http://gov.example/archives/1"
T0 = datetime(2024, 5, 28, 10, 0, tzinfo=UTC)
TITLE = "لافروف: دول الغرب تتجاهل استخدام الإرهابيين سلاحاً كيميائياً في سورية"
BODY = seed("004")[:8]


def page_html(
    title: str = TITLE,
    paragraphs: list[str] | None = None,
    *,
    inside: list[str] = (),  # type: ignore[assignment]
    related: list[str] = (),  # type: ignore[assignment]
    views: int = 1,
    ticker: str = "عاجل: افتتاح مركز جديد لخدمة المواطن",
) -> bytes:
    """A WordPress-like article page; ``inside`` lines sit inside the body element."""
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in (paragraphs or BODY))
    extra = "\n".join(f"<p>{html.escape(p)}</p>" for p in inside)
    links = "".join(
        f'<li><a href="/archives/{9 + i}">{html.escape(t)}</a></li>' for i, t in enumerate(related)
    )
    return f"""<!DOCTYPE html><html dir="rtl" lang="ar"><head><meta charset="utf-8">
<title>{html.escape(title)}</title><meta property="og:type" content="article">
<meta property="og:title" content="{html.escape(title)}">
<meta property="article:published_time" content="2024-05-28T08:00:00+03:00"></head>
<body><div class="ticker">{html.escape(ticker)}</div>
<nav><a href="/">الرئيسية</a> <a href="/cat/news">أخبار</a></nav>
<article><h1>{html.escape(title)}</h1><span class="views">عدد المشاهدات: {views}</span>
<div class="entry-content">{paras}
{extra}</div>
<div class="related-posts"><h3>مقالات ذات صلة</h3><ul>{links}</ul></div></article>
<div id="respond"><h3>اترك تعليقاً</h3></div><footer>جميع الحقوق محفوظة © 2024</footer>
</body></html>""".encode()


def fetch(body: bytes, when: datetime, **headers: str) -> FetchedPage:
    return FetchedPage(
        source="gov",
        url=URL,
        final_url=URL,
        status=200,
        headers={"content-type": "text/html; charset=utf-8", **headers},
        body=body,
        fetched_at=when,
        is_article=True,
    )


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as arc:
        arc.sync_sources([GOV])
        yield arc


def rows(archive: Archive, sql: str, **params: object) -> list[tuple[object, ...]]:
    with archive.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def ingest_twice(archive: Archive, first: bytes, second: bytes) -> Outcome:
    assert archive.ingest(fetch(first, T0)).outcome == Outcome.NEW
    return archive.ingest(fetch(second, T0 + timedelta(hours=2))).outcome


SPACED = [p.replace(" ", "  ").replace("،", " ، ") for p in BODY]
NOT_EDITS = {
    "whitespace and line breaks": page_html(
        paragraphs=[
            BODY[0] + "\u00a0",
            "  " + BODY[1],
            *BODY[2:4],
            BODY[4] + " " + BODY[5],
            *BODY[6:],
        ]
    ),
    "punctuation spacing": page_html(paragraphs=SPACED),
    "view counter outside the body": page_html(views=98765),
    "view counter inside the body": page_html(inside=["عدد المشاهدات: 4321"]),
    "relative time stamp inside the body": page_html(inside=["منذ 3 ساعات"]),
    "boilerplate line inside the body": page_html(inside=["إقرأ أيضاً : الجيش يتقدم في ريف حماة"]),
    "related-links box": page_html(related=["خبر أول عن الطقس", "خبر ثان عن الأسعار", "ثالث"]),
    "ticker": page_html(ticker="عاجل: إعادة فتح طريق حمص – طرطوس"),
    "bidi marks and tatweel": page_html(
        paragraphs=["\u200f" + BODY[0].replace("لافروف", "لافـــروف"), *BODY[1:]]
    ),
}


@pytest.mark.parametrize("variant", NOT_EDITS, ids=list(NOT_EDITS))
def test_cosmetic_changes_are_not_versions(archive: Archive, variant: str) -> None:
    baseline = page_html(inside=["عدد المشاهدات: 12"]) if "inside" in variant else page_html()
    if "relative" in variant:
        baseline = page_html(inside=["منذ ساعتين"])
    if "boilerplate" in variant:
        baseline = page_html(inside=["إقرأ أيضاً : قصف على ريف إدلب"])
    assert ingest_twice(archive, baseline, NOT_EDITS[variant]) == Outcome.UNCHANGED
    assert rows(archive, "SELECT COUNT(*), MAX(version) FROM article_versions") == [(1, 1)]
    assert rows(archive, "SELECT COUNT(*) FROM captures") == [(1,)]
    assert rows(archive, "SELECT COUNT(*) FROM article_edits") == [(0,)]


def test_a_real_edit_is_a_version_with_a_word_summary(archive: Archive) -> None:
    edited = [BODY[0].replace("لافروف", "وزير الخارجية الروسي سيرغي لافروف"), *BODY[1:]]
    edited[3] = edited[3] + " وقتل في الهجوم 17 شخصاً."
    assert ingest_twice(archive, page_html(), page_html(paragraphs=edited)) == Outcome.VERSION
    versions = rows(
        archive,
        "SELECT version, kind, words_added, words_removed, capture_id IS NOT NULL "
        "FROM article_versions ORDER BY version",
    )
    # "لافروف" -> "وزير الخارجية الروسي سيرغي لافروف": +4; "وقتل في الهجوم 17 شخصاً": +5
    assert versions == [(1, "first", None, None, True), (2, "edit", 9, 0, True)]
    edits = rows(
        archive,
        "SELECT source, url, from_version, to_version, words_added, words_removed, "
        "title_changed FROM article_edits",
    )
    assert edits == [("gov", URL, 1, 2, 9, 0, 0)]


def test_a_changed_headline_is_an_edit(archive: Archive) -> None:
    softened = TITLE.replace("تتجاهل", "لا تولي اهتماماً كافياً")
    assert ingest_twice(archive, page_html(), page_html(title=softened)) == Outcome.VERSION
    (edit,) = rows(
        archive,
        "SELECT words_added, words_removed, title_changed, old_title, new_title FROM article_edits",
    )
    assert edit == (4, 1, 1, TITLE, softened)  # "لا تولي اهتماماً كافياً" for "تتجاهل"


def test_raw_capture_keeps_the_response_and_stores_each_body_once(archive: Archive) -> None:
    body = page_html()
    first = fetch(body, T0, etag='"abc"', **{"last-modified": "Tue, 28 May 2024 08:00:00 GMT"})
    archive.ingest(first)
    other = FetchedPage(
        **{**first.__dict__, "url": URL + "?p=1", "final_url": URL.replace("/1", "/2")}
    )
    archive.ingest(other)  # another article, byte-identical page: one raw body
    captures = rows(
        archive,
        "SELECT c.url, c.final_url, c.status, c.headers, c.body_sha256, r.compression, r.size, "
        "length(r.data) FROM captures c JOIN raw_bodies r ON r.sha256 = c.body_sha256 ORDER BY c.id",
    )
    assert len(captures) == 2
    digest = hashlib.sha256(body).hexdigest()
    assert {c[4] for c in captures} == {digest}
    assert rows(archive, "SELECT COUNT(*) FROM raw_bodies") == [(1,)]
    url, final, status, headers, _, compression, size, stored = captures[0]
    assert (url, final, status, compression, size) == (URL, URL, 200, "gzip", len(body))
    assert json.loads(str(headers))["etag"] == '"abc"'
    assert int(str(stored)) < len(body) / 2
    (data,) = rows(archive, "SELECT data FROM raw_bodies")[0]
    assert gzip.decompress(bytes(data)) == body  # type: ignore[arg-type]


def test_extractor_drift_is_a_reextraction_not_an_edit(archive: Archive) -> None:
    body = page_html()
    archive.ingest(fetch(body, T0))
    # Make version 1 look like an older extractor's output: a stray line it failed to remove.
    with archive.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE article_versions SET extractor = 'trafilatura-1.0+clean-0', "
                "text = text || :junk"
            ),
            {"junk": "\nشارك هذا المقال عبر فيسبوك وتويتر وواتساب وتيلغرام الآن"},
        )
    cosmetic = page_html(views=555)  # a new fetch of the same article: only chrome changed
    result = archive.ingest(fetch(cosmetic, T0 + timedelta(hours=3)))
    assert result.outcome == Outcome.UNCHANGED
    assert rows(
        archive,
        "SELECT version, kind, extractor, capture_id FROM article_versions ORDER BY version",
    ) == [(1, "first", "trafilatura-1.0+clean-0", 1), (2, "reextraction", EXTRACTOR, 1)]
    assert rows(archive, "SELECT COUNT(*) FROM article_edits") == [(0,)]
    assert rows(archive, "SELECT version FROM latest_versions") == [(2,)]
    assert rows(archive, "SELECT version_id FROM fingerprints") == rows(
        archive, "SELECT id FROM article_versions WHERE version = 2"
    )
    # A real edit afterwards is compared with the re-extraction, not the old text.
    edited = page_html(paragraphs=[*BODY[:-1], BODY[-1] + " وأصيب 8 آخرون."])
    assert archive.ingest(fetch(edited, T0 + timedelta(hours=4))).outcome == Outcome.VERSION
    assert rows(
        archive, "SELECT from_version, to_version, words_added, words_removed FROM article_edits"
    ) == [(2, 3, 3, 0)]


def test_not_modified_counts_as_an_unchanged_check(archive: Archive) -> None:
    run = archive.start_run("gov")
    archive.ingest(fetch(page_html(), T0, etag='"v1"'), run)
    later = T0 + timedelta(hours=5)
    result = archive.not_modified(
        NotModified("gov", URL, URL, {"etag": '"v1b"'}, later, lastmod_hint=T0), run
    )
    assert (result.outcome, result.reason) == (Outcome.UNCHANGED, "not modified")
    assert rows(
        archive, "SELECT pages_fetched, new_articles, unchanged, not_modified FROM crawl_runs"
    ) == [(2, 1, 1, 1)]
    (last_seen,) = rows(archive, "SELECT last_seen_at FROM articles")[0]
    assert str(last_seen).startswith("2024-05-28 15:00")
    (etag, checked, nxt) = rows(
        archive, "SELECT etag, last_checked_at, next_check_at FROM fetch_state"
    )[0]
    assert etag == '"v1b"'
    assert str(checked).startswith("2024-05-28 15:00")
    # published 05:00 UTC, checked 15:00: age 10 h, interval 2.5 h
    assert str(nxt).startswith("2024-05-28 17:30")
    assert rows(archive, "SELECT COUNT(*) FROM article_versions") == [(1,)]
