"""Duplicate detection inside the ingest transaction: exact keys and a persistent LSH index.

The index lives in the database (``fingerprints`` and ``lsh_bands``), so it survives
restarts, needs no rebuild at start-up and is shared by every process writing to the
archive. Each article has one fingerprint: that of its latest version, so versions of one
article never match each other.

Linking rules (``docs/dedup.md``):

* exact: another article with the same normalised text (any source);
* near: another *source's* article that :class:`~archive.similarity.Verifier` calls a copy
  (estimated Jaccard above the threshold, dates and numbers agreeing);
* partial: another source's article that contains this one (or that this one contains) as
  its first part: recorded in ``partial_reprints``, not as a duplicate;
* clusters are flat: every duplicate points at its cluster's original, the article with the
  earliest ``published_at`` (undated articles count as latest), then the one crediting a
  news agency, then the earliest seen. When an earlier-published copy arrives later, it
  becomes the original and links move.
* a new version is re-checked: see :func:`recheck`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Integer,
    LargeBinary,
    Table,
    Text,
    bindparam,
    column,
    delete,
    exists,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from archive.config import dedup_threshold
from archive.fingerprint import PARAMS, TextFingerprint, signature_from_bytes, signature_to_bytes
from archive.models import Article, ArticleVersion, Fingerprint, LshBand, PartialReprint
from archive.similarity import (
    Features,
    Verdict,
    Verifier,
    decode_numbers,
    encode_numbers,
    numbers_of,
)
from archive.sqlcore import connection
from archive.types import UTCDateTime
from archive.wire import wire_credit

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


@dataclass(frozen=True, slots=True)
class Probe:
    """One article's fingerprint as matching sees it."""

    article_id: int
    source_id: int
    norm_hash: str
    features: Features | None  # None: too short for near-duplicate checks
    buckets: Sequence[tuple[int, int]]


def default_verifier(threshold: float | None = None) -> Verifier:
    """The verification rules, with the near-duplicate threshold from ``threshold``, else
    ``$ARSHIF_DEDUP_THRESHOLD``, else the measured default."""
    value = dedup_threshold(threshold)
    return Verifier() if value is None else Verifier(near_threshold=value)


def lock(session: Session) -> None:
    """Serialise duplicate linking across processes (PostgreSQL; SQLite writers already
    queue on ``BEGIN IMMEDIATE``)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_DEDUP_LOCK})


def index_and_link(
    session: Session,
    article: Article,
    version: ArticleVersion,
    fp: TextFingerprint,
    verifier: Verifier | None = None,
) -> Link | None:
    """Store ``fp`` as ``article``'s fingerprint and link it to a matching cluster, if any.

    A first version is matched against the archive; a later version is re-checked
    (:func:`recheck`). Returns the duplicate link, if the article is (still) a duplicate.
    """
    verifier = verifier or default_verifier()
    wire = wire_credit(version.text, version.attribution)
    probe = Probe(
        article.id,
        article.source_id,
        fp.norm_hash,
        None
        if fp.signature is None
        else Features(fp.signature, fp.shingles, numbers_of(fp.key), article.published_at),
        fp.buckets,
    )
    if version.version > 1:
        lock(session)
        store(session, article.id, version.id, fp, wire, replace=True)
        return recheck(session, article, probe, verifier)
    found = _store_and_lookup(session, version.id, fp, wire, probe)
    return match_and_link(session, article, probe, verifier, found=found)


_FINGERPRINTS = cast(Table, Fingerprint.__table__)
_LSH = cast(Table, LshBand.__table__)
_INSERT_FINGERPRINT = insert(_FINGERPRINTS)
_INSERT_BANDS_SQL = {
    style: f"INSERT INTO lsh_bands (band, bucket, article_id) VALUES ({', '.join([mark] * 3)})"
    for style, mark in (("qmark", "?"), ("format", "%s"), ("pyformat", "%s"))
}
_DELETE_BANDS = delete(_LSH).where(_LSH.c.article_id == bindparam("me"))
_DELETE_FINGERPRINT = delete(_FINGERPRINTS).where(_FINGERPRINTS.c.article_id == bindparam("me"))


def store(
    session: Session | Connection,
    article_id: int,
    version_id: int,
    fp: TextFingerprint,
    wire: str | None,
    *,
    replace: bool = True,
    stored: Stored | None = None,
) -> None:
    """Store ``fp`` as ``article_id``'s fingerprint and LSH rows (``replace``: drop the old
    ones first; a new article has none). ``stored``: ``fp`` in its stored form, when the
    extraction worker computed it (:func:`stored_form` otherwise)."""
    conn = connection(session)
    if replace:
        conn.execute(_DELETE_BANDS, {"me": article_id})
        conn.execute(_DELETE_FINGERPRINT, {"me": article_id})
    form = stored or stored_form(fp)
    conn.execute(
        _INSERT_FINGERPRINT,
        {
            "article_id": article_id,
            "version_id": version_id,
            "norm_hash": fp.norm_hash,
            "signature": form.signature,
            "method": fp.params.method,
            "shingles": fp.shingles,
            "numbers": encode_numbers(form.numbers),
            "wire": wire,
        },
    )
    if form.buckets:
        # Plain integers, dozens of rows: the driver's executemany, without SQLAlchemy's
        # per-row parameter processing (a tenth of the writer's time per page otherwise).
        conn.exec_driver_sql(
            _INSERT_BANDS_SQL[conn.dialect.paramstyle],
            [(b, k, article_id) for b, k in form.buckets],
        )


@dataclass(frozen=True, slots=True)
class Stored:
    """A fingerprint's pure derived values as stored (:func:`stored_form`)."""

    signature: bytes  # b"" when the text is too short for near-duplicate checks
    numbers: tuple[str, ...]
    buckets: Sequence[tuple[int, int]]


