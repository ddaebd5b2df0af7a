from __future__ import annotations

import numpy as np
import pytest
import xxhash
from datasketch import LeanMinHash, MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.fingerprint import (
    LEAD_BAND_OFFSET,
    PARAMS,
    MinHashParams,
    band_buckets,
    content_hash,
    estimated_jaccard,
    fingerprint,
    key_signature,
    minhash_signature,
    permutations,
    shingles,
    signature_from_bytes,
    signature_to_bytes,
)
from archive.normalize import NORM_VERSION

NUM_PERM, SEED = PARAMS.num_perm, PARAMS.seed

TEXT = (
    "أكد وزير الخارجية الروسي سيرغي لافروف أن دول الغرب تتعمد تجاهل استخدام التنظيمات "
    "الإرهابية سلاحاً كيميائياً في سورية، مشدداً على ضرورة مكافحة الإرهاب الكيميائي.\n"
    "وقال لافروف في كلمة خلال مؤتمر نزع السلاح في جنيف اليوم إن الدول الغربية تتجاهل هذه الحالات."
)


def datasketch_signature(items: set[str], num_perm: int = NUM_PERM) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=SEED, scheme="affine32", hashfunc=xxhash.xxh32_intdigest)
    m.update_batch([s.encode("utf-8") for s in items])
    return m.hashvalues


@pytest.mark.parametrize(("num_perm", "seed"), [(NUM_PERM, SEED), (1, 0), (64, 1), (256, 2**31)])
def test_permutations_are_datasketch_affine32_permutations(num_perm: int, seed: int) -> None:
    a, b = permutations(num_perm, seed)
    expected = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert a.dtype == b.dtype == np.uint32
    assert np.array_equal(a, expected[0])
    assert np.array_equal(b, expected[1])


def test_fingerprints_do_not_import_datasketch() -> None:
    """datasketch imports SciPy (~0.7 s): a crawl and its extraction workers must not pay it."""
    import subprocess
    import sys

    code = (
        "import sys; from archive.fingerprint import fingerprint; fingerprint('نص ' * 40); "
        "sys.exit('datasketch' in sys.modules or 'scipy' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# Arabic letters and marks, ASCII, 3-byte (CJK, Arabic presentation forms) and 4-byte
# (emoji, mathematical letters) characters: every UTF-8 length and every xxh32 code path
# (inputs shorter and longer than 16 bytes, with 0-3 trailing bytes).
_TEXT = st.text(
    alphabet=st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةى ًٌٍَُِّْـ0123456789 abcxyz中文ﻻ𝕏😀")),
    max_size=400,
)


@settings(max_examples=150, deadline=None)
@given(_TEXT, st.sampled_from([1, 3, 5, 9, 12]))
def test_fast_signature_is_bit_identical_to_datasketch(key: str, k: int) -> None:
    sig, count = key_signature(key, k)
    assert np.array_equal(sig, datasketch_signature(set(shingles(key, k))))
    assert np.array_equal(sig, minhash_signature(shingles(key, k)))
    assert count == len(shingles(key, k))


def test_fast_signature_on_real_text_and_other_permutation_counts() -> None:
    key = fingerprint(TEXT * 3).key
    for num_perm in (60, 128, 256):
        sig, _ = key_signature(key, 9, num_perm)
        assert np.array_equal(sig, datasketch_signature(shingles(key, 9), num_perm))


def test_method_records_every_parameter() -> None:
    method = PARAMS.method
    assert method.startswith("minhash:affine32:p128:s1:xxh32:char9:")
    assert f"norm{NORM_VERSION}" in method
    assert f"b{PARAMS.bands}r{PARAMS.rows}" in method
    assert len(method) <= 120  # fits fingerprints.method
    assert MinHashParams(bands=16, rows=8).method != method


def test_params_are_validated() -> None:
    with pytest.raises(ValueError, match="exceed"):
        MinHashParams(bands=40, rows=4)


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
    assert len(fp.key) < PARAMS.min_key_chars
    assert fp.signature is None
    assert fp.buckets == []


def test_buckets_fit_signed_bigint() -> None:
    sig = fingerprint(TEXT).signature
    assert sig is not None
    buckets = band_buckets(sig)
    assert len(buckets) == PARAMS.bands
    assert all(-(2**63) <= b < 2**63 for _, b in buckets)
    fp = fingerprint(TEXT)
    lead = [band for band, _ in fp.buckets if band >= LEAD_BAND_OFFSET]
    assert len(fp.buckets) == PARAMS.bands + PARAMS.lead_bands
    assert lead == list(range(LEAD_BAND_OFFSET, LEAD_BAND_OFFSET + PARAMS.lead_bands))


def test_shingles() -> None:
    assert shingles("abcdefghijk", 9) == {"abcdefghi", "bcdefghij", "cdefghijk"}
    assert shingles("abc", 9) == {"abc"}
    assert shingles("", 9) == set()


def test_content_hash_ignores_whitespace_only() -> None:
    base = content_hash("عنوان", "سطر أول\nسطر ثان")
    assert content_hash(" عنوان ", "سطر  أول\n\n  سطر ثان ") == base
    assert content_hash("عنوان", "سطر أول\nسطر ثالث") != base
    assert content_hash("عنوان آخر", "سطر أول\nسطر ثان") != base
