"""End-to-end throughput: arshif's crawl against a bare Scrapy + trafilatura spider.

Builds a synthetic Arabic site of N article pages (bench/site.py), serves it on 127.0.0.1,
and runs, alternately and --repeat times each:
  (a) bench/bare_spider.py: sitemap -> trafilatura.extract on every page, nothing stored;
  (b) `arshif crawl` into a fresh SQLite archive;
  (c) `arshif crawl` into a fresh PostgreSQL database (skipped if none is reachable).
Each run is a fresh child process; wall time and CPU time (it and its extraction worker)
come from wait4(); peak memory is sampled from /proc (Linux) every 0.1 s: the crawl's
process's own high-water mark (VmHWM) and the peak of the sum over it and its workers.
(wait4's ru_maxrss is not used: a child started by vfork+exec inherits the high-water
mark of the process that started it, here the benchmark with its whole synthetic site in
memory, ~400 MB at 20,000 pages.)
Prints pages/s, CPU ms/page and peak memory per run, the medians, and the ratio of arshif's
pages/s to the bare spider's (of the medians, and per round). Before each run a fixed
pure-Python loop is timed ("cpu probe"): on a shared virtual machine the CPU's speed drifts
by up to 2x within minutes, and the probe shows when a run met a slow or a fast machine.
With --memory-check it also compares the peak memory of an N-page and a 10×N-page SQLite
crawl (2,000 and 20,000 pages by default; --repeat 0 runs only that). arshif runs with
its default settings (ARSHIF_EXTRACT_PROCESSES=1: one extraction worker process; peak
memory and CPU time include it).

Usage: python bench/ingest.py [--pages 2000] [--repeat 2] [--no-pg] [--memory-check] [--set NAME=VALUE] [--per-host N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.site import SyntheticSite  # noqa: E402

FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-q"]
PG_ADMIN = os.environ.get(
    "ARSHIF_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class Run:
    kind: str
    pages: int
    wall: float
    cpu: float
    main_mb: float  # the child's own peak (VmHWM), without its workers
    total_mb: float  # the peak of the sum over the child and its workers (sampled)
    probe_ms: float = 0.0  # cpu_probe() right before the run

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu / max(self.pages, 1)


class TreeMemory(threading.Thread):
    """Samples the resident memory of a child and its descendants from ``/proc`` (Linux;
    elsewhere it reports zeros): the child's own peak (``VmHWM``) and the peak of the sum."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.main_kb = self.total_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every):
            total = 0
            for pid in self._tree():
                fields = _status(pid)
                total += fields.get("VmRSS", 0)
                if pid == self.pid:
                    self.main_kb = max(self.main_kb, fields.get("VmHWM", 0))
            self.total_kb = max(self.total_kb, total)

    def _tree(self) -> list[int]:
        pids, i = [self.pid], 0
        while i < len(pids):
            try:
                kids = Path(f"/proc/{pids[i]}/task/{pids[i]}/children").read_text().split()
            except OSError:
                kids = []
            pids.extend(int(k) for k in kids)
            i += 1
        return pids


def _status(pid: int) -> dict[str, int]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    out = {}
    for line in lines:
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = int(value.split()[0])
    return out


def cpu_probe() -> float:
    """Milliseconds for a fixed pure-Python loop (median of 5): the machine's speed right
    now. On a shared virtual machine it drifts by up to 2x from one minute to the next,
    which is why runs alternate and per-round ratios are printed."""
    times = []
    for _ in range(5):
        start = time.process_time()
        total = 0
        for k in range(200_000):
            total += k * k
        times.append(1000 * (time.process_time() - start))
    return statistics.median(times)


def timed(cmd: list[str]) -> tuple[str, float, float, float, float]:
    """Run a child; return its stdout, wall seconds, CPU seconds (it and its workers), and
    in MB the child's own peak RSS and the peak of the sum over it and its workers."""
    with tempfile.TemporaryFile() as errfile:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errfile, cwd=ROOT)
        sampler = TreeMemory(proc.pid)
        sampler.start()
        out = proc.stdout.read() if proc.stdout else b""
        sampler.done.set()
        sampler.join()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errfile.seek(0)
            err = errfile.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(cmd[:5])} ... failed ({proc.returncode}):\n{err}")
    return (
        out.decode(),
        wall,
        usage.ru_utime + usage.ru_stime,
        sampler.main_kb / 1024,
        sampler.total_kb / 1024,
    )


# Requests in flight per host for both spiders (--per-host; None: arshif's default, 4).
PER_HOST: list[int] = []


def run_bare(site: SyntheticSite) -> Run:
    probe = cpu_probe()
    out, *measured = timed(
        [
            sys.executable,
            "bench/bare_spider.py",
            site.base + "sitemap_index.xml",
            *(str(n) for n in PER_HOST),
        ]
    )
    pages = json.loads(out.strip().splitlines()[-1])["pages"]
    return Run("bare spider", pages, *measured, probe_ms=probe)


# Extra `-s NAME=VALUE` settings for arshif's runs (--set).
ARSHIF_SETTINGS: list[str] = []


