"""Extraction on whole pages: trafilatura plus our metadata and cleaning layers.

Golden checks in trafilatura's style: snippets that must appear ("with") and boilerplate
that must not ("without")."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.cli import main as archive_cli
from archive.dates import get_zone
from archive.extract import CLEANER, EXTRACTOR, extract, parse_datetime
from tests.archive.pages import seed

DATA = Path(__file__).parent / "data"
JANNAH = (DATA / "sample_jannah.html").read_bytes()
URL = "https://example.sy/archives/98765"

WITH = [
    "إثر تناقل معلومات مؤكدة عن استخدام النظام السوري لغاز الكلور",
    "بالمقابل وجهت وزارتا الدفاع والخارجية الروسيتان",  # after the read-also line
    "يذكر بأن روسيا تقدم دعماً سياسياً مطلقاً لنظام الأسد",  # last paragraph
]
WITHOUT = [
    "إقرأ أيضاً",
    "اترك تعليقاً",
    "لن يتم نشر عنوان بريدك الإلكتروني",
    "زر الذهاب إلى الأعلى",
    "مقالات ذات صلة",
    "جميع الحقوق محفوظة",
    "الرئيسية",
    "فيسبوك",
]


def test_jannah_page_text_and_metadata() -> None:  # TEST_CASES F1, C3
    ex = extract(JANNAH, url=URL, content_type="text/html; charset=utf-8")
    for snippet in WITH:
        assert snippet in ex.text
    for snippet in WITHOUT:
        assert snippet not in ex.text
    expected = [p for p in seed("000") if not p.startswith("إقرأ أيضاً")]
    assert ex.text.splitlines() == expected
    assert ex.title == "روسيا تدافع عن النظام"
    assert ex.published_at == datetime(2019, 5, 24, 11, 10, tzinfo=UTC)
    assert ex.modified_at == datetime(2019, 5, 25, 6, 0, tzinfo=UTC)
    assert ex.date_source == "json-ld"
    assert ex.authors == "فريق التحرير"
    assert ex.canonical_url == URL
    assert ex.language == "ar"
    assert ex.article_markup is True
    assert ex.encoding == "utf-8"
    assert ex.removed_lines >= 1


def test_cp1256_bytes_with_a_lying_meta_charset() -> None:  # F2
    lying = JANNAH.decode("utf-8").encode("cp1256", errors="ignore")
    assert b'charset="UTF-8"' in lying
    ex = extract(lying, url=URL, content_type="text/html")
    assert ex.encoding == "cp1256"
    assert ex.text == extract(JANNAH, url=URL).text


def test_recommended_stories_widget_is_dropped() -> None:  # F3
    page = f"""<html lang="ar"><body><main><div class="wysiwyg">
    <p>{seed("004")[0]}</p><section class="more-on"><h2>Recommended Stories</h2>
    <ul><li><a href="/a">قصة مقترحة عن الانتخابات</a></li></ul></section>
    <p>{seed("004")[1]}</p></div></main></body></html>""".encode()
    ex = extract(page, url="https://www.aljazeera.net/news/2019/3/22/x")
    assert "Recommended Stories" not in ex.text
    assert "قصة مقترحة" not in ex.text
    assert seed("004")[1][:40] in ex.text


def test_structured_dates_beat_the_page_text_and_hints() -> None:
    page = """<html><head>
    <script type="application/ld+json">{"@graph": [{"@type": "WebPage"},
      {"@type": ["Article", "NewsArticle"], "datePublished": "2019-03-21T10:15:00+02:00",
       "author": [{"@type": "Person", "name": "أ"}, {"@type": "Person", "name": "ب"}]}]}</script>
    <meta property="article:published_time" content="2019-03-25T00:00:00Z">
    </head><body><article><p>نشر بتاريخ 30 آذار 2019</p></article></body></html>""".encode()
    hint = datetime(2019, 1, 1, tzinfo=UTC)
    ex = extract(page, url="http://x/", published_hint=hint)
    assert ex.published_at == datetime(2019, 3, 21, 8, 15, tzinfo=UTC)  # D26: @type list
    assert ex.date_source == "json-ld"
    assert ex.authors == "أ; ب"
    bare = "<html><body><article><p>نص قصير</p></article></body></html>".encode()
    no_meta = extract(bare, url="http://x/", published_hint=hint)
    assert (no_meta.published_at, no_meta.date_source) == (hint, "hint")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-03-21T10:15:00+02:00", datetime(2019, 3, 21, 8, 15, tzinfo=UTC)),
        ("2019-03-21T10:15:00Z", datetime(2019, 3, 21, 10, 15, tzinfo=UTC)),
        ("2019-03-21", datetime(2019, 3, 21, tzinfo=UTC)),
        ("1970-01-01T00:00:00Z", None),  # placeholder dates are not dates
        ("garbage", None),
        (None, None),
        (12, None),
    ],
)
def test_parse_datetime(value: object, expected: datetime | None) -> None:
    assert parse_datetime(value) == expected


def test_extract_command_prints_what_ingest_stores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(JANNAH)
    assert archive_cli(["extract", "--url", URL, str(path)]) == 0
    assert capsys.readouterr().out == extract(JANNAH, url=URL).text + "\n"
    assert archive_cli(["extract", "--json", "--url", URL, str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "روسيا تدافع عن النظام"
    assert data["published_at"] == "2019-05-24T11:10:00+00:00"
    assert data["word_count"] > 300


def test_extract_command_names_the_file_on_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert archive_cli(["extract", str(tmp_path / "missing.html")]) == 2
    assert "missing.html" in capsys.readouterr().err
    junk = tmp_path / "junk.html"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert archive_cli(["extract", str(junk)]) == 2
    assert "junk.html" in capsys.readouterr().err


def test_extractor_version_is_recorded() -> None:
    assert EXTRACTOR.startswith("trafilatura-2.")
    assert "+extract-" in EXTRACTOR
    assert CLEANER.startswith("clean-")


DAMASCUS = "Asia/Damascus"


def _head(inner: str) -> bytes:
    body = "<article><h1>عنوان</h1><p>" + "نص الخبر " * 40 + "</p></article>"
    return f"<html><head>{inner}</head><body>{body}</body></html>".encode()


def test_published_and_modified_meta_are_kept_apart() -> None:  # D25
    page = _head(
        '<meta property="article:published_time" content="2019-03-21T10:15+02:00">'
        '<meta property="article:modified_time" content="2019-03-23T08:00+02:00">'
    )
    ex = extract(page, url="http://x.sy/a", fetched_at=datetime(2019, 4, 1, tzinfo=UTC))
    assert ex.published_at == datetime(2019, 3, 21, 8, 15, tzinfo=UTC)
    assert ex.modified_at == datetime(2019, 3, 23, 6, 0, tzinfo=UTC)
    assert (ex.date_precision, ex.date_source) == ("exact", "meta")


def test_video_upload_date_and_tawsiyat_metadata() -> None:  # D28, D29
    video = _head(
        '<script type="application/ld+json">{"@type": "VideoObject", '
        '"uploadDate": "2019-03-20T09:00:00Z", "name": "فيديو"}</script>'
    )
    ex = extract(video, url="http://aljazeera.example/v", fetched_at=datetime.now(UTC))
    assert (ex.published_at, ex.date_source) == (datetime(2019, 3, 20, 9, tzinfo=UTC), "json-ld")
    mayadeen = _head(
        '<script id="tawsiyat-metadata" type="text/json">{"postid": 1234, '
        '"published_time": "2019-03-20 10:00:00", "last_updated": "2019-03-20 12:30:00"}</script>'
    )
    ex = extract(mayadeen, url="http://m.example/1", zone=get_zone("Asia/Beirut"))
    assert ex.published_at == datetime(2019, 3, 20, 8, 0, tzinfo=UTC)  # Beirut: UTC+2
    assert ex.modified_at == datetime(2019, 3, 20, 10, 30, tzinfo=UTC)


def test_date_order_of_trust_after_structured_data() -> None:
    """hint (news sitemap) → URL date → visible text; placeholders fall through."""
    fetched = datetime(2019, 4, 1, tzinfo=UTC)
    visible = '<span class="post-date">الخميس 21 آذار 2019 - 10:15</span>'
    page = f"<html><body><article><h1>ع</h1>{visible}<p>{'نص ' * 60}</p></article></body></html>"
    hint = datetime(2019, 3, 21, 7, 0, tzinfo=UTC)
    ex = extract(
        page.encode(), url="http://x.sy/2019/03/21/a", published_hint=hint, fetched_at=fetched
    )
    assert (ex.published_at, ex.date_source, ex.date_precision) == (hint, "hint", "exact")
    ex = extract(
        page.encode(),
        url="http://x.sy/2019/03/21/a",
        fetched_at=fetched,
        zone=get_zone(DAMASCUS),
    )
    assert (ex.published_at, ex.date_source) == (
        datetime(2019, 3, 21, 8, 15, tzinfo=UTC),
        "url+text",
    )
    ex = extract(page.encode(), url="http://x.sy/2019/03/20/a", fetched_at=fetched)
    assert (ex.date_source, ex.date_precision) == ("url", "day")
    ex = extract(page.encode(), url="http://x.sy/a", fetched_at=fetched)
    assert ex.date_source == "text"
    placeholder = page.replace("الخميس 21 آذار 2019 - 10:15", "1 يناير 1970 12:14 م")
    ex = extract(placeholder.encode(), url="http://x.sy/a", fetched_at=fetched)
    assert (ex.published_at, ex.date_source) == (None, None)  # never "today"
    future = _head('<meta property="article:published_time" content="2019-05-01T00:00:00Z">')
    ex = extract(future, url="http://x.sy/a", fetched_at=fetched)
    assert ex.published_at is None  # D22


def test_language_comes_from_the_text_not_the_page() -> None:
    english = "<html lang='ar'><body><article><p>" + "The minister said that the talks " * 20
    ex = extract((english + "</p></article></body></html>").encode(), url="http://x/")
    assert ex.language == "en"
    arabic = JANNAH.replace(b'lang="ar"', b'lang="en"')
    assert extract(arabic, url=URL).language == "ar"


def test_prune_list_removes_elements_before_extraction() -> None:
    from archive.sources import parse_sources

    src = parse_sources(
        {"sources": {"s": {"url": "https://example.sy/", "prune": ["p > strong", "//h3"]}}}
    )["s"]
    ex = extract(JANNAH, url=URL, prune=src.prune)
    assert "دعم لا محدود" not in ex.text  # the <h3>
    assert "إقرأ أيضاً" not in ex.text
    assert ex.removed_lines == 0  # pruned before extraction, nothing left for the cleaner


def test_extract_command_time_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "page.html"
    page = "<html><body><article><h1>ع</h1><span class='date'>منذ ساعتين</span><p>"
    path.write_bytes((page + "نص الخبر " * 40 + "</p></article></body></html>").encode())
    argv = ["extract", "--json", "--fetched-at", "2019-03-22T12:00:00Z", str(path)]
    assert archive_cli(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["published_at"], data["date_precision"]) == (
        "2019-03-22T10:00:00+00:00",
        "relative",
    )
    assert archive_cli(["extract", "--timezone", "Mars/X", str(path)]) == 2
    assert "--timezone: unknown time zone 'Mars/X'" in capsys.readouterr().err
    assert archive_cli(["extract", "--fetched-at", "yesterday", str(path)]) == 2
    assert "--fetched-at: 'yesterday' is not an ISO 8601 time" in capsys.readouterr().err
