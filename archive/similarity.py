"""Verification of near-duplicate candidates: is this a copy, a partial reprint, or neither?

Pure functions over small per-article features, so the same rules run inside the ingest
transaction (:mod:`archive.dedup`), in ``arshif dedup rebuild`` and in the quality
benchmark (``bench/dedup_quality.py``). The LSH index only proposes candidates; these rules
decide. ``docs/dedup.md`` gives the measurements behind every number here.

Guards against merging different reports that share a template (daily casualty tolls,
exchange-rate bulletins) or an event (two outlets' own articles on one attack):

* **publication dates**: two dated articles more than :attr:`Verifier.date_window` apart
  are never copies of each other;
* **number agreement**: the numbers of two copies agree, in the same order (a republished
  toll keeps its toll, an update changes one figure, a dropped paragraph drops its figures);
  two reports from one template have other figures in the same places. Let ``I`` be the
  longest common subsequence of the two texts' number sequences and ``D`` the numbers of the
  shorter sequence outside it. Two texts are different reports when
  ``D >= min_disagreeing_numbers`` and ``I / (I + D) < min_number_agreement``.

Partial reprints (a brief that is the first part of a longer article) are told from copies
by size: when the shorter text has at most :attr:`Verifier.partial_max_ratio` of the longer
one's shingles, the pair is a partial reprint if the shorter text's estimated containment in
the longer one reaches :attr:`Verifier.partial_containment`, and nothing otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from archive.fingerprint import Signature, estimated_jaccard

_NUMBER_RE = re.compile(r"\d+", re.ASCII)

Kind = Literal["near", "partial"]


# Numbers kept per text for the agreement guard (enough for any news article's figures).
MAX_NUMBERS = 64


def numbers_of(key: str) -> tuple[str, ...]:
    """The numbers of a dedup key in text order (digits are ASCII there), leading zeros
    dropped, at most :data:`MAX_NUMBERS`."""
    return tuple(n.lstrip("0") or "0" for n in _NUMBER_RE.findall(key)[:MAX_NUMBERS])


def encode_numbers(numbers: tuple[str, ...]) -> str:
    """Storage form of :func:`numbers_of`: space-separated (``fingerprints.numbers``)."""
    return " ".join(numbers)


def decode_numbers(stored: str | None) -> tuple[str, ...]:
    return tuple(stored.split()) if stored else ()


def common_subsequence(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """Length of the longest common subsequence of two number sequences."""
    if len(a) < len(b):
        a, b = b, a
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


@dataclass(frozen=True, slots=True)
class Features:
    """What verification knows about one article."""

    signature: Signature
    shingles: int  # distinct shingles of the dedup key
    numbers: tuple[str, ...]  # in text order
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: Kind
    # near: estimated Jaccard similarity; partial: estimated containment of the shorter
    # text in the longer one.
    similarity: float
    # partial only: True when the *first* argument of :meth:`Verifier.judge` is the
    # shorter text (the partial reprint), False when the second one is.
    first_is_partial: bool = False


@dataclass(frozen=True, slots=True)
class Verifier:
    """The verification rules and their thresholds (defaults: ``docs/dedup.md``)."""

    near_threshold: float = 0.5
    partial_containment: float = 0.8
    partial_max_ratio: float = 0.6
    date_window: timedelta | None = timedelta(days=30)
    min_disagreeing_numbers: int = 2
    min_number_agreement: float = 0.75
    guards: bool = True  # False: Jaccard/containment only (for measuring the guards)

    def __post_init__(self) -> None:
        for name in ("near_threshold", "partial_containment", "partial_max_ratio"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value!r}")

    def judge(self, a: Features, b: Features) -> Verdict | None:
        """The relation between two articles' texts, or None when they are different texts."""
        if self.guards and not self._dates_agree(a, b):
            return None
        jaccard = estimated_jaccard(a.signature, b.signature)
        small, large = (a, b) if a.shingles <= b.shingles else (b, a)
        if small.shingles <= self.partial_max_ratio * large.shingles:
            contained = containment(jaccard, small.shingles, large.shingles)
            if contained < self.partial_containment or self._numbers_disagree(small, large):
                return None
            return Verdict("partial", contained, first_is_partial=small is a)
        if jaccard < self.near_threshold or self._numbers_disagree(a, b):
            return None
        return Verdict("near", jaccard)

    def _dates_agree(self, a: Features, b: Features) -> bool:
        if self.date_window is None or a.published_at is None or b.published_at is None:
            return True
        return abs(a.published_at - b.published_at) <= self.date_window

    def _numbers_disagree(self, a: Features, b: Features) -> bool:
        if not self.guards:
            return False
        shared = common_subsequence(a.numbers, b.numbers)
        differ = min(len(a.numbers), len(b.numbers)) - shared
        return differ >= self.min_disagreeing_numbers and (
            shared / (shared + differ) < self.min_number_agreement
        )


def containment(jaccard: float, small: int, large: int) -> float:
    """|S ∩ L| / |S| estimated from the Jaccard similarity and the two set sizes:
    |S ∩ L| = J (|S| + |L|) / (1 + J)."""
    if small <= 0:
        return 0.0
    return min(1.0, jaccard * (small + large) / ((1.0 + jaccard) * small))
