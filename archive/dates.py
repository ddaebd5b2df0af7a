"""Dates as researchers can trust them: ISO values in the site's time zone, visible Arabic dates.

Pure functions, no dateparser and no htmldate (both guess: dateparser's language auto-detection
reads "5 آب 2019" as Urdu and returns *now*; htmldate turns "14 شباط 2019" into 2019-01-01).
Our own tables and regular expressions, in the order :func:`parse_visible_date` tries them:

1. Gregorian day-month-year with a month *name*: Levantine (كانون الثاني … كانون الأول, with or
   without the article: "كانون ثاني", "تشرين أول"), transliterated (يناير … ديسمبر with the
   variants إبريل/ابريل, يونيه, يوليه, اغسطس, …), English ("13th, September 2024"); dual forms
   "آذار/مارس", "مارس (آذار)", "آذار مارس" count as one month. Also month-day-year
   ("حزيران (يونيو) 10, 2021"), and "08/مايو/2025", "09-كانون الأول-2020".
2. Numeric day-first "12.01.2026", "16-03-2022" (never month-first), and ISO "2019-03-21".
3. Hijri "15 رجب 1440 هـ" (Umm al-Qura, via ``hijridate``), used only when no Gregorian date is
   in the same string; with both, the Gregorian one wins and the Hijri one cross-checks it.
4. Month and year only ("آذار مارس 2011") → ``month`` precision; day and month without a year
   ("الأحد 2 آذار") only with a ``year_hint`` (URL, sitemap), never the fetch year.
5. Relative dates ("منذ ساعتين", "قبل ٥ ساعات", "منذ أسبوعين", "5 ساعات ago", "أمس", "اليوم")
   resolved against the **fetch time**, never the clock → ``relative`` precision.

A time after the date ("- 21:02", "02:43 مساءً", "07:25 م") makes the result ``exact``; "بتوقيت
غرينتش"/"GMT"/"UTC" means UTC, otherwise the time is the site's local time (``zoneinfo``, so
Syria's 2022 change of DST rules is handled by the tz database, not a fixed offset). Dates before
1990 (placeholders such as 1970-01-01) and dates more than a day after the fetch time are
rejected: the caller moves on to its next source. Nothing here ever returns "today" by default.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import hijridate

from archive.normalize import fold_arabic

__all__ = [
    "PRECISIONS",
    "ParsedDate",
    "date_from_url",
    "get_zone",
    "parse_iso",
    "parse_visible_date",
    "plausible",
]

log = logging.getLogger(__name__)

PRECISIONS = ("exact", "day", "month", "relative")
MIN_YEAR = 1990  # anything earlier on a news page is a placeholder (1970-01-01, 1900-01-01)
FUTURE_TOLERANCE = timedelta(days=1)
HIJRI_TOLERANCE = timedelta(days=2)  # Umm al-Qura vs. local moon sighting


@dataclass(frozen=True, slots=True)
class ParsedDate:
    value: datetime  # aware, UTC
    precision: str  # one of PRECISIONS
    calendar: str = "gregorian"  # "hijri" when only a Hijri date was given
    hijri_agrees: bool | None = None  # a Hijri date beside the Gregorian one: does it match?


def get_zone(name: str | tzinfo | None) -> tzinfo:
    """A time zone from an IANA name ("Asia/Damascus"); None → UTC. Raises ValueError."""
    if name is None:
        return UTC
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def plausible(value: datetime, fetched_at: datetime | None) -> bool:
    """Not a placeholder and not after the fetch time (plus a day of tolerance)."""
    if value.year < MIN_YEAR:
        return False
    return fetched_at is None or value <= fetched_at + FUTURE_TOLERANCE


def _localize(naive: datetime, zone: tzinfo) -> datetime:
    return naive.replace(tzinfo=zone).astimezone(UTC)


_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_iso(
    value: Any, zone: tzinfo = UTC, fetched_at: datetime | None = None
) -> tuple[datetime, str] | None:
    """An ISO 8601 value → (aware UTC datetime, precision); naive values are site-local time.

    Returns None for non-strings, garbage, placeholders and future dates."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    precision = "day" if _ISO_DATE_RE.fullmatch(text) else "exact"
    when = _localize(when, zone) if when.tzinfo is None else when.astimezone(UTC)
    return (when, precision) if plausible(when, fetched_at) else None


