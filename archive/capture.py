"""Raw capture: the response of every fetch that produced a version, kept in the database.

Bodies are content-addressed: ``raw_bodies`` holds each distinct body once, keyed by the
sha256 of its bytes and gzip-compressed (level 6; a 25 kB article page takes about 6 kB).
``captures`` holds one row per fetch (URL, final URL, status, headers, time) pointing at
its body. Both are written in the ingest transaction, so a version never exists without the
page it was extracted from (docs/versions.md explains why the database and not files).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from archive.models import Capture, RawBody
from archive.prepare import PackedBody, pack_body
from archive.sqlcore import connection

if TYPE_CHECKING:
    from archive.prepare import FetchedPage


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


_CAPTURES = cast(Table, Capture.__table__)
_RAW_BODIES = cast(Table, RawBody.__table__)
_INSERT_CAPTURE = insert(_CAPTURES).returning(_CAPTURES.c.id)


@functools.cache
def _insert_body(dialect: str) -> Any:
    """INSERT a raw body; another process may store the same body at the same moment: first
    one wins (built once per dialect)."""
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_RAW_BODIES)
    return stmt.on_conflict_do_nothing(index_elements=["sha256"])


def store_capture(
    session: Session | Connection,
    page: FetchedPage,
    article_id: int,
    source_id: int,
    run_id: int | None,
    packed: PackedBody | None = None,
) -> int:
    """Store ``page``'s raw response (its body once per distinct content); the capture id.
    ``packed``: the body already hashed and compressed (:func:`archive.prepare.pack_body`,
    done by the extraction worker). Two Core statements on the session's connection."""
    if packed is None:
        packed = pack_body(page.body)
    conn = connection(session)
    conn.execute(
        _insert_body(conn.dialect.name),
        {
            "sha256": packed.sha256,
            "compression": packed.compression,
            "size": packed.size,
            "data": packed.data,
        },
    )
    return int(
        conn.execute(
            _INSERT_CAPTURE,
            {
                "source_id": source_id,
                "article_id": article_id,
                "crawl_run_id": run_id,
                "url": page.url,
                "final_url": page.final_url,
                "status": page.status,
                "headers": json.dumps(dict(page.headers), ensure_ascii=False, sort_keys=True),
                "fetched_at": page.fetched_at,
                "body_sha256": packed.sha256,
            },
        ).scalar_one()
    )


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
