"""Arabic-aware normalisation for matching keys and fingerprints.

Nothing here is ever applied to stored text: the archive keeps the author's spelling.
These functions build *keys*: for boilerplate matching (:func:`fold_arabic`) and for
duplicate detection (:func:`dedup_key`). Both are pure and idempotent.

``NORM_VERSION`` is stored next to every fingerprint; bump it whenever the output of
:func:`dedup_key` changes for any input, so stored fingerprints can be recomputed.
"""

from __future__ import annotations

import functools
import re
import unicodedata

NORM_VERSION = 1

# Format and bidi controls that break equality without changing what a reader sees:
# ZWSP..RLM, LRE..RLO, LRI..PDI, ALM, BOM, soft hyphen, word joiner.
_CONTROLS = dict.fromkeys(
    [
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x2060,
        0x061C,
        0xFEFF,
        0x00AD,
    ],
    None,
)
_TATWEEL = "\u0640"
# Harakat, tanwin, shadda, sukun, Quranic annotation marks and the superscript alef.
_DIACRITICS_RE = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]"
)
_LETTER_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",  # hamza/madda/wasla carriers on alef
        "ى": "ي",
        "ی": "ي",  # alef maksura, Farsi yeh
        "ک": "ك",  # Farsi keheh
        "ة": "ه",  # teh marbuta
        "ؤ": "و",
        "ئ": "ي",  # hamza on waw / yeh: spelled both ways across outlets
    }
)
_DIGITS = str.maketrans(
    {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)}}
)
# Every per-character step of the full fold in one table (controls, tatweel and diacritics
# removed, letters and digits folded): no step's output is another step's input, so one
# ``str.translate`` pass gives what the steps one after the other gave, at a third of the
# cost. tests/archive/test_normalize.py checks it against the steps.
_FOLD_TABLE: dict[int, str | None] = {
    **_CONTROLS,
    ord(_TATWEEL): None,
    **{cp: None for cp in range(0x0600, 0x0700) if _DIACRITICS_RE.fullmatch(chr(cp))},
    **_LETTER_FOLD,
    **_DIGITS,
}
_WS_RE = re.compile(r"\s+")
_NON_WORD_RE = re.compile(r"[^\w\s]|_")
# Lines up to this length are folded through a cache: boilerplate lines repeat across pages,
# and cleaning, the search document and the dedup key fold the same lines of a page.
_CACHED_LINE = 500

# House-style lexical variants (applied to folded text, dedup keys only).
# Government outlets write "سورية" and "الأميركية"; others "سوريا" and "الأمريكية".
# Only the country name is mapped: the adjective "السورية" (Syrian) is left alone.
_HOUSE_STYLE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!\w)([وفبلك]{0,2})سوريه(?!\w)"), r"\1سوريا"),
    (re.compile(r"اميرك"), "امريك"),
)


# Characters any of the folding steps below can change (everything else only needs lower()).
_FOLDABLE_RE = re.compile(
    "[\u0600-\u06ff\u00ad\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)


def strip_controls(text: str) -> str:
    """Remove bidi/format controls (RLM, ZWJ, BOM, ...). Safe for keys, lossy for display."""
    return text.translate(_CONTROLS)


def fold_arabic(text: str) -> str:
    """Matching key for one line: NFKC, no controls/tatweel/diacritics, folded letters,
    ASCII digits, lower case, collapsed whitespace. Punctuation is kept."""
    if len(text) <= _CACHED_LINE:
        return _fold_line(text)
    return _fold(text)


def _fold(text: str) -> str:
    if text.isascii():  # fast path: nothing to fold but case and spaces
        return _WS_RE.sub(" ", text.lower()).strip()
    text = unicodedata.normalize("NFKC", text)
    if _FOLDABLE_RE.search(text):  # Arabic script or controls: the full fold
        text = text.translate(_FOLD_TABLE)
    return _WS_RE.sub(" ", text.lower()).strip()


_fold_line = functools.lru_cache(maxsize=4096)(_fold)


def dedup_key(text: str) -> str:
    """The text as duplicate detection sees it (see ``docs/dedup.md``).

    Lines are folded with :func:`fold_arabic`, house-style variants mapped to one form,
    punctuation removed, and a line that repeats an earlier line is dropped (extractors
    sometimes emit a paragraph twice). Lines are joined with single spaces.
    """
    seen: set[str] = set()
    out: list[str] = []
    for raw_line in text.splitlines():
        line = fold_arabic(raw_line)
        for pattern, repl in _HOUSE_STYLE:
            line = pattern.sub(repl, line)
        line = _WS_RE.sub(" ", _NON_WORD_RE.sub(" ", line)).strip()
        if line and line not in seen:
            seen.add(line)
            out.append(line)
    return " ".join(out)


def search_key(text: str) -> str:
    """The words of ``text`` as full-text search indexes and queries them (``archive.search``).

    The same folding as :func:`dedup_key` (so a search matches across every spelling variant
    duplicate detection ignores), but every line is kept: search positions and phrase
    matches must not depend on an earlier line repeating.
    """
    out: list[str] = []
    for raw_line in text.splitlines():
        line = fold_arabic(raw_line)
        for pattern, repl in _HOUSE_STYLE:
            line = pattern.sub(repl, line)
        line = _WS_RE.sub(" ", _NON_WORD_RE.sub(" ", line)).strip()
        if line:
            out.append(line)
    return " ".join(out)