# -- month tables (in fold_arabic form: no hamza on alef, ى→ي, ة→ه, lower case) ---------------

_GREGORIAN_MONTHS: dict[str, int] = {
    # Levantine / Iraqi (with and without the article)
    "كانون الثاني": 1,
    "كانون ثاني": 1,
    "شباط": 2,
    "اذار": 3,
    "نيسان": 4,
    "ايار": 5,
    "حزيران": 6,
    "تموز": 7,
    "اب": 8,
    "ايلول": 9,
    "تشرين الاول": 10,
    "تشرين اول": 10,
    "تشرين الثاني": 11,
    "تشرين ثاني": 11,
    "كانون الاول": 12,
    "كانون اول": 12,
    # Transliterated (Egypt, Gulf) and Maghrebi variants
    "يناير": 1,
    "جانفي": 1,
    "فبراير": 2,
    "فيفري": 2,
    "مارس": 3,
    "ابريل": 4,
    "افريل": 4,
    "مايو": 5,
    "ماي": 5,
    "يونيو": 6,
    "يونيه": 6,
    "جوان": 6,
    "يوليو": 7,
    "يوليه": 7,
    "جويليه": 7,
    "اغسطس": 8,
    "غشت": 8,
    "اوت": 8,
    "سبتمبر": 9,
    "شتنبر": 9,
    "اكتوبر": 10,
    "نوفمبر": 11,
    "نونبر": 11,
    "ديسمبر": 12,
    "دجنبر": 12,
}
_ENGLISH_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
for _i, _name in enumerate(_ENGLISH_MONTHS, 1):
    _GREGORIAN_MONTHS[_name] = _i
    _GREGORIAN_MONTHS.setdefault(_name[:3], _i)
_GREGORIAN_MONTHS["sept"] = 9

_HIJRI_MONTHS: dict[str, int] = {
    "محرم": 1,
    "صفر": 2,
    "ربيع الاول": 3,
    "ربيع اول": 3,
    "ربيع الثاني": 4,
    "ربيع الاخر": 4,
    "ربيع ثاني": 4,
    "جمادي الاولي": 5,
    "جمادي الاول": 5,
    "جمادي الثانيه": 6,
    "جمادي الاخره": 6,
    "جمادي الثاني": 6,
    "رجب": 7,
    "شعبان": 8,
    "رمضان": 9,
    "شوال": 10,
    "ذو القعده": 11,
    "ذي القعده": 11,
    "ذو الحجه": 12,
    "ذي الحجه": 12,
}


def _alternation(names: dict[str, int]) -> str:
    ordered = sorted(names, key=len, reverse=True)  # longest first: "مايو" before "ماي"
    return "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in ordered)


_B = r"(?<![^\W\d_])"  # not preceded by a letter
_E = r"(?![^\W\d_])"  # not followed by a letter
_MONTH = rf"{_B}(?:{_alternation(_GREGORIAN_MONTHS)}){_E}"
# A month, optionally doubled: "اذار/مارس", "مارس (اذار)", "اذار مارس", "كانون الثاني/ يناير".
_M = rf"(?P<m>{_MONTH})(?:\s*/\s*{_MONTH}|\s*\(\s*{_MONTH}\s*\)|\s+{_MONTH})?"
_SEP = r"[\s,،.\-/]*"
_DAY = r"(?P<d>(?:0?[1-9]|[12]\d|3[01]))(?:st|nd|rd|th)?"
_YEAR = r"(?P<y>(?:19|20)\d\d)"
_TIME = (
    r"(?:[\s,،|\-–—]*(?:الساعه|في|at)?\s*)"
    r"(?P<H>[01]?\d|2[0-3])[:.](?P<MI>[0-5]\d)(?::[0-5]\d)?"
    r"(?:\s*(?P<ap>صباحا|مساء|ص|م|am|pm|a\.m\.|p\.m\.)(?![^\W\d_]))?"
)
_TIME_RE = re.compile(_TIME)
_UTC_RE = re.compile(r"بتوقيت\s+(?:غرينتش|جرينتش|غرينيتش)|(?<![a-z])(?:gmt|utc)(?![a-z])")

