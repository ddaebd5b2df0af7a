"""Search speed on PostgreSQL: a GIN index on the folded title, lz4 for the search document.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 20:00:00

PostgreSQL only (SQLite's FTS5 index is unchanged):

- ``ix_search_documents_title``: a GIN index on ``to_tsvector('simple', folded_title)``, so a
  search finds the articles whose *title* matches without reading their documents
  (``archive.search`` ranks a bounded set of candidates: the newest title matches and the
  newest matches, ``docs/schema.md``);
- the ``document`` tsvector and ``folded_text`` are stored with lz4 compression where the
  server supports it (PostgreSQL 14+ built with lz4), which ``ts_rank`` decompresses several
  times faster than the default pglz. Existing rows are rewritten once so they use it.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TITLE_INDEX = (
    "CREATE INDEX ix_search_documents_title ON search_documents "
    "USING gin (to_tsvector('simple'::regconfig, folded_title))"
)
COMPRESSED = ("document", "folded_text")


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.server_version_info < (14,):
        return False
    # The lz4 option exists only in servers built with it; ask without failing.
    row = bind.exec_driver_sql(
        "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
        "AND 'lz4' = ANY(enumvals)"
    ).first()
    return row is not None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(TITLE_INDEX)
    if _lz4_available():
        for column in COMPRESSED:
            op.execute(f"ALTER TABLE search_documents ALTER COLUMN {column} SET COMPRESSION lz4")
        # New compression applies to values written from now on: rewrite the existing ones
        # (the generated document is recomputed from the rewritten text).
        op.execute("UPDATE search_documents SET folded_text = folded_text || ''")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_search_documents_title")
    if _lz4_available():
        for column in COMPRESSED:
            op.execute(
                f"ALTER TABLE search_documents ALTER COLUMN {column} SET COMPRESSION default"
            )
