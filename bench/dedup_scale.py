"""Duplicate lookup cost as the archive grows: 10k and 100k archived articles (1M with
``--full``), on SQLite and PostgreSQL.

    .venv/bin/python bench/dedup_scale.py                 # 10k, 100k; SQLite and PostgreSQL
    .venv/bin/python bench/dedup_scale.py --full          # + 1M (about an hour, ~10 GB disk)
    .venv/bin/python bench/dedup_scale.py --sizes 10000 --backends sqlite
    .venv/bin/python bench/dedup_scale.py --baseline /tmp/base --rounds 3   # before/after

For each size and backend a fresh archive is migrated and filled in bulk with synthetic
articles: random signatures (unrelated texts), their LSH rows computed by the archive's own
``band_buckets``, plus 200 planted stories of three near-identical copies each. Then a
fresh process (so its memory is only what serving lookups costs) times
``archive.dedup.index_and_link`` for 1,000 new articles, each in its own transaction that
is rolled back (the archive does not grow during the measurement): storing the fingerprint
and LSH rows, the exact-hash lookup, the LSH candidate query and verification. One in five
new articles is a copy of a planted story, so candidates are fetched and verified.

Reported: bulk load time and database size, lookup p50/p99, and the lookup process's
peak RSS. PostgreSQL: the server at ``$ARSHIF_TEST_PG_URL`` (default 127.0.0.1:5432,
user postgres); its databases are named ``arshif_bench_<n>`` and dropped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url

PG_ADMIN = os.environ.get(
    "ARSHIF_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
STORIES = 200  # planted stories, 3 archived copies each
QUERIES = 1000
T0 = datetime(2019, 1, 1, tzinfo=UTC)


def _mutate(sig: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    out = sig.copy()
    idx = rng.choice(sig.size, int(share * sig.size), replace=False)
    out[idx] = rng.integers(0, 2**32, idx.size, dtype=np.uint32)
    return out


def _signatures(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(full signatures, lead signatures, story of each row or -1) for ``n`` articles."""
    from archive.fingerprint import PARAMS

    full = rng.integers(0, 2**32, (n, PARAMS.num_perm), dtype=np.uint32)
    lead = rng.integers(0, 2**32, (n, PARAMS.lead_perm), dtype=np.uint32)
    story = np.full(n, -1, dtype=np.int64)
    planted = rng.choice(n, STORIES * 3, replace=False).reshape(STORIES, 3)
    for s, rows in enumerate(planted):
        base_full, base_lead = full[rows[0]].copy(), lead[rows[0]].copy()
        for r in rows:
            full[r] = _mutate(base_full, rng, 0.1)
            lead[r] = _mutate(base_lead, rng, 0.1)
            story[r] = s
    return full, lead, story


