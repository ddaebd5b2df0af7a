"""Benchmark: corpus export (rows/s, peak memory) and Arabic full-text search latency.

Builds two synthetic SQLite archives (default 10k and 100k articles; words drawn from the
fixture web's Arabic articles with a Zipf-like distribution, 10% republications, every
article indexed for search) with bulk inserts, then

* exports each archive to Parquet and JSON lines in a child process per run, measuring wall
  time and the child's peak RSS (``os.wait4``), next to a baseline child that does
  everything but the export (imports, opening the archive). Memory must not grow with the
  archive: the 100k/10k ratio of (peak - baseline) is printed;
* runs two-word Arabic searches (``archive.search.search``, 20 hits with snippets) on the
  larger archive: median (p50) and p95 latency over repeated runs, per query frequency,
  ranking every match and ranking the bounded candidate set (the default), interleaved.

    .venv/bin/python bench/export.py                 # 10k and 100k articles
    .venv/bin/python bench/export.py --sizes 2000 20000 --keep DIR
    .venv/bin/python bench/export.py --pg postgresql://postgres@127.0.0.1/postgres
    .venv/bin/python bench/export.py --keep DIR --search-only --pg URL   # reuse archives

Prints a markdown report (figures for docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402

from archive import migrate  # noqa: E402
from archive.models import Article, ArticleVersion, SearchDocument, Source  # noqa: E402
from archive.normalize import search_key  # noqa: E402
from archive.search_index import FOLD_VERSION  # noqa: E402
from archive.store import Archive  # noqa: E402

OUTLETS = ("alsham", "hurriya", "sana", "enab", "watan")
WORDS_PER_ARTICLE = (120, 400)
T0 = datetime(2015, 1, 1, tzinfo=UTC)


def vocabulary() -> tuple[list[str], list[float]]:
    from crawler.demo.content import load_articles

    articles, _ = load_articles()
    counts = Counter(w for a in articles for w in re.findall(r"\w+", a.text + " " + a.title))
    words = [w for w, _ in counts.most_common()]
    weights = [1.0 / (rank + 10) for rank in range(len(words))]  # Zipf-like
    return words, weights


def build(url: str, n: int, seed: int = 7) -> None:
    """A synthetic archive of ``n`` articles (bulk inserts, search documents included)."""
    rng = random.Random(seed)
    words, weights = vocabulary()
    cum = list(_accumulate(weights))
    with Archive.open(url) as archive:
        engine = archive.engine
    engine = create_engine(url)
    now = datetime(2020, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(Source),
            [
                {"id": i + 1, "name": o, "url": f"http://{o}.example/", "created_at": now}
                for i, o in enumerate(OUTLETS)
            ],
        )
    batch = 2000
    for start in range(1, n + 1, batch):
        ids = range(start, min(n, start + batch - 1) + 1)
        arts, versions, docs = [], [], []
        for aid in ids:
            src = rng.randrange(len(OUTLETS)) + 1
            published = T0 + timedelta(minutes=aid * 7)
            dup = rng.randrange(1, aid) if aid > 10 and rng.random() < 0.1 else None
            arts.append(
                {
                    "id": aid,
                    "source_id": src,
                    "url": f"http://{OUTLETS[src - 1]}.example/a/{aid}",
                    "url_hash": uuid.uuid5(uuid.NAMESPACE_URL, str(aid)).hex * 2,
                    "first_seen_at": published,
                    "last_seen_at": published,
                    "published_at": published,
                    "duplicate_of_id": dup,
                    "duplicate_kind": "near" if dup else None,
                    "similarity": 0.9 if dup else None,
                }
            )
            length = rng.randint(*WORDS_PER_ARTICLE)
            body_words = rng.choices(words, cum_weights=cum, k=length)
            paragraphs = [" ".join(body_words[i : i + 40]) + "." for i in range(0, length, 40)]
            body = "\n".join(paragraphs)
            title = " ".join(rng.choices(words, cum_weights=cum, k=10))
            versions.append(
                {
                    "id": aid,
                    "article_id": aid,
                    "version": 1,
                    "fetched_at": published,
                    "fetch_url": arts[-1]["url"],
                    "http_status": 200,
                    "title": title,
                    "text": body,
                    "authors": "فريق التحرير",
                    "published_at": published,
                    "language": "ar",
                    "word_count": length,
                    "content_hash": f"{aid:064x}",
                    "encoding": "utf-8",
                    "extractor": "synthetic",
                }
            )
            docs.append(
                {
                    "article_id": aid,
                    "version_id": aid,
                    "folded_title": search_key(title),
                    "folded_text": search_key(body),
                    "fold_version": FOLD_VERSION,
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(Article), arts)
            conn.execute(insert(ArticleVersion), versions)
            conn.execute(insert(SearchDocument), docs)
    engine.dispose()


def _accumulate(values: list[float]) -> Any:
    total = 0.0
    for v in values:
        total += v
        yield total


# -- child processes: one export each, peak RSS measured by the parent ------------------------


def child(argv: list[str]) -> None:
    mode, url, fmt, out = argv
    import pyarrow  # noqa: F401  (the baseline pays the same imports)

    from archive.export import ExportOptions, export

    with Archive.open(url) as archive:
        started = time.perf_counter()
        n = export(archive.engine, fmt, out, ExportOptions()) if mode == "export" else 0
        print(n, time.perf_counter() - started)


def measure(url: str, fmt: str, out: Path, mode: str) -> tuple[int, float, int]:
    """(records, seconds spent exporting, peak RSS in KiB) of one child run."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", mode, url, fmt, str(out)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"child failed ({mode} {fmt} {url})")
    records, seconds = output.split()
    return int(records), float(seconds), usage.ru_maxrss


