"""When to fetch a known article again, and what a recheck records.

The policy is an age decay (docs/versions.md): an article is rechecked every
``factor × age`` (at least ``min_interval``, at most ``max_interval``), where *age* is the time
since it was published or last edited, and never once its age passes ``max_age``. A discovery
signal (a sitemap ``lastmod`` or feed ``updated`` date newer than the one known at the last
fetch) makes it due at once, whatever the schedule says.

Per article, ``fetch_state`` keeps the HTTP validators (ETag, Last-Modified) for conditional
requests and ``next_check_at``. A "304 Not Modified" answer counts as a check that found the
article unchanged (:func:`record_not_modified`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from archive.db import write_session
from archive.models import Article, CrawlRun, FetchState
from archive.sqlcore import connection
from archive.urls import canonical_url, url_hash

if TYPE_CHECKING:
    from archive.ingest import IngestResult
    from archive.sources import Source

log = logging.getLogger(__name__)

RecheckMode = Literal["all", "due", "none"]
RECHECK_MODES: tuple[RecheckMode, ...] = ("all", "due", "none")


@dataclass(frozen=True, slots=True)
class RecheckPolicy:
    """Age-decay schedule. The defaults are documented in docs/versions.md."""

    min_interval: timedelta = timedelta(hours=1)
    max_interval: timedelta = timedelta(days=7)
    factor: float = 0.25
    max_age: timedelta = timedelta(days=90)

    def __post_init__(self) -> None:
        if self.min_interval <= timedelta(0):
            raise ValueError("recheck_min_interval must be positive")
        if self.max_interval < self.min_interval:
            raise ValueError(
                f"recheck_max_interval ({self.max_interval}) is shorter than "
                f"recheck_min_interval ({self.min_interval})"
            )
        if not 0 < self.factor <= 10:
            raise ValueError(f"recheck_factor must be in (0, 10], not {self.factor}")
        if self.max_age < timedelta(0):
            raise ValueError("recheck_max_age must not be negative")

    def next_check(self, checked_at: datetime, born: datetime) -> datetime | None:
        """When to check again after a check at ``checked_at``; None = never again."""
        age = max(checked_at - born, timedelta(0))
        if age >= self.max_age:
            return None
        interval = min(max(age * self.factor, self.min_interval), self.max_interval)
        return min(checked_at + interval, born + self.max_age)


def policy_for(source: Source) -> RecheckPolicy:
    """The source's policy: its ``recheck_*`` keys over the defaults."""
    default = RecheckPolicy()
    return RecheckPolicy(
        min_interval=source.recheck_min_interval or default.min_interval,
        max_interval=source.recheck_max_interval or default.max_interval,
        factor=source.recheck_factor or default.factor,
        max_age=default.max_age if source.recheck_max_age is None else source.recheck_max_age,
    )


# -- recording checks ---------------------------------------------------------------------------


def record_check(
    session: Session | Connection,
    article_id: int,
    *,
    published_at: datetime | None,
    first_seen_at: datetime,
    state: Mapping[str, Any] | None,
    headers: Mapping[str, str],
    fetched_at: datetime,
    lastmod: datetime | None,
    changed: bool,
    policy: RecheckPolicy,
    not_modified: bool = False,
) -> None:
    """Update the article's validators and schedule after a fetch (in the caller's
    transaction). ``state``: its current ``fetch_state`` values (:data:`STATE_FIELDS`), None
    when it has no row yet (the caller read it with the article, in the same query)."""
    values = next_state(
        state,
        published_at=published_at,
        first_seen_at=first_seen_at,
        headers=headers,
        fetched_at=fetched_at,
        lastmod=lastmod,
        changed=changed,
        policy=policy,
        not_modified=not_modified,
    )
    conn = connection(session)
    if state is None:
        conn.execute(_INSERT_STATE, {"article_id": article_id, **values})
    else:
        conn.execute(
            _UPDATE_STATE, {"state_id": article_id, **{f"new_{k}": v for k, v in values.items()}}
        )


STATE_FIELDS = (
    "etag",
    "last_modified",
    "last_checked_at",
    "next_check_at",
    "lastmod",
    "changed_at",
)


