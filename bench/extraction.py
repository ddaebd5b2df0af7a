"""Extraction benchmark: arshif's full extraction vs. plain trafilatura, in one process.

Scores three extractors with the dataset's own ``score.py`` (bag-of-tokens F1 per page against
gold main text, 524 real pages, mostly English and German):

* ``arshif``: :func:`archive.extract.extract` from the **raw bytes** of each page (decoding,
  metadata, trafilatura, headline and boilerplate-line removal), i.e. what ingest stores;
* ``trafilatura``: ``trafilatura.extract(html)`` with its defaults (the baseline);
* ``trafilatura-precision``: the same with ``favor_precision=True``.

Each extractor runs ``--repeat`` times in alternation; F1 is deterministic, pages/s is the
median over the runs (score.py's own timing: wall time inside the extractor, one process).

On a shared machine, load changes between whole runs, so the speed target is checked on an
**interleaved** timing as well: page by page, arshif and plain trafilatura run back to back
(alternating which goes first), ``--repeat`` times; the ratio of their total times (median
over the repeats) is reported as "interleaved × base". Targets (issue 3): mean F1 ≥ 0.93 and
speed ≥ 0.8× plain trafilatura (interleaved). Exit status 1 when a target is missed, 2 when the
data set is missing.

    .venv/bin/python bench/extraction.py [--data DIR] [--repeat N] [--limit N]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import importlib.util
import io
import json
import statistics
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archive.extract import extract  # noqa: E402 (the repo root is put on sys.path first)

DEFAULT_DATA = (
    REPO / ".." / "shared" / "data" / "extraction",
    Path("/work/shared/data/extraction"),
)
TARGET_F1 = 0.93
TARGET_SPEED_RATIO = 0.8

_RAW: dict[str, bytes] = {}


def arshif_extract(html: str, page: dict[str, Any]) -> str:
    """score.py callable: our extraction from the page's raw bytes (``html`` is ignored)."""
    body = _RAW.get(page["id"])
    if body is None:  # not preloaded: encode what score.py decoded
        body = html.encode("utf-8")
    return extract(body, url=page.get("url") or "http://localhost/").text


def _find_data(option: str | None) -> Path | None:
    candidates = [Path(option)] if option else list(DEFAULT_DATA)
    for path in candidates:
        if (path / "score.py").is_file() and (path / "manifest.jsonl").is_file():
            return path.resolve()
    return None


def _load_score(data: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("arshif_bench_score", data / "score.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _preload(data: Path, limit: int | None) -> None:
    rows = [json.loads(line) for line in (data / "manifest.jsonl").open(encoding="utf-8")]
    for row in rows[:limit] if limit else rows:
        raw = (data / row["html"]).read_bytes()
        _RAW[row["id"]] = gzip.decompress(raw) if row["html"].endswith(".gz") else raw


def _interleaved(score: ModuleType, data: Path, limit: int | None) -> float:
    """Plain trafilatura's total time / arshif's total time, page by page back to back."""
    import time

    import trafilatura

    rows = [json.loads(line) for line in (data / "manifest.jsonl").open(encoding="utf-8")]
    pages = [(row, score.decode_html(_RAW[row["id"]])) for row in (rows[:limit] if limit else rows)]
    ours = theirs = 0.0
    for i, (row, html) in enumerate(pages):
        for turn in (i % 2, 1 - i % 2):
            start = time.perf_counter()
            if turn == 0:
                with contextlib.suppress(Exception):
                    arshif_extract(html, row)
                ours += time.perf_counter() - start
            else:
                with contextlib.suppress(Exception):
                    trafilatura.extract(html)
                theirs += time.perf_counter() - start
    return theirs / ours


def _run(score: ModuleType, data: Path, spec: list[str], limit: int | None) -> dict[str, Any]:
    argv = [*spec, "--manifest", str(data / "manifest.jsonl"), "--quiet"]
    if limit:
        argv += ["--limit", str(limit)]
    with contextlib.redirect_stdout(io.StringIO()):
        summary: dict[str, Any] = score.main(argv)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        help="the extraction data set (folder with score.py and manifest.jsonl); default: "
        "../shared/data/extraction relative to the repository, else /work/shared/data/extraction",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per extractor (default 3)")
    parser.add_argument("--limit", type=int, help="only the first N pages (quick checks)")
    args = parser.parse_args(argv)
    data = _find_data(args.data)
    if data is None:
        where = args.data or " or ".join(str(p) for p in DEFAULT_DATA)
        print(
            f"bench/extraction.py: extraction data set not found at {where} "
            "(needs score.py and manifest.jsonl); pass --data DIR",
            file=sys.stderr,
        )
        return 2
    score = _load_score(data)
    _preload(data, args.limit)
    # score.py imports the callable by module name: let it find this module (and _RAW).
    sys.modules["arshif_bench_extraction"] = sys.modules[__name__]
    specs = {
        "arshif": ["--callable", "arshif_bench_extraction:arshif_extract"],
        "trafilatura": ["--extractor", "trafilatura"],
        "trafilatura-precision": ["--extractor", "trafilatura-precision"],
    }
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in specs}
    for i in range(args.repeat):
        for name, spec in specs.items():
            print(f"run {i + 1}/{args.repeat}: {name} ...", file=sys.stderr, flush=True)
            runs[name].append(_run(score, data, spec, args.limit))
    ratios = []
    for i in range(args.repeat):
        print(f"interleaved timing {i + 1}/{args.repeat} ...", file=sys.stderr, flush=True)
        ratios.append(_interleaved(score, data, args.limit))
    interleaved = statistics.median(ratios)
    base_speed = statistics.median(r["pages_per_second"] for r in runs["trafilatura"])
    print(f"{'extractor':<24}{'pages':>6}{'F1':>8}{'P':>8}{'R':>8}{'pages/s':>10}{'× base':>8}")
    result: dict[str, tuple[float, float]] = {}
    for name, summaries in runs.items():
        speed = statistics.median(r["pages_per_second"] for r in summaries)
        overall = summaries[0]["all"]
        result[name] = (overall["f1"], speed / base_speed)
        print(
            f"{name:<24}{summaries[0]['pages']:>6}{overall['f1']:>8.4f}{overall['precision']:>8.4f}"
            f"{overall['recall']:>8.4f}{speed:>10.1f}{speed / base_speed:>8.2f}"
        )
    by_source = runs["arshif"][0]["by_source"]
    print("arshif F1 by source: " + ", ".join(f"{s} {v['f1']:.4f}" for s, v in by_source.items()))
    print(f"interleaved (page by page, median of {args.repeat}): arshif {interleaved:.2f}x base")
    f1 = result["arshif"][0]
    ok = f1 >= TARGET_F1 and interleaved >= TARGET_SPEED_RATIO
    print(
        f"targets: F1 {f1:.4f} >= {TARGET_F1} and speed {interleaved:.2f}x >= "
        f"{TARGET_SPEED_RATIO}x: " + ("met" if ok else "MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