def bench_exports(urls: dict[int, str], tmp: Path) -> list[str]:
    lines = [
        "| articles | format | records | seconds | records/s | peak RSS (MiB) | over baseline (MiB) |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    growth: dict[str, list[float]] = {}
    for size, url in urls.items():
        _, _, base = measure(url, "jsonl", tmp / "none", "baseline")
        lines.append(f"| {size:,} | (baseline: imports + open) | | | | {base / 1024:.0f} | |")
        for fmt in ("parquet", "jsonl"):
            out = tmp / f"corpus-{size}.{fmt}"
            n, secs, peak = measure(url, fmt, out, "export")
            over = (peak - base) / 1024
            growth.setdefault(fmt, []).append(over)
            lines.append(
                f"| {size:,} | {fmt} | {n:,} | {secs:.1f} | {n / secs:,.0f} | "
                f"{peak / 1024:.0f} | {over:.0f} |"
            )
            out.unlink()
    lines.append("")
    for fmt, values in growth.items():
        if len(values) == 2 and values[0] > 0:
            lines.append(
                f"- {fmt}: memory over baseline, largest / smallest archive = "
                f"{values[1] / values[0]:.2f}"
            )
    return lines


def pick_queries(url: str) -> dict[str, str]:
    """Two-word queries whose words occur in about 0.5 %, 5 %, 20 % and 60 % of the
    articles (document frequency measured on a sample of the archive)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        sample = [
            r[0] for r in conn.execute(text("SELECT folded_text FROM search_documents LIMIT 2000"))
        ]
    engine.dispose()
    df = Counter(w for doc in sample for w in set(doc.split()) if len(w) >= 4 and not w.isdigit())
    by_df = sorted(df, key=lambda w: df[w] / len(sample))

    def near(share: float, skip: int = 0) -> str:
        ranked = sorted(by_df, key=lambda w: abs(df[w] / len(sample) - share))
        return ranked[skip]

    return {
        f"{int(share * 1000) / 10:g} % + {int(share * 1000) / 10:g} %": f"{near(share)} {near(share, 1)}"
        for share in (0.005, 0.05, 0.2, 0.6)
    }


def bench_search(url: str, repeat: int) -> list[str]:
    """p50/p95 of each query, ranking every match (``candidates=None``, the behaviour before
    bounded ranking) and ranking the bounded candidate set (the default), interleaved in
    this process; and how many of the exact top 20 the bounded ranking also returns."""
    from archive.search import CANDIDATES, _fold_token, search

    engine = create_engine(url)
    migrate.upgrade(engine)  # an archive kept from an earlier run (--keep)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT COUNT(*) FROM articles")).scalar_one()
    queries = pick_queries(url)
    lines = [
        f"Two-word searches on {total:,} articles (20 hits with snippets; {repeat} runs each, "
        f"the two rankings interleaved):",
        "",
        "| words in (each) | query | matching articles | all matches ranked: p50 ms | p95 ms "
        f"| {CANDIDATES} + {CANDIDATES} candidates ranked: p50 ms | p95 ms "
        "| exact top 20 kept |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    with Archive.open(url) as archive, archive.engine.connect() as conn:
        for kind, q in queries.items():
            matches = len(search(conn, q, limit=10**9, candidates=None))
            exact = [h.article_id for h in search(conn, q, candidates=None)]  # + warm-up
            bounded = [h.article_id for h in search(conn, q)]
            times: dict[int | None, list[float]] = {None: [], CANDIDATES: []}
            for _ in range(repeat):
                for candidates, runs in times.items():
                    _fold_token.cache_clear()  # as in a fresh `arshif search` process
                    started = time.perf_counter()
                    search(conn, q, candidates=candidates)
                    runs.append((time.perf_counter() - started) * 1000)
            cells = []
            for runs in times.values():
                runs.sort()
                p95 = runs[min(len(runs) - 1, int(len(runs) * 0.95))]
                cells += [f"{statistics.median(runs):.1f}", f"{p95:.1f}"]
            kept = len(set(exact) & set(bounded))
            lines.append(
                f"| {kind} | {q} | {matches:,} | {' | '.join(cells)} | {kept}/{len(exact)} |"
            )
    engine.dispose()
    return lines


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=30, help="runs per search query")
    parser.add_argument(
        "--keep",
        type=Path,
        help="build (or reuse) the archives in DIR (and the PostgreSQL one, with --pg)",
    )
    parser.add_argument("--pg", metavar="ADMIN_URL", help="also time search on PostgreSQL")
    parser.add_argument("--search-only", action="store_true", help="skip the export runs")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="arshif-bench-"))
    where = args.keep or tmp
    where.mkdir(parents=True, exist_ok=True)
    try:
        urls = {}
        for size in args.sizes:
            path = where / f"synthetic-{size}.db"
            urls[size] = f"sqlite:///{path}"
            if not path.exists():
                started = time.perf_counter()
                build(urls[size], size)
                print(
                    f"built {size:,} articles in {time.perf_counter() - started:.0f} s "
                    f"({path.stat().st_size / 2**20:.0f} MiB)",
                    file=sys.stderr,
                )
        report = ["## SQL, search and export (bench/export.py)", ""]
        if not args.search_only:
            report += bench_exports(urls, tmp)
        report += ["", "SQLite:", "", *bench_search(urls[args.sizes[1]], args.repeat)]
        if args.pg:
            report += [
                "",
                "PostgreSQL:",
                "",
                *bench_search_pg(args.pg, args.sizes[1], args.repeat, args.keep is not None),
            ]
        print("\n".join(report))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def bench_search_pg(admin_url: str, size: int, repeat: int, keep: bool) -> list[str]:
    """Search timings on a PostgreSQL archive of ``size`` articles; ``keep``: build it once
    as ``arshif_bench_search_<size>`` and reuse it in later runs (dropped otherwise)."""
    from sqlalchemy.engine import make_url

    name = f"arshif_bench_search_{size}" if keep else f"arshif_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
    try:
        if not exists:
            build(url.render_as_string(hide_password=False), size)
        analyze = create_engine(url, isolation_level="AUTOCOMMIT")  # planner statistics
        with analyze.connect() as conn:
            conn.execute(text("ANALYZE"))
        analyze.dispose()
        return bench_search(url.render_as_string(hide_password=False), repeat)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
