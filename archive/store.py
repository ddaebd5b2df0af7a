"""The archive as one object: open a database, register sources, ingest pages, record runs.

This is the API the crawler (and any script) uses; it never imports Scrapy::

    with Archive.open("sqlite:///news.db") as archive:
        archive.sync_sources(load_sources("sources.toml").values())
        run = archive.start_run("alwatan")
        archive.ingest(page, run_id=run)
        archive.finish_run(run, "ok")
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, cast

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import URL

from archive import locks
from archive.db import create_engine, session_factory, write_session
from archive.ingest import IngestResult, ingest_page, record_failure
from archive.learned import learned_lines
from archive.locks import LEASE_SECONDS, NOT_SEEN, Holder, RunStart
from archive.migrate import ensure_schema
from archive.models import Article, ArticleVersion, CrawlRun
from archive.models import Source as SourceRow
from archive.prepare import FetchedPage, Prepared
from archive.recheck import KnownArticle, NotModified, known_articles, record_not_modified_many
from archive.runs import RUN_STATUSES, close_run
from archive.schedule import Schedule, schedules
from archive.sources import Source
from archive.types import utcnow

__all__ = ["RUN_STATUSES", "Archive", "RunReport", "SourceStats"]


@dataclass(frozen=True)
class SourceStats:
    source: str
    articles: int
    versions: int
    duplicates: int
    last_run_started_at: datetime | None
    last_run_status: str | None


@dataclass(frozen=True)
class RunReport:
    run_id: int
    source: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    pages_fetched: int
    new_articles: int
    new_versions: int
    unchanged: int
    duplicates: int
    skipped: int
    errors: int


class Archive:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)
        self._sources: dict[str, Source] = {}
        self._source_ids: dict[str, int] = {}

    @classmethod
    def open(cls, url: str | URL | None = None, *, migrate: bool = True) -> Archive:
        """Open the archive at ``url`` (``--db`` rules); an empty database is initialised."""
        engine = create_engine(url)
        if migrate:
            try:
                ensure_schema(engine)
            except BaseException:
                engine.dispose()
                raise
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- sources ---------------------------------------------------------------------------

    def sync_sources(self, sources: Iterable[Source]) -> None:
        """Register sources (insert new rows, update url/language of known ones)."""
        with write_session(self.sessions) as session:
            for src in sources:
                row = session.scalar(select(SourceRow).where(SourceRow.name == src.name))
                if row is None:
                    row = SourceRow(name=src.name, url=src.url, language=src.language)
                    session.add(row)
                    session.flush()
                else:
                    row.url, row.language = src.url, src.language
                self._sources[src.name] = src
                self._source_ids[src.name] = row.id

    def source_id(self, name: str) -> int:
        try:
            return self._source_ids[name]
        except KeyError:
            raise KeyError(f"source {name!r} is not registered: call sync_sources first") from None

    # -- crawl runs ------------------------------------------------------------------------

    def start_run(self, source: str) -> int:
        with write_session(self.sessions) as session:
            run = CrawlRun(
                source_id=self.source_id(source),
                started_at=utcnow(),
                status="running",
                hostname=socket.gethostname()[:255],
                pid=os.getpid(),
            )
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int, status: str, reason: str | None = None) -> None:
        """End a run: status, reason, ``errors_by_kind`` and ``duration_seconds``."""
        with write_session(self.sessions) as session:
            close_run(session, run_id, status, reason, utcnow())

    # -- scheduling: locks with a lease, due sources (archive.locks, archive.schedule) ----

    def begin_run(
        self,
        source: str,
        holder: Holder,
        lease_seconds: float = LEASE_SECONDS,
        last_start_seen: datetime | object | None = NOT_SEEN,
    ) -> RunStart:
        """Take ``source``'s crawl lock and start a run (see :func:`archive.locks.begin_run`;
        ``last_start_seen`` re-checks that a scheduled source is still due)."""
        return locks.begin_run(self.sessions, source, holder, lease_seconds, last_start_seen)

    def renew_leases(self, holder: Holder, lease_seconds: float = LEASE_SECONDS) -> int:
        return locks.renew(self.sessions, holder, lease_seconds)

    def release_locks(self, holder: Holder) -> int:
        return locks.release(self.sessions, holder)

    def close_dead_runs(self, grace_seconds: float = LEASE_SECONDS) -> list[int]:
        """Mark runs left ``running`` by processes that died as ``interrupted``."""
        return locks.close_dead_runs(self.sessions, grace_seconds)

    def schedules(
        self, sources: Iterable[Source], now: datetime | None = None
    ) -> dict[str, Schedule]:
        with self.sessions() as session:
            return schedules(session, {s.name: s for s in sources}, now or utcnow())

    def lookup_source_ids(self, names: Iterable[str]) -> dict[str, int]:
        """Ids of the registered sources among ``names`` (read-only; no registration)."""
        with self.sessions() as session:
            rows = session.execute(
                select(SourceRow.name, SourceRow.id).where(SourceRow.name.in_(list(names)))
            )
            return dict(rows.all())

    def run(self, run_id: int) -> CrawlRun:
        with self.sessions() as session:
            return session.get_one(CrawlRun, run_id)

    def run_reports(self, run_ids: Iterable[int]) -> list[RunReport]:
        query = (
            select(
                CrawlRun.id,
                SourceRow.name,
                CrawlRun.status,
                CrawlRun.started_at,
                CrawlRun.finished_at,
                CrawlRun.pages_fetched,
                CrawlRun.new_articles,
                CrawlRun.new_versions,
                CrawlRun.unchanged,
                CrawlRun.duplicates,
                CrawlRun.skipped,
                CrawlRun.errors,
            )
            .join(SourceRow, SourceRow.id == CrawlRun.source_id)
            .where(CrawlRun.id.in_(list(run_ids)))
            .order_by(CrawlRun.id)
        )
        with self.sessions() as session:
            return [RunReport(*cast(tuple[Any, ...], row)) for row in session.execute(query)]

    # -- pages -----------------------------------------------------------------------------

    def ingest(
        self,
        page: FetchedPage,
        run_id: int | None = None,
        prepared: Prepared | None = None,
        *,
        frontier_url: str | None = None,
    ) -> IngestResult:
        """Extract, deduplicate and version one fetched page, in one transaction.

        ``prepared``: the page's extraction done elsewhere (:func:`archive.prepare.prepare_page`
        with :meth:`source` and :meth:`learned_lines`), e.g. in a worker process.
        ``frontier_url``: the source's crawl-frontier row (:mod:`archive.frontier`) this page
        settles, usually ``page.url``; it is removed in the page's transaction."""
        source = self._sources.get(page.source)
        if source is None:
            raise KeyError(f"page from unregistered source {page.source!r}: {page.url}")
        return ingest_page(
            self.sessions,
            page,
            source,
            self._source_ids[page.source],
            run_id,
            prepared,
            frontier_url,
        )

    def source(self, name: str) -> Source:
        """A registered source's configuration."""
        try:
            return self._sources[name]
        except KeyError:
            raise KeyError(f"source {name!r} is not registered: call sync_sources first") from None

    def learned_lines(self, source: str) -> frozenset[str]:
        """The source's learned boilerplate line hashes as of now (:mod:`archive.learned`)."""
        with self.sessions() as session:
            return learned_lines(session, self.source_id(source))

    # -- rechecks (docs/versions.md) --------------------------------------------------------

    def not_modified(self, item: NotModified, run_id: int | None = None) -> IngestResult:
        """Record a "304 Not Modified" recheck: checked, unchanged."""
        return self.not_modified_many([(item, run_id)])[0]

    def not_modified_many(
        self, items: Sequence[tuple[NotModified, int | None]]
    ) -> list[IngestResult]:
        """Record several 304 rechecks (each with its run id) in one transaction."""
        checks = []
        for item, run_id in items:
            source = self._sources.get(item.source)
            if source is None:
                raise KeyError(f"304 from unregistered source {item.source!r}: {item.url}")
            checks.append((item, source, run_id))
        return record_not_modified_many(self.sessions, checks)

    def known_articles(self, source: str) -> dict[str, KnownArticle]:
        """The source's articles by canonical URL, with validators and recheck schedule."""
        return known_articles(self.sessions, self.source_id(source))

    def record_failure(
        self,
        source: str,
        url: str,
        kind: str,
        message: str,
        http_status: int | None = None,
        run_id: int | None = None,
        *,
        frontier_url: str | None = None,
    ) -> None:
        """Record a page that could not be fetched or stored; ``frontier_url``: the
        crawl-frontier row it settles, removed in the same transaction."""
        record_failure(
            self.sessions,
            self.source_id(source),
            url,
            kind,
            message,
            http_status,
            run_id,
            frontier_url,
        )

    # -- reading ---------------------------------------------------------------------------

    def stats(self) -> list[SourceStats]:
        """Per source: articles, versions, duplicates and the last crawl run."""
        articles = (
            select(
                Article.source_id,
                func.count().label("n"),
                func.count(Article.duplicate_of_id).label("dups"),
            )
            .group_by(Article.source_id)
            .subquery()
        )
        versions = (
            select(Article.source_id, func.count().label("n"))
            .join(ArticleVersion, ArticleVersion.article_id == Article.id)
            .group_by(Article.source_id)
            .subquery()
        )
        last_run = (
            select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id"))
            .group_by(CrawlRun.source_id)
            .subquery()
        )
        query = (
            select(
                SourceRow.name,
                func.coalesce(articles.c.n, 0),
                func.coalesce(versions.c.n, 0),
                func.coalesce(articles.c.dups, 0),
                CrawlRun.started_at,
                CrawlRun.status,
            )
            .outerjoin(articles, articles.c.source_id == SourceRow.id)
            .outerjoin(versions, versions.c.source_id == SourceRow.id)
            .outerjoin(last_run, last_run.c.source_id == SourceRow.id)
            .outerjoin(CrawlRun, CrawlRun.id == last_run.c.run_id)
            .order_by(SourceRow.name)
        )
        with self.sessions() as session:
            return [SourceStats(*row) for row in session.execute(query).all()]
