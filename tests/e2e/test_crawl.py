"""Real crawls: `arshif crawl` in a subprocess against the fixture web over HTTP, checked
with plain SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from crawler.demo.web import FixtureWeb

pytestmark = pytest.mark.e2e

FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0"]
BOILERPLATE = [
    "اترك تعليقاً",
    "زر الذهاب إلى الأعلى",
    "إقرأ أيضاً",
    "عدد المشاهدات",
    "جميع الحقوق محفوظة",
    "مقالات ذات صلة",
    "تيلغرام",
]


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb() as fixture:
        yield fixture


@pytest.fixture
def sources(web: FixtureWeb, tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(web.sources_toml(), encoding="utf-8")
    return path


def arshif(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def crawl(sources: Path, db_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    result = arshif("crawl", "--sources", str(sources), "--db", db_url, *FAST, *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def sql(db_url: str, query: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(query), params)]
    finally:
        engine.dispose()


def test_crawl_recrawl_edit(web: FixtureWeb, sources: Path, db_url: str) -> None:
    # -- first crawl: every article once, duplicates linked, boilerplate gone -------------
    crawl(sources, db_url)
    per_source = sql(
        db_url,
        "SELECT s.name, COUNT(a.id) FROM sources s LEFT JOIN articles a ON a.source_id = s.id "
        "GROUP BY s.name ORDER BY s.name",
    )
    assert per_source == [("alsham", 7), ("hurriya", 7)]
    assert sql(db_url, "SELECT COUNT(*), MAX(version) FROM article_versions") == [(14, 1)]
    urls = {u for (u,) in sql(db_url, "SELECT url FROM articles")}
    assert urls == set(web.article_urls())  # canonical URLs, tracking parameters gone

    original, copy = web.syndicated_pair()
    linked = sql(
        db_url,
        "SELECT d.url, o.url, d.duplicate_kind FROM articles d "
        "JOIN articles o ON o.id = d.duplicate_of_id",
    )
    assert linked == [(copy, original, "near")]
    assert sql(db_url, "SELECT COUNT(*) FROM corpus") == [(13,)]
    assert sql(db_url, "SELECT COUNT(*) FROM corpus WHERE url = :u", u=copy) == [(0,)]

    texts = sql(db_url, "SELECT url, text FROM latest_versions")
    for url, body in texts:
        for line in BOILERPLATE:
            assert line not in body, f"{url} still contains {line!r}"
    legacy = sql(
        db_url, "SELECT text, encoding FROM latest_versions WHERE url LIKE '%/news/4508/%'"
    )
    assert legacy[0][1] == "cp1256"
    assert "دمشق" in legacy[0][0]
    assert sql(db_url, "SELECT COUNT(*) FROM article_versions WHERE published_at IS NULL") == [(0,)]
    # extraction metadata (issue 3): detected language, date precision and source, versions
    assert sql(
        db_url,
        "SELECT language, date_precision, date_source, cleaner, COUNT(*) FROM latest_versions "
        "GROUP BY language, date_precision, date_source, cleaner",
    ) == [("ar", "exact", "json-ld", "clean-2", 14)]

    # robots.txt obeyed, dead links recorded with their URL and status
    assert not [p for _, _, p in web.requests if p.startswith("/private/")]
    failures = sql(db_url, "SELECT kind, http_status FROM fetch_failures ORDER BY url")
    assert failures == [("http", 404), ("http", 404)]
    runs = sql(
        db_url, "SELECT status, pages_fetched, new_articles, errors FROM crawl_runs ORDER BY id"
    )
    assert runs == [("ok", 7, 7, 1), ("ok", 7, 7, 1)]

    # -- re-crawl after cosmetic changes only: no new version ----------------------------
    # (--recheck all: the fixture articles are from 2019, past the default recheck age;
    # every page's ETag changed, so each one is fetched in full and compared.)
    web.cosmetic_change()
    crawl(sources, db_url, "--recheck", "all")
    assert sql(db_url, "SELECT COUNT(*) FROM article_versions") == [(14,)]
    runs = sql(db_url, "SELECT unchanged, new_versions FROM crawl_runs WHERE id > 2 ORDER BY id")
    assert runs == [(7, 0), (7, 0)]
    assert sql(db_url, "SELECT COUNT(*) FROM articles WHERE last_seen_at > first_seen_at") == [
        (14,)
    ]

    # -- re-crawl after a real edit: exactly one new version, the old one kept -----------
    # (default --recheck due: the edited article's newer sitemap lastmod makes it due.)
    edited = web.edit_article()
    crawl(sources, db_url)
    runs = sql(
        db_url, "SELECT pages_fetched, new_versions FROM crawl_runs WHERE id > 4 ORDER BY id"
    )
    assert runs == [(1, 1), (0, 0)]
    versions = sql(
        db_url,
        "SELECT a.url, v.version, v.text FROM article_versions v JOIN articles a ON a.id = v.article_id "
        "WHERE a.url = :u ORDER BY v.version",
        u=edited,
    )
    assert [v for _, v, _ in versions] == [1, 2]
    assert versions[0][2] != versions[1][2]
    assert sql(db_url, "SELECT COUNT(*) FROM article_versions") == [(15,)]
    assert sql(db_url, "SELECT version FROM latest_versions WHERE url = :u", u=edited) == [(2,)]


def test_max_pages_and_named_sources(web: FixtureWeb, sources: Path, sqlite_url: str) -> None:
    result = crawl(sources, sqlite_url, "--max-pages", "2", "hurriya")
    assert "hurriya" in result.stdout
    assert sql(
        sqlite_url,
        "SELECT s.name, COUNT(*) FROM articles a JOIN sources s ON s.id = a.source_id GROUP BY s.name",
    ) == [("hurriya", 2)]
    assert sql(sqlite_url, "SELECT name FROM sources") == [("hurriya",)]


def test_bad_input_gets_one_clear_error(tmp_path: Path, sqlite_url: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[sources.x]\nurl = "http://127.0.0.1:9/"\nartcle_pattern = "a"\n', encoding="utf-8"
    )
    result = arshif("crawl", "--sources", str(bad), "--db", sqlite_url)
    assert result.returncode == 2
    assert f"{bad}: [sources.x] artcle_pattern: unknown key" in result.stderr
    assert "Traceback" not in result.stderr

    good = tmp_path / "good.toml"
    good.write_text('[sources.x]\nurl = "http://127.0.0.1:9/"\n', encoding="utf-8")
    result = arshif("crawl", "--sources", str(good), "--db", sqlite_url, "nope")
    assert result.returncode == 2
    assert "no source named 'nope' (known: x)" in result.stderr


def test_unreachable_source_is_a_failed_run(tmp_path: Path, sqlite_url: str) -> None:
    path = tmp_path / "sources.toml"
    # Port 9 (discard) on localhost: connection refused, no network needed.
    path.write_text(
        '[sources.down]\nurl = "http://127.0.0.1:9/"\nfeeds = ["http://127.0.0.1:9/feed"]\n',
        encoding="utf-8",
    )
    result = arshif(
        "crawl", "--sources", str(path), "--db", sqlite_url, *FAST, "-s", "RETRY_TIMES=0"
    )
    assert result.returncode == 1
    assert sql(sqlite_url, "SELECT status, errors FROM crawl_runs") == [("failed", 2)]
    kinds = {k for (k,) in sql(sqlite_url, "SELECT kind FROM fetch_failures")}
    assert kinds == {"network"}
