"""Keeping flagged texts out of the duplicate index (``archive.quality``).

Ingest calls :func:`dedup_version` for every stored version: it is
:func:`archive.dedup.index_and_link` for a version without a quality flag, and
:func:`leave_dedup` for a flagged one. A first version simply never enters the index. An article whose
*new* version is flagged (an edit that turned the page into junk) leaves it: its fingerprint,
LSH rows and partial-reprint rows go, it is no longer anyone's duplicate, and the duplicates
that were linked to it are matched afresh among themselves (the earliest published becomes
their original), as :func:`archive.dedup.recheck` does for copies that no longer match.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from archive.dedup import Link, default_verifier, index_and_link, load_probe, lock, match_and_link
from archive.fingerprint import TextFingerprint
from archive.models import Article, ArticleVersion, Fingerprint, LshBand, PartialReprint
from archive.quality import dedup_eligible

log = logging.getLogger(__name__)


def dedup_version(
    session: Session, article: Article, version: ArticleVersion, fp: TextFingerprint
) -> Link | None:
    """Duplicate detection for ``article``'s new latest ``version``, unless it is flagged."""
    if dedup_eligible(version.quality_flags):
        return index_and_link(session, article, version, fp)
    leave_dedup(session, article)
    return None


def leave_dedup(session: Session, article: Article) -> None:
    """Remove ``article`` from the duplicate index and from its cluster (see module doc)."""
    indexed = session.scalar(
        select(Fingerprint.article_id).where(Fingerprint.article_id == article.id)
    )
    linked = session.scalar(select(Article.id).where(Article.duplicate_of_id == article.id))
    if indexed is None and linked is None and article.duplicate_of_id is None:
        return  # the common case: a flagged first version, never indexed
    lock(session)
    session.execute(delete(LshBand).where(LshBand.article_id == article.id))
    session.execute(delete(Fingerprint).where(Fingerprint.article_id == article.id))
    session.execute(
        delete(PartialReprint).where(
            or_(
                PartialReprint.article_id == article.id,
                PartialReprint.of_article_id == article.id,
            )
        )
    )
    members = list(
        session.scalars(
            select(Article)
            .where(Article.duplicate_of_id == article.id)
            .order_by(
                Article.published_at.is_(None),
                Article.published_at,
                Article.first_seen_at,
                Article.id,
            )
        ).all()
    )
    ids = [article.id, *(m.id for m in members)]
    session.execute(
        update(Article)
        .where(Article.id.in_(ids))
        .values(duplicate_of_id=None, duplicate_kind=None, similarity=None)
    )
    session.expire_all()
    log.info("article %s: flagged text, left the duplicate index", article.id)
    verifier = default_verifier()
    for member in members:
        session.refresh(member)
        probe = load_probe(session, member.id)
        if probe is not None and member.duplicate_of_id is None:
            match_and_link(session, member, probe, verifier)
