"""Alembic environment: the archive's models, batch mode for SQLite, our engine settings."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from archive.db import create_engine
from archive.models import Base

config = context.config
target_metadata = Base.metadata


# Database objects the migrations create outside the models, which `alembic check` must not
# report (migration 0004): SQLite's FTS5 index search_fts and its shadow tables
# (search_fts_data, ...), PostgreSQL's generated tsvector column search_documents.document
# and its GIN index; its title GIN index (migration 0007).
def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if not reflected or compare_to is not None:
        return True
    if type_ == "table":
        return not (name or "").startswith("search_fts")
    if type_ == "column":
        return (obj.table.name, name) != ("search_documents", "document")
    if type_ == "index":
        return name not in ("ix_search_documents_document", "ix_search_documents_title")
    return True


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # ALTER TABLE on SQLite goes through copy-and-move
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("db")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