def stored_form(fp: TextFingerprint) -> Stored:
    sig = fp.signature
    return Stored(
        signature_to_bytes(sig) if sig is not None else b"",
        numbers_of(fp.key),
        fp.buckets,
    )


def index_new(
    session: Session,
    article_id: int,
    source_id: int,
    published_at: datetime | None,
    version_id: int,
    fp: TextFingerprint,
    wire: str | None,
    stored: Stored | None = None,
    verifier: Verifier | None = None,
) -> Link | None:
    """:func:`index_and_link` for the first version of an article inserted in this
    transaction, without ORM objects: the article is loaded only when it matched something
    (most articles match nothing)."""
    form = stored or stored_form(fp)
    probe = Probe(
        article_id,
        source_id,
        fp.norm_hash,
        None
        if fp.signature is None
        else Features(fp.signature, fp.shingles, form.numbers, published_at),
        form.buckets,
    )
    found = _store_and_lookup(session, version_id, fp, wire, probe, form)
    exact, candidates = found
    if exact is None and (probe.features is None or not candidates):
        return None
    article = session.get_one(Article, article_id)
    return match_and_link(session, article, probe, verifier or default_verifier(), found=found)


# -- matching ----------------------------------------------------------------------------------


Found = tuple[int | None, list[tuple[int, Features]]]


def match_and_link(
    session: Session,
    article: Article,
    probe: Probe,
    verifier: Verifier,
    *,
    found: Found | None = None,
) -> Link | None:
    """Link a not-yet-linked article: exact match first, else the best near-duplicate from
    another source; partial-reprint relations are recorded as well. ``found``: the result
    of the lookup, when the caller already made it (:func:`_store_and_lookup`)."""
    exact, candidates = _lookup(session, probe) if found is None else found
    if exact is not None:
        return _link(session, article, exact, "exact", 1.0)
    if probe.features is None:
        return None
    best: tuple[int, Verdict] | None = None
    partials: list[tuple[int, Verdict]] = []
    for cand_id, features in candidates:
        verdict = verifier.judge(probe.features, features)
        if verdict is None:
            continue
        if verdict.kind == "partial":
            partials.append((cand_id, verdict))
        elif best is None or verdict.similarity > best[1].similarity:
            best = (cand_id, verdict)
    link = None
    if best is not None:
        link = _link(session, article, best[0], "near", best[1].similarity)
    for cand_id, verdict in sorted(partials, key=lambda p: -p[1].similarity):
        brief, whole = (article.id, cand_id) if verdict.first_is_partial else (cand_id, article.id)
        link_partial(session, brief, whole, verdict.similarity)
    return link


def _store_and_lookup(
    session: Session,
    version_id: int,
    fp: TextFingerprint,
    wire: str | None,
    probe: Probe,
    stored: Stored | None = None,
) -> Found:
    """Take the dedup lock, store a new article's fingerprint and LSH rows, and look up its
    matches (:func:`_lookup`).

    PostgreSQL: one network round trip. The lock and one statement (the two inserts as
    data-modifying CTEs, plus the lookup) are sent as a psycopg pipeline; the statement
    starts after the lock is granted, so under READ COMMITTED its snapshot includes every
    article linked by a transaction that held the lock before. SQLite (in-process, no round
    trips): the same steps one after the other."""
    form = stored or stored_form(fp)
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        store(conn, probe.article_id, version_id, fp, wire, replace=False, stored=form)
        return _lookup(conn, probe)
    params = {
        **_pg_lookup_params(probe),
        "version": version_id,
        "signature": form.signature,
        "fp_method": fp.params.method,
        "shingles": fp.shingles,
        "numbers": encode_numbers(form.numbers),
        "wire": wire,
    }
    raw = conn.connection.driver_connection
    with raw.pipeline(), raw.cursor() as lock_cur, raw.cursor() as cur:  # type: ignore[union-attr]
        lock_cur.execute(_PG_LOCK, {"k": _PG_DEDUP_LOCK})
        cur.execute(_PG_STORE_AND_LOOKUP, params)
        rows = cur.fetchall()
    return _found(rows)


