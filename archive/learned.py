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

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from archive.models import Article, BoilerplateLine, SkippedPage

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


def _article_count(session: Session, source_id: int) -> int:
    count = session.scalar(
        select(func.count()).select_from(Article).where(Article.source_id == source_id)
    )
    return int(count or 0)


def learned_lines(session: Session, source_id: int) -> frozenset[str]:
    """Hashes of the lines that are boilerplate for this source right now.

    Two indexed queries: the source's article count, and its lines seen ≥ MIN_ARTICLES times."""
    total = _article_count(session, source_id)
    b = BoilerplateLine
    query = select(b.line_hash).where(
        b.source_id == source_id,
        b.articles_seen >= MIN_ARTICLES,
        b.articles_seen >= MIN_SHARE * (total - b.articles_before),
    )
    return frozenset(session.scalars(query))


def record_lines(
    session: Session, source_id: int, candidates: Sequence[tuple[str, str]], seen_at: datetime
) -> None:
    """Count one more article for each candidate line (call once per new article, after the
    article row is flushed)."""
    table = BoilerplateLine.__table__
    assert isinstance(table, Table)
    if not candidates:
        return
    before = _article_count(session, source_id) - 1  # the articles before this one
    upsert(
        session,
        table,
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
            for digest, line in candidates
        ],
        ["source_id", "line_hash"],
        {
            "articles_seen": lambda ex: table.c.articles_seen + 1,
            "last_seen_at": lambda ex: (
                func.max(table.c.last_seen_at, ex.last_seen_at)
                if session.get_bind().dialect.name == "sqlite"
                else func.greatest(table.c.last_seen_at, ex.last_seen_at)
            ),
        },
    )


def record_skipped(
    session: Session,
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
    table = SkippedPage.__table__
    assert isinstance(table, Table)
    upsert(
        session,
        table,
        [
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
            }
        ],
        ["url_hash"],
        {
            "crawl_run_id": lambda ex: ex.crawl_run_id,
            "kind": lambda ex: ex.kind,
            "reason": lambda ex: ex.reason,
            "last_skipped_at": lambda ex: ex.last_skipped_at,
            "times_skipped": lambda ex: table.c.times_skipped + 1,
        },
    )
