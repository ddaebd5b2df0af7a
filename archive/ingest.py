"""Ingest one fetched page: extract outside the transaction, then store it in exactly one.

A crash at any point leaves either the whole page (article, version, fingerprint, run
counters) or none of it.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from archive.db import write_session
from archive.errors import DecodeError
from archive.extract import CLEANER, EXTRACTOR, Extraction
from archive.fingerprint import TextFingerprint, fingerprint
from archive.learned import learned_lines, record_lines, record_skipped
from archive.models import Article, ArticleVersion, CrawlRun, FetchFailure
from archive.pagekind import not_text_reason
from archive.prepare import Prepared, prepare_page
from archive.quality import join_flags
from archive.quality_dedup import dedup_version
from archive.recheck import policy_for, record_check
from archive.search_index import index_version
from archive.sources import Source
from archive.types import utcnow
from archive.urls import canonical_url, display_url, url_hash

log = logging.getLogger(__name__)

# A page with fewer words of cleaned text is not stored as an article.
MIN_WORDS = 25
# Without a positive signal from discovery, a page must look like an article.
MIN_WORDS_UNMARKED = 80


@dataclass(frozen=True)
class FetchedPage:
    """What a crawler hands to the archive: the raw response and where it came from."""

    source: str
    url: str  # the URL requested
    final_url: str  # after redirects
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    fetched_at: datetime
    # The crawler's judgement: True when discovery says "article" (sitemap, feed, pattern),
    # None when it does not know (a page reached by following links).
    is_article: bool | None = None
    published_hint: datetime | None = None  # e.g. a news sitemap's publication_date
    # The discovery date that led to this fetch (sitemap lastmod, feed updated): recheck state.
    lastmod_hint: datetime | None = None


class Outcome(enum.StrEnum):
    NEW = "new"  # a new article (version 1)
    VERSION = "version"  # a known article whose text changed: version N+1
    UNCHANGED = "unchanged"  # a known article, same text: last_seen_at updated
    SKIPPED = "skipped"  # not an article (listing, too short, ...)
    FAILED = "failed"  # could not be decoded or extracted; recorded in fetch_failures


@dataclass(frozen=True)
class IngestResult:
    outcome: Outcome
    url: str
    article_id: int | None = None
    version: int | None = None
    duplicate_of_id: int | None = None  # set when this page's article was linked as a duplicate
    reason: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


def ingest_page(
    factory: sessionmaker[Session],
    page: FetchedPage,
    source: Source,
    source_id: int,
    run_id: int | None = None,
    prepared: Prepared | None = None,
) -> IngestResult:
    """Ingest one page; ``prepared`` is its :func:`prepare` result when it was extracted
    elsewhere (another process), else it is extracted here with the learned lines of now."""
    content_type = page.headers.get("content-type")
    if reason := not_text_reason(content_type):
        return _skip(factory, page, source_id, run_id, "not-text", reason)
    if prepared is None:
        with factory() as session:
            learned = learned_lines(session, source_id)
        prepared = prepare(page, source, learned)
    ex = prepared.extraction
    if ex is None:
        exc = prepared.error
        kind = "decode" if isinstance(exc, DecodeError) else "extract"
        record_failure(factory, source_id, page.final_url, kind, str(exc), page.status, run_id)
        return IngestResult(Outcome.FAILED, page.final_url, reason=f"{kind}: {exc}")

    if skipped := _not_an_article(ex, page.is_article):
        return _skip(factory, page, source_id, run_id, *skipped)

    url = _article_url(ex, page, source)
    fp = prepared.fingerprint if prepared.fingerprint is not None else fingerprint(ex.text)
    for attempt in (1, 2):
        try:
            with write_session(factory) as session:
                return _store(session, page, ex, url, source, source_id, run_id, fp)
        except IntegrityError:
            # Another process stored the same URL first; the retry sees its row.
            if attempt == 2:
                raise
            log.debug("%s: concurrent insert, retrying", url)
    raise AssertionError("unreachable")


def prepare(page: FetchedPage, source: Source, learned: Collection[str]) -> Prepared:
    """The database-free part of ingesting ``page`` (:func:`archive.prepare.prepare_page`)."""
    return prepare_page(
        page.body,
        url=page.final_url,
        headers=page.headers,
        source=source,
        learned=learned,
        published_hint=page.published_hint,
        fetched_at=page.fetched_at,
    )


def _not_an_article(ex: Extraction, hint: bool | None) -> tuple[str, str] | None:
    """(kind, reason) when the page is not stored as an article (see archive.pagekind)."""
    if ex.page_kind == "listing":
        return "listing", ex.page_kind_reason or "listing page"
    words = ex.word_count
    if words < MIN_WORDS:
        return "short", f"{words} words of text"
    if hint is None and not ex.article_markup and words < MIN_WORDS_UNMARKED:
        return "short", f"no article markup and only {words} words"
    return None


def _skip(
    factory: sessionmaker[Session],
    page: FetchedPage,
    source_id: int,
    run_id: int | None,
    kind: str,
    reason: str,
) -> IngestResult:
    """Record a page that is not an article in ``skipped_pages`` and count it."""
    log.debug("%s: skipped (%s): %s", page.final_url, kind, reason)
    url = canonical_url(page.final_url)
    with write_session(factory) as session:
        record_skipped(
            session,
            source_id=source_id,
            run_id=run_id,
            url=url,
            url_hash=url_hash(url),
            kind=kind,
            reason=reason,
            when=page.fetched_at,
        )
        _increment(session, run_id, {"pages_fetched": 1, "skipped": 1}, len(page.body))
    return IngestResult(Outcome.SKIPPED, page.final_url, reason=f"{kind}: {reason}")


def _article_url(ex: Extraction, page: FetchedPage, source: Source) -> str:
    """The article's key: its rel=canonical when that stays on the source's site."""
    if ex.canonical_url:
        canonical = canonical_url(urljoin(page.final_url, ex.canonical_url))
        if source.owns(canonical):
            return canonical
    return canonical_url(page.final_url)


def _store(
    session: Session,
    page: FetchedPage,
    ex: Extraction,
    url: str,
    source: Source,
    source_id: int,
    run_id: int | None,
    fp: TextFingerprint,
) -> IngestResult:
    from archive import versions  # versions builds on this module

    counts = {"pages_fetched": 1}
    article = session.scalar(select(Article).where(Article.url_hash == url_hash(url)))
    latest = None
    if article is None:
        article = Article(
            source_id=source_id,
            url=url,
            url_hash=url_hash(url),
            first_seen_at=page.fetched_at,
            last_seen_at=page.fetched_at,
            published_at=ex.published_at,
        )
        session.add(article)
        session.flush()
        counts["new_articles"] = 1
        record_lines(session, source_id, ex.line_candidates, page.fetched_at)
    else:
        article.last_seen_at = max(article.last_seen_at, page.fetched_at)
        if ex.published_at and (
            article.published_at is None or ex.published_at < article.published_at
        ):
            article.published_at = ex.published_at
        latest = versions.latest_version(session, article.id)
    # Versions mean edits: compare on the change key, keep the raw page of every new version.
    step = versions.record_fetch(session, article, latest, page, ex, source, source_id, run_id)
    record_check(
        session,
        article,
        page.headers,
        page.fetched_at,
        page.lastmod_hint,
        changed=step.outcome == "version",
        policy=policy_for(source),
    )
    if step.version is None:
        counts["unchanged"] = 1
        if step.reextracted:  # the latest text is a re-extraction now: refresh its indexes
            index_version(session, article.id, step.latest.id, step.latest.title, step.latest.text)
            dedup_version(session, article, step.latest, fp)
        _increment(session, run_id, counts, len(page.body))
        return IngestResult(
            Outcome.UNCHANGED,
            url,
            article.id,
            step.latest.version,
            article.duplicate_of_id,
            counts=counts,
        )
    outcome = Outcome.NEW if step.outcome == "new" else Outcome.VERSION
    if outcome is Outcome.VERSION:
        counts["new_versions"] = 1
    version_no = step.version.version
    index_version(session, article.id, step.version.id, ex.title, ex.text)
    link = dedup_version(session, article, step.version, fp)
    duplicate_of = None
    if link is not None:
        counts["duplicates"] = 1
        duplicate_of = link.original_id if link.original_id != article.id else None
    _increment(session, run_id, counts, len(page.body))
    return IngestResult(outcome, url, article.id, version_no, duplicate_of, counts=counts)


def version_row(
    article_id: int,
    version_no: int,
    page: FetchedPage,
    ex: Extraction,
    run_id: int | None,
    chash: str,
) -> ArticleVersion:
    """A new ``article_versions`` row for an extraction of ``page`` (not yet added)."""
    return ArticleVersion(
        article_id=article_id,
        version=version_no,
        fetched_at=page.fetched_at,
        crawl_run_id=run_id,
        fetch_url=page.final_url,
        http_status=page.status,
        title=ex.title,
        text=ex.text,
        authors=ex.authors,
        published_at=ex.published_at,
        modified_at=ex.modified_at,
        date_source=ex.date_source,
        language=ex.language,
        description=ex.description,
        attribution=ex.attribution,
        word_count=ex.word_count,
        content_hash=chash,
        encoding=ex.encoding,
        extractor=EXTRACTOR,
        cleaner=CLEANER,
        date_precision=ex.date_precision,
        canonical_url=ex.canonical_url,
        image=ex.image,
        categories="; ".join(ex.categories) or None,
        tags="; ".join(ex.tags) or None,
        removed_lines=ex.removed_lines,
        declared_encoding=(ex.declared_encoding or "")[:40] or None,
        quality_flags=join_flags(ex.quality_flags),
        arabic_share=ex.arabic_share,
        dateline=ex.dateline,
        dateline_place=ex.dateline_place,
        dateline_source=ex.dateline_source,
        dateline_reporter=ex.dateline_reporter,
    )


def _increment(
    session: Session, run_id: int | None, counts: Mapping[str, int], nbytes: int
) -> None:
    if run_id is None:
        return
    values = {name: getattr(CrawlRun, name) + n for name, n in counts.items()}
    values["bytes_received"] = CrawlRun.bytes_received + nbytes
    session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(**values))


def record_failure(
    factory: sessionmaker[Session],
    source_id: int,
    url: str,
    kind: str,
    message: str,
    http_status: int | None = None,
    run_id: int | None = None,
) -> None:
    """Record a page that could not be fetched or extracted (never silently dropped)."""
    log.warning("%s: %s: %s", display_url(url), kind, message)
    with write_session(factory) as session:
        session.add(
            FetchFailure(
                source_id=source_id,
                crawl_run_id=run_id,
                url=url,
                failed_at=utcnow(),
                kind=kind,
                http_status=http_status if http_status and 0 < http_status < 1000 else None,
                message=message[:2000],
            )
        )
        _increment(session, run_id, {"errors": 1}, 0)
