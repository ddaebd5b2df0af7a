"""``arshif reextract``: run the current extractor over stored raw pages.

For each article whose latest version has a raw capture (by default only those extracted by
another extractor version than the current one), the capture is extracted and cleaned again.
If the result reads differently (on the change key), it is recorded as a new version of kind
``reextraction``, never as an edit: ``article_edits`` and the edit counts ignore it, while
``latest_versions`` and ``corpus`` show the better text. The duplicate index is refreshed for
the new text. One transaction per article; interrupting loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from archive.capture import load_capture
from archive.db import write_session
from archive.extract import CLEANER, EXTRACTOR
from archive.fingerprint import fingerprint
from archive.learned import learned_lines
from archive.models import Article, ArticleVersion
from archive.models import Source as SourceRow
from archive.quality_dedup import dedup_version
from archive.search_index import index_version
from archive.sources import Source
from archive.store import Archive
from archive.versions import (
    ReextractionFailed,
    extract_again,
    latest_version,
    record_reextraction,
)

log = logging.getLogger(__name__)


@dataclass
class ReextractReport:
    source: str
    checked: int = 0  # articles whose raw page was extracted again
    revised: int = 0  # ... and read differently: a 'reextraction' version was added
    unchanged: int = 0
    no_capture: int = 0  # latest version stored before raw capture existed
    failed: int = 0  # undecodable, or no longer an article (see the log)
    revised_ids: list[int] = field(default_factory=list)


def reextract(
    archive: Archive,
    sources: Mapping[str, Source],
    *,
    source: str | None = None,
    everything: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[ReextractReport]:
    """Re-extract the latest version of every article (of ``source``) that needs it.

    ``sources`` supplies per-source settings (``boilerplate`` patterns); a source missing
    from it is re-extracted without extra patterns. ``everything``: also articles already
    extracted by the current extractor (e.g. after changing ``boilerplate`` patterns).
    """
    with archive.sessions() as session:
        query = select(SourceRow.id, SourceRow.name, SourceRow.url).order_by(SourceRow.name)
        if source is not None:
            query = query.where(SourceRow.name == source)
        rows = session.execute(query).all()
    if source is not None and not rows:
        raise LookupError(f"no source named {source!r} in the archive")
    reports = []
    for source_id, name, url in rows:
        src = sources.get(name) or Source(name=name, url=url)
        reports.append(_one_source(archive, src, source_id, everything, progress))
    return reports


def _one_source(
    archive: Archive,
    src: Source,
    source_id: int,
    everything: bool,
    progress: Callable[[str, int, int], None] | None,
) -> ReextractReport:
    report = ReextractReport(src.name)
    todo = _candidates(archive, source_id, everything)
    for n, article_id in enumerate(todo, 1):
        _one_article(archive, src, article_id, report)
        if progress is not None:
            progress(src.name, n, len(todo))
    return report


def _one_article(archive: Archive, src: Source, article_id: int, report: ReextractReport) -> None:
    # Extract outside the write transaction (as ingest does), then record in one.
    with archive.sessions() as session:
        latest = latest_version(session, article_id)
        if latest is None:
            return
        if latest.capture_id is None:
            report.no_capture += 1
            return
        raw = load_capture(session, latest.capture_id)
        learned = learned_lines(session, _source_id(session, article_id))
    report.checked += 1
    try:
        page, ex = extract_again(raw, latest, src, learned)
    except ReextractionFailed as exc:
        log.warning("%s", exc)
        report.failed += 1
        return
    with write_session(archive.sessions) as session:
        current = latest_version(session, article_id)
        if current is None or current.id != latest.id:
            report.unchanged += 1  # a crawl stored a newer version meanwhile: leave it
            return
        new = record_reextraction(session, current, page, ex)
        if new is None:
            report.unchanged += 1
            return
        index_version(session, article_id, new.id, new.title, new.text)
        dedup_version(session, session.get_one(Article, article_id), new, fingerprint(new.text))
    report.revised += 1
    report.revised_ids.append(article_id)


def _source_id(session: Session, article_id: int) -> int:
    return session.get_one(Article, article_id).source_id


def _candidates(archive: Archive, source_id: int, everything: bool) -> list[int]:
    v = aliased(ArticleVersion)
    newest = select(v.article_id, func.max(v.version).label("n")).group_by(v.article_id).subquery()
    query = (
        select(Article.id)
        .join(newest, newest.c.article_id == Article.id)
        .join(
            ArticleVersion,
            (ArticleVersion.article_id == Article.id) & (ArticleVersion.version == newest.c.n),
        )
        .where(Article.source_id == source_id)
        .order_by(Article.id)
    )
    if not everything:
        query = query.where(
            (ArticleVersion.extractor != EXTRACTOR)
            | (ArticleVersion.cleaner != CLEANER)
            | ArticleVersion.cleaner.is_(None)
        )
    with archive.sessions() as session:
        return list(session.scalars(query))
