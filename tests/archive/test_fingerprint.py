from __future__ import annotations

import numpy as np
import xxhash
from datasketch import LeanMinHash, MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.fingerprint import (
    BANDS,
    MIN_KEY_CHARS,
    NUM_PERM,
    SEED,
    band_buckets,
    content_hash,
    estimated_jaccard,
    fingerprint,
    minhash_signature,
    shingles,
    signature_from_bytes,
    signature_to_bytes,
)

TEXT = (
    "أكد وزير الخارجية الروسي سيرغي لافروف أن دول الغرب تتعمد تجاهل استخدام التنظيمات "
    "الإرهابية سلاحاً كيميائياً في سورية، مشدداً على ضرورة مكافحة الإرهاب الكيميائي.\n"
    "وقال لافروف في كلمة خلال مؤتمر نزع السلاح في جنيف اليوم إن الدول الغربية تتجاهل هذه الحالات."
)


def datasketch_signature(items: set[str]) -> np.ndarray:
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32", hashfunc=xxhash.xxh32_intdigest)
    m.update_batch([s.encode("utf-8") for s in items])
    return m.hashvalues


@settings(max_examples=50, deadline=None)
@given(st.sets(st.text(min_size=1, max_size=12), max_size=300))
def test_signature_is_bit_identical_to_datasketch(items: set[str]) -> None:
    assert np.array_equal(minhash_signature(items), datasketch_signature(items))


def test_long_documents_are_chunked_identically() -> None:
    items = {f"shingle-{i}" for i in range(10_000)}
    assert np.array_equal(minhash_signature(items), datasketch_signature(items))


def test_signature_round_trips_through_bytes_and_leanminhash() -> None:
    sig = fingerprint(TEXT * 2).signature
    assert sig is not None
    assert np.array_equal(signature_from_bytes(signature_to_bytes(sig)), sig)
    lean = LeanMinHash(seed=SEED, hashvalues=sig, scheme="affine32")
    assert np.array_equal(lean.hashvalues, sig)


def test_house_style_copy_has_the_same_fingerprint() -> None:
    copy = TEXT.replace("سورية", "سوريا").replace("،", ",")
    assert fingerprint(copy).norm_hash == fingerprint(TEXT).norm_hash


def test_edited_copy_is_similar_unrelated_text_is_not() -> None:
    edited = TEXT.replace("اليوم", "أمس") + "\nوأضاف أن بلاده لن تنجر إلى سباق تسلح."
    a, b = fingerprint(TEXT), fingerprint(edited)
    other = fingerprint("أعلنت وزارة الزراعة عن خطة لدعم مزارعي القمح في المنطقة الشرقية " * 5)
    assert a.signature is not None
    assert b.signature is not None
    assert other.signature is not None
    assert estimated_jaccard(a.signature, b.signature) > 0.6
    assert estimated_jaccard(a.signature, other.signature) < 0.1
    assert set(a.buckets) & set(b.buckets)
    assert not set(a.buckets) & set(other.buckets)


def test_short_texts_get_no_signature() -> None:
    fp = fingerprint("خبر قصير")
    assert len(fp.key) < MIN_KEY_CHARS
    assert fp.signature is None
    assert fp.buckets == []


def test_buckets_fit_signed_bigint() -> None:
    sig = fingerprint(TEXT).signature
    assert sig is not None
    buckets = band_buckets(sig)
    assert len(buckets) == BANDS
    assert all(-(2**63) <= b < 2**63 for _, b in buckets)


def test_shingles() -> None:
    assert shingles("abcdefghijk", 9) == {"abcdefghi", "bcdefghij", "cdefghijk"}
    assert shingles("abc", 9) == {"abc"}
    assert shingles("", 9) == set()


def test_content_hash_ignores_whitespace_only() -> None:
    base = content_hash("عنوان", "سطر أول\nسطر ثان")
    assert content_hash(" عنوان ", "سطر  أول\n\n  سطر ثان ") == base
    assert content_hash("عنوان", "سطر أول\nسطر ثالث") != base
    assert content_hash("عنوان آخر", "سطر أول\nسطر ثان") != base
