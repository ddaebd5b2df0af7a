"""Reading duplicate clusters: who published a story first, who republished it, who cut it.

Read-only queries behind ``arshif duplicates URL``; SQL users get the same from
``articles.duplicate_of_id`` and ``partial_reprints`` (``docs/schema.md``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.models import Article, ArticleVersion, PartialReprint
from archive.models import Source as SourceRow
from archive.urls import canonical_url, url_hash

ROLES = ("original", "duplicate", "partial reprint")


@dataclass(frozen=True)
class Member:
    role: str  # one of ROLES
    article_id: int
    source: str
    url: str
    title: str | None
    published_at: datetime | None
    first_seen_at: datetime
    kind: str | None  # exact | near (duplicates and a brief's copies), partial (a brief)
    # duplicates: similarity to the article matched when linked; partial: containment
    similarity: float | None
    asked: bool  # the article the user asked about

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def find_article(session: Session, url: str) -> int | None:
    """The article stored under ``url`` (canonicalised as ingest does), if any."""
    for candidate in (canonical_url(url), url):
        found = session.scalar(select(Article.id).where(Article.url_hash == url_hash(candidate)))
        if found is not None:
            return found
    return None


def cluster(session: Session, article_id: int) -> list[Member]:
    """The story of ``article_id``: its original, the duplicates, and the partial reprints
    (each brief cluster's original, with its own duplicates). Asked about a brief, the
    answer is the story it was cut from."""
    root = session.scalar(select(Article.duplicate_of_id).where(Article.id == article_id))
    root = root or article_id
    whole = session.scalar(
        select(PartialReprint.of_article_id).where(PartialReprint.article_id == root)
    )
    story = whole or root
    members = [_member(session, story, "original", None, None, article_id)]
    members += _duplicates(session, story, "duplicate", article_id)
    briefs = session.execute(
        select(PartialReprint.article_id, PartialReprint.containment)
        .where(PartialReprint.of_article_id == story)
        .order_by(PartialReprint.article_id)
    ).all()
    for brief, contained in briefs:
        members.append(_member(session, brief, "partial reprint", "partial", contained, article_id))
        members += _duplicates(session, brief, "partial reprint", article_id)
    return members


def _duplicates(session: Session, root: int, role: str, asked: int) -> list[Member]:
    rows = session.execute(
        select(Article.id, Article.duplicate_kind, Article.similarity)
        .where(Article.duplicate_of_id == root)
        .order_by(Article.published_at, Article.first_seen_at, Article.id)
    ).all()
    return [_member(session, i, role, kind, sim, asked) for i, kind, sim in rows]


def _member(
    session: Session,
    article_id: int,
    role: str,
    kind: str | None,
    similarity: float | None,
    asked: int,
) -> Member:
    latest = (
        select(func.max(ArticleVersion.version))
        .where(ArticleVersion.article_id == article_id)
        .scalar_subquery()
    )
    row = session.execute(
        select(
            SourceRow.name,
            Article.url,
            ArticleVersion.title,
            Article.published_at,
            Article.first_seen_at,
        )
        .join(SourceRow, SourceRow.id == Article.source_id)
        .outerjoin(
            ArticleVersion,
            (ArticleVersion.article_id == Article.id) & (ArticleVersion.version == latest),
        )
        .where(Article.id == article_id)
    ).one()
    source, url, title, published_at, first_seen_at = row
    return Member(
        role,
        article_id,
        source,
        url,
        title,
        published_at,
        first_seen_at,
        kind,
        similarity,
        article_id == asked,
    )
