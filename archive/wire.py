"""Wire attribution: which news agency an article credits, from its credit line or dateline.

Used to choose a cluster's original when publication dates do not decide
(``docs/dedup.md``): an article that names an agency as its source ("دمشق-سانا",
"بيروت – رويترز", a final "المصدر: وكالة رويترز") carries the wire text itself. A generic
"(وكالات)" ("agencies") names no agency and marks a republication, so it does not count.
Pure functions; matching is done on folded text (:func:`archive.normalize.fold_arabic`).
"""

from __future__ import annotations

import re

from archive.normalize import fold_arabic

# Folded spelling -> canonical name (stored in ``fingerprints.wire``).
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
_NAMES = "|".join(sorted((re.escape(n) for n in AGENCIES), key=len, reverse=True))
# Anywhere in a credit ("وكالة رويترز", "سانا"), as a whole word group.
_CREDIT_RE = re.compile(rf"(?<!\w)(?:وكاله\s+)?({_NAMES})(?!\w)")
# A dateline: a place, a dash, the agency ("دمشق-سانا", "حلب-سانا-الجماهير",
# "بيروت – رويترز", "عمان (ا ف ب)").
_DATELINE_RE = re.compile(rf"^\s*[\w\s]{{2,30}}?\s*(?:[-–—]|\()\s*(?:وكاله\s+)?({_NAMES})(?!\w)")
_PUNCT_RE = re.compile(r"[^\w\s()\-–—]")
_HEAD_CHARS = 80


def wire_credit(text: str, attribution: str | None = None) -> str | None:
    """The agency an article credits (canonical name such as ``"sana"``), or None."""
    if attribution:
        found = _CREDIT_RE.search(_PUNCT_RE.sub(" ", fold_arabic(attribution)))
        if found:
            return AGENCIES[found.group(1)]
    first = next((line for line in text.splitlines() if line.strip()), "")
    head = _PUNCT_RE.sub(" ", fold_arabic(first[:_HEAD_CHARS]))
    found = _DATELINE_RE.match(head)
    return AGENCIES[found.group(1)] if found else None
