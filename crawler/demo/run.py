"""``arshif demo``: crawl the bundled fixture web twice and show what the archive did."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text

from archive.cli import render_table
from archive.store import Archive
from crawler.demo.web import FixtureWeb

# The fixture web is local: no politeness delays needed, and quick runs matter here.
FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "LOGSTATS_INTERVAL=0"]

DUPLICATES_SQL = """
SELECT o.source AS original_outlet, o.published_at AS first_published,
       d.source AS republished_by, d.published_at AS republished_at,
       d.duplicate_kind AS kind, ROUND(d.similarity, 2) AS similarity, o.title
FROM latest_versions d
JOIN latest_versions o ON o.article_id = d.duplicate_of_id
ORDER BY o.published_at"""

VERSIONS_SQL = """
SELECT source, url, from_version, to_version, detected_at, words_added, words_removed,
       title_changed
FROM article_edits ORDER BY detected_at"""

CORPUS_SQL = """
SELECT source, COUNT(*) AS articles, SUM(duplicate_count) AS republished_elsewhere
FROM corpus GROUP BY source ORDER BY source"""

NEXT_SQL = [
    (
        "The deduplicated corpus, newest first",
        "SELECT source, published_at, title FROM corpus ORDER BY published_at DESC;",
    ),
    ("Who republished whom", DUPLICATES_SQL.strip() + ";"),
    ("Every edit, with its size", VERSIONS_SQL.strip() + ";"),
    (
        "Crawl health per run",
        "SELECT id, started_at, status, pages_fetched, new_articles, new_versions, duplicates, errors FROM crawl_runs;",
    ),
]


def run_demo(directory: str) -> int:
    out = Path(directory).resolve()
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / "arshif.db"
    for leftover in (db_path, out / "arshif.db-wal", out / "arshif.db-shm"):
        leftover.unlink(missing_ok=True)
    db_url = f"sqlite:///{db_path}"
    sources_path = out / "sources.toml"

    with FixtureWeb() as web:
        sources_path.write_text(web.sources_toml(), encoding="utf-8")
        _title("arshif demo: two fictional Arabic outlets served on 127.0.0.1")
        for outlet in web.outlets.values():
            print(f"  {outlet.name:8} {outlet.title}  {outlet.base_url}")
        print(f"  sources file: {sources_path}\n  archive:      {db_path}")

        _title("1. First crawl: discover (sitemaps, feeds, links) and archive every article")
        if _crawl(sources_path, db_url) != 0:
            return _fail("the first crawl did not finish cleanly (see the log above)")
        with Archive.open(db_url) as archive:
            _show(archive, "Deduplicated corpus per outlet", CORPUS_SQL)
            _show(
                archive,
                "Syndicated copies found (linked to the earliest-published original)",
                DUPLICATES_SQL,
            )

        _title("2. The outlets change their pages")
        edited = web.edit_article()
        web.cosmetic_change()
        print(f"  - a real edit: casualty figures and one sentence changed in\n    {edited}")
        print(
            "  - cosmetic changes on every page: view counters, 'most read', ticker, related links"
        )

        _title("3. Second crawl, rechecking every article: only the real edit is a new version")
        if _crawl(sources_path, db_url, "--recheck", "all") != 0:
            return _fail("the second crawl did not finish cleanly (see the log above)")
        with Archive.open(db_url) as archive:
            _show(archive, "Edits (the article_edits view)", VERSIONS_SQL)
            _show_diff(archive, edited)
            ok = _check(archive)

    _title("Try it yourself")
    print(f"  arshif stats --db {db_path}")
    print(f'  arshif search --db {db_path} "الامريكية"   (finds الأميركية and الأمريكية)')
    print(f'  arshif query --db {db_path} "SELECT * FROM stories WHERE duplicate_count > 0"')
    print(f"  arshif export --db {db_path} --out corpus.parquet")
    print(f"  arshif versions --db {db_path} {edited}")
    print(f"  arshif diff --db {db_path} {edited}")
    print(
        f"  arshif crawl --sources {sources_path} --db {db_path}   (needs the fixture web running:"
    )
    print("     python -m crawler.demo.web --port-base N, then edit the ports in the sources file)")
    print(f"  sqlite3 {db_path}   (or any SQLite tool; schema: docs/schema.md)\n")
    for label, sql in NEXT_SQL:
        print(f"  -- {label}")
        print(textwrap.indent(sql, "  "))
        print()
    return 0 if ok else 1


def _crawl(sources: Path, db_url: str, *extra: str) -> int:
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
        *extra,
    ]
    return subprocess.run(cmd, check=False).returncode


def _rows(archive: Archive, sql: str) -> tuple[list[str], list[Sequence[Any]]]:
    with archive.engine.connect() as conn:
        result = conn.execute(text(sql))
        return list(result.keys()), [tuple(r) for r in result]


def _show(archive: Archive, label: str, sql: str) -> None:
    headers, rows = _rows(archive, sql)
    print(f"\n{label}:")
    if not rows:
        print("  (none)")
        return
    short = [[_short(v) for v in row] for row in rows]
    print(textwrap.indent(render_table(headers, short), "  "))


def _show_diff(archive: Archive, url: str) -> None:
    from archive.errors import NotInArchive
    from archive.history import version_pair
    from archive.worddiff import diff_text, render, summarize

    try:
        hist, old, new = version_pair(archive.sessions, url)
    except NotInArchive:
        return
    summary = summarize(old.title, old.text, new.title, new.text)
    print(
        f"\nWhat changed in article {hist.article_id} (version {old.version} -> {new.version}, "
        f"+{summary.words_added} / -{summary.words_removed} words; `arshif diff` prints this):"
    )
    for line in render(diff_text(old.text, new.text), color=sys.stdout.isatty()):
        print(textwrap.indent(line, "  "))


def _check(archive: Archive) -> bool:
    (counts,) = _rows(
        archive,
        "SELECT (SELECT COUNT(*) FROM articles), "
        "(SELECT COUNT(*) FROM article_edits), "
        "(SELECT COUNT(*) FROM articles WHERE duplicate_of_id IS NOT NULL)",
    )[1]
    articles, versions, duplicates = (int(c) for c in counts)
    _title("Summary")
    print(f"  {articles} articles archived, {versions} edit(s), {duplicates} linked duplicate(s)")
    if articles and versions and duplicates:
        return True
    return not _fail("expected new articles, a new version and a linked duplicate")


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 60:
        return value[:57] + "…"
    return value


def _title(line: str) -> None:
    print(f"\n== {line}")


def _fail(message: str) -> int:
    print(f"\narshif demo: error: {message}", file=sys.stderr)
    return 1
