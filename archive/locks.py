"""Per-source crawl locks with a lease: one run of a source at a time, across processes and
machines sharing the archive.

A crawl takes the lock of each source it crawls (a ``crawl_locks`` row), keeps renewing its
lease while it runs, and deletes the row when it ends. A holder that dies (SIGKILL, power
loss) stops renewing; once ``expires_at`` has passed, the next crawl takes the lock over and
marks the dead holder's run ``interrupted`` (``finish_reason = 'process died'``).

Taking the lock, ending dead runs and starting the new run happen in one write transaction
(``BEGIN IMMEDIATE`` on SQLite, a row lock or the primary key on PostgreSQL), so two
processes can never both start a run of one source. Leases use each machine's clock: keep
the clocks NTP-synchronised (the default lease, 5 minutes, dwarfs ordinary skew).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from archive.db import write_session
from archive.models import CrawlLock, CrawlRun
from archive.models import Source as SourceRow
from archive.runs import PROCESS_DIED, close_run
from archive.types import utcnow

log = logging.getLogger(__name__)

LEASE_SECONDS = 300.0  # default lease; the holder renews it every third of that


@dataclass(frozen=True)
class Holder:
    """One crawl process: a random token (what the lock rows are matched on), host and pid."""

    token: str
    host: str
    pid: int

    @classmethod
    def for_this_process(cls) -> Holder:
        return cls(uuid.uuid4().hex, socket.gethostname()[:255], os.getpid())


@dataclass(frozen=True)
class LockInfo:
    source: str
    run_id: int | None
    host: str
    pid: int
    acquired_at: datetime
    renewed_at: datetime
    expires_at: datetime

    def live(self, now: datetime) -> bool:
        return self.expires_at > now

    def describe(self) -> str:
        run = f"run #{self.run_id}, " if self.run_id is not None else ""
        return f"{self.host}:{self.pid} ({run}lease until {self.expires_at:%Y-%m-%d %H:%M:%S} UTC)"


@dataclass(frozen=True)
class RunStart:
    """What :func:`begin_run` did for one source: started ``run_id``, or refused because
    another holder has a live lease (``locked_by``) or because another run started since the
    caller decided the source was due (``not_due``). ``died``: runs found dead and closed."""

    source: str
    run_id: int | None = None
    locked_by: LockInfo | None = None
    not_due: bool = False
    died: tuple[int, ...] = ()


# `last_start_seen` default: the caller did not look (an explicit crawl, not a scheduled one).
NOT_SEEN = object()


def begin_run(
    factory: sessionmaker[Session],
    source: str,
    holder: Holder,
    lease_seconds: float = LEASE_SECONDS,
    last_start_seen: datetime | object | None = NOT_SEEN,
) -> RunStart:
    """Take ``source``'s lock for ``holder`` and start a run, in one transaction.

    ``last_start_seen``: for scheduled crawls, the start time of the source's latest run as
    the caller saw it when deciding the source was due (``None``: never crawled). If another
    run has started since (another machine's cron), nothing is done and ``not_due`` is set.
    """
    for attempt in (1, 2):
        try:
            with write_session(factory) as session:
                return _begin(session, source, holder, lease_seconds, last_start_seen)
        except IntegrityError:
            # PostgreSQL: another process inserted the lock row first; the retry sees it.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _begin(
    session: Session,
    source: str,
    holder: Holder,
    lease_seconds: float,
    last_start_seen: datetime | object | None,
) -> RunStart:
    now = utcnow()
    source_id = session.scalar(select(SourceRow.id).where(SourceRow.name == source))
    if source_id is None:
        raise KeyError(f"source {source!r} is not registered: call sync_sources first")
    lock = session.get(CrawlLock, source_id, with_for_update=True)
    if lock is not None and lock.token != holder.token and lock.expires_at > now:
        return RunStart(source, locked_by=_info(source, lock))
    if last_start_seen is not NOT_SEEN:
        latest = session.scalar(
            select(CrawlRun.started_at)
            .where(CrawlRun.source_id == source_id)
            .order_by(CrawlRun.id.desc())
            .limit(1)
        )
        if latest != last_start_seen:
            return RunStart(source, not_due=True)
    # We own the source now: any run of it still marked running has lost its holder.
    died = _close_dead_runs(session, source_id, lock, now)
    lease = timedelta(seconds=lease_seconds)
    if lock is None:
        lock = CrawlLock(source_id=source_id)
        session.add(lock)
    lock.token, lock.holder_host, lock.holder_pid = holder.token, holder.host, holder.pid
    lock.acquired_at = lock.renewed_at = now
    lock.expires_at = now + lease
    lock.run_id = None
    session.flush()
    run = CrawlRun(
        source_id=source_id,
        started_at=now,
        status="running",
        hostname=holder.host,
        pid=holder.pid,
    )
    session.add(run)
    session.flush()
    lock.run_id = run.id
    return RunStart(source, run_id=run.id, died=died)


def _close_dead_runs(
    session: Session, source_id: int, lock: CrawlLock | None, now: datetime
) -> tuple[int, ...]:
    dead = session.execute(
        select(CrawlRun.id, CrawlRun.hostname, CrawlRun.pid).where(
            CrawlRun.source_id == source_id, CrawlRun.status == "running"
        )
    ).all()
    for run_id, host, pid in dead:
        # The last sign of life of the holder is the best guess of when it died.
        last_alive = lock.renewed_at if lock is not None and lock.run_id == run_id else now
        close_run(session, run_id, "interrupted", PROCESS_DIED, last_alive)
        _log_dead(run_id, host, pid)
    return tuple(run_id for run_id, _, _ in dead)


def _log_dead(run_id: int, host: str | None, pid: int | None) -> None:
    log.warning(
        "run #%s (%s:%s) was still marked running but its process is gone: marked interrupted",
        run_id,
        host,
        pid,
    )


def renew(
    factory: sessionmaker[Session], holder: Holder, lease_seconds: float = LEASE_SECONDS
) -> int:
    """Extend every lease ``holder`` has; returns how many locks it still holds (fewer than it
    took means another process took a lock over after the lease expired)."""
    now = utcnow()
    with write_session(factory) as session:
        result = session.execute(
            update(CrawlLock)
            .where(CrawlLock.token == holder.token)
            .values(renewed_at=now, expires_at=now + timedelta(seconds=lease_seconds))
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def release(factory: sessionmaker[Session], holder: Holder) -> int:
    """Give up every lock ``holder`` has; returns how many were released."""
    with write_session(factory) as session:
        result = session.execute(delete(CrawlLock).where(CrawlLock.token == holder.token))
        return int(result.rowcount)  # type: ignore[attr-defined]


def locks(session: Session) -> list[LockInfo]:
    """Every lock row, live or expired (an expired one is a stale lock: its holder died)."""
    rows = session.execute(
        select(SourceRow.name, CrawlLock)
        .join(SourceRow, SourceRow.id == CrawlLock.source_id)
        .order_by(SourceRow.name)
    )
    return [_info(name, lock) for name, lock in rows]


def close_dead_runs(
    factory: sessionmaker[Session],
    grace_seconds: float = LEASE_SECONDS,
    sources: Iterable[str] | None = None,
) -> list[int]:
    """End every run still marked ``running`` whose source has no live lock and that started
    more than ``grace_seconds`` ago (its holder died and nobody has crawled the source since).
    Returns the ids of the runs marked ``interrupted`` / ``process died``."""
    now = utcnow()
    query = (
        select(CrawlRun.id, CrawlRun.hostname, CrawlRun.pid, CrawlLock)
        .outerjoin(CrawlLock, CrawlLock.source_id == CrawlRun.source_id)
        .where(
            CrawlRun.status == "running",
            CrawlRun.started_at < now - timedelta(seconds=grace_seconds),
            or_(CrawlLock.source_id.is_(None), CrawlLock.expires_at <= now),  # no live lock
        )
    )
    if sources is not None:
        names = select(SourceRow.id).where(SourceRow.name.in_(list(sources)))
        query = query.where(CrawlRun.source_id.in_(names))
    closed = []
    with write_session(factory) as session:
        for run_id, host, pid, lock in session.execute(query).all():
            last_alive = lock.renewed_at if lock is not None and lock.run_id == run_id else now
            close_run(session, run_id, "interrupted", PROCESS_DIED, last_alive)
            closed.append((run_id, host, pid))
    for dead in closed:
        _log_dead(*dead)
    return [run_id for run_id, _, _ in closed]


def _info(source: str, lock: CrawlLock) -> LockInfo:
    return LockInfo(
        source=source,
        run_id=lock.run_id,
        host=lock.holder_host,
        pid=lock.holder_pid,
        acquired_at=lock.acquired_at,
        renewed_at=lock.renewed_at,
        expires_at=lock.expires_at,
    )
