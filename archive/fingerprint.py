"""Fingerprints of article text: change hashes, exact-duplicate keys, MinHash signatures.

All functions are pure. The MinHash parameters live in one :class:`MinHashParams` value
(:data:`PARAMS`, chosen by measurement: ``docs/dedup.md``) whose :attr:`~MinHashParams.method`
string is stored with every signature, so a later change of parameters or of the normaliser
can tell old signatures from new ones (``arshif dedup rebuild`` recomputes them).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import xxhash

from archive.normalize import NORM_VERSION, dedup_key

Signature = npt.NDArray[np.uint32]

# Band numbers of the lead index start here in ``lsh_bands`` (the full-text index uses
# 0 .. bands-1), so one table and one query serve both.
LEAD_BAND_OFFSET = 100


@dataclass(frozen=True, slots=True)
class MinHashParams:
    """Everything that determines a stored signature and its LSH buckets."""

    shingle_chars: int = 9
    num_perm: int = 128
    seed: int = 1
    # Full-text LSH index: ``bands`` bands of ``rows`` signature values.
    bands: int = 32
    rows: int = 4
    # Lead index (partial reprints): a signature of the first ``lead_chars`` characters of
    # the key, banded ``lead_bands`` x ``lead_rows``.
    lead_chars: int = 300
    lead_perm: int = 60
    lead_bands: int = 12
    lead_rows: int = 5
    # Texts whose dedup key is shorter than this get no signature (too little evidence).
    min_key_chars: int = 200

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"{self.bands} bands x {self.rows} rows exceed {self.num_perm} perms")
        if self.lead_bands * self.lead_rows > self.lead_perm:
            raise ValueError("lead bands x rows exceed the lead permutations")
        if self.bands > LEAD_BAND_OFFSET:
            raise ValueError(f"at most {LEAD_BAND_OFFSET} bands")

    @property
    def method(self) -> str:
        """The parameters as stored in ``fingerprints.method``."""
        return (
            f"minhash:affine32:p{self.num_perm}:s{self.seed}:xxh32:char{self.shingle_chars}"
            f":norm{NORM_VERSION}:b{self.bands}r{self.rows}"
            f":lead{self.lead_chars}p{self.lead_perm}b{self.lead_bands}r{self.lead_rows}"
        )


PARAMS = MinHashParams()

_WS_RE = re.compile(r"\s+")
_CHUNK = 4096
_PERMS: dict[tuple[int, int], tuple[Signature, Signature]] = {}


def content_hash(title: str | None, text: str) -> str:
    """What change detection compares: title and text with whitespace runs collapsed."""
    norm_title = _WS_RE.sub(" ", title or "").strip()
    lines = (_WS_RE.sub(" ", line).strip() for line in text.splitlines())
    norm_text = "\n".join(line for line in lines if line)
    return hashlib.sha256(f"{norm_title}\n\n{norm_text}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TextFingerprint:
    key: str  # the dedup key (normalised text)
    norm_hash: str  # exact-duplicate key
    signature: Signature | None  # None when the text is too short for near-duplicate checks
    shingles: int = 0  # distinct shingles of the key
    lead_signature: Signature | None = None
    params: MinHashParams = field(default=PARAMS, repr=False)

    @property
    def buckets(self) -> list[tuple[int, int]]:
        """(band, bucket) rows of the LSH index: full-text bands, then lead bands."""
        if self.signature is None:
            return []
        p = self.params
        out = band_buckets(self.signature, p.bands, p.rows)
        if self.lead_signature is not None:
            out += band_buckets(self.lead_signature, p.lead_bands, p.lead_rows, LEAD_BAND_OFFSET)
        return out


def fingerprint(text: str, params: MinHashParams = PARAMS) -> TextFingerprint:
    return fingerprint_key(dedup_key(text), params)


def fingerprint_key(key: str, params: MinHashParams = PARAMS) -> TextFingerprint:
    norm_hash = xxhash.xxh3_128_hexdigest(key.encode("utf-8"))
    if len(key) < params.min_key_chars:
        return TextFingerprint(key=key, norm_hash=norm_hash, signature=None, params=params)
    k = params.shingle_chars
    sig, count = key_signature(key, k, params.num_perm, params.seed)
    lead = None
    if params.lead_bands:
        lead, _ = key_signature(key[: params.lead_chars], k, params.lead_perm, params.seed)
    return TextFingerprint(key, norm_hash, sig, count, lead, params)


def shingles(key: str, k: int = PARAMS.shingle_chars) -> set[str]:
    """Character k-grams of a dedup key (the whole key if it is shorter than k)."""
    if len(key) <= k:
        return {key} if key else set()
    return {key[i : i + k] for i in range(len(key) - k + 1)}


def permutations(
    num_perm: int = PARAMS.num_perm, seed: int = PARAMS.seed
) -> tuple[Signature, Signature]:
    """datasketch's affine32 permutations ``(a, b)`` for ``(num_perm, seed)``: computing
    with them keeps our signatures bit-identical to ``MinHash.update_batch``.

    Drawn as datasketch 2.x draws them (``MinHash._init_permutations``: an odd ``a`` and a
    ``b`` from ``RandomState(seed)``) rather than by building a ``MinHash``: importing
    datasketch pulls in SciPy (about 0.7 s in every crawl and worker process).
    ``tests/archive/test_fingerprint.py`` checks them against datasketch's own."""
    cached = _PERMS.get((num_perm, seed))
    if cached is None:
        gen = np.random.RandomState(seed)
        a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
        cached = _PERMS[(num_perm, seed)] = (a, b)
    return cached


