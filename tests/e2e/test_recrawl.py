"""Recrawls of a site in editions (tests/site/editions.py): exactly which pages are fetched,
how each fetch ends (new, edit, unchanged, 304), and which versions, edits, captures and
diffs the archive ends up with. Real crawls in a subprocess, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from warcio.archiveiterator import ArchiveIterator

from archive.db import write_session
from archive.models import Article, FetchState
from archive.store import Archive
from archive.types import utcnow
from tests.e2e.test_crawl import FAST, arshif, sql
from tests.site.editions import CATEGORY, EditionsSite

pytestmark = pytest.mark.e2e


@pytest.fixture
def site() -> Iterator[EditionsSite]:
    with EditionsSite() as s:
        yield s


def crawl(site: EditionsSite, tmp_path: Path, db_url: str, *extra: str) -> list[Any]:
    sources = tmp_path / "sources.toml"
    sources.write_text(site.sources_toml(), encoding="utf-8")
    result = arshif("crawl", "--sources", str(sources), "--db", db_url, *FAST, *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    (run,) = sql(
        db_url,
        "SELECT status, pages_fetched, new_articles, new_versions, unchanged, not_modified "
        "FROM crawl_runs WHERE id = (SELECT MAX(id) FROM crawl_runs)",
    )
    return list(run)


def make_due(db_url: str, url: str | None = None) -> None:
    """Move ``next_check_at`` of the article at ``url`` (of every article) an hour back."""
    with Archive.open(db_url) as archive, write_session(archive.sessions) as session:
        query = update(FetchState).values(next_check_at=utcnow() - timedelta(hours=1))
        if url is not None:
            query = query.where(
                FetchState.article_id
                == select(Article.id).where(Article.url == url).scalar_subquery()
            )
        session.execute(query)


def test_recrawls_fetch_and_version_exactly_what_changed(
    site: EditionsSite, tmp_path: Path, db_url: str
) -> None:
    a = {n: f"/archives/{n}" for n in range(1, 9)}

    # -- edition 1, first crawl: everything is new -------------------------------------------
    assert crawl(site, tmp_path, db_url) == ["ok", 7, 7, 0, 0, 0]
    assert site.requests(1) == {a[n]: 200 for n in range(1, 8)}
    pages = {p for e, p, *_ in site.log if e == 1 and p.startswith(CATEGORY)}
    assert pages == {CATEGORY, f"{CATEGORY}/page/2", f"{CATEGORY}/page/3"}
    validators = sql(
        db_url,
        "SELECT a.url, f.etag IS NOT NULL, f.last_modified IS NOT NULL FROM fetch_state f "
        "JOIN articles a ON a.id = f.article_id ORDER BY a.url",
    )
    assert validators == [(site.url(n), n not in (3, 6), n != 3) for n in range(1, 8)]

    # -- edition 2, recheck everything: one edit, one new article, 304s, unchanged 200s -----
    site.edition = 2
    assert crawl(site, tmp_path, db_url, "--recheck", "all") == ["ok", 8, 1, 1, 6, 2]
    assert site.requests(2) == {
        a[1]: 200,  # real edit: version 2
        a[2]: 200,  # boilerplate only: unchanged
        a[3]: 200,  # no validators: unchanged
        a[4]: 304,  # If-None-Match
        a[5]: 200,  # new ETag, same bytes: unchanged
        a[6]: 304,  # If-Modified-Since
        a[7]: 200,  # reflowed whitespace: unchanged
        a[8]: 200,  # new
    }
    sent = {p: (inm, ims) for e, p, _, inm, ims in site.log if e == 2 and p in a.values()}
    assert sent[a[3]] == (None, None)
    assert sent[a[4]][0] is not None
    assert sent[a[6]][0] is None
    assert sent[a[6]][1] is not None
    assert sent[a[8]] == (None, None)
    # Page 1 of the listing has the new article, page 2 only known ones: no page 3.
    pages = {p for e, p, *_ in site.log if e == 2 and p.startswith(CATEGORY)}
    assert pages == {CATEGORY, f"{CATEGORY}/page/2"}

    # -- edition 3, default policy: only what is due or signalled is fetched ------------------
    site.edition = 3
    # Article 3 has been due since an hour ago; article 1's sitemap lastmod moves (the edit).
    make_due(db_url, site.url(3))
    assert crawl(site, tmp_path, db_url) == ["ok", 2, 0, 1, 1, 0]
    assert site.requests(3) == {a[1]: 200, a[3]: 200}
    pages = {p for e, p, *_ in site.log if e == 3 and p.startswith(CATEGORY)}
    assert pages == {CATEGORY}  # every article listed is known: no paging back

    # --recheck none: nothing known is fetched, even when due.
    make_due(db_url)
    before = len(site.log)
    assert crawl(site, tmp_path, db_url, "--recheck", "none") == ["ok", 0, 0, 0, 0, 0]
    assert not [p for _, p, *_ in site.log[before:] if p[10:].isdigit()]
    # --backfill: pages back through every listing page even though all is known.
    before = len(site.log)
    assert crawl(site, tmp_path, db_url, "--recheck", "none", "--backfill") == ["ok", 0, 0, 0, 0, 0]
    pages = {p for _, p, *_ in site.log[before:] if p.startswith(CATEGORY)}
    assert pages == {CATEGORY, f"{CATEGORY}/page/2", f"{CATEGORY}/page/3"}

    # -- the history: versions mean edits -------------------------------------------------------
    versions = sql(
        db_url,
        "SELECT a.url, v.version, v.kind FROM article_versions v "
        "JOIN articles a ON a.id = v.article_id ORDER BY a.url, v.version",
    )
    assert versions == [
        (site.url(1), 1, "first"),
        (site.url(1), 2, "edit"),
        (site.url(1), 3, "edit"),
        *[(site.url(n), 1, "first") for n in range(2, 9)],
    ]
    edits = sql(
        db_url,
        "SELECT url, from_version, to_version, words_added, words_removed, title_changed "
        "FROM article_edits ORDER BY to_version",
    )
    # v2: "مدنيان 6" -> "3 مدنيين 8" (+3 -2) and a paragraph of 28 words; title unchanged.
    # v3: the headline only: "استشهاد" -> "مقتل" and "(محدّث)" added.
    assert edits == [(site.url(1), 1, 2, 31, 2, 0), (site.url(1), 2, 3, 2, 1, 1)]
    assert sql(db_url, "SELECT COUNT(*), COUNT(DISTINCT body_sha256) FROM captures") == [(10, 10)]
    assert sql(db_url, "SELECT COUNT(*) FROM article_versions WHERE capture_id IS NULL") == [(0,)]
    assert sql(db_url, "SELECT COUNT(*) FROM articles WHERE last_seen_at > first_seen_at") == [(7,)]

    # -- reading it back: versions, diff, WARC --------------------------------------------------
    result = arshif("versions", site.url(1), "--db", db_url)
    assert result.returncode == 0, result.stderr
    assert "3 version(s), 2 edit(s)" in result.stdout
    result = arshif("diff", site.url(1), "--db", db_url, "--from", "1", "--to", "2")
    assert result.returncode == 0, result.stderr
    assert "[-مدنيان-]" in result.stdout
    assert "{+3 مدنيين+}" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour when piped
    warc = tmp_path / "editions.warc.gz"
    result = arshif("export", "--format", "warc", "--out", str(warc), "--db", db_url)
    assert result.returncode == 0, result.stderr
    with warc.open("rb") as stream:
        uris = [
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(stream)
            if r.rec_type == "response"
        ]
    assert sorted(uris) == sorted([site.url(n) for n in range(1, 9)] + [site.url(1)] * 2)
