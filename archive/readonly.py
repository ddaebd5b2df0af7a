"""Read-only SQL against the archive (``arshif query``).

Three layers, so a mistake cannot change the archive:

1. one statement per run, and statements that write or control transactions are refused
   before anything is sent to the database;
2. the connection itself is read-only: SQLite opens the file with ``mode=ro`` and
   ``PRAGMA query_only``; PostgreSQL sessions start with ``default_transaction_read_only``
   and every transaction is ``READ ONLY``;
3. the transaction is always rolled back.

This protects an archive from accidents; it is not a permission system. To give someone
read access only, use database permissions (a read-only file, a PostgreSQL role with SELECT).
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.exc import DBAPIError

from archive.config import resolve_db_url
from archive.db import SQLITE_BUSY_TIMEOUT_MS
from archive.errors import ConfigError
from archive.normalize import search_key

# Statements refused outright: they write, or they would change how the session behaves.
_WRITES = """insert update delete replace upsert merge create drop alter truncate attach detach
    vacuum reindex analyze grant revoke copy begin commit rollback end savepoint release
    set reset lock cluster refresh comment call do discard listen notify prepare execute
    import load"""
WRITE_KEYWORDS = frozenset(_WRITES.split())
# A data-modifying common table expression: WITH x AS (...) DELETE FROM ...
_CTE_WRITE_RE = re.compile(r"\b(insert|update|delete|merge)\b", re.IGNORECASE)
_READ_ONLY_ERRORS = ("readonly database", "read-only transaction", "query_only")


class QueryError(ConfigError):
    """A query that cannot run: refused (it would write), invalid SQL, or a database error."""


def split_statements(sql: str) -> list[str]:
    """The statements in ``sql``, split at semicolons outside quotes and comments (empty
    statements and comment-only text dropped)."""
    out, start, i, n = [], 0, 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"`":
            backslash = ch == "'" and i > 0 and sql[i - 1] in "eE"
            i += 1
            while i < n:
                if backslash and sql[i] == "\\":
                    i += 2
                    continue
                if sql[i] == ch:
                    if i + 1 < n and sql[i + 1] == ch:  # doubled quote
                        i += 2
                        continue
                    break
                i += 1
        elif sql.startswith("--", i):
            i = sql.find("\n", i)
            i = n if i < 0 else i
        elif sql.startswith("/*", i):
            i = sql.find("*/", i + 2)
            i = n if i < 0 else i + 1
        elif ch == "$" and (m := re.match(r"\$[A-Za-z_]*\$", sql[i:])):
            end = sql.find(m.group(), i + len(m.group()))
            i = n if end < 0 else end + len(m.group()) - 1
        elif ch == ";":
            out.append(sql[start:i])
            start = i + 1
        i += 1
    out.append(sql[start:])
    return [s.strip() for s in out if _strip_comments(s).strip()]


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S)


def _strip_literals(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", "''", _strip_comments(sql))


def first_keyword(statement: str) -> str:
    m = re.match(r"\s*([A-Za-z]+)", _strip_comments(statement))
    return m.group(1).lower() if m else ""


def check_statement(sql: str) -> str:
    """The one statement in ``sql``, or :class:`QueryError` saying why it is refused."""
    statements = split_statements(sql)
    if not statements:
        raise QueryError("no SQL statement given")
    if len(statements) > 1:
        raise QueryError(
            f"one statement at a time, please: found {len(statements)} separated by ';'"
        )
    keyword = first_keyword(statements[0])
    if keyword == "with" and (m := _CTE_WRITE_RE.search(_strip_literals(statements[0]))):
        keyword = m.group(1).lower()
    if keyword in WRITE_KEYWORDS or (keyword == "pragma" and "=" in statements[0]):
        raise QueryError(
            f"`arshif query` is read-only: {keyword.upper()} statements are refused "
            "(nothing was changed)"
        )
    return statements[0]


def readonly_engine(db: str | None) -> Engine:
    """An engine whose connections cannot write (see the module docstring)."""
    url = resolve_db_url(db)
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if path in ("", ":memory:") or not Path(path).is_file():
            raise QueryError(f"no archive at {path or '(memory)'}: check --db / $ARSHIF_DB_URL")
        uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"

        def connect() -> sqlite3.Connection:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA query_only = ON")
            register_sqlite_functions(conn)
            return conn

        return sa_create_engine("sqlite://", creator=connect)
    engine = sa_create_engine(url, connect_args={"options": "-c default_transaction_read_only=on"})

    @event.listens_for(engine, "begin")
    def _read_only(conn: Connection) -> None:
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    return engine


def register_sqlite_functions(conn: sqlite3.Connection) -> None:
    """``arshif_fold(text)``: the search folding, for ``search_fts MATCH arshif_fold('…')``
    in SQLite connections that arshif opens (``arshif query``)."""
    conn.create_function("arshif_fold", 1, _fold, deterministic=True)


def _fold(value: Any) -> str | None:
    return None if value is None else search_key(str(value))


@contextmanager
def run_query(engine: Engine, sql: str) -> Iterator[tuple[list[str], Iterator[Any]]]:
    """Run one read-only statement; yields (column names, row iterator). Rolls back after.

    The statement goes to the driver as written (no parameter parsing, so ``LIKE '%x%'``
    works), and rows stream: PostgreSQL queries use a server-side cursor."""
    statement = check_statement(sql)
    streaming = first_keyword(statement) in ("select", "with", "values", "table")
    with engine.connect() as conn:
        cursor = None
        try:
            conn.begin()  # PostgreSQL: SET TRANSACTION READ ONLY (the "begin" event)
            dbapi = conn.connection.driver_connection
            assert dbapi is not None
            if conn.dialect.name == "postgresql" and streaming:
                cursor = dbapi.cursor(name="arshif_query")
                cursor.itersize = 1000
            else:
                cursor = dbapi.cursor()
            cursor.execute(statement)
            columns = [d[0] for d in cursor.description or ()]
            yield columns, (_rows(cursor) if cursor.description else iter(()))
        except engine.dialect.loaded_dbapi.Error as exc:
            raise _query_error(exc) from None
        finally:
            if cursor is not None:
                with contextlib.suppress(engine.dialect.loaded_dbapi.Error):
                    cursor.close()
            conn.rollback()


def _rows(cursor: Any) -> Iterator[Any]:
    try:
        while batch := cursor.fetchmany(1000):
            yield from batch
    except Exception as exc:
        raise _query_error(exc) from None


def _query_error(exc: Exception) -> QueryError:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if any(marker in message.lower() for marker in _READ_ONLY_ERRORS):
        return QueryError(
            f"`arshif query` is read-only: the statement would change the archive and was "
            f"refused (nothing was changed): {message}"
        )
    return QueryError(f"SQL error: {message}")
