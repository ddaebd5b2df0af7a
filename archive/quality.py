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

# Runs of Arabic-script letters: the main block's letters, its supplement and extended-A, and
# the presentation forms (one match per word, not per letter, keeps counting fast).
_ARABIC_LETTERS_RE = re.compile(
    "[\u0620-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06ee-\u06ef\u06fa-\u06ff"
    "\u0750-\u077f\u08a0-\u08c9\ufb50-\ufd3d\ufd50-\ufdfb\ufe70-\ufefc]+"
)
# Letter shapes only (the word ligatures U+FDF0–U+FDFF, such as ﷺ and ﷲ, are written on
# purpose and are not PDF damage).
_PRESENTATION_RE = re.compile("[\ufb50-\ufd3d\ufd50-\ufdef\ufe70-\ufefc]+")
# Function words as written, and their mirror images ("يف" for "في").
_FUNCTION_WORDS = frozenset(
    {"في", "من", "على", "علی", "إلى", "الى", "عن", "التي", "الذي", "هذا", "ذلك"}
)
_REVERSED_WORDS = frozenset(w[::-1] for w in _FUNCTION_WORDS) - _FUNCTION_WORDS
_WORD_RE = re.compile(r"\w+")
# Reversed order shows from the first paragraphs on: read this much of the text for it.
_ORDER_SAMPLE = 2000


@dataclass(frozen=True, slots=True)
class Quality:
    flags: tuple[str, ...]  # in the order of FLAGS; () when the text is fine
    arabic_share: float | None  # Arabic letters / all letters; None without letters

    @property
    def stored_flags(self) -> str | None:
        """``article_versions.quality_flags``: the flags joined with spaces, or NULL."""
        return join_flags(self.flags)


def _count(pattern: re.Pattern[str], text: str) -> int:
    """Characters of ``text`` in matches of ``pattern``."""
    return sum(map(len, pattern.findall(text)))


def _letters(text: str) -> tuple[int, int]:
    """(letters, Arabic-script letters) of ``text``. One regex pass removes the Arabic runs;
    only what remains (little, in an Arabic text) is counted character by character."""
    rest = _ARABIC_LETTERS_RE.sub("", text)
    arabic = len(text) - len(rest)
    return arabic + sum(map(str.isalpha, rest)), arabic


def arabic_share(text: str) -> float | None:
    """Share of Arabic-script letters among the letters of ``text`` (None: no letters)."""
    letters, arabic = _letters(text)
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
    presentation = _count(_PRESENTATION_RE, text)
    if presentation >= MIN_PRESENTATION:
        arabic = _count(_ARABIC_LETTERS_RE, text)
        if presentation >= MIN_PRESENTATION_SHARE * arabic:
            return True
    words = _WORD_RE.findall(text[:_ORDER_SAMPLE])
    reversed_ = sum(1 for w in words if w in _REVERSED_WORDS)
    forward = sum(1 for w in words if w in _FUNCTION_WORDS)
    return reversed_ >= MIN_REVERSED and reversed_ > forward


def assess(text: str, declared_language: str | None = None, title: str | None = None) -> Quality:
    """The quality flags of a cleaned text (see the module docstring)."""
    letters, arabic = _letters(text)
    share = arabic / letters if letters else None
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