_ABSOLUTE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"(?<!\d){_DAY}{_SEP}{_M}{_SEP}{_YEAR}(?!\d)"), "day"),
    (re.compile(rf"{_M}\s*,?\s*(?<!\d){_DAY}\s*,\s*{_YEAR}(?!\d)"), "day"),
    (
        re.compile(
            r"(?<!\d)(?P<d>0?[1-9]|[12]\d|3[01])[./-](?P<mn>0?[1-9]|1[0-2])[./-]"
            rf"{_YEAR}(?!\d)"
        ),
        "day",
    ),
    (
        re.compile(rf"(?<!\d){_YEAR}-(?P<mn>0?[1-9]|1[0-2])-(?P<d>0?[1-9]|[12]\d|3[01])(?![\d])"),
        "day",
    ),
)
_MONTH_YEAR_RE = re.compile(rf"{_M}{_SEP}{_YEAR}(?!\d)")
_DAY_MONTH_RE = re.compile(rf"(?<!\d){_DAY}{_SEP}{_M}(?![\s,،.\-/]*\d)")
_HIJRI_RE = re.compile(
    rf"(?<!\d)(?P<d>0?[1-9]|[12]\d|30){_SEP}(?P<hm>{_B}(?:{_alternation(_HIJRI_MONTHS)}){_E})"
    r"[\s,،]*(?P<y>1[34]\d\d)(?!\d)"
)
# "202207:25" (arabi21: year glued to the time) → "2022 07:25"
_GLUED_TIME_RE = re.compile(r"((?:19|20)\d\d)([01]?\d:[0-5]\d)(?!\d)")
_DIGIT_LETTER_RE = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_ORDINAL_RE = re.compile(r"(?<=\d) (st|nd|rd|th)(?![^\W\d_])")


def _normalise(text: str) -> str:
    text = fold_arabic(text)
    text = _GLUED_TIME_RE.sub(r"\1 \2", text)
    text = _DIGIT_LETTER_RE.sub(" ", text)  # "23كانون" → "23 كانون"
    return _ORDINAL_RE.sub(r"\1", text)  # "13 th" (from the split) → "13th"


def _month_number(name: str) -> int:
    return _GREGORIAN_MONTHS[re.sub(r"\s+", " ", name)]


def _time_after(text: str, pos: int) -> tuple[time, bool] | None:
    """A clock time right after ``pos``: (time, is_utc)."""
    match = _TIME_RE.match(text, pos)
    if match is None:
        return None
    hour, minute = int(match["H"]), int(match["MI"])
    ap = match["ap"]
    if ap in ("مساء", "م", "pm", "p.m.") and hour < 12:
        hour += 12
    elif ap in ("صباحا", "ص", "am", "a.m.") and hour == 12:
        hour = 0
    return time(hour, minute), bool(_UTC_RE.search(text, match.end()))


def _build(
    day: date, text: str, end: int, zone: tzinfo, fetched_at: datetime | None, precision: str
) -> ParsedDate | None:
    clock = _time_after(text, end) if precision == "day" else None
    if clock is not None:
        naive = datetime.combine(day, clock[0])
        value = naive.replace(tzinfo=UTC) if clock[1] else _localize(naive, zone)
        precision = "exact"
    else:
        value = _localize(datetime.combine(day, time()), zone)
    return ParsedDate(value, precision) if plausible(value, fetched_at) else None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _hijri(text: str) -> tuple[date, re.Match[str]] | None:
    match = _HIJRI_RE.search(text)
    if match is None:
        return None
    month = _HIJRI_MONTHS[re.sub(r"\s+", " ", match["hm"])]
    try:
        return hijridate.Hijri(int(match["y"]), month, int(match["d"])).to_gregorian(), match
    except (ValueError, OverflowError):
        return None


