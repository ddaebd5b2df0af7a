"""Ingest one fetched page: extract outside the transaction, then store it in exactly one.

A crash at any point leaves either the whole page (article, version, fingerprint, run
counters) or none of it.
"""

from __future__ import annotations

import enum
import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Table, Update, and_, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from archive import frontier
from archive.db import write_session
from archive.dedup import Link, Stored, index_new
from archive.errors import DecodeError
from archive.extract import CLEANER, EXTRACTOR, Extraction
from archive.fingerprint import TextFingerprint, fingerprint
from archive.learned import learned_lines, record_lines, record_skipped
from archive.models import Article, ArticleVersion, CrawlRun, FetchFailure, FetchState
from archive.pagekind import not_text_reason
from archive.prepare import Derived, FetchedPage, Prepared, derive, prepare_fetched
from archive.quality import dedup_eligible, join_flags
from archive.quality_dedup import dedup_version
from archive.recheck import STATE_FIELDS, policy_for, record_check
from archive.search_index import index_version
from archive.sources import Source
from archive.sqlcore import connection
from archive.types import utcnow
from archive.urls import canonical_url, display_url, url_hash

if TYPE_CHECKING:
    from archive.versions import Latest

log = logging.getLogger(__name__)

# A page with fewer words of cleaned text is not stored as an article.
MIN_WORDS = 25
# Without a positive signal from discovery, a page must look like an article.
MIN_WORDS_UNMARKED = 80


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
    # A line became learned boilerplate with this page (archive.learned.record_lines): a
    # crawler that caches the source's learned lines should read them again.
    learned_changed: bool = False


def ingest_page(
    factory: sessionmaker[Session],
    page: FetchedPage,
    source: Source,
    source_id: int,
    run_id: int | None = None,
    prepared: Prepared | None = None,
    frontier_url: str | None = None,
) -> IngestResult:
    """Ingest one page; ``prepared`` is its :func:`~archive.prepare.prepare_fetched` result
    when it was extracted elsewhere (another process), else it is extracted here with the
    learned lines of now.
    ``frontier_url``: the crawl-frontier row (:mod:`archive.frontier`) this page settles,
    removed in the page's own transaction, whatever its outcome."""
    content_type = page.headers.get("content-type")
    if reason := not_text_reason(content_type):
        return _skip(factory, page, source_id, run_id, frontier_url, "not-text", reason)
    if prepared is None:
        with factory() as session:
            learned = learned_lines(session, source_id)
        prepared = prepare_fetched(page, source, learned)
    ex = prepared.extraction
    if ex is None:
        exc = prepared.error
        kind = "decode" if isinstance(exc, DecodeError) else "extract"
        record_failure(
            factory, source_id, page.final_url, kind, str(exc), page.status, run_id, frontier_url
        )
        return IngestResult(Outcome.FAILED, page.final_url, reason=f"{kind}: {exc}")

    words = ex.word_count if prepared.derived is None else prepared.derived.word_count
    if skipped := _not_an_article(ex, page.is_article, words):
        return _skip(factory, page, source_id, run_id, frontier_url, *skipped)

    fp = prepared.fingerprint if prepared.fingerprint is not None else fingerprint(ex.text)
    derived = prepared.derived or derive(page.body, ex, fp, page.final_url, source)
    url = derived.article_url
    for attempt in (1, 2):
        try:
            with write_session(factory) as session:
                return _store(
                    session, page, ex, url, source, source_id, run_id, fp, derived, frontier_url
                )
        except IntegrityError:
            # Another process stored the same URL first; the retry sees its row.
            if attempt == 2:
                raise
            log.debug("%s: concurrent insert, retrying", url)
    raise AssertionError("unreachable")


def _not_an_article(ex: Extraction, hint: bool | None, words: int) -> tuple[str, str] | None:
    """(kind, reason) when the page is not stored as an article (see archive.pagekind);
    ``words``: ``ex.word_count``."""
    if ex.page_kind == "listing":
        return "listing", ex.page_kind_reason or "listing page"
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
    frontier_url: str | None,
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
        if frontier_url is not None:
            frontier.forget(session, source_id, frontier_url)
    return IngestResult(Outcome.SKIPPED, page.final_url, reason=f"{kind}: {reason}")


