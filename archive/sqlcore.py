"""Core statements on the ingest path: the connection behind a session, once.

The writer's per-page work runs as SQLAlchemy Core statements built once at import (or once
per dialect), executed on the page's connection: the ORM's unit of work, identity map and
per-statement ORM compilation cost more than the SQL itself for rows written once and never
read back. ``Session.connection()`` is itself not free, so functions on that path accept the
connection the caller already has, or a session (for callers outside the hot path).
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.orm import Session


def connection(db: Session | Connection) -> Connection:
    """``db`` itself when it is a connection, else its session's connection."""
    return db if isinstance(db, Connection) else db.connection()