def _lookup(session: Session | Connection, probe: Probe) -> Found:
    """One round trip: the first article with the same normalised text (any source), and
    the other sources' articles sharing an LSH bucket with ``probe``, with their features."""
    conn = connection(session)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:  # type: ignore[union-attr]
            cur.execute(_PG_LOOKUP, _pg_lookup_params(probe))
            return _found(cur.fetchall())
    params: dict[str, object] = {
        "me": probe.article_id,
        "hash": probe.norm_hash,
        "method": PARAMS.method,
        "source": probe.source_id,
    }
    for i, (band, bucket) in enumerate(probe.buckets):
        params[f"b{i}"], params[f"k{i}"] = band, bucket
    return _found(conn.execute(_lookup_sql(len(probe.buckets)), params).all())


def _found(rows: Sequence[Sequence[Any]]) -> Found:
    exact = min((r[0] for r in rows if r[1]), default=None)
    candidates = [
        (
            art_id,
            Features(
                signature_from_bytes(bytes(sig)),
                shingles or 0,
                decode_numbers(nums),
                _utc(pub),
            ),
        )
        for art_id, is_exact, sig, shingles, nums, pub in rows
        if not is_exact and sig
    ]
    return exact, candidates


def _utc(value: datetime | None) -> datetime | None:
    """A timestamp read through a raw driver cursor, as :class:`UTCDateTime` returns it."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _pg_lookup_params(probe: Probe) -> dict[str, object]:
    return {
        "me": probe.article_id,
        "hash": probe.norm_hash,
        "method": PARAMS.method,
        "source": probe.source_id,
        "bands": [b for b, _ in probe.buckets],
        "buckets": [k for _, k in probe.buckets],
    }


# PostgreSQL statements, run on the driver's cursor (psycopg placeholders). The probe's
# (band, bucket) pairs travel as two arrays joined to lsh_bands' primary key, so the text
# is one prepared statement whatever the number of buckets.
_PG_LOCK = "SELECT pg_advisory_xact_lock(%(k)s)"
_PG_MATCHES = """
SELECT article_id, true, NULL::bytea, NULL::integer, NULL::text, NULL::timestamptz
FROM fingerprints WHERE norm_hash = %(hash)s AND article_id <> %(me)s
UNION ALL
SELECT f.article_id, false, f.signature, f.shingles, f.numbers, a.published_at
FROM fingerprints f JOIN articles a ON a.id = f.article_id
WHERE f.article_id IN (
    SELECT l.article_id
    FROM unnest(%(bands)s::smallint[], %(buckets)s::bigint[]) AS p(band, bucket)
    JOIN lsh_bands l ON l.band = p.band AND l.bucket = p.bucket
)
AND f.article_id <> %(me)s AND f.method = %(method)s AND a.source_id <> %(source)s
"""
_PG_LOOKUP = _PG_MATCHES
# The inserts' rows are invisible to the statement's own lookup (one snapshot), which
# excludes the article itself anyway.
_PG_STORE_AND_LOOKUP = (
    """