def build(url: str, n: int, seed: int = 7) -> dict[str, float]:  # noqa: PLR0915 - one bulk load
    """Migrate a fresh archive at ``url`` and load ``n`` synthetic articles in bulk."""
    from archive.db import create_engine
    from archive.fingerprint import LEAD_BAND_OFFSET, PARAMS, band_buckets, signature_to_bytes
    from archive.migrate import upgrade

    started = time.monotonic()
    rng = np.random.default_rng(seed)
    full, lead, story = _signatures(n, rng)
    np.savez(_stories_file(url), full=full[story >= 0][::3], lead=lead[story >= 0][::3])
    engine = create_engine(url)
    upgrade(engine)
    pg = engine.dialect.name == "postgresql"
    sources = 5
    bands = np.empty((n, PARAMS.bands + PARAMS.lead_bands), dtype=np.int16)
    buckets = np.empty((n, PARAMS.bands + PARAMS.lead_bands), dtype=np.int64)
    for i in range(n):
        rows = band_buckets(full[i]) + band_buckets(
            lead[i], PARAMS.lead_bands, PARAMS.lead_rows, LEAD_BAND_OFFSET
        )
        bands[i] = [b for b, _ in rows]
        buckets[i] = [k for _, k in rows]
    gen_seconds = time.monotonic() - started
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        cur = raw.cursor()
        if not pg:
            cur.execute("PRAGMA cache_size = -1000000")
            cur.execute("DROP INDEX ix_lsh_bands_article_id")
        else:
            cur.execute("ALTER TABLE lsh_bands DROP CONSTRAINT pk_lsh_bands")
            cur.execute("DROP INDEX ix_lsh_bands_article_id")
        now = datetime.now(UTC)
        src_rows = [
            (s + 1, f"src{s}", f"http://src{s}.example/", "ar", now) for s in range(sources)
        ]
        _load(cur, pg, "sources", ("id", "name", "url", "language", "created_at"), src_rows)
        for start in range(0, n, 50_000):
            ids = range(start + 1, min(n, start + 50_000) + 1)
            arts = []
            vers = []
            fps = []
            for i in ids:
                pub = T0 + timedelta(minutes=int(i))
                url_i = f"http://src{i % sources}.example/a/{i}"
                arts.append((i, i % sources + 1, url_i, f"{i:064x}", now, now, pub))
                vers.append((i, i, 1, now, url_i, 200, "عنوان", "نص", 2, f"{i:064x}", "bench"))
                fps.append(
                    (
                        i,
                        i,
                        f"{i:032x}",
                        signature_to_bytes(full[i - 1]),
                        PARAMS.method,
                        1000,
                        "",
                        None,
                    )
                )
            _load(
                cur,
                pg,
                "articles",
                (
                    "id",
                    "source_id",
                    "url",
                    "url_hash",
                    "first_seen_at",
                    "last_seen_at",
                    "published_at",
                ),
                arts,
            )
            _load(
                cur,
                pg,
                "article_versions",
                (
                    "id",
                    "article_id",
                    "version",
                    "fetched_at",
                    "fetch_url",
                    "http_status",
                    "title",
                    "text",
                    "word_count",
                    "content_hash",
                    "extractor",
                ),
                vers,
            )
            _load(
                cur,
                pg,
                "fingerprints",
                (
                    "article_id",
                    "version_id",
                    "norm_hash",
                    "signature",
                    "method",
                    "shingles",
                    "numbers",
                    "wire",
                ),
                fps,
            )
        flat_ids = np.repeat(np.arange(1, n + 1, dtype=np.int64), bands.shape[1])
        flat_b, flat_k = bands.ravel(), buckets.ravel()
        order = np.lexsort((flat_ids, flat_k, flat_b))
        for start in range(0, order.size, 500_000):
            sel = order[start : start + 500_000]
            rows = list(
                zip(flat_b[sel].tolist(), flat_k[sel].tolist(), flat_ids[sel].tolist(), strict=True)
            )
            _load(cur, pg, "lsh_bands", ("band", "bucket", "article_id"), rows)
        if not pg:
            cur.execute("CREATE INDEX ix_lsh_bands_article_id ON lsh_bands (article_id)")
        else:
            cur.execute(
                "ALTER TABLE lsh_bands ADD CONSTRAINT pk_lsh_bands PRIMARY KEY (band, bucket, article_id)"
            )
            cur.execute("CREATE INDEX ix_lsh_bands_article_id ON lsh_bands (article_id)")
            for table in ("sources", "articles", "article_versions"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {max(n, sources) + 1})"
                )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if pg:
            conn.execute(text("VACUUM ANALYZE"))
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        else:
            conn.exec_driver_sql("ANALYZE")
            size = Path(make_url(url).database or "").stat().st_size
    engine.dispose()
    return {"load_s": time.monotonic() - started, "generate_s": gen_seconds, "db_mb": size / 1e6}


def _load(
    cur: object, pg: bool, table: str, cols: tuple[str, ...], rows: list[tuple[object, ...]]
) -> None:
    if pg:
        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(cols))
        cur.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)  # type: ignore[attr-defined]


