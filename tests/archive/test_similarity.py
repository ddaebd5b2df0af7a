"""Verification rules (pure): copies, partial reprints, and the guards against templates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from archive.fingerprint import fingerprint
from archive.similarity import (
    Features,
    Verifier,
    common_subsequence,
    containment,
    decode_numbers,
    encode_numbers,
    numbers_of,
)
from archive.wire import wire_credit
from tests.archive.test_store import WIRE, republished

T = datetime(2019, 3, 21, tzinfo=UTC)


def features(paragraphs: list[str], published: datetime | None = T) -> Features:
    fp = fingerprint("\n".join(paragraphs))
    assert fp.signature is not None
    return Features(fp.signature, fp.shingles, numbers_of(fp.key), published)


def test_copy_is_near_and_brief_is_partial() -> None:
    v = Verifier()
    orig, copy = features(WIRE), features(republished(WIRE))
    verdict = v.judge(orig, copy)
    assert verdict is not None
    assert verdict.kind == "near"
    assert verdict.similarity >= 0.5
    brief = features(WIRE[:6])
    for a, b, first in ((brief, orig, True), (orig, brief, False)):
        verdict = v.judge(a, b)
        assert verdict is not None
        assert (verdict.kind, verdict.first_is_partial) == ("partial", first)
        assert verdict.similarity >= 0.8


def test_date_window() -> None:
    v = Verifier()
    far = features(republished(WIRE), T + timedelta(days=31))
    assert v.judge(features(WIRE), far) is None
    assert v.judge(features(WIRE), features(republished(WIRE), None)) is not None
    assert Verifier(date_window=None).judge(features(WIRE), far) is not None


def test_number_guard_tells_updates_from_other_reports() -> None:
    base = [*WIRE[:-1], "وقتل 12 شخصاً وأصيب 30 آخرون في القصف على 4 بلدات."]
    updated = [*WIRE[:-1], "وقتل 17 شخصاً وأصيب 30 آخرون في القصف على 4 بلدات."]
    other_day = [*WIRE[:-1], "وقتل 9 أشخاص وأصيب 21 آخرون في القصف على 6 بلدات."]
    v = Verifier()
    assert v.judge(features(base), features(updated)) is not None  # one figure changed
    assert v.judge(features(base), features(other_day)) is None  # every figure differs
    assert Verifier(guards=False).judge(features(base), features(other_day)) is not None
    # Another day's report whose injured count equals this day's toll by chance: the
    # figures are compared in order, so the coincidence does not make it a copy.
    shuffled = [*WIRE[:-1], "وقتل 9 أشخاص وأصيب 12 آخرون في القصف على 7 بلدات."]
    assert v.judge(features(base), features(shuffled)) is None


def test_containment_estimate() -> None:
    # |S| = 40, |L| = 100, S inside L: J = 0.4, containment 1.
    assert containment(0.4, 40, 100) == pytest.approx(1.0)
    assert containment(0.0, 40, 100) == 0.0
    assert containment(0.5, 0, 100) == 0.0


def test_numbers_round_trip() -> None:
    nums = numbers_of("قتل 012 شخصا و 7 اخرين عام 2019 و 7")
    assert nums == ("12", "7", "2019", "7")
    assert encode_numbers(nums) == "12 7 2019 7"
    assert decode_numbers(encode_numbers(nums)) == nums
    assert decode_numbers(None) == ()
    assert common_subsequence(("5", "24", "90", "2016"), ("39", "24", "5", "2016")) == 2
    assert common_subsequence(("1", "2", "3"), ()) == 0


def test_thresholds_are_validated() -> None:
    with pytest.raises(ValueError, match="near_threshold"):
        Verifier(near_threshold=0)
    sig = np.zeros(128, np.uint32)
    assert Verifier().judge(Features(sig, 0, ()), Features(sig, 0, ())) is None


@pytest.mark.parametrize(
    ("text", "attribution", "agency"),
    [
        ("دمشق-سانا\nبدأت المؤسسة", None, "sana"),
        ("حلب-سانا-الجماهير: أعلنت", None, "sana"),
        ("بيروت – رويترز قال مسؤول", None, "reuters"),
        ("عمان (أ ف ب) - قال", None, "afp"),
        ("قال الرئيس", "وكالة رويترز", "reuters"),
        ("دمشق – (وكالات)\nباشرت المؤسسة", None, None),  # "agencies": a republication
        ("وقال مراسل سانا إن المؤسسة", None, None),  # a mention, not a dateline
        ("أكد وزير الخارجية الروسي", "وكالات", None),
    ],
)
def test_wire_credit(text: str, attribution: str | None, agency: str | None) -> None:
    assert wire_credit(text, attribution) == agency
