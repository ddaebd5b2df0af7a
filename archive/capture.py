"""Raw capture: the response of every fetch that produced a version, kept in the database.

Bodies are content-addressed: ``raw_bodies`` holds each distinct body once, keyed by the
sha256 of its bytes and gzip-compressed (level 6; a 25 kB article page takes about 6 kB).
``captures`` holds one row per fetch (URL, final URL, status, headers, time) pointing at
its body. Both are written in the ingest transaction, so a version never exists without the
page it was extracted from (docs/versions.md explains why the database and not files).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from archive.models import Capture, RawBody

if TYPE_CHECKING:
    from archive.ingest import FetchedPage

GZIP_LEVEL = 6
# Below this size compression does not pay for its header.
MIN_COMPRESS = 256


@dataclass(frozen=True, slots=True)
class RawResponse:
    """A stored capture, read back: what the crawler received."""

    capture_id: int
    article_id: int
    source_id: int
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    fetched_at: datetime
    body: bytes
    sha256: str


def store_capture(
    session: Session, page: FetchedPage, article_id: int, source_id: int, run_id: int | None
) -> int:
    """Store ``page``'s raw response (its body once per distinct content); the capture id."""
    digest = hashlib.sha256(page.body).hexdigest()
    _store_body(session, digest, page.body)
    return session.execute(
        insert(Capture)
        .values(
            source_id=source_id,
            article_id=article_id,
            crawl_run_id=run_id,
            url=page.url,
            final_url=page.final_url,
            status=page.status,
            headers=json.dumps(dict(page.headers), ensure_ascii=False, sort_keys=True),
            fetched_at=page.fetched_at,
            body_sha256=digest,
        )
        .returning(Capture.id)
    ).scalar_one()


def _store_body(session: Session, digest: str, body: bytes) -> None:
    if session.scalar(select(RawBody.sha256).where(RawBody.sha256 == digest)) is not None:
        return
    compression, data = "none", body
    if len(body) >= MIN_COMPRESS:
        packed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        if len(packed) < len(body):
            compression, data = "gzip", packed
    values = {"sha256": digest, "compression": compression, "size": len(body), "data": data}
    # Another process may store the same body at the same moment: first one wins.
    dialect = session.get_bind().dialect.name
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(RawBody)
    session.execute(stmt.values(**values).on_conflict_do_nothing(index_elements=["sha256"]))


def unpack(compression: str, data: bytes) -> bytes:
    if compression == "gzip":
        return gzip.decompress(data)
    if compression == "none":
        return bytes(data)
    raise ValueError(f"unknown raw body compression {compression!r}")


def load_capture(session: Session, capture_id: int) -> RawResponse:
    """A capture with its decompressed body (checked against its sha256)."""
    row = session.execute(
        select(Capture, RawBody.compression, RawBody.data)
        .join(RawBody, RawBody.sha256 == Capture.body_sha256)
        .where(Capture.id == capture_id)
    ).one()
    cap, compression, data = row
    return to_raw(cap, compression, data)


def to_raw(cap: Capture, compression: str, data: bytes) -> RawResponse:
    body = unpack(compression, data)
    if hashlib.sha256(body).hexdigest() != cap.body_sha256:
        raise ValueError(f"capture {cap.id}: raw body does not match its sha256 (corrupt?)")
    headers: Mapping[str, str] = json.loads(cap.headers)
    return RawResponse(
        capture_id=cap.id,
        article_id=cap.article_id,
        source_id=cap.source_id,
        url=cap.url,
        final_url=cap.final_url,
        status=cap.status,
        headers=dict(headers),
        fetched_at=cap.fetched_at,
        body=body,
        sha256=cap.body_sha256,
    )
