"""MinHash signature throughput: arshif's compiled path against datasketch, side by side.

    .venv/bin/python bench/dedup_speed.py [--runs 7]

Input: the dedup keys of the labelled pair set's documents (real Arabic article text,
``bench/dedup_pairs.py``), 128 permutations, character 9-grams. Every method starts from
the dedup key, so building the shingle strings is part of each datasketch path (datasketch
needs them; arshif's kernel reads the key's bytes directly). One extra row gives datasketch
its input already shingled and encoded, to show the ratio does not come from shingling.

Each figure is the median of ``--runs`` passes over all documents, all in this process. The
signatures of every method are checked to be identical first.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable

import datasketch
import numpy as np
import xxhash
from datasketch import MinHash

from archive.fingerprint import PARAMS, fingerprint, key_signature, minhash_signature, shingles
from archive.normalize import dedup_key

K, PERM, SEED = PARAMS.shingle_chars, PARAMS.num_perm, PARAMS.seed


def ds_update_batch_sha1(key: str) -> np.ndarray:
    m = MinHash(num_perm=PERM, seed=SEED)
    m.update_batch([s.encode("utf-8") for s in shingles(key, K)])
    return m.hashvalues


def ds_update_batch_xxh32(key: str) -> np.ndarray:
    m = MinHash(num_perm=PERM, seed=SEED, hashfunc=xxhash.xxh32_intdigest)
    m.update_batch([s.encode("utf-8") for s in shingles(key, K)])
    return m.hashvalues


def ds_bulk_xxh32(keys: list[str]) -> list[np.ndarray]:
    batches = [[s.encode("utf-8") for s in shingles(k, K)] for k in keys]
    return [
        m.hashvalues
        for m in MinHash.bulk(batches, num_perm=PERM, seed=SEED, hashfunc=xxhash.xxh32_intdigest)
    ]


def numpy_reference(key: str) -> np.ndarray:
    return minhash_signature(shingles(key, K))


def compiled(key: str) -> np.ndarray:
    return key_signature(key, K, PERM, SEED)[0]


def rate(fn: Callable[[], object], n: int, runs: int) -> tuple[float, float, float]:
    """(median, min, max) documents per second over ``runs`` passes."""
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        rates.append(n / (time.perf_counter() - t0))
    return statistics.median(rates), min(rates), max(rates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from dedup_pairs import build

    docs, _ = build(1)
    texts = [d.text for d in docs]
    keys = [dedup_key(t) for t in texts]
    encoded = [[s.encode("utf-8") for s in shingles(k, K)] for k in keys]
    n = len(keys)
    mean_shingles = statistics.mean(len(e) for e in encoded)

    # Same signatures everywhere (and warm the compiled kernel).
    for key in keys:
        ref = compiled(key)
        assert np.array_equal(ref, ds_update_batch_xxh32(key))
        assert np.array_equal(ref, numpy_reference(key))

    def ds_pre_shingled() -> None:
        for e in encoded:
            m = MinHash(num_perm=PERM, seed=SEED, hashfunc=xxhash.xxh32_intdigest)
            m.update_batch(e)

    methods: list[tuple[str, Callable[[], object]]] = [
        (
            "datasketch update_batch, SHA-1 (its default)",
            lambda: [ds_update_batch_sha1(k) for k in keys],
        ),
        (
            "datasketch update_batch, xxh32 (same base hash)",
            lambda: [ds_update_batch_xxh32(k) for k in keys],
        ),
        ("datasketch update_batch, xxh32, input pre-shingled", ds_pre_shingled),
        ("datasketch MinHash.bulk, xxh32", lambda: ds_bulk_xxh32(keys)),
        (
            "arshif numpy reference (per-shingle xxhash loop)",
            lambda: [numpy_reference(k) for k in keys],
        ),
        ("arshif compiled kernel (key_signature)", lambda: [compiled(k) for k in keys]),
        (
            "arshif fingerprint(text): normalise + signature + lead + buckets",
            lambda: [fingerprint(t) for t in texts],
        ),
    ]
    results = {name: rate(fn, n, args.runs) for name, fn in methods}
    base = results[methods[1][0]][0]
    sha1 = results[methods[0][0]][0]
    print(
        f"{n} documents, {mean_shingles:.0f} distinct char-{K}-grams each on average, {PERM} perms; "
        f"median of {args.runs} runs\n"
        f"python {platform.python_version()}, numpy {np.__version__}, datasketch "
        f"{datasketch.__version__}, {platform.processor() or platform.machine()}\n"
    )
    print("| method | docs/s (min-max) | vs datasketch xxh32 | vs datasketch SHA-1 |")
    print("|---|---:|---:|---:|")
    for name, (med, lo, hi) in results.items():
        print(
            f"| {name} | {med:,.0f} ({lo:,.0f}-{hi:,.0f}) | {med / base:.1f}x | {med / sha1:.1f}x |"
        )
    ratio = results[methods[5][0]][0] / base
    print(
        f"\ncompiled kernel vs datasketch update_batch (same base hash): {ratio:.1f}x (target >= 5x)"
    )
    return 0 if ratio >= 5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