WITH new_fingerprint AS (
    INSERT INTO fingerprints
        (article_id, version_id, norm_hash, signature, method, shingles, numbers, wire)
    VALUES (%(me)s, %(version)s, %(hash)s, %(signature)s, %(fp_method)s, %(shingles)s,
            %(numbers)s, %(wire)s)
), new_bands AS (
    INSERT INTO lsh_bands (band, bucket, article_id)
    SELECT band, bucket, %(me)s
    FROM unnest(%(bands)s::smallint[], %(buckets)s::bigint[]) AS p(band, bucket)
)"""
    + _PG_MATCHES
)


@functools.cache
def _lookup_sql(buckets: int) -> TextualSelect:
    """The lookup statement for a probe with ``buckets`` LSH rows (cached). Buckets are an
    OR of (band, bucket) equalities, which SQLite and PostgreSQL both answer with one index
    probe each (a row-value ``IN`` list makes SQLite scan the whole table)."""
    exact = (
        "SELECT article_id, 1 AS is_exact, NULL AS signature, NULL AS shingles, "
        "NULL AS numbers, NULL AS published_at FROM fingerprints "
        "WHERE norm_hash = :hash AND article_id <> :me"
    )
    near = ""
    if buckets:
        probes = " OR ".join(f"(band = :b{i} AND bucket = :k{i})" for i in range(buckets))
        near = (
            " UNION ALL SELECT f.article_id, 0, f.signature, f.shingles, f.numbers, "
            "a.published_at FROM fingerprints f JOIN articles a ON a.id = f.article_id "
            f"WHERE f.article_id IN (SELECT article_id FROM lsh_bands WHERE {probes}) "
            "AND f.article_id <> :me AND f.method = :method AND a.source_id <> :source"
        )
    return text(exact + near).columns(
        column("article_id", Integer),
        column("is_exact", Integer),
        column("signature", LargeBinary),
        column("shingles", Integer),
        column("numbers", Text),
        column("published_at", UTCDateTime()),
    )


def load_probe(session: Session, article_id: int) -> Probe | None:
    """An archived article's probe, from its stored fingerprint and LSH rows."""
    row = session.execute(
        select(
            Fingerprint.norm_hash,
            Fingerprint.signature,
            Fingerprint.shingles,
            Fingerprint.numbers,
            Fingerprint.method,
            Article.source_id,
            Article.published_at,
        )
        .join(Article, Article.id == Fingerprint.article_id)
        .where(Fingerprint.article_id == article_id)
    ).one_or_none()
    if row is None:
        return None
    norm_hash, sig, shingles, nums, method, source_id, published_at = row
    usable = bool(sig) and method == PARAMS.method
    buckets = (
        session.execute(
            select(LshBand.band, LshBand.bucket).where(LshBand.article_id == article_id)
        ).all()
        if usable
        else []
    )
    features = (
        Features(signature_from_bytes(sig), shingles or 0, decode_numbers(nums), published_at)
        if usable
        else None
    )
    return Probe(article_id, source_id, norm_hash, features, [(b, k) for b, k in buckets])


def _still_duplicate(a: Probe, b: Probe, verifier: Verifier) -> float | None:
    """The similarity of two probes if they are still exact or near duplicates."""
    if a.norm_hash == b.norm_hash:
        return 1.0
    if a.features is None or b.features is None or a.source_id == b.source_id:
        return None
    verdict = verifier.judge(a.features, b.features)
    return verdict.similarity if verdict is not None and verdict.kind == "near" else None


# -- new versions ------------------------------------------------------------------------------


def recheck(session: Session, article: Article, probe: Probe, verifier: Verifier) -> Link | None:
    """Re-check an article whose text changed (a new version).

    * A duplicate stays linked while its new text still matches its original; otherwise it
      leaves the cluster and is matched afresh (it may join another cluster, or none).
    * An original keeps the duplicates its new text still matches; the others leave the
      cluster and are re-linked among themselves (the earliest of them becomes their
      original), so copies of the old text stay together.
    * Partial-reprint rows are re-verified the same way.
    """
    for brief_id in session.scalars(
        select(PartialReprint.article_id).where(PartialReprint.of_article_id == article.id)
    ).all():
        brief = load_probe(session, brief_id)
        if brief is None or not _is_partial(brief, probe, verifier):
            session.execute(delete(PartialReprint).where(PartialReprint.article_id == brief_id))
            log.info("article %s: no longer a partial reprint of %s", brief_id, article.id)
    session.execute(delete(PartialReprint).where(PartialReprint.article_id == article.id))

    if article.duplicate_of_id is not None:
        root = load_probe(session, article.duplicate_of_id)
        sim = None if root is None else _still_duplicate(probe, root, verifier)
        if sim is not None:
            article.similarity = sim
            session.flush()
            return Link(
                article.duplicate_of_id,
                article.duplicate_of_id,
                article.duplicate_kind or "near",
                sim,
            )
        log.info(
            "article %s: new text no longer matches original %s",
            article.id,
            article.duplicate_of_id,
        )
        _detach(session, [article.id])
        return match_and_link(session, article, probe, verifier)

    members = list(
        session.scalars(select(Article).where(Article.duplicate_of_id == article.id)).all()
    )
    if not members:
        return match_and_link(session, article, probe, verifier)
    stale = []
    for member in members:
        member_probe = load_probe(session, member.id)
        if member_probe is None or _still_duplicate(member_probe, probe, verifier) is None:
            stale.append(member)
    if stale:
        log.info("article %s: %d duplicate(s) no longer match its new text", article.id, len(stale))
        _detach(session, [m.id for m in stale])
        for member in sorted(stale, key=_precedence_of(session)):
            session.refresh(member)
            member_probe = load_probe(session, member.id)
            if member_probe is not None and member.duplicate_of_id is None:
                match_and_link(session, member, member_probe, verifier)
    return None