_STATE = cast(Table, FetchState.__table__)
_INSERT_STATE = insert(_STATE)
_UPDATE_STATE = (
    update(_STATE)
    .where(_STATE.c.article_id == bindparam("state_id"))
    .values(**{f: bindparam(f"new_{f}") for f in STATE_FIELDS})
)


def next_state(
    current: Mapping[str, Any] | None,
    *,
    published_at: datetime | None,
    first_seen_at: datetime,
    headers: Mapping[str, str],
    fetched_at: datetime,
    lastmod: datetime | None,
    changed: bool,
    policy: RecheckPolicy,
    not_modified: bool,
) -> dict[str, Any]:
    """An article's ``fetch_state`` values after a fetch (pure)."""
    state = dict(current) if current else dict.fromkeys(STATE_FIELDS)
    if not_modified:  # a 304 may refresh the validators; absent ones stay as they were
        state["etag"] = headers.get("etag") or state["etag"]
        state["last_modified"] = headers.get("last-modified") or state["last_modified"]
    else:
        state["etag"] = headers.get("etag") or None
        state["last_modified"] = headers.get("last-modified") or None
    checked: datetime = fetched_at
    if state["last_checked_at"] is not None:
        checked = max(state["last_checked_at"], fetched_at)
    state["last_checked_at"] = checked
    if changed:
        state["changed_at"] = fetched_at
    if lastmod is not None and (state["lastmod"] is None or lastmod > state["lastmod"]):
        state["lastmod"] = lastmod
    born = _born(published_at, first_seen_at, state["changed_at"])
    state["next_check_at"] = policy.next_check(checked, born)
    return state


def _born(
    published_at: datetime | None, first_seen_at: datetime, changed_at: datetime | None
) -> datetime:
    born = published_at or first_seen_at
    return max(born, changed_at) if changed_at else born


@dataclass(frozen=True)
class NotModified:
    """A recheck answered "304 Not Modified": the article was checked and is unchanged."""

    source: str
    url: str  # as requested
    final_url: str
    headers: Mapping[str, str]  # lower-case names
    fetched_at: datetime
    lastmod_hint: datetime | None = None  # the discovery date that led to the recheck


def record_not_modified(
    factory: sessionmaker[Session],
    item: NotModified,
    source: Source,
    run_id: int | None = None,
) -> IngestResult:
    """One transaction: last_seen_at, validators and schedule, run counters."""
    return record_not_modified_many(factory, [(item, source, run_id)])[0]


def record_not_modified_many(
    factory: sessionmaker[Session],
    checks: Sequence[tuple[NotModified, Source, int | None]],
) -> list[IngestResult]:
    """Record several 304 rechecks in one transaction (a recrawl may bring thousands):
    bulk updates by primary key, no ORM objects."""
    from archive.ingest import IngestResult, Outcome  # ingest imports this module

    keys = [[url_hash(canonical_url(u)) for u in (c[0].final_url, c[0].url)] for c in checks]
    results: list[IngestResult] = []
    per_run: Counter[int] = Counter()
    seen: dict[int, datetime] = {}  # article id -> last_seen_at
    states: dict[int, dict[str, Any]] = {}  # article id -> fetch_state values
    with write_session(factory) as session:
        rows = {
            row.url_hash: row
            for row in session.execute(
                select(
                    Article.id,
                    Article.url,
                    Article.url_hash,
                    Article.published_at,
                    Article.first_seen_at,
                    Article.last_seen_at,
                    Article.duplicate_of_id,
                    FetchState.article_id.label("has_state"),
                    *(getattr(FetchState, f) for f in STATE_FIELDS),
                )
                .outerjoin(FetchState, FetchState.article_id == Article.id)
                .where(Article.url_hash.in_({h for hs in keys for h in hs}))
            )
        }
        existing = {row.id for row in rows.values() if row.has_state is not None}
        for (item, source, run_id), hashes in zip(checks, keys, strict=True):
            row = next((rows[h] for h in hashes if h in rows), None)
            if row is None:
                log.warning("%s: 304 for an article not in the archive; ignored", item.final_url)
                results.append(
                    IngestResult(Outcome.SKIPPED, item.final_url, reason="304 for unknown URL")
                )
                continue
            seen[row.id] = max(seen.get(row.id, row.last_seen_at), item.fetched_at)
            current = states.get(row.id) or (
                {f: getattr(row, f) for f in STATE_FIELDS} if row.id in existing else None
            )
            states[row.id] = next_state(
                current,
                published_at=row.published_at,
                first_seen_at=row.first_seen_at,
                headers=item.headers,
                fetched_at=item.fetched_at,
                lastmod=item.lastmod_hint,
                changed=False,
                policy=policy_for(source),
                not_modified=True,
            )
            if run_id is not None:
                per_run[run_id] += 1
            results.append(
                IngestResult(
                    Outcome.UNCHANGED,
                    row.url,
                    row.id,
                    duplicate_of_id=row.duplicate_of_id,
                    reason="not modified",
                    counts=dict(_NOT_MODIFIED_COUNTS),
                )
            )
        if seen:
            session.execute(
                update(Article), [{"id": i, "last_seen_at": t} for i, t in seen.items()]
            )
        if updates := [{"article_id": i, **v} for i, v in states.items() if i in existing]:
            session.execute(update(FetchState), updates)
        if inserts := [{"article_id": i, **v} for i, v in states.items() if i not in existing]:
            session.execute(insert(FetchState), inserts)
        for run_id, n in per_run.items():
            values = {name: getattr(CrawlRun, name) + n for name in _NOT_MODIFIED_COUNTS}
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(**values))
    return results