_ARTICLES = cast(Table, Article.__table__)
_VERSIONS = cast(Table, ArticleVersion.__table__)
_STATE = cast(Table, FetchState.__table__)
_V2 = _VERSIONS.alias("v2")
_LATEST = (
    select(func.max(_V2.c.version))
    .where(_V2.c.article_id == _ARTICLES.c.id)
    .correlate(_ARTICLES)
    .scalar_subquery()
)
# A fetched article, its latest version and its recheck state: one indexed query.
_SELECT_KNOWN = (
    select(
        _ARTICLES.c.id,
        _ARTICLES.c.first_seen_at,
        _ARTICLES.c.last_seen_at,
        _ARTICLES.c.published_at,
        _ARTICLES.c.duplicate_of_id,
        _VERSIONS.c.id.label("version_id"),
        _VERSIONS.c.version,
        _VERSIONS.c.title,
        _VERSIONS.c.text,
        _VERSIONS.c.content_hash,
        _VERSIONS.c.extractor,
        _VERSIONS.c.cleaner,
        _VERSIONS.c.capture_id,
        _STATE.c.article_id.label("has_state"),
        *(_STATE.c[f] for f in STATE_FIELDS),
    )
    .select_from(
        _ARTICLES.outerjoin(
            _VERSIONS,
            and_(_VERSIONS.c.article_id == _ARTICLES.c.id, _VERSIONS.c.version == _LATEST),
        ).outerjoin(_STATE, _STATE.c.article_id == _ARTICLES.c.id)
    )
    .where(_ARTICLES.c.url_hash == bindparam("url_hash"))
)
_INSERT_ARTICLE = insert(_ARTICLES).returning(_ARTICLES.c.id)
_UPDATE_ARTICLE = (
    update(_ARTICLES)
    .where(_ARTICLES.c.id == bindparam("article_id"))
    .values(last_seen_at=bindparam("seen"), published_at=bindparam("published"))
)


def _insert_article(
    conn: Connection, source_id: int, url: str, key: str, page: FetchedPage, ex: Extraction
) -> int:
    values = {
        "source_id": source_id,
        "url": url,
        "url_hash": key,
        "first_seen_at": page.fetched_at,
        "last_seen_at": page.fetched_at,
        "published_at": ex.published_at,
    }
    return int(conn.execute(_INSERT_ARTICLE, values).scalar_one())


def _latest_of(known: Any) -> Latest | None:
    from archive.versions import Latest  # versions builds on this module

    if known.version_id is None:
        return None
    return Latest(
        known.version_id,
        known.version,
        known.title,
        known.text,
        known.content_hash,
        known.extractor,
        known.cleaner,
        known.capture_id,
    )


def _dedup(
    session: Session,
    new_article: bool,
    article_id: int,
    source_id: int,
    published: datetime | None,
    version_id: int,
    ex: Extraction,
    fp: TextFingerprint,
    derived: Derived,
) -> Link | None:
    """Duplicate detection for the version just stored (:mod:`archive.quality_dedup`)."""
    if not new_article:
        article = session.get_one(Article, article_id)
        return dedup_version(session, article, session.get_one(ArticleVersion, version_id), fp)
    # A new article: nothing indexed or linked yet, so no ORM object is needed (a flagged
    # first version never enters the index).
    if not dedup_eligible(join_flags(ex.quality_flags)):
        return None
    stored = Stored(derived.signature, derived.numbers, derived.buckets)
    return index_new(
        session, article_id, source_id, published, version_id, fp, derived.wire, stored
    )


def _store(
    session: Session,
    page: FetchedPage,
    ex: Extraction,
    url: str,
    source: Source,
    source_id: int,
    run_id: int | None,
    fp: TextFingerprint,
    derived: Derived,
    frontier_url: str | None,
) -> IngestResult:
    """The page's transaction, in Core statements on the session's connection (the ORM
    is used only on the rare paths: a duplicate to link, an edit, a re-extraction)."""
    from archive import versions  # versions builds on this module

    conn = session.connection()
    counts = {"pages_fetched": 1}
    key = url_hash(url)
    known = conn.execute(_SELECT_KNOWN, {"url_hash": key}).first()
    learned_changed = False
    latest: Latest | None = None
    state: dict[str, Any] | None = None
    if known is None:
        article_id = _insert_article(conn, source_id, url, key, page, ex)
        first_seen, published, duplicate_of = page.fetched_at, ex.published_at, None
        counts["new_articles"] = 1
        learned_changed = record_lines(conn, source_id, ex.line_candidates, page.fetched_at)
    else:
        article_id, first_seen, published = known.id, known.first_seen_at, known.published_at
        duplicate_of = known.duplicate_of_id
        if ex.published_at and (published is None or ex.published_at < published):
            published = ex.published_at
        conn.execute(
            _UPDATE_ARTICLE,
            {
                "article_id": article_id,
                "seen": max(known.last_seen_at, page.fetched_at),
                "published": published,
            },
        )
        latest = _latest_of(known)
        if known.has_state is not None:
            state = {f: known._mapping[f] for f in STATE_FIELDS}
    # Versions mean edits: compare on the change key, keep the raw page of every new version.
    if frontier_url is not None:
        frontier.forget(conn, source_id, frontier_url)
    step = versions.record_fetch(
        session, article_id, latest, page, ex, source, source_id, run_id, derived
    )
    record_check(
        conn,
        article_id,
        published_at=published,
        first_seen_at=first_seen,
        state=state,
        headers=page.headers,
        fetched_at=page.fetched_at,
        lastmod=page.lastmod_hint,
        changed=step.outcome == "version",
        policy=policy_for(source),
    )
    if step.version is None:
        counts["unchanged"] = 1
        if step.reextracted:  # the latest text is a re-extraction now: refresh its indexes
            latest = step.latest
            index_version(conn, article_id, latest.id, latest.title, latest.text)
            article = session.get_one(Article, article_id)
            dedup_version(session, article, session.get_one(ArticleVersion, latest.id), fp)
            duplicate_of = article.duplicate_of_id
        _increment(conn, run_id, counts, len(page.body))
        return IngestResult(
            Outcome.UNCHANGED, url, article_id, step.latest.version, duplicate_of, counts=counts
        )
    outcome = Outcome.NEW if step.outcome == "new" else Outcome.VERSION
    if outcome is Outcome.VERSION:
        counts["new_versions"] = 1
    version = step.version
    index_version(
        conn,
        article_id,
        version.id,
        ex.title,
        ex.text,
        folded=(derived.folded_title, derived.folded_text),
        new_article=known is None,
    )
    link = _dedup(
        session, known is None, article_id, source_id, published, version.id, ex, fp, derived
    )
    duplicate_of = None
    if link is not None:
        counts["duplicates"] = 1
        duplicate_of = link.original_id if link.original_id != article_id else None
    _increment(conn, run_id, counts, len(page.body))
    return IngestResult(
        outcome,
        url,
        article_id,
        version.version,
        duplicate_of,
        counts=counts,
        learned_changed=learned_changed,
    )


