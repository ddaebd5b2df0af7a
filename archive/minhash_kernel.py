"""Compiled inner loop of the MinHash signatures (numba), bit-identical to datasketch.

One pass over the UTF-8 bytes of a dedup key: for every window of ``k`` characters, the
xxh32 hash of its bytes (seed 0, as ``xxhash.xxh32_intdigest``), MurmurHash3's ``fmix32``
premix, then ``a * h + b mod 2**32`` for each permutation, keeping the minimum: exactly what
``datasketch.MinHash(scheme="affine32", hashfunc=xxh32_intdigest).update_batch`` computes
from the set of shingle strings, without building the strings (``docs/dedup.md``).

Imported lazily by :mod:`archive.fingerprint` (compiling takes about a second the first
time; numba caches the machine code next to this file or in the user cache directory).
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint32

_P1 = uint32(0x9E3779B1)
_P2 = uint32(0x85EBCA77)
_P3 = uint32(0xC2B2AE3D)
_P4 = uint32(0x27D4EB2F)
_P5 = uint32(0x165667B1)
_MAX = uint32(0xFFFFFFFF)

# Every arithmetic result is wrapped in uint32(...): numba widens uint32 * uint32 to 64 bits.


@njit(inline="always")
def _rotl(x, r):  # type: ignore[no-untyped-def]
    return uint32((x << uint32(r)) | (x >> uint32(32 - r)))


@njit(inline="always")
def _read32(buf, p):  # type: ignore[no-untyped-def]
    return uint32(
        uint32(buf[p])
        | (uint32(buf[p + 1]) << uint32(8))
        | (uint32(buf[p + 2]) << uint32(16))
        | (uint32(buf[p + 3]) << uint32(24))
    )


@njit(inline="always")
def _xxh32(buf, p, n):  # type: ignore[no-untyped-def]
    """XXH32 (seed 0) of ``buf[p:p+n]``, as in the xxHash reference implementation."""
    end = p + n
    if n >= 16:
        v1 = uint32(_P1 + _P2)
        v2 = _P2
        v3 = uint32(0)
        v4 = uint32(uint32(0) - _P1)
        while p + 16 <= end:
            v1 = uint32(_rotl(uint32(v1 + uint32(_read32(buf, p) * _P2)), 13) * _P1)
            v2 = uint32(_rotl(uint32(v2 + uint32(_read32(buf, p + 4) * _P2)), 13) * _P1)
            v3 = uint32(_rotl(uint32(v3 + uint32(_read32(buf, p + 8) * _P2)), 13) * _P1)
            v4 = uint32(_rotl(uint32(v4 + uint32(_read32(buf, p + 12) * _P2)), 13) * _P1)
            p += 16
        h = uint32(_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18))
    else:
        h = _P5
    h = uint32(h + uint32(n))
    while p + 4 <= end:
        h = uint32(_rotl(uint32(h + uint32(_read32(buf, p) * _P3)), 17) * _P4)
        p += 4
    while p < end:
        h = uint32(_rotl(uint32(h + uint32(uint32(buf[p]) * _P5)), 11) * _P1)
        p += 1
    h = uint32(h ^ (h >> uint32(15)))
    h = uint32(h * _P2)
    h = uint32(h ^ (h >> uint32(13)))
    h = uint32(h * _P3)
    return uint32(h ^ (h >> uint32(16)))


@njit(inline="always")
def _fmix32(h):  # type: ignore[no-untyped-def]
    h = uint32(h ^ (h >> uint32(16)))
    h = uint32(h * uint32(0x85EBCA6B))
    h = uint32(h ^ (h >> uint32(13)))
    h = uint32(h * uint32(0xC2B2AE35))
    return uint32(h ^ (h >> uint32(16)))


@njit(cache=True, nogil=True)
def window_hashes(buf, starts, k):  # type: ignore[no-untyped-def]
    """xxh32 of every ``k``-character window; ``starts`` holds the byte offset of each
    character plus the total length. A text shorter than ``k`` is one window."""
    nchars = starts.size - 1
    if nchars == 0:
        return np.empty(0, np.uint32)
    k = min(k, nchars)
    n = nchars - k + 1
    out = np.empty(n, np.uint32)
    for i in range(n):
        out[i] = _xxh32(buf, starts[i], starts[i + k] - starts[i])
    return out


@njit(cache=True, nogil=True)
def signature(buf, starts, k, perm_a, perm_b):  # type: ignore[no-untyped-def]
    """(MinHash signature, window hashes) of the ``k``-character windows of ``buf``."""
    hashes = window_hashes(buf, starts, k)
    sig = np.full(perm_a.size, _MAX, np.uint32)
    for i in range(hashes.size):
        h = _fmix32(hashes[i])
        for j in range(perm_a.size):
            sig[j] = min(sig[j], uint32(perm_a[j] * h + perm_b[j]))
    return sig, hashes
