"""Reading an article's history: its versions, and two of them to compare."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from archive.errors import NotInArchive
from archive.models import Article, ArticleVersion, Capture
from archive.models import Source as SourceRow
from archive.urls import canonical_url, url_hash


@dataclass(frozen=True, slots=True)
class VersionInfo:
    version: int
    kind: str
    fetched_at: datetime
    modified_at: datetime | None
    word_count: int
    words_added: int | None
    words_removed: int | None
    title: str | None
    extractor: str
    has_capture: bool


@dataclass(frozen=True, slots=True)
class History:
    article_id: int
    source: str
    url: str
    first_seen_at: datetime
    last_seen_at: datetime
    versions: tuple[VersionInfo, ...]


def find_article(session: Session, url: str) -> Article:
    """The article at ``url``: its canonical URL, or any URL a version was fetched from."""
    key = canonical_url(url.strip())
    article = session.scalar(select(Article).where(Article.url_hash == url_hash(key)))
    if article is not None:
        return article
    fetched = (
        select(ArticleVersion.article_id)
        .where(or_(ArticleVersion.fetch_url == url, ArticleVersion.fetch_url == key))
        .union(select(Capture.article_id).where(or_(Capture.url == url, Capture.url == key)))
    )
    article = session.scalar(select(Article).where(Article.id.in_(fetched)).limit(1))
    if article is None:
        raise NotInArchive(f"no article with URL {url} in the archive")
    return article


def history(factory: sessionmaker[Session], url: str) -> History:
    with factory() as session:
        article = find_article(session, url)
        source = session.scalar(select(SourceRow.name).where(SourceRow.id == article.source_id))
        rows = session.scalars(
            select(ArticleVersion)
            .where(ArticleVersion.article_id == article.id)
            .order_by(ArticleVersion.version)
        ).all()
        versions = tuple(
            VersionInfo(
                v.version,
                v.kind,
                v.fetched_at,
                v.modified_at,
                v.word_count,
                v.words_added,
                v.words_removed,
                v.title,
                v.extractor,
                v.capture_id is not None,
            )
            for v in rows
        )
        return History(
            article.id,
            source or "?",
            article.url,
            article.first_seen_at,
            article.last_seen_at,
            versions,
        )


def version_pair(
    factory: sessionmaker[Session], url: str, old: int | None = None, new: int | None = None
) -> tuple[History, ArticleVersion, ArticleVersion]:
    """Two versions to compare. Defaults: ``new`` = the latest, ``old`` = the one before."""
    hist = history(factory, url)
    numbers = [v.version for v in hist.versions]
    if len(numbers) < 2:
        raise NotInArchive(f"{hist.url} has only one version: nothing to compare")
    new = numbers[-1] if new is None else new
    old = new - 1 if old is None else old
    for n, flag in ((old, "--from"), (new, "--to")):
        if n not in numbers:
            raise NotInArchive(f"{hist.url} has no version {n} ({flag}; it has 1 to {numbers[-1]})")
    if old == new:
        raise NotInArchive(f"--from and --to are both version {old}: nothing to compare")
    with factory() as session:
        rows = {
            v.version: v
            for v in session.scalars(
                select(ArticleVersion).where(
                    ArticleVersion.article_id == hist.article_id,
                    ArticleVersion.version.in_([old, new]),
                )
            )
        }
    return hist, rows[old], rows[new]
