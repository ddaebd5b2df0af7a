"""The archive schema as typed SQLAlchemy 2.0 models.

Table and column names are a public interface: users' SQL depends on them. Every column is
documented in ``docs/schema.md``; change both together, and only through a migration.
Views (``latest_versions``, ``corpus``) are defined in the migrations (see ``archive.views``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from archive.types import UTCDateTime, utcnow

# Alembic's recommended naming convention: constraint names are stable across databases,
# so later migrations (including SQLite batch migrations) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Source(Base):
    """One configured outlet (a table of the sources file)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Kept by triggers on ``articles`` (migration 0009): never written by the application.
    article_count: Mapped[int] = mapped_column(Integer, server_default="0")


class Article(Base):
    """One article, identified by its canonical URL; its text lives in versions."""

    __tablename__ = "articles"
    __table_args__ = (
        CheckConstraint(
            "(duplicate_of_id IS NULL AND duplicate_kind IS NULL)"
            " OR (duplicate_of_id IS NOT NULL AND duplicate_kind IN ('exact', 'near'))",
            name="duplicate_kind",
        ),
        CheckConstraint("duplicate_of_id IS NULL OR duplicate_of_id <> id", name="not_self"),
        Index("ix_articles_source_id_published_at", "source_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="RESTRICT"))
    url: Mapped[str] = mapped_column(Text)
    # sha256 of url: a fixed-size unique key (PostgreSQL btrees refuse rows over ~2.7 kB,
    # and percent-encoded Arabic slugs get that long).
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    duplicate_kind: Mapped[str | None] = mapped_column(String(8))
    similarity: Mapped[float | None] = mapped_column(Float)


class ArticleVersion(Base):
    """What an article said at one point in time. A new row only when title or text changed."""

    __tablename__ = "article_versions"
    __table_args__ = (
        UniqueConstraint("article_id", "version"),
        CheckConstraint("kind IN ('first', 'edit', 'reextraction')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    fetched_at: Mapped[datetime]
    crawl_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True
    )
    fetch_url: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    authors: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    modified_at: Mapped[datetime | None]
    date_source: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    attribution: Mapped[str | None] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    encoding: Mapped[str | None] = mapped_column(String(32))
    extractor: Mapped[str] = mapped_column(String(80))
    # -- versions that mean edits (issue 6; docs/versions.md) --
    # 'first' (version 1), 'edit' (the outlet changed title or text) or 'reextraction' (the
    # same raw page extracted again by a newer extractor: never an edit).
    kind: Mapped[str] = mapped_column(String(16), server_default="edit")
    # Word-level change against the previous version (NULL for version 1).
    words_added: Mapped[int | None] = mapped_column(Integer)
    words_removed: Mapped[int | None] = mapped_column(Integer)
    # The raw response this version was extracted from (NULL for versions stored before
    # raw capture existed).
    # (NO ACTION on delete: captures go only with their article, as its versions do.)
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"), index=True)
    # Added by migration 0002 (extraction metadata).
    date_precision: Mapped[str | None] = mapped_column(String(16))
    canonical_url: Mapped[str | None] = mapped_column(Text)
    image: Mapped[str | None] = mapped_column(Text)
    categories: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(Text)
    cleaner: Mapped[str | None] = mapped_column(String(40))
    removed_lines: Mapped[int | None] = mapped_column(Integer)
    declared_encoding: Mapped[str | None] = mapped_column(String(40))
    # Added by migration 0008 (archive.quality, archive.dateline): text-quality flags
    # ("low_quality", "visual_order_suspect", space-separated; NULL when none: flagged
    # versions stay out of duplicate detection), the share of Arabic letters, and the
    # dateline that opens the text, as written and parsed (the text itself keeps it).
    quality_flags: Mapped[str | None] = mapped_column(String(64))
    arabic_share: Mapped[float | None] = mapped_column(Float)
    dateline: Mapped[str | None] = mapped_column(Text)
    dateline_place: Mapped[str | None] = mapped_column(Text)
    dateline_source: Mapped[str | None] = mapped_column(Text)
    dateline_reporter: Mapped[str | None] = mapped_column(Text)


class CrawlRun(Base):
    """One crawl of one source: when, how it ended, and what it found."""

    __tablename__ = "crawl_runs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'ok', 'failed', 'interrupted')", name="status"),
        Index("ix_crawl_runs_source_id_started_at", "source_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    new_articles: Mapped[int] = mapped_column(Integer, default=0)
    new_versions: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    bytes_received: Mapped[int] = mapped_column(BigInteger, default=0)
    # Rechecks answered "304 Not Modified" (also counted in pages_fetched and unchanged).
    not_modified: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    hostname: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    # Set when the run ends (scheduling, migration 0003): fetch_failures per kind, seconds.
    errors_by_kind: Mapped[dict[str, int] | None] = mapped_column(JSON)
    duration_seconds: Mapped[float | None] = mapped_column(Float)


class FetchFailure(Base):
    """A page that could not be fetched or turned into an article, with the reason."""

    __tablename__ = "fetch_failures"
    __table_args__ = (Index("ix_fetch_failures_source_id_failed_at", "source_id", "failed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    crawl_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    http_status: Mapped[int | None] = mapped_column(SmallInteger)
    message: Mapped[str] = mapped_column(Text)


class Fingerprint(Base):
    """Dedup fingerprint of an article's latest version (exact key + MinHash signature)."""

    __tablename__ = "fingerprints"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("article_versions.id", ondelete="CASCADE"))
    norm_hash: Mapped[str] = mapped_column(String(32), index=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    method: Mapped[str] = mapped_column(String(120))
    # Verification features (migration 0006): distinct shingles of the dedup key, its
    # numbers (space-separated), and the news agency the text credits ("sana", ...).
    shingles: Mapped[int | None] = mapped_column(Integer)
    numbers: Mapped[str | None] = mapped_column(Text)
    wire: Mapped[str | None] = mapped_column(String(32))


class LshBand(Base):
    """The persistent LSH index: one row per (band, bucket) an article's signature falls in."""

    __tablename__ = "lsh_bands"
    __table_args__ = (Index("ix_lsh_bands_article_id", "article_id"),)

    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )


# -- scheduling: locks with a lease, and the per-source frontier (migration 0003) ---------------


class CrawlLock(Base):
    """Who is crawling a source right now. One row per locked source; the holder renews
    ``expires_at`` while it crawls, and anyone may take the lock over once it has expired."""

    __tablename__ = "crawl_locks"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    token: Mapped[str] = mapped_column(String(32), index=True)
    holder_host: Mapped[str] = mapped_column(String(255))
    holder_pid: Mapped[int] = mapped_column(Integer)
    acquired_at: Mapped[datetime]
    renewed_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class FrontierEntry(Base):
    """An article a run discovered and scheduled but has not processed yet. Rows are removed
    as pages are stored (or fail); what a killed run leaves behind is fetched first next time."""

    __tablename__ = "crawl_frontier"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    url_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    published_hint: Mapped[datetime | None]
    discovered_at: Mapped[datetime]
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True
    )


class SearchDocument(Base):
    """Full-text search document of an article's latest version (``archive.search``).

    Title and text folded like dedup keys (:func:`archive.normalize.search_key`), so a search
    matches every spelling variant. SQLite indexes it with the FTS5 table ``search_fts``,
    PostgreSQL with the generated ``tsvector`` column ``document``; both are created by the
    migration and kept current by the database (trigger / generated column).
    """

    __tablename__ = "search_documents"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("article_versions.id", ondelete="CASCADE"), index=True
    )
    folded_title: Mapped[str] = mapped_column(Text)
    folded_text: Mapped[str] = mapped_column(Text)
    fold_version: Mapped[int] = mapped_column(SmallInteger)


# -- raw capture and recheck state (issue 6; docs/versions.md) -------------------------------


class RawBody(Base):
    """A response body, stored once however many captures share it (content-addressed)."""

    __tablename__ = "raw_bodies"
    __table_args__ = (CheckConstraint("compression IN ('gzip', 'none')", name="compression"),)

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)  # of the raw bytes
    compression: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)  # bytes before compression
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Capture(Base):
    """One fetch that produced a new version: the raw response as the crawler received it."""

    __tablename__ = "captures"
    __table_args__ = (Index("ix_captures_source_id_fetched_at", "source_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="RESTRICT"))
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    crawl_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(Text)  # as requested
    final_url: Mapped[str] = mapped_column(Text)  # after redirects
    status: Mapped[int] = mapped_column(SmallInteger)
    headers: Mapped[str] = mapped_column(Text)  # JSON object, lower-case names
    fetched_at: Mapped[datetime]
    body_sha256: Mapped[str] = mapped_column(
        ForeignKey("raw_bodies.sha256", ondelete="RESTRICT"), index=True
    )


class FetchState(Base):
    """Per article: HTTP validators and the recheck schedule."""

    __tablename__ = "fetch_state"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)  # the header, verbatim
    last_checked_at: Mapped[datetime]
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)  # NULL: never again
    # The newest sitemap lastmod / feed updated date known when the article was last fetched.
    lastmod: Mapped[datetime | None]
    changed_at: Mapped[datetime | None]  # when the latest edit was found


