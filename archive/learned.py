"""Learned per-source boilerplate: short lines that recur verbatim across a source's articles.

Every *new* article of a source contributes its short lines (≤ ``MAX_LEARNED_WORDS`` words, not
the first line, each line once, matched on its ``fold_arabic`` key) to ``boilerplate_lines``, in
the ingest transaction. A line becomes boilerplate for that source when it has been seen in at
least ``MIN_ARTICLES`` distinct articles **and** in at least ``MIN_SHARE`` of the source's
articles stored since the line itself was first seen ("recent" articles, so a slogan added
last month counts against last month's articles only; ``articles_before`` keeps the source's
article count at that moment, so no old articles are scanned). Ingest loads the learned lines before
extraction and :func:`archive.clean.clean_text` removes them (rule ``learned``). A body sentence
that merely resembles a slogan has a different key and is kept; a sentence that recurs in a few
articles (a templated casualty report) stays below the share. See ``docs/cleaning.md``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from archive.models import BoilerplateLine, SkippedPage, Source
from archive.sqlcore import connection

MIN_ARTICLES = 5
MIN_SHARE = 0.5


def upsert(
    session: Session,
    table: Table,
    values: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    update: Mapping[str, Any],
) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET update (SQLite and PostgreSQL)."""
    if not values:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(list(values))
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={k: v(stmt.excluded) for k, v in update.items()}
    )
    session.execute(stmt)


_LINES = cast(Table, BoilerplateLine.__table__)
_SKIPPED = cast(Table, SkippedPage.__table__)
_SOURCES = cast(Table, Source.__table__)
# The source's number of articles, kept by triggers on ``articles`` (migration 0009): counting
# the rows instead costs time in proportion to the source's size, for every new article.
_COUNT = select(_SOURCES.c.article_count).where(_SOURCES.c.id == bindparam("source_id"))


def _article_count(session: Session | Connection, source_id: int) -> int:
    count = connection(session).execute(_COUNT, {"source_id": source_id}).scalar()
    return int(count or 0)


def learned_lines(session: Session, source_id: int) -> frozenset[str]:
    """Hashes of the lines that are boilerplate for this source right now.

    Two indexed queries: the source's article count (``sources.article_count``), and its
    lines seen ≥ MIN_ARTICLES times."""
    total = _article_count(session, source_id)
    b = BoilerplateLine
    query = select(b.line_hash).where(
        b.source_id == source_id,
        b.articles_seen >= MIN_ARTICLES,
        b.articles_seen >= MIN_SHARE * (total - b.articles_before),
    )
    return frozenset(session.scalars(query))


def is_learned(articles_seen: int, articles_before: int, total: int) -> bool:
    """Whether a line seen in ``articles_seen`` articles is boilerplate when its source has
    ``total`` articles (the rule of :func:`learned_lines`)."""
    return articles_seen >= MIN_ARTICLES and articles_seen >= MIN_SHARE * (total - articles_before)


@functools.cache
def _upsert_lines(dialect: str) -> Any:
    """The candidate-line upsert, returning each line's counts (built once per dialect)."""
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_LINES)
    greatest = func.max if dialect == "sqlite" else func.greatest
    return stmt.on_conflict_do_update(
        index_elements=["source_id", "line_hash"],
        set_={
            "articles_seen": _LINES.c.articles_seen + 1,
            "last_seen_at": greatest(_LINES.c.last_seen_at, stmt.excluded.last_seen_at),
        },
    ).returning(_LINES.c.articles_seen, _LINES.c.articles_before)


def record_lines(
    session: Session | Connection,
    source_id: int,
    candidates: Sequence[tuple[str, str]],
    seen_at: datetime,
) -> bool:
    """Count one more article for each candidate line (call once per new article, after the
    article row is inserted). True when a line became learned boilerplate by this article
    (so a crawler caching :func:`learned_lines` knows to read them again)."""
    if not candidates:
        return False
    conn = connection(session)
    before = _article_count(conn, source_id) - 1  # the articles before this one
    rows = conn.execute(
        _upsert_lines(conn.dialect.name),
        [
            {
                "source_id": source_id,
                "line_hash": digest,
                "line": line,
                "articles_seen": 1,
                "articles_before": before,
                "first_seen_at": seen_at,
                "last_seen_at": seen_at,
            }
            for digest, line in dict(candidates).items()
        ],
    ).all()
    total = before + 1
    return any(
        is_learned(seen, line_before, total) and not is_learned(seen - 1, line_before, total - 1)
        for seen, line_before in rows
    )


@functools.cache
def _upsert_skipped(dialect: str) -> Any:
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_SKIPPED)
    ex = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=["url_hash"],
        set_={
            "crawl_run_id": ex.crawl_run_id,
            "kind": ex.kind,
            "reason": ex.reason,
            "last_skipped_at": ex.last_skipped_at,
            "times_skipped": _SKIPPED.c.times_skipped + 1,
        },
    )


def record_skipped(
    session: Session | Connection,
    *,
    source_id: int,
    run_id: int | None,
    url: str,
    url_hash: str,
    kind: str,
    reason: str,
    when: datetime,
) -> None:
    """One row per skipped URL: the latest kind and reason, and how often it was skipped."""
    conn = connection(session)
    conn.execute(
        _upsert_skipped(conn.dialect.name),
        {
            "source_id": source_id,
            "crawl_run_id": run_id,
            "url": url,
            "url_hash": url_hash,
            "kind": kind,
            "reason": reason[:2000],
            "first_skipped_at": when,
            "last_skipped_at": when,
            "times_skipped": 1,
        },
    )
