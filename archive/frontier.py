"""The per-source frontier: articles a run has scheduled but not yet processed.

A crawl re-discovers its sources from sitemaps, feeds and links every time, so after a crash
most unfetched articles would be found again anyway. Not all: a feed shows only its latest
entries, listings move on, and an article reached through a deep listing may be gone from
them by the next run. The frontier closes that gap. Every article request a run schedules is
recorded here before it is scheduled; its row is removed once the page is stored or its
failure recorded. A run that ends normally clears what it recorded (anything left was
filtered on purpose, e.g. by robots.txt). A run that is killed leaves exactly the pages it had
not reached, and the next run of the source fetches them first.

Rows live in the database, not on a crawler's disk, so a run on another machine resumes too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from archive.db import write_session
from archive.models import FrontierEntry
from archive.sqlcore import connection
from archive.types import utcnow
from archive.urls import url_hash

_BATCH = 500
_FRONTIER = cast(Table, FrontierEntry.__table__)


@dataclass(frozen=True)
class Pending:
    url: str
    published_hint: datetime | None


def record(
    factory: sessionmaker[Session],
    source_id: int,
    entries: Sequence[Pending],
    run_id: int | None,
) -> None:
    """Add (or adopt, for this run) scheduled article URLs, in one transaction. This runs on
    the reactor thread, so it is one cached Core statement executed for many rows (not an
    ORM bulk insert, nor a VALUES list compiled afresh for every batch)."""
    if not entries:
        return
    now = utcnow()
    with write_session(factory) as session:
        conn = session.connection()
        stmt = _upsert(conn.dialect.name)
        for start in range(0, len(entries), _BATCH):
            rows = [
                {
                    "source_id": source_id,
                    "url_hash": url_hash(e.url),
                    "url": e.url,
                    "published_hint": e.published_hint,
                    "discovered_at": now,
                    "run_id": run_id,
                }
                for e in entries[start : start + _BATCH]
            ]
            conn.execute(stmt, rows)


@functools.cache
def _upsert(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(_FRONTIER)
    return stmt.on_conflict_do_update(
        index_elements=["source_id", "url_hash"], set_={"run_id": stmt.excluded.run_id}
    )


def pending(factory: sessionmaker[Session], source_id: int) -> list[Pending]:
    """What earlier runs of the source scheduled and never processed (oldest first, then by URL)."""
    with factory() as session:
        rows = session.execute(
            select(FrontierEntry.url, FrontierEntry.published_hint)
            .where(FrontierEntry.source_id == source_id)
            .order_by(FrontierEntry.discovered_at, FrontierEntry.url)
        )
        return [Pending(url, hint) for url, hint in rows]


_FORGET = delete(_FRONTIER).where(
    _FRONTIER.c.source_id == bindparam("source_id"), _FRONTIER.c.url_hash == bindparam("hash")
)


def forget(session: Session | Connection, source_id: int, url: str) -> None:
    """Remove ``url``'s row in the caller's transaction: ingest does this in the page's own
    transaction (``Archive.ingest(..., settle_frontier=True)``), so a page is stored and
    leaves the frontier atomically, without a transaction of its own."""
    connection(session).execute(_FORGET, {"source_id": source_id, "hash": url_hash(url)})


def reached(factory: sessionmaker[Session], source_id: int, urls: Iterable[str]) -> None:
    """The pages at ``urls`` were processed (stored, skipped or recorded as failures)."""
    hashes = [url_hash(u) for u in urls]
    if not hashes:
        return
    with write_session(factory) as session:
        session.execute(
            delete(FrontierEntry).where(
                FrontierEntry.source_id == source_id, FrontierEntry.url_hash.in_(hashes)
            )
        )


def clear(factory: sessionmaker[Session], run_id: int) -> int:
    """Forget what run ``run_id`` scheduled (it ended normally); returns rows removed."""
    with write_session(factory) as session:
        result = session.execute(delete(FrontierEntry).where(FrontierEntry.run_id == run_id))
        return int(result.rowcount)  # type: ignore[attr-defined]