class PartialReprint(Base):
    """A brief whose text is contained in a longer article: the first part of the story."""

    __tablename__ = "partial_reprints"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    of_article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    containment: Mapped[float] = mapped_column(Float)


# -- extraction: learned boilerplate and skipped pages (migration 0002) -------------------------


class BoilerplateLine(Base):
    """Per-source statistics of short lines, for learned boilerplate (``archive.learned``)."""

    __tablename__ = "boilerplate_lines"
    __table_args__ = (
        Index("ix_boilerplate_lines_source_id_articles_seen", "source_id", "articles_seen"),
    )

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    line_hash: Mapped[str] = mapped_column(String(16), primary_key=True)
    line: Mapped[str] = mapped_column(Text)
    articles_seen: Mapped[int] = mapped_column(Integer)
    # The source's article count before the line was first seen: articles since then are
    # the "recent" ones its share is measured against.
    articles_before: Mapped[int] = mapped_column(Integer)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class SkippedPage(Base):
    """A fetched page that was not stored as an article, with the reason (one row per URL)."""

    __tablename__ = "skipped_pages"
    __table_args__ = (Index("ix_skipped_pages_source_id_kind", "source_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    crawl_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    first_skipped_at: Mapped[datetime]
    last_skipped_at: Mapped[datetime]
    times_skipped: Mapped[int] = mapped_column(Integer, default=1)