def run_arshif(site: SyntheticSite, db_url: str, kind: str, sources: Path) -> Run:
    cmd = [
        sys.executable,
        "-m",
        "crawler.cli",
        "crawl",
        "--sources",
        str(sources),
        "--db",
        db_url,
        *FAST,
        *(arg for setting in ARSHIF_SETTINGS for arg in ("-s", setting)),
        *(arg for n in PER_HOST for arg in ("-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={n}")),
    ]
    probe = cpu_probe()
    out, *measured = timed(cmd)
    row = next(line for line in out.splitlines() if line.startswith("bench "))
    pages = int(row.split()[2])
    return Run(kind, pages, *measured, probe_ms=probe)


def pg_database() -> str | None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"arshif_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def drop_pg(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def measure(site: SyntheticSite, repeat: int, use_pg: bool, tmp: Path) -> list[Run]:
    sources = tmp / "sources.toml"
    sources.write_text(site.sources_toml(), encoding="utf-8")
    runs: list[Run] = []
    for i in range(repeat):
        runs.append(run_bare(site))
        _report(runs[-1])
        runs.append(run_arshif(site, f"sqlite:///{tmp}/run{i}.db", "arshif sqlite", sources))
        _report(runs[-1])
        if use_pg and (url := pg_database()):
            try:
                runs.append(run_arshif(site, url, "arshif postgres", sources))
                _report(runs[-1])
            finally:
                drop_pg(url)
    return runs


def _report(run: Run) -> None:
    print(
        f"  {run.kind:16} {run.pages:6d} pages  {run.pages_per_s:7.1f} pages/s  "
        f"{run.cpu_ms_per_page:6.1f} CPU ms/page  peak RSS: crawl process "
        f"{run.main_mb:4.0f} MB, all processes {run.total_mb:4.0f} MB  "
        f"(cpu probe {run.probe_ms:.0f} ms)",
        flush=True,
    )


def summary(runs: list[Run]) -> None:
    kinds = sorted({r.kind for r in runs}, key=[r.kind for r in runs].index)
    med = {k: statistics.median(r.pages_per_s for r in runs if r.kind == k) for k in kinds}
    print("\nmedians:")
    for k in kinds:
        rs = [r for r in runs if r.kind == k]
        print(
            f"  {k:16} {med[k]:7.1f} pages/s  "
            f"{statistics.median(r.cpu_ms_per_page for r in rs):6.1f} CPU ms/page  "
            f"peak RSS {statistics.median(r.main_mb for r in rs):4.0f} MB crawl process, "
            f"{statistics.median(r.total_mb for r in rs):4.0f} MB all processes"
        )
    base = med["bare spider"]
    bare = [r for r in runs if r.kind == "bare spider"]
    for k in kinds[1:]:
        # Each round's arshif run against the same round's bare run: the machine's speed
        # drifts less within a round than across the whole benchmark.
        rounds = [
            r.pages_per_s / b.pages_per_s
            for r, b in zip([r for r in runs if r.kind == k], bare, strict=False)
        ]
        per_round = ", ".join(f"{x:.2f}" for x in rounds)
        print(
            f"  ratio {k} / bare spider: {med[k] / base:.2f} "
            f"(per round {per_round}; median {statistics.median(rounds):.2f})"
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pages", type=int, default=2000, help="articles on the site (default 2000)"
    )
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of each kind (default 2; 0: none)"
    )
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL runs")
    parser.add_argument(
        "--memory-check", action="store_true", help="also crawl 10x pages and compare peak memory"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy/arshif setting for arshif's runs, e.g. ARSHIF_EXTRACT_PROCESSES=2",
    )
    parser.add_argument(
        "--per-host",
        type=int,
        metavar="N",
        help="requests in flight per host, for the bare spider and arshif alike (default 4)",
    )
    args = parser.parse_args()
    ARSHIF_SETTINGS.extend(args.set)
    if args.per_host is not None:
        PER_HOST.append(args.per_host)
    print(
        f"arshif ingest benchmark: {args.pages} pages, {args.repeat} runs each, "
        f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d')}"
        + (f"; {args.per_host} requests per host" if args.per_host else "")
        + (f"; arshif with {' '.join(args.set)}" if args.set else "")
    )
    if args.repeat > 0:
        with tempfile.TemporaryDirectory() as tmp, SyntheticSite(args.pages) as site:
            runs = measure(site, args.repeat, not args.no_pg, Path(tmp))
        summary(runs)
    if args.memory_check:
        print(f"\nmemory: {args.pages} vs {10 * args.pages} pages (SQLite)", flush=True)
        runs = []
        for n in (args.pages, 10 * args.pages):
            with tempfile.TemporaryDirectory() as tmp, SyntheticSite(n, seed=2) as site:
                sources = Path(tmp) / "sources.toml"
                sources.write_text(site.sources_toml(), encoding="utf-8")
                run = run_arshif(site, f"sqlite:///{tmp}/mem.db", f"arshif {n}", sources)
                _report(run)
                runs.append(run)
        small, large = runs
        for label, attr in (
            ("all processes (sum)", "total_mb"),
            ("crawl process", "main_mb"),
        ):
            a, b = getattr(small, attr), getattr(large, attr)
            print(
                f"  peak memory {label}: {a:.0f} -> {b:.0f} MB, ratio "
                f"{10 * args.pages}/{args.pages} pages {b / a if a else float('nan'):.2f}"
                " (target <= 1.20)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