def version_row(
    article_id: int,
    version_no: int,
    page: FetchedPage,
    ex: Extraction,
    run_id: int | None,
    chash: str,
) -> ArticleVersion:
    """A new ``article_versions`` row for an extraction of ``page`` (not yet added)."""
    return ArticleVersion(**version_values(article_id, version_no, page, ex, run_id, chash))


def version_values(
    article_id: int,
    version_no: int,
    page: FetchedPage,
    ex: Extraction,
    run_id: int | None,
    chash: str,
    word_count: int | None = None,
) -> dict[str, Any]:
    """The column values of a new ``article_versions`` row for an extraction of ``page``
    (``word_count``: ``ex.word_count`` when the caller already has it)."""
    return {
        "article_id": article_id,
        "version": version_no,
        "fetched_at": page.fetched_at,
        "crawl_run_id": run_id,
        "fetch_url": page.final_url,
        "http_status": page.status,
        "title": ex.title,
        "text": ex.text,
        "authors": ex.authors,
        "published_at": ex.published_at,
        "modified_at": ex.modified_at,
        "date_source": ex.date_source,
        "language": ex.language,
        "description": ex.description,
        "attribution": ex.attribution,
        "word_count": ex.word_count if word_count is None else word_count,
        "content_hash": chash,
        "encoding": ex.encoding,
        "extractor": EXTRACTOR,
        "cleaner": CLEANER,
        "date_precision": ex.date_precision,
        "canonical_url": ex.canonical_url,
        "image": ex.image,
        "categories": "; ".join(ex.categories) or None,
        "tags": "; ".join(ex.tags) or None,
        "removed_lines": ex.removed_lines,
        "declared_encoding": (ex.declared_encoding or "")[:40] or None,
        "quality_flags": join_flags(ex.quality_flags),
        "arabic_share": ex.arabic_share,
        "dateline": ex.dateline,
        "dateline_place": ex.dateline_place,
        "dateline_source": ex.dateline_source,
        "dateline_reporter": ex.dateline_reporter,
    }


@functools.cache
def _increment_stmt(names: tuple[str, ...]) -> Update:
    """UPDATE crawl_runs adding to the counters ``names`` and ``bytes_received`` (built once
    per set of counters)."""
    runs = cast(Table, CrawlRun.__table__)
    values = {name: runs.c[name] + bindparam(f"n_{name}") for name in names}
    values["bytes_received"] = runs.c.bytes_received + bindparam("n_bytes")
    return update(runs).where(runs.c.id == bindparam("run")).values(values)


def _increment(
    session: Session | Connection, run_id: int | None, counts: Mapping[str, int], nbytes: int
) -> None:
    if run_id is None:
        return
    params = {f"n_{name}": n for name, n in counts.items()}
    connection(session).execute(
        _increment_stmt(tuple(sorted(counts))), {"run": run_id, "n_bytes": nbytes, **params}
    )


_FAILURES = cast(Table, FetchFailure.__table__)
_INSERT_FAILURE = insert(_FAILURES)


def record_failure(
    factory: sessionmaker[Session],
    source_id: int,
    url: str,
    kind: str,
    message: str,
    http_status: int | None = None,
    run_id: int | None = None,
    frontier_url: str | None = None,
) -> None:
    """Record a page that could not be fetched or extracted (never silently dropped);
    ``frontier_url``: the crawl-frontier row it settles, removed in the same transaction."""
    log.warning("%s: %s: %s", display_url(url), kind, message)
    with write_session(factory) as session:
        session.connection().execute(
            _INSERT_FAILURE,
            {
                "source_id": source_id,
                "crawl_run_id": run_id,
                "url": url,
                "failed_at": utcnow(),
                "kind": kind,
                "http_status": http_status if http_status and 0 < http_status < 1000 else None,
                "message": message[:2000],
            },
        )
        _increment(session, run_id, {"errors": 1}, 0)
        if frontier_url is not None:
            frontier.forget(session, source_id, frontier_url)