class _Rejected(Exception):
    """A full date was found but is a placeholder or in the future: no weaker fallback."""


def _gregorian(
    s: str, zone: tzinfo, fetched_at: datetime | None, hijri: date | None
) -> ParsedDate | None:
    """The first plausible full Gregorian date (day, month, year) in ``s``."""
    rejected = False
    for pattern, precision in _ABSOLUTE:
        for match in pattern.finditer(s):
            month = int(match["mn"]) if "mn" in match.groupdict() else _month_number(match["m"])
            day = _safe_date(int(match["y"]), month, int(match["d"]))
            if day is None:
                continue
            result = _build(day, s, match.end(), zone, fetched_at, precision)
            if result is None:
                rejected = True
                continue
            if hijri is None:
                return result
            agrees = abs(hijri - day) <= HIJRI_TOLERANCE
            if not agrees:
                log.info("Hijri date %s disagrees with Gregorian %s in %r", hijri, day, s)
            return ParsedDate(result.value, result.precision, hijri_agrees=agrees)
    if rejected:
        raise _Rejected
    return None


def _partial(
    s: str, zone: tzinfo, fetched_at: datetime | None, year_hint: int | None
) -> ParsedDate | None:
    """Month and year ("آذار مارس 2011"), or day and month with a year from the context."""
    if (my := _MONTH_YEAR_RE.search(s)) is not None:
        first = _localize(
            datetime.combine(date(int(my["y"]), _month_number(my["m"]), 1), time()), zone
        )
        if plausible(first, fetched_at):
            return ParsedDate(first, "month")
    if year_hint is not None and (dm := _DAY_MONTH_RE.search(s)) is not None:
        day = _safe_date(year_hint, _month_number(dm["m"]), int(dm["d"]))
        if day is not None:
            return _build(day, s, dm.end(), zone, fetched_at, "day")
    return None


def parse_visible_date(
    text: str,
    *,
    fetched_at: datetime | None,
    zone: tzinfo = UTC,
    year_hint: int | None = None,
) -> ParsedDate | None:
    """Parse one short date string as shown on a page (a byline, a ``<time>``, a date span).

    Never run it over body text: it takes the first date it finds."""
    s = _normalise(text)
    if not s:
        return None
    hijri = _hijri(s)
    try:
        result = _gregorian(s, zone, fetched_at, hijri[0] if hijri else None)
    except _Rejected:  # "1 يناير 1970": not "يناير 1970" either, nor anything else here
        return None
    if result is None and hijri is not None:
        built = _build(hijri[0], s, hijri[1].end(), zone, fetched_at, "day")
        if built is None:
            return None
        result = ParsedDate(built.value, built.precision, calendar="hijri")
    return result or _partial(s, zone, fetched_at, year_hint) or _relative(s, fetched_at, zone)


# -- relative dates -------------------------------------------------------------------------

_UNITS: dict[str, tuple[timedelta, int]] = {}  # word → (unit, count implied by the word)
for _words, _unit in (
    (("ثانيه", "ثواني", "ثوان"), timedelta(seconds=1)),
    (("دقيقه", "دقايق", "دقائق"), timedelta(minutes=1)),
    (("ساعه", "ساعات"), timedelta(hours=1)),
    (("يوم", "ايام"), timedelta(days=1)),
    (("اسبوع", "اسابيع"), timedelta(weeks=1)),
):
    for _word in _words:
        _UNITS[_word] = (_unit, 1)
for _word, _unit in (
    ("ثانيتين", timedelta(seconds=1)),
    ("دقيقتين", timedelta(minutes=1)),
    ("ساعتين", timedelta(hours=1)),
    ("يومين", timedelta(days=1)),
    ("اسبوعين", timedelta(weeks=1)),
):
    _UNITS[_word] = (_unit, 2)  # the dual carries its own number
