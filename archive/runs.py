"""Ending a crawl run: status, reason, errors by kind and duration, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.models import CrawlRun, FetchFailure

RUN_STATUSES = ("ok", "failed", "interrupted")
# finish_reason of a run whose process vanished without ending it (SIGKILL, power loss, OOM).
PROCESS_DIED = "process died"


def close_run(
    session: Session,
    run_id: int,
    status: str,
    reason: str | None,
    finished_at: datetime,
) -> CrawlRun:
    """Mark run ``run_id`` as ended and summarise it (``errors_by_kind``, ``duration_seconds``).
    ``errors_by_kind`` is counted from ``fetch_failures``, so it agrees with ``errors``."""
    if status not in RUN_STATUSES:
        raise ValueError(f"run status must be one of {RUN_STATUSES}, not {status!r}")
    run = session.get_one(CrawlRun, run_id)
    kinds = session.execute(
        select(FetchFailure.kind, func.count())
        .where(FetchFailure.crawl_run_id == run_id)
        .group_by(FetchFailure.kind)
    )
    run.status = status
    run.finish_reason = reason[:64] if reason else None
    run.finished_at = max(finished_at, run.started_at)
    run.errors_by_kind = {kind: int(n) for kind, n in sorted(kinds)}
    run.duration_seconds = round((run.finished_at - run.started_at).total_seconds(), 3)
    return run
