"""Search speed: a GIN index on the folded title (PostgreSQL).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 20:00:00

PostgreSQL only (SQLite's FTS5 index already covers the title column):
``ix_search_documents_title``, a GIN index on ``to_tsvector('simple', folded_title)``, so a
search finds the matches with a query term in the title without reading their documents.
``archive.search`` ranks a query of common words over a bounded set of candidates, the
newest matches and the newest title matches (``docs/schema.md``, "Full-text search").
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


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TITLE_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_search_documents_title")
