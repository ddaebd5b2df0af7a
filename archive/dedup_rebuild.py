"""Re-cluster the whole archive from stored fingerprints (``arshif dedup rebuild``).

1. **Refresh fingerprints** whose ``method`` is not the current :data:`~archive.fingerprint.PARAMS`
   (another normaliser version, other MinHash parameters, or a fingerprint stored before
   migration 0006): recomputed from each article's latest version. Current ones are reused.
2. **Reset** every duplicate link and partial-reprint row.
3. **Re-link** every article, in cluster precedence order (earliest published first, then
   agency credits, then first seen), with the same matching code as ingest
   (:func:`archive.dedup.match_and_link`), so the result is what ingesting the archive in
   that order would give.

Each step commits in batches, so a crawl writing to the same archive waits at most one
batch; until step 3 ends, readers see an archive with fewer links than before.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from archive.db import write_session
from archive.dedup import load_probe, lock, match_and_link, store
from archive.fingerprint import PARAMS, fingerprint
from archive.models import Article, ArticleVersion, Fingerprint, PartialReprint
from archive.quality import dedup_eligible
from archive.similarity import Verifier
from archive.wire import wire_credit

# progress(phase, done, total)
ProgressFn = Callable[[str, int, int], None]
BATCH = 200
T = TypeVar("T")


@dataclass(frozen=True)
class RebuildReport:
    articles: int
    recomputed: int  # fingerprints recomputed (stale method or missing)
    duplicates: int  # articles linked to an original
    clusters: int  # originals with at least one duplicate
    partial_reprints: int
    seconds: float


def rebuild(
    factory: sessionmaker[Session],
    verifier: Verifier,
    progress: ProgressFn | None = None,
    batch: int = BATCH,
) -> RebuildReport:
    started = time.monotonic()
    report = progress or (lambda _phase, _done, _total: None)

    with factory() as session:
        stale = _stale_ids(session)
    done = 0
    report("fingerprints", 0, len(stale))
    for chunk in _chunks(stale, batch):
        with write_session(factory) as session:
            lock(session)
            for article_id in chunk:
                _refingerprint(session, article_id)
        done += len(chunk)
        report("fingerprints", done, len(stale))

    with write_session(factory) as session:
        lock(session)
        session.execute(delete(PartialReprint))
        session.execute(
            update(Article)
            .where(Article.duplicate_of_id.is_not(None))
            .values(duplicate_of_id=None, duplicate_kind=None, similarity=None)
        )

    with factory() as session:
        order = _ids_in_precedence_order(session)
    done = 0
    report("clusters", 0, len(order))
    for chunk in _chunks(order, batch):
        with write_session(factory) as session:
            lock(session)
            for article_id in chunk:
                article = session.get_one(Article, article_id)
                if article.duplicate_of_id is not None:
                    continue  # an earlier article already took it into its cluster
                probe = load_probe(session, article_id)
                if probe is not None:
                    match_and_link(session, article, probe, verifier)
        done += len(chunk)
        report("clusters", done, len(order))

    with factory() as session:
        duplicates = session.scalar(select(func.count(Article.duplicate_of_id))) or 0
        clusters = session.scalar(select(func.count(func.distinct(Article.duplicate_of_id)))) or 0
        partials = session.scalar(select(func.count()).select_from(PartialReprint)) or 0
    return RebuildReport(
        articles=len(order),
        recomputed=len(stale),
        duplicates=duplicates,
        clusters=clusters,
        partial_reprints=partials,
        seconds=time.monotonic() - started,
    )


def _stale_ids(session: Session) -> list[int]:
    query = (
        select(Article.id)
        .outerjoin(Fingerprint, Fingerprint.article_id == Article.id)
        .where(
            or_(
                Fingerprint.article_id.is_(None),
                Fingerprint.method != PARAMS.method,
                Fingerprint.shingles.is_(None),
            )
        )
        .order_by(Article.id)
    )
    return list(session.scalars(query).all())


def _ids_in_precedence_order(session: Session) -> list[int]:
    query = (
        select(Article.id)
        .outerjoin(Fingerprint, Fingerprint.article_id == Article.id)
        .order_by(
            case((Article.published_at.is_(None), 1), else_=0),
            Article.published_at,
            case((Fingerprint.wire.is_(None), 1), else_=0),
            Article.first_seen_at,
            Article.id,
        )
    )
    return list(session.scalars(query).all())


def _refingerprint(session: Session, article_id: int) -> None:
    version = session.scalars(
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article_id)
        .order_by(ArticleVersion.version.desc())
        .limit(1)
    ).one_or_none()
    if version is None or not dedup_eligible(version.quality_flags):
        return  # flagged texts (archive.quality) stay out of the index
    fp = fingerprint(version.text)
    store(session, article_id, version.id, fp, wire_credit(version.text, version.attribution))


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
