"""Duplicate clusters on real databases: partial reprints, guards, originals, new versions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from archive.sources import Source
from archive.store import Archive
from tests.archive.pages import article_html, page, seed
from tests.archive.test_store import TITLE, WIRE, republished, rows

GOV = Source(name="gov", url="http://gov.example/")
OPP = Source(name="opp", url="http://opp.example/")
AGG = Source(name="agg", url="http://agg.example/")
T0 = datetime(2019, 3, 22, 12, 0, tzinfo=UTC)

# A monitor's daily toll: the template stays, the figures and places change.
TOLL = [
    "وثق المرصد السوري لحقوق الإنسان مقتل {n} مدنياً، بينهم {c} أطفال، خلال يوم {day} جراء "
    "القصف الجوي والبري الذي استهدف مناطق في {p1} و{p2} بريف إدلب الجنوبي.",
    "وأوضح المرصد في تقريره اليومي أن {k} من القتلى سقطوا في غارات نفذتها طائرات حربية على "
    "بلدة {p1}، فيما قتل الباقون بقذائف صاروخية سقطت على {p2}، إضافة إلى إصابة {inj} آخرين "
    "بجروح متفاوتة، بعضهم في حالة خطرة، ما يرجح ارتفاع عدد القتلى.",
    "وبذلك يرتفع عدد المدنيين الذين وثق المرصد مقتلهم منذ بدء التصعيد الأخير على منطقة خفض "
    "التصعيد إلى {total} مدنياً، بينهم {tc} طفلاً.",
    "ويعتمد المرصد السوري لحقوق الإنسان في توثيقه على شبكة من المصادر الطبية والناشطين في "
    "مختلف المناطق السورية، ويجدد مطالبته المجتمع الدولي بالتحرك العاجل لوقف استهداف "
    "المدنيين وإحالة ملف الانتهاكات إلى المحاكم الدولية المختصة ومحاسبة المسؤولين عنها.",
]
DAY1 = {
    "n": 12,
    "c": 3,
    "day": "الأحد",
    "p1": "خان شيخون",
    "p2": "كفرنبودة",
    "k": 7,
    "inj": 25,
    "total": 412,
    "tc": 96,
}
DAY2 = {
    "n": 9,
    "c": 2,
    "day": "الاثنين",
    "p1": "الهبيط",
    "p2": "معرة النعمان",
    "k": 5,
    "inj": 31,
    "total": 421,
    "tc": 98,
}


def toll(values: dict[str, object]) -> list[str]:
    return [p.format(**values) for p in TOLL]


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as arc:
        arc.sync_sources([GOV, OPP, AGG])
        yield arc


def ingest(
    archive: Archive,
    source: str,
    url: str,
    paragraphs: list[str],
    published: str | None = "2019-03-21T09:00:00+02:00",
    title: str = TITLE,
    hours: int = 0,
) -> int:
    result = archive.ingest(
        page(
            source,
            url,
            article_html(title, paragraphs, published=published),
            fetched_at=T0 + timedelta(hours=hours),
        )
    )
    assert result.article_id is not None
    return result.article_id


def links(archive: Archive) -> dict[int, int | None]:
    return {int(str(i)): v for i, v in rows(archive, "SELECT id, duplicate_of_id FROM articles")}  # type: ignore[misc]


def brief_of(paragraphs: list[str]) -> list[str]:
    """A news brief: a new intro line, then the first 40 % of the text."""
    total = sum(len(p) for p in paragraphs)
    out, size = ["موجز الأخبار:"], 0
    for p in paragraphs:
        if size + len(p) > 0.4 * total:
            break
        out.append(p)
        size += len(p)
    return out


@pytest.mark.parametrize("brief_first", [False, True])
def test_partial_reprint_is_linked_as_partial_not_as_duplicate(
    archive: Archive, brief_first: bool
) -> None:
    def full() -> int:
        return ingest(archive, "gov", "http://gov.example/archives/1", WIRE)

    def brief() -> int:
        return ingest(archive, "opp", "http://opp.example/news/2", brief_of(WIRE), hours=1)

    if brief_first:
        b, f = brief(), full()
    else:
        f, b = full(), brief()
    assert links(archive) == {f: None, b: None}
    (row,) = rows(archive, "SELECT article_id, of_article_id, containment FROM partial_reprints")
    assert row[:2] == (b, f)
    assert 0.8 <= float(str(row[2])) <= 1.0
    # Partial reprints stay in the corpus (docs/dedup.md), and are easy to leave out:
    assert rows(archive, "SELECT COUNT(*) FROM corpus") == [(2,)]
    assert rows(
        archive,
        "SELECT COUNT(*) FROM corpus WHERE article_id NOT IN "
        "(SELECT article_id FROM partial_reprints)",
    ) == [(1,)]


def test_template_reports_of_different_days_are_not_merged(archive: Archive) -> None:
    day1 = ingest(archive, "gov", "http://gov.example/archives/1", toll(DAY1), title="حصيلة")
    other_day = ingest(
        archive,
        "opp",
        "http://opp.example/news/2",
        toll(DAY2),
        published="2019-03-22T09:00:00+02:00",
        title="حصيلة",
    )
    same_day_copy = ingest(
        archive,
        "agg",
        "http://agg.example/3",
        [*toll(DAY1), "تابعونا على تيلغرام"],
        published="2019-03-21T11:00:00+02:00",
        title="حصيلة",
    )
    assert links(archive) == {day1: None, other_day: None, same_day_copy: day1}


def test_copies_published_months_apart_are_not_linked(archive: Archive) -> None:
    a = ingest(archive, "gov", "http://gov.example/archives/1", WIRE)
    b = ingest(
        archive,
        "opp",
        "http://opp.example/news/7",
        republished(WIRE),
        published="2019-06-21T09:00:00+02:00",
        hours=24 * 100,  # fetched after it was published (a future date would be rejected)
    )
    assert links(archive) == {a: None, b: None}


def test_wire_credit_decides_the_original_when_publication_dates_tie(archive: Archive) -> None:
    copy = ingest(archive, "opp", "http://opp.example/news/7", republished(WIRE), published=None)
    wire = ingest(
        archive,
        "gov",
        "http://gov.example/archives/1",
        ["دمشق-سانا", *WIRE],
        published=None,
        hours=3,
    )
    assert links(archive) == {copy: wire, wire: None}
    assert rows(archive, "SELECT wire FROM fingerprints WHERE article_id = :i", i=wire) == [
        ("sana",)
    ]


def test_versions_of_one_article_never_match_each_other(archive: Archive) -> None:
    url = "http://gov.example/archives/1"
    a = ingest(archive, "gov", url, WIRE)
    assert ingest(archive, "gov", url, [*WIRE, "فقرة أضيفت لاحقاً إلى الخبر."], hours=2) == a
    assert links(archive) == {a: None}
    assert rows(archive, "SELECT COUNT(*) FROM fingerprints") == [(1,)]


def test_duplicate_leaves_the_cluster_when_its_new_text_no_longer_matches(
    archive: Archive,
) -> None:
    orig = ingest(archive, "gov", "http://gov.example/archives/1", WIRE)
    copy_url = "http://opp.example/news/7"
    copy = ingest(archive, "opp", copy_url, republished(WIRE), hours=1)
    assert links(archive) == {orig: None, copy: orig}
    # A small edit keeps it linked ...
    edited = [*republished(WIRE), "وأضاف المصدر أن التحقيقات مستمرة."]
    ingest(archive, "opp", copy_url, edited, hours=2)
    assert links(archive) == {orig: None, copy: orig}
    # ... a rewrite into another story does not.
    ingest(archive, "opp", copy_url, seed("000"), hours=3)
    assert links(archive) == {orig: None, copy: None}
    assert rows(archive, "SELECT COUNT(*) FROM corpus") == [(2,)]


def test_rewritten_original_releases_copies_that_stay_together(archive: Archive) -> None:
    orig_url = "http://gov.example/archives/1"
    orig = ingest(archive, "gov", orig_url, WIRE)
    copy1 = ingest(archive, "opp", "http://opp.example/news/7", republished(WIRE), hours=1)
    copy2 = ingest(
        archive,
        "agg",
        "http://agg.example/9",
        [*republished(WIRE), "المصدر: وكالات"],
        published="2019-03-21T18:00:00+02:00",
        hours=2,
    )
    assert links(archive) == {orig: None, copy1: orig, copy2: orig}
    ingest(archive, "gov", orig_url, seed("000"), hours=5)  # the original becomes another story
    assert links(archive) == {orig: None, copy1: None, copy2: copy1}
