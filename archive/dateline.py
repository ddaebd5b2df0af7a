"""Datelines: the place and source credit that open a news text ("حماة-سانا").

:func:`parse_dateline` reads the start of the first line of a cleaned text::

    حماة-سانا                                place حماة, source سانا
    حلب-سانا-الجماهير                        SANA's story relayed by Al-Jamahir: سانا > الجماهير
    بلدي نيوز – حلب (عمران الشامي)           source بلدي نيوز, place حلب, reporter عمران الشامي
    أخبار الآن | إدلب – سوريا (وكالات)       place إدلب – سوريا, source وكالات > أخبار الآن
    سمارت ــ إدلب                            source سمارت, place إدلب
    حرية برس:                                source حرية برس
    عمان (أ ف ب) - قال …                     place عمان, source أ ف ب; the body starts at "قال"

A dateline is a run of segments (places and sources) joined by dashes, tatweel runs or "|",
optionally followed by a parenthesis (a source, else a reporter's name) and a ":" or dash.
It must name a known source (:data:`SOURCES`: the news agencies of :data:`AGENCIES` and the
outlets that sign their texts this way), so an ordinary first sentence is never taken for one.
The dateline ends where the body starts: at the end of its line, or mid-line when the text
runs on ("حماة-سانا أكد محافظ …"); ``Dateline.end`` is that offset in the text.

Values are kept as written (the author's spelling); a chain of sources is listed origin first
(a source in the parenthesis is where the outlet took the story from), joined with " > ".
Pure functions; names are matched loosely (alef and yeh variants, tatweel, harakat).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.normalize import fold_arabic

# News agencies: folded spelling -> canonical name (stored in ``fingerprints.wire``, see
# archive.wire). "وكالات" (agencies, unnamed) is a source but no agency.
AGENCIES: dict[str, str] = {
    "سانا": "sana",
    "رويترز": "reuters",
    "فرانس برس": "afp",
    "فرانس بريس": "afp",
    "ا ف ب": "afp",
    "اف ب": "afp",
    "الاناضول": "anadolu",
    "الاناضول للانباء": "anadolu",
    "ا ش ا": "mena",
    "د ب ا": "dpa",
    "اسوشيتد برس": "ap",
    "شينخوا": "xinhua",
    "سبوتنيك": "sputnik",
    "ارنا": "irna",
    "واس": "spa",
    "وام": "wam",
    "قنا": "qna",
    "كونا": "kuna",
}
# Outlets that open their texts with a dateline naming themselves (folded spellings).
OUTLETS: tuple[str, ...] = (
    "وكالات",
    "الجماهير",
    "بلدي نيوز",
    "عنب بلدي",
    "اخبار الان",
    "سمارت",
    "حريه برس",
    "نورث برس",
    "زمان الوصل",
    "المغرب اليوم",
    "تليجراف الخليج",
    "الخرج اون لاين",
    "سيريانيوز",
    "الدرر الشاميه",
)
SOURCES: tuple[str, ...] = (*AGENCIES, *OUTLETS)

# One folded letter -> the spellings it stands for in the original text.
_VARIANTS = {"ا": "اأإآٱ", "ي": "يىئی", "ه": "هة", "و": "وؤ", "ك": "كک"}
_MARKS = "[\u0640\u064b-\u065f\u0670]*"  # tatweel and harakat between letters


def _loose(folded: str) -> str:
    parts = []
    for ch in folded:
        if ch == " ":
            parts.append(r"(?:\s*\.\s*|\s+)")  # "أ ف ب", "أ.ف.ب"
        else:
            chars = _VARIANTS.get(ch, ch)
            parts.append(f"[{re.escape(chars)}]" if len(chars) > 1 else re.escape(ch))
    return _MARKS.join(parts)


_NOT_LETTER = r"(?![^\W\d_])"
_SOURCE_RE = re.compile(
    "(?:" + "|".join(_loose(n) for n in sorted(SOURCES, key=len, reverse=True)) + ")" + _NOT_LETTER
)
# A word of a place name: starts with a letter (not tatweel), no digits.
_WORD = r"[^\W\d_\u0640](?:[^\W\d_]|[\u064b-\u065f\u0670])*"
_WORD_RE = re.compile(_WORD)
# Between segments: dashes, a pipe, or a run of tatweel used as a dash ("سمارت ــ إدلب").
_SEP_RE = re.compile(r"[ \t]*(?:[-–—|]+|(?<=\s)\u0640+(?=\s)|\u0640{2,})[ \t]*")
_PAREN_RE = re.compile(r"[ \t]*\(([^()\n]{0,60})\)")
_TERMINATOR_RE = re.compile(r"[ \t]*(?:[:：]|[-–—]+)?[ \t]*")
_BOUNDARY_RE = re.compile(r"[ \t]*(?:\(|[:：]|[-–—|]|\u0640|$)")
_MAX_PLACE_WORDS = 4
# A date after the place ("دمشق، 21 آذار (سانا)"): part of the dateline, not stored apart
# (the article's dates come from archive.dates).
_DATE_RE = re.compile(r"[ \t]*[،,]?[ \t]*[0-9٠-٩]{1,2}[ \t]+[^\W\d_]+(?:[ \t]+[0-9٠-٩]{4})?")
_MAX_REPORTER_WORDS = 5
_MAX_SEGMENTS = 6
_LEADING_RE = re.compile(r"^[\s\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]+")
# Parenthesised words that belong to a dateline but name no reporter ("سمارت - درعا (خاص)").
_NOT_REPORTERS = frozenset({"خاص", "حصري", "حصريا", "خاص بالموقع"})


@dataclass(frozen=True, slots=True)
class Dateline:
    text: str  # the dateline as written, e.g. "بلدي نيوز – حلب (عمران الشامي)"
    place: str | None  # "حلب", "إدلب – سوريا"
    sources: tuple[str, ...]  # as written, origin first: ("سانا", "الجماهير")
    reporter: str | None  # a person named in the parenthesis
    end: int  # offset in the text where the body starts

    @property
    def source(self) -> str:
        """The sources joined with " > " (``article_versions.dateline_source``)."""
        return " > ".join(self.sources)


def is_source(name: str) -> bool:
    """Whether ``name`` (as written) is a known dateline source."""
    return bool(_SOURCE_RE.fullmatch(name.strip()))


def _place_at(line: str, pos: int) -> int | None:
    """End of a place name starting at ``pos``: up to four words, as many as reach a
    boundary (dash, parenthesis, colon, end of line); one word when none does (the body
    follows on the same line)."""
    ends = []
    at = pos
    for _ in range(_MAX_PLACE_WORDS):
        word = _WORD_RE.match(line, at)
        if word is None or _SOURCE_RE.match(line, at):
            break
        ends.append(word.end())
        space = re.match(r"[ \t]+", line[word.end() :])
        if space is None:
            break
        at = word.end() + space.end()
    for end in reversed(ends):
        if _BOUNDARY_RE.match(line, end):
            return end
    return ends[0] if ends else None


def parse_dateline(text: str) -> Dateline | None:
    """The dateline opening ``text``, or None (see the module docstring)."""
    start = len(text) - len(_LEADING_RE.sub("", text, count=1))
    newline = text.find("\n", start)
    line_end = len(text) if newline < 0 else newline
    line = text[start:line_end]
    sources, places, pos, segment_end = _segments(line)
    origin, reporter, paren_end = _parenthesis(line, pos)
    pos = segment_end if paren_end is None else paren_end  # a dash after them ends it
    if not sources and not origin:
        return None
    terminator = _TERMINATOR_RE.match(line, pos)
    assert terminator is not None  # it matches the empty string
    closed = terminator.group().strip() != "" or terminator.end() == len(line)
    if len(sources) == 1 and not places and paren_end is None and not closed:
        return None  # "وكالات الأنباء …": a sentence that starts with a source's name
    if not closed and not line[pos:].startswith((" ", "\t")):
        return None
    written = line[: terminator.end()].strip()
    body = start + terminator.end()
    if terminator.end() == len(line) and line_end < len(text):
        body = line_end + 1  # the dateline is a line of its own
    place = line[places[0][0] : places[-1][1]] if places else None
    if place is None and len(sources) > 1:
        # "قنا - أ ش أ": Qena (the city) is also QNA's name; a chain starts at a place.
        place, sources = sources[0], sources[1:]
    return Dateline(written, place, (*origin, *sources), reporter, body)


def _segments(line: str) -> tuple[list[str], list[tuple[int, int]], int, int]:
    """Sources (as written) and place spans at the start of ``line``, the position after the
    last separator read, and the end of the last segment."""
    sources: list[str] = []
    places: list[tuple[int, int]] = []
    pos = segment_end = 0
    for _ in range(_MAX_SEGMENTS):
        found = _SOURCE_RE.match(line, pos)
        date = _DATE_RE.match(line, pos)
        if found:
            sources.append(found.group())
            pos = found.end()
        elif date and places and _BOUNDARY_RE.match(line, date.end()):
            pos = date.end()  # "القاهرة - 12 مارس 2019 (أ ش أ)"
        else:
            place_end = _place_at(line, pos)
            if place_end is None:
                break
            places.append((pos, place_end))
            pos = place_end
            date = _DATE_RE.match(line, pos)
            if date and _BOUNDARY_RE.match(line, date.end()):
                pos = date.end()  # "دمشق، 21 آذار (سانا)"
        segment_end = pos
        sep = _SEP_RE.match(line, pos)
        if sep is None or sep.end() == len(line):
            break
        pos = sep.end()
    return sources, places, pos, segment_end


def _parenthesis(line: str, pos: int) -> tuple[list[str], str | None, int | None]:
    """A parenthesis at ``pos``: ([its source], None, end) or ([], reporter, end), or
    ([], None, None) when there is none or it is no part of a dateline ("(صور)", "(2)")."""
    paren = _PAREN_RE.match(line, pos)
    if paren is None:
        return [], None, None
    inside = paren.group(1).strip()
    if not inside:
        return [], None, paren.end()  # "وكالات()-": an extraction artefact
    if is_source(inside):
        return [inside], None, paren.end()
    if fold_arabic(inside) in _NOT_REPORTERS:
        return [], None, paren.end()
    if _looks_like_name(inside):
        return [], inside, paren.end()
    return [], None, None


def _looks_like_name(inside: str) -> bool:
    words = inside.split()
    return 0 < len(words) <= _MAX_REPORTER_WORDS and all(_WORD_RE.fullmatch(w) for w in words)


def split_dateline(text: str) -> tuple[Dateline | None, str]:
    """The dateline and the body that follows it (``text`` itself when there is none)."""
    found = parse_dateline(text)
    return (found, text[found.end :].lstrip()) if found else (None, text)


def agency_of(name: str) -> str | None:
    """The canonical agency name (``"sana"``) of a source as written, or None."""
    key = " ".join(re.sub(r"[^\w\s]", " ", fold_arabic(name)).split())
    return AGENCIES.get(key.removeprefix("وكاله ")) or AGENCIES.get(key)