_NOT_MODIFIED_COUNTS = {"pages_fetched": 1, "unchanged": 1, "not_modified": 1}


# -- what the crawler knows before it starts ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnownArticle:
    """A known article as the crawler sees it: enough to decide whether to fetch it again."""

    article_id: int
    etag: str | None
    last_modified: str | None
    last_checked_at: datetime
    next_check_at: datetime | None
    has_state: bool  # False for articles stored before recheck state existed
    lastmod: datetime | None
    published_at: datetime | None
    first_seen_at: datetime

    def due_at(self, policy: RecheckPolicy) -> datetime | None:
        if self.has_state:
            return self.next_check_at
        return policy.next_check(
            self.last_checked_at, _born(self.published_at, self.first_seen_at, None)
        )

    def signalled(self, signal: datetime | None) -> bool:
        """Whether a discovery date says the page changed after we last fetched it."""
        if signal is None:
            return False
        return signal > (self.lastmod or self.last_checked_at)


def recheck_reason(
    known: KnownArticle,
    *,
    mode: RecheckMode,
    now: datetime,
    policy: RecheckPolicy,
    signal: datetime | None = None,
) -> str | None:
    """Why to fetch a known article again now ("all", "signal", "due"), or None to skip it."""
    if mode == "none":
        return None
    if mode == "all":
        return "all"
    if known.signalled(signal):
        return "signal"
    due = known.due_at(policy)
    return "due" if due is not None and due <= now else None


def known_articles(factory: sessionmaker[Session], source_id: int) -> dict[str, KnownArticle]:
    """The source's articles by canonical URL, with their validators and schedule."""
    query = (
        select(
            Article.url,
            Article.id,
            Article.published_at,
            Article.first_seen_at,
            Article.last_seen_at,
            FetchState.article_id.label("has_state"),
            FetchState.etag,
            FetchState.last_modified,
            FetchState.last_checked_at,
            FetchState.next_check_at,
            FetchState.lastmod,
        )
        .outerjoin(FetchState, FetchState.article_id == Article.id)
        .where(Article.source_id == source_id)
    )
    with factory() as session:
        return {
            row.url: KnownArticle(
                article_id=row.id,
                etag=row.etag,
                last_modified=row.last_modified,
                last_checked_at=row.last_checked_at or row.last_seen_at,
                next_check_at=row.next_check_at,
                has_state=row.has_state is not None,
                lastmod=row.lastmod,
                published_at=row.published_at,
                first_seen_at=row.first_seen_at,
            )
            for row in session.execute(query)
        }
