"""Duplicate detection inside the ingest transaction: exact keys and a persistent LSH index.

The index lives in the database (``fingerprints`` and ``lsh_bands``), so it survives
restarts, needs no rebuild at start-up and is shared by every process writing to the
archive. Each article has one fingerprint: that of its latest version.

Linking rules (``docs/dedup.md``):

* exact: another article with the same normalised text (any source);
* near: another *source's* article whose MinHash estimate is at least
  :data:`~archive.fingerprint.NEAR_DUP_THRESHOLD` (two URLs of one outlet with similar
  text are different reports, or versions, not syndication);
* clusters are flat: every duplicate points at its cluster's original, the article with the
  earliest ``published_at`` (undated articles count as latest), then the earliest seen.
  When an earlier-published copy arrives later, it becomes the original and links move.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, text, tuple_, update
from sqlalchemy.orm import Session

from archive.fingerprint import (
    MINHASH_METHOD,
    NEAR_DUP_THRESHOLD,
    TextFingerprint,
    estimated_jaccard,
    signature_from_bytes,
    signature_to_bytes,
)
from archive.models import Article, Fingerprint, LshBand

log = logging.getLogger(__name__)

# Fixed key of the PostgreSQL advisory lock that serialises duplicate linking across
# processes, so two copies ingested at the same moment still find each other.
_PG_DEDUP_LOCK = 0x64656475  # "dedu"
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Link:
    """The outcome of linking one article into a cluster."""

    original_id: int  # the cluster's original after linking
    matched_id: int  # the article it matched
    kind: str  # "exact" | "near"
    similarity: float


def index_and_link(
    session: Session, article: Article, version_id: int, fp: TextFingerprint
) -> Link | None:
    """Store ``fp`` as ``article``'s fingerprint and link it to a matching cluster, if any.

    Articles already in a cluster (a duplicate, or an original with duplicates) keep their
    links; their fingerprint is still refreshed so later copies match the new text.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_DEDUP_LOCK})
    _store(session, article.id, version_id, fp)
    if article.duplicate_of_id is not None or _has_members(session, article.id):
        return None
    match = _best_match(session, article, fp)
    if match is None:
        return None
    matched_id, kind, similarity = match
    return _link(session, article, matched_id, kind, similarity)


def _store(session: Session, article_id: int, version_id: int, fp: TextFingerprint) -> None:
    session.execute(delete(LshBand).where(LshBand.article_id == article_id))
    session.execute(delete(Fingerprint).where(Fingerprint.article_id == article_id))
    sig = fp.signature
    session.execute(
        insert(Fingerprint).values(
            article_id=article_id,
            version_id=version_id,
            norm_hash=fp.norm_hash,
            signature=signature_to_bytes(sig) if sig is not None else b"",
            method=MINHASH_METHOD,
        )
    )
    if fp.buckets:
        session.execute(
            insert(LshBand),
            [{"band": b, "bucket": k, "article_id": article_id} for b, k in fp.buckets],
        )


def _has_members(session: Session, article_id: int) -> bool:
    return (
        session.scalar(select(Article.id).where(Article.duplicate_of_id == article_id).limit(1))
        is not None
    )


def _best_match(
    session: Session, article: Article, fp: TextFingerprint
) -> tuple[int, str, float] | None:
    exact = session.scalar(
        select(Fingerprint.article_id)
        .where(Fingerprint.norm_hash == fp.norm_hash, Fingerprint.article_id != article.id)
        .order_by(Fingerprint.article_id)
        .limit(1)
    )
    if exact is not None:
        return exact, "exact", 1.0
    if fp.signature is None:
        return None
    candidates = session.execute(
        select(Fingerprint.article_id, Fingerprint.signature)
        .join(Article, Article.id == Fingerprint.article_id)
        .where(
            Fingerprint.article_id.in_(
                select(LshBand.article_id).where(
                    tuple_(LshBand.band, LshBand.bucket).in_(fp.buckets),
                    LshBand.article_id != article.id,
                )
            ),
            Fingerprint.method == MINHASH_METHOD,
            Article.source_id != article.source_id,
        )
    ).all()
    best: tuple[int, str, float] | None = None
    for cand_id, raw in candidates:
        if not raw:
            continue
        sim = estimated_jaccard(fp.signature, signature_from_bytes(raw))
        if sim >= NEAR_DUP_THRESHOLD and (best is None or sim > best[2]):
            best = (cand_id, "near", sim)
    return best


def _link(session: Session, article: Article, matched_id: int, kind: str, sim: float) -> Link:
    matched = session.get_one(Article, matched_id)
    root = session.get_one(Article, matched.duplicate_of_id or matched.id)
    if _precedence(article) < _precedence(root):
        # The newcomer was published first: it becomes the original, the cluster follows.
        session.execute(
            update(Article)
            .where(Article.duplicate_of_id == root.id)
            .values(duplicate_of_id=article.id)
        )
        session.expire_all()
        root = session.get_one(Article, root.id)
        root.duplicate_of_id, root.duplicate_kind, root.similarity = article.id, kind, sim
        log.info("article %s is the new original of article %s's cluster", article.id, root.id)
        session.flush()
        return Link(original_id=article.id, matched_id=matched_id, kind=kind, similarity=sim)
    article.duplicate_of_id, article.duplicate_kind, article.similarity = root.id, kind, sim
    session.flush()
    return Link(original_id=root.id, matched_id=matched_id, kind=kind, similarity=sim)


def _precedence(article: Article) -> tuple[datetime, datetime, int]:
    return (article.published_at or _FAR_FUTURE, article.first_seen_at, article.id)