def key_signature(
    key: str,
    k: int = PARAMS.shingle_chars,
    num_perm: int = PARAMS.num_perm,
    seed: int = PARAMS.seed,
) -> tuple[Signature, int]:
    """MinHash over the character ``k``-grams of ``key`` and the number of distinct k-grams.

    Bit-identical to :func:`minhash_signature` of :func:`shingles` (and so to datasketch),
    computed in one compiled pass over the key's UTF-8 bytes (:mod:`archive.minhash_kernel`).
    """
    from archive import minhash_kernel

    raw = key.encode("utf-8")
    buf = np.frombuffer(raw, dtype=np.uint8)
    # Byte offset of every character (UTF-8 continuation bytes are 10xxxxxx), then the end.
    starts = np.append(np.flatnonzero((buf & 0xC0) != 0x80), len(raw)).astype(np.int64)
    a, b = permutations(num_perm, seed)
    sig, hashes = minhash_kernel.signature(buf, starts, k, a, b)
    # Distinct k-grams, counted as distinct 32-bit hashes (a collision among a few thousand
    # k-grams is a one-in-thousands event and moves the count by one).
    distinct = int(np.count_nonzero(np.diff(np.sort(hashes)))) + 1 if hashes.size else 0
    return sig, distinct


def minhash_signature(
    items: set[str], num_perm: int = PARAMS.num_perm, seed: int = PARAMS.seed
) -> Signature:
    """Reference implementation: MinHash over ``items``, identical to datasketch's
    ``MinHash(num_perm, seed, scheme="affine32", hashfunc=xxh32_intdigest).update_batch``,
    with the base hashes computed one string at a time. :func:`key_signature` is the fast
    path; this one is kept to test it against."""
    a, b = (p.reshape(-1, 1) for p in permutations(num_perm, seed))
    sig = np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    if not items:
        return sig
    hv = np.fromiter(
        (xxhash.xxh32_intdigest(s.encode("utf-8")) for s in items),
        dtype=np.uint32,
        count=len(items),
    )
    hv = _fmix32(hv)
    for start in range(0, hv.size, _CHUNK):
        block = hv[start : start + _CHUNK].reshape(1, -1)
        np.minimum(sig, (a * block + b).min(axis=1), out=sig)
    return sig


def _fmix32(hv: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before permuting."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def band_buckets(
    sig: Signature, bands: int = PARAMS.bands, rows: int = PARAMS.rows, offset: int = 0
) -> list[tuple[int, int]]:
    """(band, bucket) pairs of the LSH index: a 64-bit hash of each band's rows, as a
    signed integer so it fits a SQL BIGINT; band numbers start at ``offset``."""
    out = []
    for band in range(bands):
        digest = xxhash.xxh3_64_intdigest(sig[band * rows : (band + 1) * rows].tobytes())
        out.append((offset + band, digest - (1 << 64) if digest >= 1 << 63 else digest))
    return out


def candidate_probability(
    similarity: float, bands: int = PARAMS.bands, rows: int = PARAMS.rows
) -> float:
    """Probability that two texts of Jaccard ``similarity`` share at least one LSH bucket."""
    return float(1.0 - (1.0 - similarity**rows) ** bands)


def signature_to_bytes(sig: Signature) -> bytes:
    return sig.astype("<u4").tobytes()


def signature_from_bytes(raw: bytes, num_perm: int = PARAMS.num_perm) -> Signature:
    if len(raw) != num_perm * 4:
        raise ValueError(f"signature has {len(raw)} bytes, expected {num_perm * 4}")
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


def estimated_jaccard(a: Signature, b: Signature) -> float:
    return float(np.count_nonzero(a == b)) / a.size
