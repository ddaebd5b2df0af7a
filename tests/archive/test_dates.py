"""Dates (TEST_CASES D1–D30): visible Arabic dates, ISO values in the site's time zone, URLs.

Unless noted: fetch time 2019-03-22T12:00Z, site time zone Asia/Damascus (UTC+2 in March 2019).
Dates later than the fetch time are rejected, so cases from later years use a later fetch time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest

from archive.dates import date_from_url, get_zone, parse_iso, parse_visible_date, plausible

FETCH = datetime(2019, 3, 22, 12, 0, tzinfo=UTC)
LATER = datetime(2030, 1, 1, tzinfo=UTC)
DAMASCUS = get_zone("Asia/Damascus")


def local(text: str, fetched_at: datetime = FETCH, **kw: object) -> tuple[str, str] | None:
    parsed = parse_visible_date(text, fetched_at=fetched_at, zone=DAMASCUS, **kw)  # type: ignore[arg-type]
    if parsed is None:
        return None
    value = parsed.value.astimezone(DAMASCUS)
    shown = value.date().isoformat() if parsed.precision == "day" else value.isoformat()[:16]
    if parsed.precision == "month":
        shown = shown[:7]
    return shown, parsed.precision


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الخميس 21 آذار 2019", "2019-03-21"),  # D1
        ("٢١ آذار ٢٠١٩", "2019-03-21"),  # D2: Arabic-Indic digits
        ("۲۱ آذار ۲۰۱۹", "2019-03-21"),  # Persian digits
        ("14 شباط 2019", "2019-02-14"),  # D24's string (htmldate says 2019-01-01)
    ],
)
def test_levantine_dates(text: str, expected: str) -> None:
    assert local(text) == (expected, "day")


LEVANTINE = [
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
]
TRANSLITERATED = [
    ["يناير"],
    ["فبراير"],
    ["مارس"],
    ["أبريل", "إبريل", "ابريل"],
    ["مايو"],
    ["يونيو", "يونيه"],
    ["يوليو", "يوليه"],
    ["أغسطس", "اغسطس"],
    ["سبتمبر"],
    ["أكتوبر"],
    ["نوفمبر"],
    ["ديسمبر"],
]


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_name(month: int) -> None:  # D3, D4
    names = [LEVANTINE[month - 1], *TRANSLITERATED[month - 1]]
    if month == 5:
        names.append("ايار")
    if month == 8:
        names.append("اب")
    for name in names:
        assert local(f"3 {name} 2018") == (f"2018-{month:02d}-03", "day"), name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9 كانون ثاني، 2008", ("2008-01-09", "day")),  # D5: no article
        ("1 تشرين أول 2019", ("2019-10-01", "day")),
        ("21 آذار/مارس 2019", ("2019-03-21", "day")),  # D6: dual forms
        ("24 مارس/آذار 2019", ("2019-03-24", "day")),
        ("15 مارس (آذار) 2011", ("2011-03-15", "day")),
        ("آذار مارس 2011", ("2011-03", "month")),
        ("ديسمبر/كانون الأول 2024", ("2024-12", "month")),
        ("23كانون الثاني/ يناير 2017", ("2017-01-23", "day")),
        ("الخميس, حزيران (يونيو) 10, 2021 - 21:02", ("2021-06-10T21:02", "exact")),  # D7
        ("الأربعاء، 16-03-202207:25 م", ("2022-03-16T19:25", "exact")),  # D9: glued
        ("الخميس 08/مايو/2025", ("2025-05-08", "day")),  # D10
        ("12.01.2026 | 16:30", ("2026-01-12T16:30", "exact")),  # D11: day first
        ("09-كانون الأول-2020", ("2020-12-09", "day")),  # D12
        ("نشر بتاريخ: ٢٣ تشرين الثاني ٢٠٢٥", ("2025-11-23", "day")),  # D13
        ("الاثنين الموافق 21 يوليو 2025 02:43 مساءً", ("2025-07-21T14:43", "exact")),  # D14
        ("تاريخ النشر: 13th, September 2024 GMT", ("2024-09-13", "day")),  # D15
        ("٨ أغسطس ٢٠٢٥", ("2025-08-08", "day")),
    ],
)
def test_formats_seen_in_the_wild(text: str, expected: tuple[str, str]) -> None:
    assert local(text, LATER) == expected


def test_day_first_is_never_month_first() -> None:  # D11
    parsed = parse_visible_date("12.01.2026 | 16:30", fetched_at=LATER, zone=DAMASCUS)
    assert parsed is not None
    assert parsed.value.astimezone(DAMASCUS).date() == date(2026, 1, 12)
    assert parsed.value.astimezone(DAMASCUS).date() != date(2026, 12, 1)


def test_gmt_label_means_utc() -> None:  # D8
    parsed = parse_visible_date(
        "الأحد ٣٠ أكتوبر ٢٠٢٢ - ١١:٢٧ بتوقيت غرينتش", fetched_at=LATER, zone=DAMASCUS
    )
    assert parsed is not None
    assert parsed.value == datetime(2022, 10, 30, 11, 27, tzinfo=UTC)
    assert parsed.precision == "exact"


def test_hijri_beside_gregorian_cross_checks() -> None:  # D16
    parsed = parse_visible_date(
        "الجمعة 15 رجب 1440 هـ الموافق 22 آذار 2019 م", fetched_at=FETCH, zone=DAMASCUS
    )
    assert parsed is not None
    assert parsed.value.astimezone(DAMASCUS).date() == date(2019, 3, 22)
    assert (parsed.calendar, parsed.hijri_agrees) == ("gregorian", True)
    wrong = parse_visible_date(
        "الجمعة 15 رجب 1440 هـ الموافق 2 آذار 2019 م", fetched_at=FETCH, zone=DAMASCUS
    )
    assert wrong is not None
    assert wrong.value.astimezone(DAMASCUS).date() == date(2019, 3, 2)  # Gregorian wins
    assert wrong.hijri_agrees is False


def test_hijri_only() -> None:  # D17
    parsed = parse_visible_date("15 رجب 1440 هـ", fetched_at=FETCH, zone=DAMASCUS)
    assert parsed is not None
    assert parsed.value.astimezone(DAMASCUS).date() == date(2019, 3, 22)
    assert parsed.calendar == "hijri"
    shawwal = parse_visible_date("الثلاثاء 3 شوال 1433 هـ", fetched_at=LATER, zone=DAMASCUS)
    assert shawwal is not None
    assert shawwal.value.astimezone(DAMASCUS).date() == date(2012, 8, 21)


@pytest.mark.parametrize(
    ("text", "hours_before"),
    [
        ("منذ ساعتين", 2),  # D18: the dual carries the number
        ("منذ 3 ساعات", 3),
        ("قبل ٥ ساعات", 5),
        ("قبل 5 دقائق", 5 / 60),
        ("منذ يومين", 48),
        ("أمس", 24),
        ("يوم أمس", 24),
        ("اليوم", 0),
        ("منذ ساعة", 1),  # D19: no number at all
        ("منذ دقيقة", 1 / 60),
        ("منذ أسبوعين", 14 * 24),
        ("5 ساعات ago", 5),
        ("منذ\u200f 5 ساعات", 5),  # RLM inside (Suwayda 24)
        ("منذ ثلاث ساعات", 3),
    ],
)
def test_relative_dates_use_the_fetch_time(text: str, hours_before: float) -> None:
    parsed = parse_visible_date(text, fetched_at=FETCH, zone=DAMASCUS)
    assert parsed is not None
    assert parsed.precision == "relative"
    assert parsed.value == FETCH - timedelta(hours=hours_before)


def test_relative_dates_need_a_fetch_time() -> None:
    assert parse_visible_date("منذ ساعتين", fetched_at=None, zone=DAMASCUS) is None


def test_missing_year_comes_from_the_context_never_the_fetch_year() -> None:  # D20
    assert local("الأحد 2 آذار", LATER, year_hint=2025) == ("2025-03-02", "day")
    assert local("الأحد 2 آذار", LATER) is None


def test_placeholders_and_future_dates_are_rejected() -> None:  # D21, D22
    assert local("1 يناير 1970 12:14 م", LATER) is None
    assert local("23 آذار 2019 16:00") is None  # 14:00Z > fetch time + 1 day
    assert local("24 آذار 2019") is None
    assert local("23 آذار 2019") == ("2019-03-23", "day")  # within the day of tolerance
    assert not plausible(datetime(1970, 1, 1, tzinfo=UTC), LATER)
    assert parse_iso("1970-01-01T00:00:00Z") is None
    assert parse_iso("2019-04-01T00:00:00Z", fetched_at=FETCH) is None


def test_never_today_by_default() -> None:
    for text in ("", "بلا تاريخ", "وذلك يوم الخميس في دمشق", "5 آب", "2019"):
        assert parse_visible_date(text, fetched_at=FETCH, zone=DAMASCUS) is None, text


def test_dateparser_auto_detection_is_wrong_and_never_used() -> None:  # D23
    import dateparser

    # Documented upstream behaviour (dateparser 1.5): auto-detection reads "5 آب 2019" as Urdu
    # and silently returns the relative base, i.e. "now".
    base = datetime(2000, 1, 1)  # noqa: DTZ001 (dateparser's RELATIVE_BASE is naive)
    assert dateparser.parse("5 آب 2019", settings={"RELATIVE_BASE": base}) == base
    # Our parser never calls dateparser (nor htmldate) at all.
    with (
        mock.patch("dateparser.parse", side_effect=AssertionError("dateparser called")),
        mock.patch("dateparser.search.search_dates", side_effect=AssertionError("called")),
    ):
        assert local("5 آب 2019", LATER) == ("2019-08-05", "day")


def test_iso_values_use_the_site_time_zone() -> None:  # D25, D30
    assert parse_iso("2019-03-21T10:15:00+02:00") == (
        datetime(2019, 3, 21, 8, 15, tzinfo=UTC),
        "exact",
    )
    # Naive local time: zoneinfo, not a fixed offset. Damascus was UTC+2 in March 2019 and
    # has been UTC+3 all year since late 2022.
    assert parse_iso("2019-03-21 10:00", DAMASCUS) == (
        datetime(2019, 3, 21, 8, 0, tzinfo=UTC),
        "exact",
    )
    assert parse_iso("2024-01-15T10:00:00", DAMASCUS) == (
        datetime(2024, 1, 15, 7, 0, tzinfo=UTC),
        "exact",
    )
    assert parse_iso("2019-03-21", DAMASCUS) == (datetime(2019, 3, 20, 22, 0, tzinfo=UTC), "day")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.aljazeera.net/news/2019/3/22/slug", (date(2019, 3, 22), "day")),
        ("https://www.youm7.com/story/2015/3/29/slug/2122183", (date(2015, 3, 29), "day")),
        ("https://x.sy/2019-03-21-slug", (date(2019, 3, 21), "day")),
        ("https://media.sn4hr.org/blog/2015/04/11/57536/", (date(2015, 4, 11), "day")),
        ("https://x.sy/2019/03/slug/", (date(2019, 3, 1), "month")),
        ("https://sana.sy/?p=1937484", None),
        ("https://x.sy/archives/20190321", None),  # an id, not a date
    ],
)
def test_dates_in_urls(url: str, expected: tuple[date, str] | None) -> None:
    parsed = date_from_url(url, DAMASCUS, LATER)
    got = (parsed.value.astimezone(DAMASCUS).date(), parsed.precision) if parsed else None
    assert got == expected


def test_unknown_time_zone_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        get_zone("Mars/Olympus")


def test_htmldate_misdates_levantine_months_and_we_do_not() -> None:  # D24
    import htmldate

    from archive.extract import extract

    page = '<html><body><article><p class="date">14 شباط 2019</p><p>نص</p></article></body></html>'
    assert htmldate.find_date(page) == "2019-01-01"  # documented upstream behaviour
    ex = extract(page.encode(), url="http://x.sy/a", fetched_at=FETCH, zone=DAMASCUS)
    assert ex.published_at is not None
    assert ex.published_at.astimezone(DAMASCUS).date() == date(2019, 2, 14)
    assert (ex.date_precision, ex.date_source) == ("day", "text")
