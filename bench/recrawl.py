"""Recrawl cost: a second crawl of an unchanged site against the first one.

Builds the synthetic Arabic site of N article pages (bench/site.py: ETag, Last-Modified and
304 answers, like a real news site's server), then, --repeat times, into a fresh SQLite
archive:
  (1) the first crawl: every article is new;
  (2) `arshif crawl --recheck all`: every known article is fetched again, conditionally
      (the worst case for a recrawl: each one answers 304 Not Modified);
  (3) `arshif crawl` (default --recheck due): what a scheduled recrawl does, fetching only
      discovery documents plus articles that are due or signalled (none here).
Each crawl is a fresh child process. The bytes are counted by the site (status lines,
headers and bodies it sent); times are wall-clock (CPU time of the crawl process in
parentheses: steadier on a shared machine). Prints, per repetition and as medians, the bytes
and time of (2) and (3) as a fraction of (1). Targets: bytes <= 5 %, wall time <= 20 %.

Usage: python bench/recrawl.py [--pages 2000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import FAST, timed  # noqa: E402
from bench.site import SyntheticSite  # noqa: E402

BYTES_TARGET, TIME_TARGET = 0.05, 0.20


@dataclass
class Crawl:
    kind: str
    wall: float
    cpu: float
    requests: int
    bytes: int
    row: list[str]  # the crawl's summary row: source status pages new versions unchanged ...


def crawl(site: SyntheticSite, sources: Path, db_url: str, kind: str, *extra: str) -> Crawl:
    requests, sent = site.requests, site.bytes_sent
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(sources)]
    out, wall, cpu, _ = timed([*cmd, "--db", db_url, *FAST, *extra])
    row = next(line for line in out.splitlines() if line.startswith("bench ")).split()
    return Crawl(kind, wall, cpu, site.requests - requests, site.bytes_sent - sent, row)


def report(c: Crawl, base: Crawl | None) -> None:
    ratio = ""
    if base:
        ratio = (
            f"  bytes {c.bytes / base.bytes:6.2%}  time {c.wall / base.wall:6.2%}"
            f"  (CPU {c.cpu / base.cpu:6.2%})"
        )
    pages, new, versions, unchanged = c.row[2:6]
    print(
        f"  {c.kind:22} {c.wall:6.1f} s ({c.cpu:5.1f} s CPU)  {c.requests:5d} requests  "
        f"{c.bytes / 1e6:7.2f} MB  "
        f"pages {pages:>5} new {new:>5} versions {versions} unchanged {unchanged:>5}{ratio}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=2000, help="articles (default 2000)")
    parser.add_argument("--repeat", type=int, default=2, help="repetitions (default 2)")
    args = parser.parse_args()
    print(
        f"arshif recrawl benchmark: {args.pages} pages, {args.repeat} repetitions, SQLite, "
        f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d')}"
    )
    ratios: dict[str, list[tuple[float, float]]] = {"recheck all": [], "recheck due": []}
    ok = True
    with tempfile.TemporaryDirectory() as tmp, SyntheticSite(args.pages) as site:
        sources = Path(tmp) / "sources.toml"
        sources.write_text(site.sources_toml(), encoding="utf-8")
        for i in range(args.repeat):
            db = f"sqlite:///{tmp}/run{i}.db"
            first = crawl(site, sources, db, "first crawl")
            report(first, None)
            again = crawl(site, sources, db, "recheck all (304s)", "--recheck", "all")
            report(again, first)
            due = crawl(site, sources, db, "recheck due (default)")
            report(due, first)
            ratios["recheck all"].append((again.bytes / first.bytes, again.wall / first.wall))
            ratios["recheck due"].append((due.bytes / first.bytes, due.wall / first.wall))
            # The recrawl must find what is there: every article checked, nothing changed.
            ok &= first.row[3] == str(args.pages) and again.row[5] == str(args.pages)
            ok &= again.row[4] == "0" and due.row[4] == "0"
    print("\nmedians (fraction of the first crawl):")
    for kind, values in ratios.items():
        b = statistics.median(v[0] for v in values)
        t = statistics.median(v[1] for v in values)
        verdict = "ok" if b <= BYTES_TARGET and t <= TIME_TARGET else "OVER TARGET"
        print(
            f"  {kind:12} bytes {b:6.2%} (target <= {BYTES_TARGET:.0%})  "
            f"time {t:6.2%} (target <= {TIME_TARGET:.0%})  {verdict}"
        )
        ok &= verdict == "ok"
    if not ok:
        print("recrawl benchmark: targets missed or counts wrong", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
