"""Text-quality flags: texts that are stored but kept out of duplicate detection.

Two flags (``docs/extraction.md#quality-flags``), both pure functions of the cleaned text:

* ``low_quality``: a page that should be Arabic (it declares ``lang="ar"``, or declares
  nothing and has an Arabic title) whose text is mostly not Arabic script: fewer than
  :data:`MIN_ARABIC_SHARE` of its letters are Arabic (spam copies of a site that are walls of
  random Latin letters, a template filled with placeholder text).
* ``visual_order_suspect``: text copied out of a PDF in display form: many Arabic
  presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFC; NFKC folds the letter shapes but cannot
  restore the order), or function words that read reversed ("يف" for "في").

Flagged texts are stored as usual (``article_versions.quality_flags``) but never enter the
duplicate index: junk is not a story, and two pages of junk are not copies of each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from archive.normalize import fold_arabic

LOW_QUALITY = "low_quality"
VISUAL_ORDER_SUSPECT = "visual_order_suspect"
FLAGS = (LOW_QUALITY, VISUAL_ORDER_SUSPECT)

# Below this share of Arabic letters (among all letters) an Arabic page's text is junk.
MIN_ARABIC_SHARE = 0.3
# Too few letters to judge: no flag.
MIN_LETTERS = 20
# Presentation forms: at least this many, and this share of the Arabic letters.
MIN_PRESENTATION = 5
MIN_PRESENTATION_SHARE = 0.1
# Reversed function words: at least this many, and more than the ones read the right way.
MIN_REVERSED = 3

# Arabic script letters: the main block, its supplements and extended-A, presentation forms.
_ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFC),
)
# Letter shapes only (the word ligatures U+FDF0–U+FDFF, such as ﷺ and ﷲ, are written on
# purpose and are not PDF damage).
_PRESENTATION_RANGES = ((0xFB50, 0xFDEF), (0xFE70, 0xFEFC))
# Function words as folded keys (archive.normalize.fold_arabic), and their mirror images.
_FUNCTION_WORDS = frozenset({"في", "من", "علي", "الي", "عن", "التي", "الذي", "هذا", "هذه"})
_REVERSED_WORDS = frozenset(w[::-1] for w in _FUNCTION_WORDS)
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Quality:
    flags: tuple[str, ...]  # in the order of FLAGS; () when the text is fine
    arabic_share: float | None  # Arabic letters / all letters; None without letters

    @property
    def stored_flags(self) -> str | None:
        """``article_versions.quality_flags``: the flags joined with spaces, or NULL."""
        return join_flags(self.flags)


def _in(code: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(lo <= code <= hi for lo, hi in ranges)


def arabic_share(text: str) -> float | None:
    """Share of Arabic-script letters among the letters of ``text`` (None: no letters)."""
    letters = arabic = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if _in(ord(ch), _ARABIC_RANGES):
                arabic += 1
    return arabic / letters if letters else None


def expects_arabic(declared_language: str | None, title: str | None = None) -> bool:
    """Whether the page says it is Arabic: ``lang="ar"``, or no declaration and a mostly
    Arabic title."""
    if declared_language:
        return declared_language.split("-")[0].strip().lower() == "ar"
    share = arabic_share(title or "")
    return share is not None and share >= 0.5


def is_visual_order(text: str) -> bool:
    """Arabic in display (PDF) form: presentation forms, or reversed function words."""
    arabic = presentation = 0
    for ch in text:
        code = ord(ch)
        if ch.isalpha() and _in(code, _ARABIC_RANGES):
            arabic += 1
            if _in(code, _PRESENTATION_RANGES):
                presentation += 1
    if presentation >= MIN_PRESENTATION and presentation >= MIN_PRESENTATION_SHARE * arabic:
        return True
    words = _WORD_RE.findall(fold_arabic(text))
    reversed_ = sum(1 for w in words if w in _REVERSED_WORDS and w not in _FUNCTION_WORDS)
    forward = sum(1 for w in words if w in _FUNCTION_WORDS)
    return reversed_ >= MIN_REVERSED and reversed_ > forward


def assess(text: str, declared_language: str | None = None, title: str | None = None) -> Quality:
    """The quality flags of a cleaned text (see the module docstring)."""
    share = arabic_share(text)
    letters = sum(1 for ch in text if ch.isalpha())
    flags: list[str] = []
    if (
        share is not None
        and letters >= MIN_LETTERS
        and share < MIN_ARABIC_SHARE
        and expects_arabic(declared_language, title)
    ):
        flags.append(LOW_QUALITY)
    if is_visual_order(text):
        flags.append(VISUAL_ORDER_SUSPECT)
    return Quality(tuple(flags), None if share is None else round(share, 4))


def join_flags(flags: Iterable[str]) -> str | None:
    """Flags as stored: space-separated in the order of :data:`FLAGS`, None when none."""
    wanted = set(flags)
    unknown = wanted - set(FLAGS)
    if unknown:
        raise ValueError(f"unknown quality flag(s): {', '.join(sorted(unknown))}")
    return " ".join(f for f in FLAGS if f in wanted) or None


def dedup_eligible(stored_flags: str | None) -> bool:
    """Whether a version with these stored flags may enter the duplicate index."""
    return not stored_flags
