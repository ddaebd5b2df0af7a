"""What counts as a change: the change key of a version, and its hash.

Two fetches of an article are the same version when their *change keys* are equal. The key
is built from the cleaned title and text (after :mod:`archive.clean` removed boilerplate
lines) and ignores what a reader would not call an edit:

* whitespace of any kind and amount, including line and paragraph breaks (a paragraph
  re-wrapped or split by the CMS is not an edit);
* spacing around punctuation ("قال ، إن" = "قال، إن", "( 3 )" = "(3)");
* invisible formatting characters (bidi marks LRM/RLM/ALM, embeddings and isolates,
  zero-width space/joiners, BOM, soft hyphen) and tatweel (kashida);
* compatibility forms (NFKC: Arabic presentation forms, full-width characters, NBSP);
* lines that are only a volatile counter or stamp: view, comment or share counters
  ("عدد المشاهدات: 1234", "1,234 مشاهدة", "Views: 12"), relative times ("منذ 3 ساعات",
  "قبل 5 دقائق", "2 hours ago") and "last updated" stamps ("آخر تحديث: …", "Updated: …").

Everything else is an edit: a changed number, word, spelling, diacritic or quotation mark.
The stored text is never altered; the key exists only to be compared.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["CHANGE_KEY_VERSION", "change_hash", "change_key"]

# Bump when the key changes. Ingest compares keys recomputed from the stored text, so a
# new key never turns old versions into false edits.
CHANGE_KEY_VERSION = 1

_INVISIBLE = re.compile(
    "[\u00ad\u061c\u0640\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_SPACE = re.compile(r"\s+")
# Spaces next to punctuation: before closing/separating marks, after opening ones.
_SPACE_BEFORE = re.compile(r" (?=[.,;:!?،؛؟…)\]}»”’%\-–—/])")
_SPACE_AFTER = re.compile(r"(?<=[(\[{«“‘\-–—/]) ")
_DIGITS = r"[\d٠-٩۰-۹][\d٠-٩۰-۹,.،٬٫]*"
_COUNTED = (
    r"(?:عدد\s+)?(?:ال)?(?:مشاهدات|مشاهدة|مشاهده|المشاهدات|قراءات|قراءة|تعليقات|تعليق|مشاركات"
    r"|مشاركة|زيارات|زيارة|اعجاب|إعجاب|views?|reads?|comments?|shares?|likes?|visits?)"
)
_UNIT = (
    r"(?:ثانية|ثوان|ثواني|ثانيتين|دقيقة|دقائق|دقيقتين|ساعة|ساعات|ساعتين|يوم|أيام|ايام|يومين"
    r"|أسبوع|أسابيع|اسبوع|اسابيع|أسبوعين|شهر|أشهر|شهور|شهرين|سنة|سنوات|سنتين|عام|أعوام|عامين)"
)
_VOLATILE = re.compile(
    rf"""^\W*(?:
        {_COUNTED}\W*{_DIGITS}\W*{_COUNTED}?            # "عدد المشاهدات: 1234", "Views: 12"
      | {_DIGITS}\s*{_COUNTED}                          # "1,234 مشاهدة", "12 comments"
      | (?:منذ|قبل)\s+(?:{_DIGITS}\s+)?{_UNIT}          # "منذ 3 ساعات", "قبل دقيقتين"
      | {_DIGITS}\s+(?:seconds?|minutes?|hours?|days?|weeks?)\s+ago
      | (?:اخر|آخر)\s+تحديث\W.{{0,60}}                   # "آخر تحديث: 29 أيار 2019 09:15"
      | (?:last\s+)?updated?\W.{{0,60}}
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)
_MAX_VOLATILE_WORDS = 8


def is_volatile(line: str) -> bool:
    """Whether a line of text is only a counter or a time stamp (ignored by the key)."""
    line = _INVISIBLE.sub("", unicodedata.normalize("NFKC", line)).strip()
    return len(line.split()) <= _MAX_VOLATILE_WORDS and _VOLATILE.match(line) is not None


def change_key(title: str | None, text: str) -> str:
    """The text two fetches are compared on (see the module docstring)."""
    lines = [_key_line(line) for line in text.splitlines() if not is_volatile(line)]
    body = " ".join(line for line in lines if line)
    return f"{_key_line(title or '')}\n{body}"


def change_hash(title: str | None, text: str) -> str:
    """sha256 of :func:`change_key`: what ``article_versions.content_hash`` stores."""
    return hashlib.sha256(change_key(title, text).encode("utf-8")).hexdigest()


def _key_line(line: str) -> str:
    line = _INVISIBLE.sub("", unicodedata.normalize("NFKC", line))
    line = _SPACE.sub(" ", line).strip()
    line = _SPACE_BEFORE.sub("", line)
    return _SPACE_AFTER.sub("", line)
