"""Fingerprints of article text: change hashes, exact-duplicate keys, MinHash signatures.

All functions are pure. The MinHash parameters are fixed per :data:`MINHASH_METHOD` and
recorded with every stored signature, so a later change of parameters can tell old
signatures from new ones (``docs/dedup.md`` explains the choices).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import xxhash
from datasketch import MinHash

from archive.normalize import NORM_VERSION, dedup_key

NUM_PERM = 128
SEED = 1
SHINGLE_CHARS = 9
BANDS = 25
ROWS = 5
# Verification threshold on the estimated Jaccard similarity of two signatures.
NEAR_DUP_THRESHOLD = 0.5
# Texts whose dedup key is shorter than this are too short to call near-duplicates.
MIN_KEY_CHARS = 200

MINHASH_METHOD = (
    f"minhash:affine32:p{NUM_PERM}:s{SEED}:xxh32:char{SHINGLE_CHARS}:norm{NORM_VERSION}"
    f":b{BANDS}r{ROWS}"
)
assert BANDS * ROWS <= NUM_PERM

Signature = npt.NDArray[np.uint32]

_WS_RE = re.compile(r"\s+")
# datasketch's own permutations for (NUM_PERM, SEED, affine32): computing with them keeps
# our signatures bit-identical to ``MinHash.update_batch`` (tested).
_PERM_A, _PERM_B = (
    p.reshape(-1, 1) for p in MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations
)
_CHUNK = 4096


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

    @property
    def buckets(self) -> list[tuple[int, int]]:
        return [] if self.signature is None else band_buckets(self.signature)


def fingerprint(text: str) -> TextFingerprint:
    key = dedup_key(text)
    norm_hash = xxhash.xxh3_128_hexdigest(key.encode("utf-8"))
    sig = minhash_signature(shingles(key)) if len(key) >= MIN_KEY_CHARS else None
    return TextFingerprint(key=key, norm_hash=norm_hash, signature=sig)


def shingles(key: str, k: int = SHINGLE_CHARS) -> set[str]:
    """Character k-grams of a dedup key (the whole key if it is shorter than k)."""
    if len(key) <= k:
        return {key} if key else set()
    return {key[i : i + k] for i in range(len(key) - k + 1)}


def minhash_signature(items: set[str]) -> Signature:
    """MinHash over ``items``, identical to datasketch's ``MinHash(num_perm=NUM_PERM,
    seed=SEED, scheme="affine32", hashfunc=xxh32_intdigest).update_batch(...)``,
    computed in one vectorised pass."""
    sig = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
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
        np.minimum(sig, (_PERM_A * block + _PERM_B).min(axis=1), out=sig)
    return sig


def _fmix32(hv: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before permuting."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def band_buckets(sig: Signature) -> list[tuple[int, int]]:
    """(band, bucket) pairs of the LSH index: a 64-bit hash of each band's rows, as a
    signed integer so it fits a SQL BIGINT."""
    out = []
    for band in range(BANDS):
        digest = xxhash.xxh3_64_intdigest(sig[band * ROWS : (band + 1) * ROWS].tobytes())
        out.append((band, digest - (1 << 64) if digest >= 1 << 63 else digest))
    return out


def signature_to_bytes(sig: Signature) -> bytes:
    return sig.astype("<u4").tobytes()


def signature_from_bytes(raw: bytes) -> Signature:
    if len(raw) != NUM_PERM * 4:
        raise ValueError(f"signature has {len(raw)} bytes, expected {NUM_PERM * 4}")
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


def estimated_jaccard(a: Signature, b: Signature) -> float:
    return float(np.count_nonzero(a == b)) / NUM_PERM