for _word, _unit in (
    ("second", timedelta(seconds=1)),
    ("minute", timedelta(minutes=1)),
    ("min", timedelta(minutes=1)),
    ("hour", timedelta(hours=1)),
    ("day", timedelta(days=1)),
    ("week", timedelta(weeks=1)),
):
    _UNITS[_word] = _UNITS[_word + "s"] = (_unit, 1)
_NUMBER_WORDS = {
    "واحد": 1,
    "واحده": 1,
    "ثلاث": 3,
    "ثلاثه": 3,
    "اربع": 4,
    "اربعه": 4,
    "خمس": 5,
    "خمسه": 5,
    "ست": 6,
    "سته": 6,
    "سبع": 7,
    "سبعه": 7,
    "ثماني": 8,
    "ثمان": 8,
    "ثمانيه": 8,
    "تسع": 9,
    "تسعه": 9,
    "عشر": 10,
    "عشره": 10,
    "a": 1,
    "an": 1,
    "one": 1,
}
_UNIT_ALT = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
_NUM_ALT = "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True))
_RELATIVE_RE = re.compile(
    rf"(?:(?P<pre>منذ|قبل)\s+)?(?:(?P<n>\d{{1,3}}|{_NUM_ALT})\s+)?(?P<u>{_UNIT_ALT})"
    rf"{_E}(?:\s+(?P<ago>ago|مضت|مضي))?"
)
_YESTERDAY_RE = re.compile(r"^(?:يوم\s+)?(?:امس|البارحه)(?:\s|$)|^yesterday(?:\s|$)")
_TODAY_RE = re.compile(r"^(?:اليوم|today)(?:\s|$)")
_LABEL_RE = re.compile(
    r"^(?:نشر|تاريخ النشر|نشر في|نشر بتاريخ|بتاريخ|منشور|published|posted|updated|اخر تحديث|"
    r"تم التحديث|تحديث)?\s*[:\-–]?\s*"
)


def _relative(s: str, fetched_at: datetime | None, zone: tzinfo) -> ParsedDate | None:
    if fetched_at is None:
        return None  # a relative date without the fetch time means nothing
    for match in _RELATIVE_RE.finditer(s):
        if not (match["pre"] or match["ago"]):
            continue
        unit, implied = _UNITS[match["u"]]
        raw = match["n"]
        count = implied if raw is None else int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
        return ParsedDate(fetched_at - unit * count, "relative")
    bare = _LABEL_RE.sub("", s, count=1)
    if _YESTERDAY_RE.search(bare):
        return ParsedDate(fetched_at - timedelta(days=1), "relative")
    if _TODAY_RE.search(bare):
        return ParsedDate(fetched_at, "relative")
    return None


# -- URLs -------------------------------------------------------------------------------------

_URL_DAY_RE = re.compile(
    r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:[/_-]|$)", re.ASCII
)
_URL_COMPACT_RE = re.compile(r"/((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])/", re.ASCII)
_URL_MONTH_RE = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/", re.ASCII)


def date_from_url(
    url: str, zone: tzinfo = UTC, fetched_at: datetime | None = None
) -> ParsedDate | None:
    """``/2019/3/22/slug``, ``/2019-03-22-…``, ``/20190322/`` → day; ``/2019/03/slug`` → month."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    for pattern, precision in ((_URL_DAY_RE, "day"), (_URL_COMPACT_RE, "day")):
        if (match := pattern.search(path)) is not None:
            day = _safe_date(int(match[1]), int(match[2]), int(match[3]))
            if day is not None:
                value = _localize(datetime.combine(day, time()), zone)
                return ParsedDate(value, precision) if plausible(value, fetched_at) else None
    if (match := _URL_MONTH_RE.search(path)) is not None:
        value = _localize(datetime.combine(date(int(match[1]), int(match[2]), 1), time()), zone)
        return ParsedDate(value, "month") if plausible(value, fetched_at) else None
    return None
