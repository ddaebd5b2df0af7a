"""Is every source healthy? Per source: the latest run, the next due time, new articles per
day over the last week, and warnings (``arshif status``; ``--check`` for monitoring).

A source needs attention when (thresholds in :class:`Thresholds`, documented in
``docs/operations.md``):

- it was never crawled;
- its last run failed, or its process died;
- it found no new article in its last ``stalled_runs`` runs;
- errors were more than ``max_error_rate`` of its last run's requests;
- it is overdue: its latest run started more than ``overdue_factor`` × ``every`` ago (the
  scheduler or cron job is not running);
- its lock is stale (the holder died; the next crawl takes it over), or a run is still marked
  running without a live lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from archive.durations import format_duration, humanize
from archive.locks import LockInfo, locks
from archive.models import Article, CrawlRun
from archive.models import Source as SourceRow
from archive.schedule import schedules
from archive.sources import Source

WEEK = 7


@dataclass(frozen=True)
class Thresholds:
    stalled_runs: int = 3  # warn when this many latest runs found no new article
    max_error_rate: float = 0.2  # warn when errors / (pages + errors) of the last run exceed it
    overdue_factor: float = 2.0  # warn when the latest run started > factor × every ago

    def __post_init__(self) -> None:
        if self.stalled_runs < 1:
            raise ValueError(f"stalled_runs must be at least 1, got {self.stalled_runs}")
        if not 0 <= self.max_error_rate <= 1:
            raise ValueError(f"max_error_rate must be from 0 to 1, got {self.max_error_rate}")
        if self.overdue_factor < 1:
            raise ValueError(f"overdue_factor must be at least 1, got {self.overdue_factor}")


@dataclass(frozen=True)
class RunSummary:
    id: int
    status: str
    finish_reason: str | None
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: float | None
    pages_fetched: int
    new_articles: int
    new_versions: int
    duplicates: int
    errors: int
    errors_by_kind: dict[str, int] | None

    @property
    def error_rate(self) -> float | None:
        attempts = self.pages_fetched + self.errors
        return self.errors / attempts if attempts else None


@dataclass(frozen=True)
class SourceHealth:
    source: str
    every: timedelta
    last_run: RunSummary | None  # the latest run, running or not
    running: bool  # some process holds a live lock on the source
    next_due: datetime | None  # None while running
    new_per_day: tuple[int, ...]  # new articles per UTC day, the last 7 days, oldest first
    days: tuple[date, ...]
    lock: LockInfo | None
    warnings: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "every": format_duration(self.every),
            "last_run": self.last_run.__dict__ if self.last_run else None,
            "running": self.running,
            "next_due": self.next_due,
            "new_per_day": dict(zip(map(str, self.days), self.new_per_day, strict=True)),
            "lock": self.lock.__dict__ if self.lock else None,
            "warnings": list(self.warnings),
        }


def day_of(column: Any, dialect: str) -> ColumnElement[str]:
    """``YYYY-MM-DD`` (UTC) of a timestamp column, in SQL."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(column, 1, 10)  # SQLite stores UTC text: 'YYYY-MM-DD HH:MM:SS'


def source_health(
    session: Session,
    sources: Mapping[str, Source],
    now: datetime,
    thresholds: Thresholds | None = None,
) -> list[SourceHealth]:
    limits = thresholds or Thresholds()
    plan = schedules(session, sources, now)
    ids = dict(
        session.execute(
            select(SourceRow.name, SourceRow.id).where(SourceRow.name.in_(list(sources)))
        ).all()
    )
    held = {lock.source: lock for lock in locks(session)}
    days = tuple(now.date() - timedelta(days=WEEK - 1 - i) for i in range(WEEK))
    per_day = _new_per_day(session, days[0], now)
    result = []
    for name, src in sources.items():
        runs = _latest_runs(session, ids[name], limits.stalled_runs + 1) if name in ids else []
        schedule = plan[name]
        counts = per_day.get(name, {})
        result.append(
            SourceHealth(
                source=name,
                every=src.every,
                last_run=runs[0] if runs else None,
                running=schedule.running,
                next_due=None if schedule.running else schedule.next_due,
                new_per_day=tuple(counts.get(str(d), 0) for d in days),
                days=days,
                lock=held.get(name),
                warnings=tuple(_warnings(src, runs, held.get(name), schedule.running, now, limits)),
            )
        )
    return result