def lookups(url: str, n: int, queries: int, seed: int = 11) -> dict[str, float]:
    """Time index_and_link for ``queries`` new articles (rolled back); runs in a fresh process."""
    from archive.db import create_engine, session_factory
    from archive.dedup import index_and_link
    from archive.fingerprint import PARAMS, TextFingerprint
    from archive.models import Article, ArticleVersion
    from archive.similarity import Verifier

    rng = np.random.default_rng(seed)
    with np.load(_stories_file(url)) as stories:  # one copy of each planted story
        planted, planted_lead = stories["full"], stories["lead"]
    _reset_peak_rss()
    engine = create_engine(url)
    factory = session_factory(engine)
    verifier = Verifier()
    times: list[float] = []
    linked = 0
    now = datetime.now(UTC)
    for q in range(queries):
        if q % 5 == 0:
            s = rng.integers(0, planted.shape[0])
            sig, lsig = _mutate(planted[s], rng, 0.1), _mutate(planted_lead[s], rng, 0.1)
        else:
            sig = rng.integers(0, 2**32, PARAMS.num_perm, dtype=np.uint32)
            lsig = rng.integers(0, 2**32, PARAMS.lead_perm, dtype=np.uint32)
        fp = TextFingerprint("", f"q{q:031x}", sig, 1000, lsig, PARAMS)
        with factory() as session:
            article = Article(
                source_id=q % 5 + 1,
                url=f"http://new.example/{q}",
                url_hash=f"q{q:063x}",
                first_seen_at=now,
                last_seen_at=now,
                published_at=None,
            )
            session.add(article)
            session.flush()
            version = ArticleVersion(
                article_id=article.id,
                version=1,
                fetched_at=now,
                fetch_url=article.url,
                http_status=200,
                title="t",
                text="x",
                word_count=1,
                content_hash="0" * 64,
                extractor="bench",
            )
            session.add(version)
            session.flush()
            t0 = time.perf_counter()
            link = index_and_link(session, article, version, fp, verifier)
            times.append(time.perf_counter() - t0)
            linked += link is not None
            session.rollback()
    engine.dispose()
    times.sort()
    return {
        "p50_ms": 1000 * statistics.median(times),
        "p99_ms": 1000 * times[int(0.99 * len(times)) - 1],
        "mean_ms": 1000 * statistics.mean(times),
        "linked": linked,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _stories_file(url: str) -> Path:
    name = (make_url(url).database or "x").replace("/", "_")
    return Path(tempfile.gettempdir()) / f"arshif_bench_{Path(name).stem}_stories.npz"


def _reset_peak_rss() -> None:
    with contextlib.suppress(OSError):  # Linux: "5" resets the peak RSS (VmHWM)
        Path("/proc/self/clear_refs").write_text("5")


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pg_db(n: int) -> str:
    name = f"arshif_bench_{n}"
    admin = sa_create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def _drop_pg_db(url: str) -> None:
    admin = sa_create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _child(args: list[str], code: str | None = None) -> dict[str, float]:
    """Run this script in a fresh process; ``code``: a checkout whose ``archive`` package
    it imports instead of this one (``--baseline``)."""
    env = dict(os.environ)
    script = __file__
    if code is not None:
        env["PYTHONPATH"] = code
        script = str(Path(code) / "bench" / "dedup_scale.py")
    out = subprocess.run(
        [sys.executable, script, *args], check=True, capture_output=True, text=True, env=env
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0912 - one loop over archives
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="also run 1,000,000 articles")
    parser.add_argument("--sizes", type=int, nargs="+", help="archive sizes (default 10k 100k)")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--queries", type=int, default=QUERIES)
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where SQLite archives go")
    parser.add_argument(
        "--baseline",
        metavar="CHECKOUT",
        help="also time the archive code of another checkout (e.g. `git worktree add "
        "/tmp/base main`) on the same archives, alternating with this one",
    )
    parser.add_argument("--rounds", type=int, default=1, help="lookup runs per archive and code")
    parser.add_argument("--child", nargs=3, metavar=("ACTION", "URL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        action, url, n = args.child
        result = build(url, int(n)) if action == "build" else lookups(url, int(n), args.queries)
        print(json.dumps(result))
        return 0
    sizes = args.sizes or ([10_000, 100_000, 1_000_000] if args.full else [10_000, 100_000])
    print(
        f"{datetime.now(UTC):%Y-%m-%d}, python {platform.python_version()}, "
        f"SQLite {__import__('sqlite3').sqlite_version}, {os.cpu_count()} CPUs; "
        f"{args.queries} index_and_link calls per archive\n"
    )
    print(
        "| backend | archived articles | code | bulk load | db size | lookup p50 | p99 | mean | copies linked | lookup process peak RSS |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    codes: list[tuple[str, str | None]] = [("this", None)]
    if args.baseline:
        codes.insert(0, ("baseline", args.baseline))
    for backend in args.backends:
        for n in sizes:
            if backend == "sqlite":
                path = Path(args.dir) / f"arshif_bench_{n}.db"
                for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                    f.unlink(missing_ok=True)
                url = f"sqlite:///{path}"
            else:
                url = _pg_db(n)
            try:
                built = _child(["--child", "build", url, str(n)])
                for _ in range(args.rounds):
                    for label, code in codes:
                        lookup = ["--queries", str(args.queries), "--child", "lookup", url, str(n)]
                        got = _child(lookup, code)
                        print(
                            f"| {backend} | {n:,} | {label} | {built['load_s']:.0f} s | "
                            f"{built['db_mb']:,.0f} MB | {got['p50_ms']:.2f} ms | "
                            f"{got['p99_ms']:.2f} ms | {got['mean_ms']:.2f} ms | "
                            f"{got['linked']:.0f}/{args.queries // 5} | "
                            f"{got['peak_rss_mb']:.0f} MB |",
                            flush=True,
                        )
            finally:
                _stories_file(url).unlink(missing_ok=True)
                if backend == "sqlite":
                    for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                        f.unlink(missing_ok=True)
                else:
                    _drop_pg_db(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
