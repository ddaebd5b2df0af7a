"""When is a source due? Its ``every`` (sources file) and its latest run decide.

Rules (``docs/operations.md``):

- never crawled: due now;
- the latest run was interrupted (Ctrl-C, SIGTERM, or its process died): due now, so the
  next crawl resumes what it had not reached;
- otherwise (ok or failed): due ``every`` after the latest run *started*, so a source keeps
  its rhythm however long its crawls take;
- a source whose lock has a live lease is being crawled: not due.

A run still marked ``running`` without a live lock belongs to a process that died: it counts
as interrupted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.models import CrawlLock, CrawlRun
from archive.models import Source as SourceRow
from archive.sources import Source


@dataclass(frozen=True)
class Schedule:
    source: str
    every: timedelta
    last_run_id: int | None
    last_started_at: datetime | None
    last_status: str | None  # "running" only when a live lock backs it
    running: bool  # a live lock: some process is crawling the source now
    next_due: datetime  # meaningless while running

    def is_due(self, now: datetime) -> bool:
        return not self.running and self.next_due <= now


def schedules(
    session: Session, sources: Mapping[str, Source], now: datetime
) -> dict[str, Schedule]:
    """The schedule of every source in ``sources`` (registered in the archive or not)."""
    latest = (
        select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id"))
        .group_by(CrawlRun.source_id)
        .subquery()
    )
    rows = session.execute(
        select(SourceRow.name, CrawlRun.id, CrawlRun.started_at, CrawlRun.status)
        .join(latest, latest.c.source_id == SourceRow.id)
        .join(CrawlRun, CrawlRun.id == latest.c.run_id)
        .where(SourceRow.name.in_(list(sources)))
    )
    last = {name: (run_id, started, status) for name, run_id, started, status in rows}
    locked = set(
        session.scalars(
            select(SourceRow.name)
            .join(CrawlLock, CrawlLock.source_id == SourceRow.id)
            .where(CrawlLock.expires_at > now, SourceRow.name.in_(list(sources)))
        )
    )
    result = {}
    for name, src in sources.items():
        run_id, started, status = last.get(name, (None, None, None))
        if status == "running" and name not in locked:
            status = "interrupted"  # its process died (see archive.locks)
        # Never crawled, or interrupted (resume what it had not reached): due now.
        next_due = started + src.every if started and status != "interrupted" else now
        result[name] = Schedule(
            source=name,
            every=src.every,
            last_run_id=run_id,
            last_started_at=started,
            last_status=status,
            running=name in locked,
            next_due=next_due,
        )
    return result


def read_schedules(
    db_url: str | None, sources: Mapping[str, Source], now: datetime
) -> dict[str, Schedule]:
    """:func:`schedules` straight from a database URL, without loading the ingest machinery
    (``arshif crawl --due`` with nothing due should exit in a blink)."""
    from archive.db import create_engine, session_factory
    from archive.migrate import ensure_schema

    engine = create_engine(db_url)
    try:
        ensure_schema(engine)
        with session_factory(engine)() as session:
            return schedules(session, sources, now)
    finally:
        engine.dispose()
