"""Engines and sessions, with the per-database settings the archive relies on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from archive.config import resolve_db_url

SQLITE_BUSY_TIMEOUT_MS = 60_000
# Execution option that makes a SQLite transaction take the write lock at BEGIN.
WRITE_TXN = {"arshif_write": True}


def create_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """An engine for the archive at ``url`` (resolved like ``--db``).

    SQLite: WAL journal (SQL users can read while a crawl writes), foreign keys on,
    a generous busy timeout, and write transactions that begin with ``BEGIN IMMEDIATE``
    so concurrent writers queue instead of failing on a lock upgrade.
    """
    if not isinstance(url, URL):
        url = resolve_db_url(url)
    if url.get_backend_name() == "sqlite":
        engine = sa_create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa_create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("arshif_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def write_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One write transaction: commits on success, rolls back on any exception."""
    with factory() as session:
        session.connection(execution_options=WRITE_TXN)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
