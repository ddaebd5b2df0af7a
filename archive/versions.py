"""Recording versions so that they mean edits.

Every fetch of a known article is compared with its latest version on the change key
(:mod:`archive.changes`). Only a different key adds a version, of one of three kinds:

* ``first``: version 1;
* ``edit``: the outlet changed the title or text (``words_added`` / ``words_removed`` say how
  much, against the previous version);
* ``reextraction``: the same raw page read again by a newer extractor. ``arshif reextract``
  adds these; so does ingest when the latest version was extracted by an older extractor and
  the page seems to have changed: the old raw page is re-extracted first, so a change that
  is only the extractor's is recorded as a re-extraction, never as an edit.

A version added for a fetch keeps that fetch's raw response (:mod:`archive.capture`).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from archive.capture import RawResponse, load_capture, store_capture
from archive.changes import change_hash, change_key
from archive.errors import DecodeError, ExtractionError
from archive.extract import CLEANER, EXTRACTOR, Extraction, extract
from archive.ingest import MIN_WORDS, version_row, version_values
from archive.learned import learned_lines
from archive.models import Article, ArticleVersion
from archive.prepare import Derived, FetchedPage
from archive.sources import Source
from archive.sqlcore import connection
from archive.worddiff import summarize

log = logging.getLogger(__name__)

Kind = Literal["first", "edit", "reextraction"]


class ReextractionFailed(ValueError):
    """A stored raw page could not be extracted again; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Latest:
    """A stored version as the fetch path needs it (read with its article in one query)."""

    id: int
    version: int
    title: str | None
    text: str
    content_hash: str
    extractor: str
    cleaner: str | None
    capture_id: int | None

    @classmethod
    def of(cls, v: ArticleVersion) -> Latest:
        return cls(
            v.id, v.version, v.title, v.text, v.content_hash, v.extractor, v.cleaner, v.capture_id
        )


@dataclass(frozen=True)
class Step:
    """What one fetch did to an article's history."""

    outcome: Literal["new", "version", "unchanged"]
    version: Latest | None  # the version this fetch added, if any
    latest: Latest  # the article's latest version afterwards
    reextracted: bool  # a re-extraction row was added first (the extractor changed)


def latest_version(session: Session, article_id: int) -> ArticleVersion | None:
    return session.scalars(
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article_id)
        .order_by(ArticleVersion.version.desc())
        .limit(1)
    ).first()


def same_content(version: ArticleVersion | Latest, ex: Extraction) -> bool:
    """Whether an extraction says what a stored version says (keys recomputed from the
    stored text, so versions hashed by an older key never look changed)."""
    return change_key(version.title, version.text) == change_key(ex.title, ex.text)


def _unchanged(latest: Latest, ex: Extraction, chash: str) -> bool:
    """:func:`same_content`, answered by the stored hash when it equals the extraction's and
    the stored text is the current extractor's (the usual unchanged page: no key is
    recomputed from the stored text, which costs about as much as the rest of the check)."""
    if latest.content_hash == chash and not _stale(latest):
        return True
    return same_content(latest, ex)


def _stale(latest: Latest) -> bool:
    return (latest.extractor, latest.cleaner) != (EXTRACTOR, CLEANER)


def record_fetch(
    session: Session,
    article_id: int,
    latest: Latest | None,
    page: FetchedPage,
    ex: Extraction,
    source: Source,
    source_id: int,
    run_id: int | None,
    derived: Derived,
) -> Step:
    """Compare a fetch with the latest version; add a version (and its raw capture) if it
    is new or changed. Runs inside the caller's ingest transaction."""
    chash = derived.change_hash
    conn = session.connection()
    if latest is None:
        capture = store_capture(conn, page, article_id, source_id, run_id, derived.body)
        words = derived.word_count
        first = insert_version(
            conn, article_id, 1, page, ex, run_id, "first", None, capture, chash, words
        )
        return Step("new", first, first, reextracted=False)
    if _unchanged(latest, ex, chash):
        return Step("unchanged", None, latest, reextracted=False)
    reextracted = False
    if _stale(latest) and latest.capture_id is not None:
        stored = session.get_one(ArticleVersion, latest.id)
        redone = reextract_version(session, stored, source, run_id)
        if redone is not None:
            latest, reextracted = Latest.of(redone), True
            if same_content(latest, ex):
                return Step("unchanged", None, latest, reextracted=True)
    capture = store_capture(conn, page, article_id, source_id, run_id, derived.body)
    edit = insert_version(
        conn,
        article_id,
        latest.version + 1,
        page,
        ex,
        run_id,
        "edit",
        latest,
        capture,
        chash,
        derived.word_count,
    )
    return Step("version", edit, edit, reextracted)


