"""Learned per-source boilerplate, page kinds and the new version fields, on real databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from archive.ingest import Outcome
from archive.learned import MIN_ARTICLES
from archive.sources import Source
from archive.store import Archive
from tests.archive.pages import article_html, page

SRC = Source(name="zaman", url="http://zaman.example/", timezone="Asia/Damascus")
OTHER = Source(name="other", url="http://other.example/")
T0 = datetime(2019, 3, 1, 9, 0, tzinfo=UTC)

SIGNATURE = "زمان الوصل - خاص"
SLOGAN = "صوت الثورة السورية الحرة منذ عام ألفين وأحد عشر"
SIMILAR = "وأكد مراسل زمان الوصل أن القصف استهدف الحي {n} مرة"  # varies per article
TEMPLATED = "وقال المرصد السوري إن حصيلة القتلى ارتفعت"  # in a few articles only


def body(n: int) -> list[str]:
    paragraphs = [
        f"أفاد ناشطون في مدينة رقم {n} بأن قوات النظام قصفت الأحياء السكنية صباح اليوم "
        f"بعشرات القذائف، ما أدى إلى سقوط {n + 2} جرحى بين المدنيين وأضرار كبيرة في المباني.",
        SIMILAR.format(n=n),
        f"وأضاف المصدر أن فرق الدفاع المدني عملت على إخماد الحرائق في الحي {n} وإسعاف "
        "المصابين إلى المشافي الميدانية القريبة التي تعاني من نقص حاد في المعدات.",
    ]
    if n % 5 == 0:
        paragraphs.append(TEMPLATED)
    return [*paragraphs, SLOGAN, SIGNATURE]


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as arc:
        arc.sync_sources([SRC, OTHER])
        yield arc


def rows(archive: Archive, sql: str, **params: object) -> list[tuple[object, ...]]:
    with archive.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def ingest(archive: Archive, source: str, n: int, paragraphs: list[str]) -> Outcome:
    url = f"http://{source}.example/news/article/{n}"
    when = T0 + timedelta(hours=n)
    html = article_html(f"خبر {n}", paragraphs)
    return archive.ingest(page(source, url, html, fetched_at=when)).outcome


def test_recurring_lines_are_learned_and_similar_lines_kept(archive: Archive) -> None:
    for n in range(1, 13):
        assert ingest(archive, "zaman", n, body(n)) == Outcome.NEW
    texts = [t for (t,) in rows(archive, "SELECT text FROM article_versions ORDER BY id")]
    # The first articles are stored before anything is learned (documented).
    for early in texts[: MIN_ARTICLES - 1]:
        assert SLOGAN in early
        assert SIGNATURE in early
    # From then on the slogan and signature are boilerplate for this source ...
    for n, later in enumerate(texts[MIN_ARTICLES:], MIN_ARTICLES + 1):
        assert SLOGAN not in later
        assert SIGNATURE not in later
        # ... while lines that only look alike, or recur in a few articles, stay.
        assert SIMILAR.format(n=n) in later
        assert (TEMPLATED in later) == (n % 5 == 0)
        assert later.count("\n") >= 2
    learned = rows(
        archive,
        "SELECT line, articles_seen FROM boilerplate_lines WHERE articles_seen >= :k ORDER BY line",
        k=MIN_ARTICLES,
    )
    assert learned == [(SIGNATURE, 12), (SLOGAN, 12)]
    # The first line (lead or dateline) is never a candidate.
    assert rows(archive, "SELECT COUNT(*) FROM boilerplate_lines WHERE line LIKE 'أفاد%'") == [(0,)]
    removed = rows(archive, "SELECT MAX(removed_lines) FROM article_versions")[0][0]
    assert removed is not None
    assert int(removed) >= 2  # type: ignore[call-overload]


def test_ingest_says_when_a_line_became_learned(archive: Archive) -> None:
    """The crawler re-reads its cached learned lines when this flag is set (pipelines.py)."""
    changed = []
    for n in range(1, 9):
        url = f"http://zaman.example/news/article/{n}"
        html = article_html(f"خبر {n}", body(n))
        result = archive.ingest(page("zaman", url, html, fetched_at=T0 + timedelta(hours=n)))
        changed.append(result.learned_changed)
    # The slogan and signature reach MIN_ARTICLES articles with article MIN_ARTICLES, once.
    assert changed == [n == MIN_ARTICLES for n in range(1, 9)]
    assert archive.learned_lines("zaman")


def test_learning_is_per_source(archive: Archive) -> None:
    for n in range(1, 9):
        ingest(archive, "zaman", n, body(n))
    ingest(archive, "other", 1, body(1))
    (other,) = rows(
        archive,
        "SELECT v.text FROM article_versions v JOIN articles a ON a.id = v.article_id "
        "JOIN sources s ON s.id = a.source_id WHERE s.name = 'other'",
    )
    assert SLOGAN in str(other[0])


def test_listing_and_short_pages_are_recorded_as_skipped(archive: Archive) -> None:
    teasers = "".join(
        f'<div class="post"><h2><a href="/news/{i}">عنوان الخبر رقم {i} عن الأوضاع</a></h2>'
        f"<p>مقتطف من الخبر رقم {i} يتحدث عن القصف والنزوح في ريف إدلب الجنوبي والشمالي "
        f'والمعاناة الإنسانية للسكان… <a href="/news/{i}">اقرأ المزيد</a></p></div>'
        for i in range(8)
    )
    listing = f"<html><body><main>{teasers}</main></body></html>".encode()
    result = archive.ingest(page("zaman", "http://zaman.example/category/syria", listing))
    assert result.outcome == Outcome.SKIPPED
    assert result.reason == "listing: 8 'read more' teaser links"
    again = archive.ingest(page("zaman", "http://zaman.example/category/syria", listing))
    assert again.outcome == Outcome.SKIPPED
    short = article_html("خبر قصير", ["سطر واحد فقط من النص."])
    archive.ingest(page("zaman", "http://zaman.example/news/article/77", short))
    pdf = archive.ingest(
        page("zaman", "http://zaman.example/doc.pdf", b"%PDF-1.4", content_type="application/pdf")
    )
    assert pdf.outcome == Outcome.SKIPPED
    assert rows(
        archive, "SELECT kind, times_skipped, url FROM skipped_pages ORDER BY kind, url"
    ) == [
        ("listing", 2, "http://zaman.example/category/syria"),
        ("not-text", 1, "http://zaman.example/doc.pdf"),
        ("short", 1, "http://zaman.example/news/article/77"),
    ]
    assert rows(archive, "SELECT COUNT(*) FROM articles") == [(0,)]
    assert rows(archive, "SELECT COUNT(*) FROM fetch_failures") == [(0,)]


def test_new_fields_are_stored_and_exposed_in_the_views(archive: Archive) -> None:
    html = article_html(
        "خبر",
        body(1),
        published="2019-03-01T10:00:00",  # naive: the source's time zone (Asia/Damascus)
        canonical="http://zaman.example/news/article/1",
    ).replace(
        b"</head>",
        '<meta property="og:image" content="http://zaman.example/a.jpg">'
        '<meta property="article:section" content="سياسة">'
        '<meta property="article:tag" content="إدلب"><meta property="article:tag" content="قصف">'
        "</head>".encode(),
    )
    archive.ingest(page("zaman", "http://zaman.example/news/article/1", html, fetched_at=T0))
    (row,) = rows(
        archive,
        "SELECT published_at, date_precision, date_source, language, canonical_url, image, "
        "categories, tags, extractor, cleaner FROM corpus",
    )
    assert str(row[0]).startswith("2019-03-01 08:00")  # 10:00 in Damascus (UTC+2)
    assert row[1:] == (
        "exact",
        "meta",
        "ar",
        "http://zaman.example/news/article/1",
        "http://zaman.example/a.jpg",
        "سياسة",
        "إدلب; قصف",
        rows(archive, "SELECT extractor FROM article_versions")[0][0],
        "clean-2",
    )
    assert str(row[8]).startswith("trafilatura-")
    assert rows(archive, "SELECT encoding, declared_encoding FROM article_versions") == [
        ("utf-8", "utf-8")
    ]
