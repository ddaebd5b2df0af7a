"""Writer-only micro-benchmark: the cost of ``Archive.ingest`` for pages already extracted.

A crawl's own process runs Scrapy and the writer thread under one GIL, so the writer's CPU
time per page bounds a crawl's throughput. This measures exactly that part: N synthetic
article pages (bench/site.py) are extracted once (:func:`archive.prepare.prepare_page`, as
the extraction worker does), then stored into a fresh archive, timed:

* ``new``: every page a new article (a first crawl);
* ``unchanged``: the same pages again (a recrawl that found nothing changed).

Each is reported as wall and as CPU time of the benchmark's process (``cpu``: what competes
for the crawl process's GIL; on PostgreSQL the rest of the wall time is spent waiting for the
server, with the GIL released).

``--baseline CHECKOUT`` runs another checkout's archive code in alternation with this one
(each side in its own subprocess, with ``PYTHONPATH`` at its checkout), so the ratio new/old
is measured under the same load::

    .venv/bin/python bench/writer.py --pages 300 --baseline /tmp/writer-base
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

PG_ADMIN = os.environ.get(
    "ARSHIF_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
HERE = Path(__file__).resolve().parent.parent


def _pages(n: int) -> tuple[Any, list[Any], list[Any]]:
    """The source, N fetched pages and their extractions (done once per child process)."""
    from archive.prepare import prepare_page

    try:
        from archive.prepare import FetchedPage
    except ImportError:  # a --baseline checkout from before FetchedPage moved
        from archive.ingest import FetchedPage  # type: ignore[attr-defined,no-redef]
    from archive.sources import parse_sources
    from archive.types import utcnow
    from bench.site import SyntheticSite

    site = SyntheticSite(n)
    try:
        import tomllib

        source = parse_sources(tomllib.loads(site.sources_toml()))["bench"]
        pages, prepared = [], []
        now = utcnow()
        for url in site.article_urls:
            path = url[len(site.base) - 1 :]
            ctype, body = site.pages[path]
            tag, modified = site.validators[path]
            headers = {
                "content-type": ctype,
                "etag": tag,
                "last-modified": modified.strftime("%a, %d %b %Y %H:%M:%S GMT"),
            }
            page = FetchedPage("bench", url, url, 200, headers, body, now, is_article=True)
            pages.append(page)
            prepared.append(
                prepare_page(
                    body,
                    url=url,
                    headers=headers,
                    source=source,
                    learned=frozenset(),
                    published_hint=None,
                    fetched_at=now,
                )
            )
        return source, pages, prepared
    finally:
        site._server.server_close()


# Not bench.ingest's pg_database: this runs in a child whose PYTHONPATH may be another
# checkout (--baseline), whose bench/ may differ.
def _pg_database() -> str | None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"arshif_wbench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def _drop_pg(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _one_round(db_url: str, source: Any, pages: list[Any], prepared: list[Any]) -> dict[str, float]:
    from archive.store import Archive

    out = {}
    with Archive.open(db_url) as archive:
        archive.sync_sources([source])
        run = archive.start_run(source.name)
        for label in ("new", "unchanged"):
            t0, c0 = time.perf_counter(), time.process_time()
            for page, prep in zip(pages, prepared, strict=True):
                archive.ingest(page, run, prep)
            out[label] = (time.perf_counter() - t0) * 1000 / len(pages)
            out[f"{label} cpu"] = (time.process_time() - c0) * 1000 / len(pages)
        archive.finish_run(run, "ok")
    return out


def child(n: int, rounds: int, kinds: list[str]) -> None:
    """Measure ``rounds`` rounds per database kind; print one JSON line of ms/page lists."""
    source, pages, prepared = _pages(n)
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            for kind in kinds:
                url = f"sqlite:///{tmp}/w{r}.db" if kind == "sqlite" else _pg_database()
                if url is None:
                    continue
                try:
                    for label, ms in _one_round(url, source, pages, prepared).items():
                        results.setdefault(f"{kind} {label}", []).append(ms)
                finally:
                    if kind == "pg":
                        _drop_pg(url)
    print(json.dumps(results))


def _run_child(checkout: Path, n: int, rounds: int, kinds: list[str]) -> dict[str, list[float]]:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--pages", str(n)]
    cmd += ["--rounds", str(rounds), "--kinds", ",".join(kinds)]
    out = subprocess.run(cmd, check=False, env=env, cwd=checkout, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{checkout}: child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=300, help="pages per round (default 300)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per child (default 3)")
    parser.add_argument("--alternations", type=int, default=2, help="child runs per side")
    parser.add_argument("--kinds", default="sqlite,pg", help="databases (default sqlite,pg)")
    parser.add_argument("--baseline", type=Path, help="another checkout to compare against")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    if args.child:
        child(args.pages, args.rounds, kinds)
        return 0
    sides = {"new": HERE} | ({"old": args.baseline.resolve()} if args.baseline else {})
    results: dict[str, dict[str, list[float]]] = {side: {} for side in sides}
    for _ in range(args.alternations):
        for side, checkout in sides.items():
            for key, values in _run_child(checkout, args.pages, args.rounds, kinds).items():
                results[side].setdefault(key, []).extend(values)
    print(f"writer benchmark: {args.pages} pages, load {os.getloadavg()[0]:.2f}")
    for key in results["new"]:
        line = f"  {key:18}"
        med = {s: statistics.median(results[s][key]) for s in sides if key in results[s]}
        for side, value in med.items():
            line += f"  {side} {value:6.2f} ms/page"
        if "old" in med:
            line += f"  ratio new/old {med['new'] / med['old']:.2f}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