_VERSIONS = ArticleVersion.__table__
_INSERT_VERSION = insert(_VERSIONS).returning(_VERSIONS.c.id)  # type: ignore[arg-type]


def insert_version(
    session: Session | Connection,
    article_id: int,
    number: int,
    page: FetchedPage,
    ex: Extraction,
    run_id: int | None,
    kind: Kind,
    previous: Latest | None,
    capture_id: int | None,
    chash: str,
    word_count: int | None = None,
) -> Latest:
    """Insert a version row with one Core statement (no ORM object); what was stored."""
    values = version_values(article_id, number, page, ex, run_id, chash, word_count)
    values["kind"] = kind
    values["capture_id"] = capture_id
    values["words_added"] = values["words_removed"] = None
    if previous is not None:
        summary = summarize(previous.title, previous.text, ex.title, ex.text)
        values["words_added"], values["words_removed"] = summary.words_added, summary.words_removed
    vid = int(connection(session).execute(_INSERT_VERSION, values).scalar_one())
    return Latest(vid, number, ex.title, ex.text, chash, EXTRACTOR, CLEANER, capture_id)


def stale_extraction(version: ArticleVersion) -> bool:
    """Whether ``version`` was extracted or cleaned by an older extractor than this one."""
    return (version.extractor, version.cleaner) != (EXTRACTOR, CLEANER)


def reextract_version(
    session: Session, version: ArticleVersion, source: Source, run_id: int | None = None
) -> ArticleVersion | None:
    """Extract ``version``'s raw page again with the current extractor; add and return a
    ``reextraction`` version if the result reads differently, else None (also when the
    page no longer extracts: logged, the old text is kept)."""
    if version.capture_id is None:
        return None
    try:
        source_id = session.get_one(Article, version.article_id).source_id
        page, ex = extract_again(
            load_capture(session, version.capture_id),
            version,
            source,
            learned_lines(session, source_id),
        )
    except ReextractionFailed as exc:
        log.warning("%s", exc)
        return None
    return record_reextraction(session, version, page, ex, run_id)


def extract_again(
    raw: RawResponse, version: ArticleVersion, source: Source, learned: Collection[str] = ()
) -> tuple[FetchedPage, Extraction]:
    """The raw page as a :class:`FetchedPage`, and its extraction by the current extractor.

    Raises :class:`ReextractionFailed` when it no longer extracts, or to too little text."""
    page = FetchedPage(
        source=source.name,
        url=raw.url,
        final_url=raw.final_url,
        status=raw.status,
        headers=raw.headers,
        body=raw.body,
        fetched_at=raw.fetched_at,
        published_hint=version.published_at if version.date_source == "hint" else None,
    )
    where = f"{raw.final_url} (capture {raw.capture_id})"
    try:
        ex = extract(
            page.body,
            url=page.final_url,
            content_type=page.headers.get("content-type"),
            boilerplate=source.boilerplate,
            published_hint=page.published_hint,
            fetched_at=page.fetched_at,
            zone=source.zone,
            prune=source.prune,
            learned=learned,
        )
    except (DecodeError, ExtractionError) as exc:
        raise ReextractionFailed(f"{where}: re-extraction failed: {exc}") from exc
    if ex.word_count < MIN_WORDS:
        raise ReextractionFailed(
            f"{where}: re-extraction gives only {ex.word_count} words; the old text is kept"
        )
    return page, ex


def record_reextraction(
    session: Session,
    version: ArticleVersion,
    page: FetchedPage,
    ex: Extraction,
    run_id: int | None = None,
) -> ArticleVersion | None:
    """Add a ``reextraction`` version after ``version`` if ``ex`` reads differently."""
    if same_content(version, ex):
        return None
    return add_version(
        session,
        version.article_id,
        version.version + 1,
        page,
        ex,
        run_id,
        "reextraction",
        version,
        version.capture_id,
    )


def add_version(
    session: Session,
    article_id: int,
    number: int,
    page: FetchedPage,
    ex: Extraction,
    run_id: int | None,
    kind: Kind,
    previous: ArticleVersion | None,
    capture_id: int | None,
) -> ArticleVersion:
    version = version_row(article_id, number, page, ex, run_id, change_hash(ex.title, ex.text))
    version.kind = kind
    version.capture_id = capture_id
    if previous is not None:
        summary = summarize(previous.title, previous.text, ex.title, ex.text)
        version.words_added, version.words_removed = summary.words_added, summary.words_removed
    session.add(version)
    session.flush()
    return version