def _latest_runs(session: Session, source_id: int, n: int) -> list[RunSummary]:
    rows = session.scalars(
        select(CrawlRun)
        .where(CrawlRun.source_id == source_id)
        .order_by(CrawlRun.id.desc())
        .limit(n)
    ).all()
    return [
        RunSummary(
            id=r.id,
            status=r.status,
            finish_reason=r.finish_reason,
            started_at=r.started_at,
            finished_at=r.finished_at,
            duration_seconds=r.duration_seconds,
            pages_fetched=r.pages_fetched,
            new_articles=r.new_articles,
            new_versions=r.new_versions,
            duplicates=r.duplicates,
            errors=r.errors,
            errors_by_kind=r.errors_by_kind,
        )
        for r in rows
    ]


def _new_per_day(session: Session, first: date, now: datetime) -> dict[str, dict[str, int]]:
    since = datetime.combine(first, datetime.min.time(), tzinfo=now.tzinfo)
    day = day_of(Article.first_seen_at, session.get_bind().dialect.name)
    rows = session.execute(
        select(SourceRow.name, day, func.count())
        .join(SourceRow, SourceRow.id == Article.source_id)
        .where(Article.first_seen_at >= since)
        .group_by(SourceRow.name, day)
    )
    result: dict[str, dict[str, int]] = {}
    for name, when, n in rows:
        result.setdefault(name, {})[str(when)] = int(n)
    return result


def _warnings(
    src: Source,
    runs: list[RunSummary],
    lock: LockInfo | None,
    running: bool,
    now: datetime,
    limits: Thresholds,
) -> list[str]:
    if lock is not None and not lock.live(now):
        stale = [
            f"stale lock: held by {lock.host}:{lock.pid}, lease expired "
            f"{humanize(now - lock.expires_at)} ago (its process died; the next crawl takes "
            "it over)"
        ]
    else:
        stale = []
    if not runs:
        return [*stale, "never crawled"]
    warnings = stale
    latest = runs[0]
    if latest.status == "running" and not running:
        warnings.append(
            f"stale run #{latest.id}: marked running, but nothing holds its lock (its process "
            "died; the next crawl marks it interrupted)"
        )
    finished = [r for r in runs if r.status != "running"]
    if finished:
        last = finished[0]
        if last.status == "failed":
            warnings.append(f"last run failed (#{last.id}, {last.finish_reason or 'no reason'})")
        elif last.finish_reason == "process died":
            warnings.append(f"last run died (#{last.id}: process killed or crashed)")
        rate = last.error_rate
        if rate is not None and rate > limits.max_error_rate:
            warnings.append(
                f"error rate {rate:.0%} in the last run (#{last.id}: {last.errors} errors, "
                f"{last.pages_fetched} pages; threshold {limits.max_error_rate:.0%})"
            )
    recent = finished[: limits.stalled_runs]
    if len(recent) == limits.stalled_runs and all(r.new_articles == 0 for r in recent):
        runs_word = "run" if limits.stalled_runs == 1 else f"{limits.stalled_runs} runs"
        warnings.append(f"no new article in the last {runs_word}")
    late = now - latest.started_at
    if not running and late > src.every * limits.overdue_factor:
        warnings.append(
            f"overdue: last run started {humanize(late)} ago, due every "
            f"{format_duration(src.every)} (is the scheduler or cron job running?)"
        )
    return warnings
