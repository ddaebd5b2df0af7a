"""Wire attribution: which news agency an article credits, from its credit line or dateline.

Used to choose a cluster's original when publication dates do not decide
(``docs/dedup.md``): an article that names an agency as its source ("دمشق-سانا",
"بيروت – رويترز", a final "المصدر: وكالة رويترز") carries the wire text itself. A generic
"(وكالات)" ("agencies") names no agency and marks a republication, so it does not count.
Datelines are read by :func:`archive.dateline.parse_dateline` (one grammar for both); a
chained dateline ("حلب-سانا-الجماهير") credits its origin, the first agency of the chain.
Pure functions; credits are matched on folded text (:func:`archive.normalize.fold_arabic`).
"""

from __future__ import annotations

import re

from archive.dateline import AGENCIES, agency_of, parse_dateline
from archive.normalize import fold_arabic

__all__ = ["AGENCIES", "wire_credit"]

_NAMES = "|".join(sorted((re.escape(n) for n in AGENCIES), key=len, reverse=True))
# Anywhere in a credit ("وكالة رويترز", "سانا"), as a whole word group.
_CREDIT_RE = re.compile(rf"(?<!\w)(?:وكاله\s+)?({_NAMES})(?!\w)")
_PUNCT_RE = re.compile(r"[^\w\s()\-–—]")


def wire_credit(text: str, attribution: str | None = None) -> str | None:
    """The agency an article credits (canonical name such as ``"sana"``), or None."""
    if attribution:
        found = _CREDIT_RE.search(_PUNCT_RE.sub(" ", fold_arabic(attribution)))
        if found:
            return AGENCIES[found.group(1)]
    dateline = parse_dateline(text)
    if dateline is None:
        return None
    return next((a for a in map(agency_of, dateline.sources) if a), None)