def _is_partial(brief: Probe, whole: Probe, verifier: Verifier) -> bool:
    if brief.features is None or whole.features is None:
        return False
    verdict = verifier.judge(brief.features, whole.features)
    return verdict is not None and verdict.kind == "partial" and verdict.first_is_partial


def _detach(session: Session, ids: list[int]) -> None:
    session.execute(
        update(Article)
        .where(Article.id.in_(ids))
        .values(duplicate_of_id=None, duplicate_kind=None, similarity=None)
    )
    session.expire_all()


# -- clusters ----------------------------------------------------------------------------------


def _link(session: Session, article: Article, matched_id: int, kind: str, sim: float) -> Link:
    matched = session.get_one(Article, matched_id)
    root = session.get_one(Article, matched.duplicate_of_id or matched.id)
    if root.id == article.id:  # matched one of its own duplicates: nothing to do
        return Link(original_id=article.id, matched_id=matched_id, kind=kind, similarity=sim)
    key = _precedence_of(session)
    if key(article) < key(root):
        # The newcomer was published first: it becomes the original, the cluster follows.
        session.execute(
            update(Article)
            .where(Article.duplicate_of_id == root.id)
            .values(duplicate_of_id=article.id)
        )
        _move_partials(session, root.id, article.id)
        session.expire_all()
        root = session.get_one(Article, root.id)
        root.duplicate_of_id, root.duplicate_kind, root.similarity = article.id, kind, sim
        log.info("article %s is the new original of article %s's cluster", article.id, root.id)
        session.flush()
        return Link(original_id=article.id, matched_id=matched_id, kind=kind, similarity=sim)
    article.duplicate_of_id, article.duplicate_kind, article.similarity = root.id, kind, sim
    _move_partials(session, article.id, root.id)
    session.flush()
    return Link(original_id=root.id, matched_id=matched_id, kind=kind, similarity=sim)


def link_partial(session: Session, brief_id: int, whole_id: int, containment: float) -> None:
    """Record that the story of ``brief_id`` is the first part of ``whole_id``'s: one row per
    brief cluster, on the two clusters' originals; the first relation found is kept."""
    brief_root = _root_id(session, brief_id)
    whole_root = _root_id(session, whole_id)
    if brief_root == whole_root:
        return
    taken = session.scalar(select(exists().where(PartialReprint.article_id == brief_root)))
    if taken:
        return
    session.add(
        PartialReprint(article_id=brief_root, of_article_id=whole_root, containment=containment)
    )
    session.flush()
    log.info("article %s is a partial reprint of article %s", brief_root, whole_root)


def _move_partials(session: Session, old: int, new: int) -> None:
    """``old`` joined the cluster of ``new``: its partial-reprint rows follow."""
    involved = session.scalar(
        select(
            exists().where(
                (PartialReprint.article_id == old) | (PartialReprint.of_article_id == old)
            )
        )
    )
    if not involved:
        return
    session.execute(
        update(PartialReprint).where(PartialReprint.of_article_id == old).values(of_article_id=new)
    )
    has_own = session.scalar(select(exists().where(PartialReprint.article_id == new)))
    if has_own:
        session.execute(delete(PartialReprint).where(PartialReprint.article_id == old))
    else:
        session.execute(
            update(PartialReprint).where(PartialReprint.article_id == old).values(article_id=new)
        )
    session.execute(
        delete(PartialReprint).where(PartialReprint.article_id == PartialReprint.of_article_id)
    )


def _root_id(session: Session, article_id: int) -> int:
    dup_of = session.scalar(select(Article.duplicate_of_id).where(Article.id == article_id))
    return dup_of or article_id


Precedence = tuple[datetime, int, datetime, int]


def _precedence_of(session: Session) -> Callable[[Article], Precedence]:
    """Sort key of cluster precedence: published first, then crediting an agency, then seen
    first (``docs/dedup.md``)."""

    def key(article: Article) -> Precedence:
        wire = session.scalar(select(Fingerprint.wire).where(Fingerprint.article_id == article.id))
        return (
            article.published_at or _FAR_FUTURE,
            0 if wire else 1,
            article.first_seen_at,
            article.id,
        )

    return key
