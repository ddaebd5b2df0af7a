"""Per-source article count kept by triggers: ``sources.article_count``.

Learned boilerplate (``archive.learned``) needs a source's number of articles for every new
article it stores. Counting them (``SELECT count(*) FROM articles WHERE source_id = …``) grows
with the archive: 0.7 ms at 20,000 articles of one source on SQLite, tens of milliseconds
at a million, for every page of a crawl. The count is now a column of ``sources``, filled
here from ``articles`` and kept exact by row triggers on ``articles`` (insert, delete, and an
update that moves an article to another source), in the same transaction as the change, on
SQLite and PostgreSQL, whichever program writes the rows.

On PostgreSQL the trigger's ``UPDATE sources`` holds the source's row lock until the
inserting transaction ends, so two processes storing new articles of the same source at once
take turns at that point (they already do for duplicate detection's advisory lock).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 23:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = (
    "UPDATE sources SET article_count = "
    "(SELECT count(*) FROM articles WHERE articles.source_id = sources.id)"
)

SQLITE_TRIGGERS = (
    """CREATE TRIGGER articles_count_insert AFTER INSERT ON articles BEGIN
    UPDATE sources SET article_count = article_count + 1 WHERE id = NEW.source_id;
END""",
    """CREATE TRIGGER articles_count_delete AFTER DELETE ON articles BEGIN
    UPDATE sources SET article_count = article_count - 1 WHERE id = OLD.source_id;
END""",
    """CREATE TRIGGER articles_count_move AFTER UPDATE OF source_id ON articles
WHEN NEW.source_id IS NOT OLD.source_id BEGIN
    UPDATE sources SET article_count = article_count - 1 WHERE id = OLD.source_id;
    UPDATE sources SET article_count = article_count + 1 WHERE id = NEW.source_id;
END""",
)

PG_FUNCTION = """CREATE FUNCTION arshif_count_articles() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE sources SET article_count = article_count - 1 WHERE id = OLD.source_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE sources SET article_count = article_count + 1 WHERE id = NEW.source_id;
    END IF;
    RETURN NULL;
END
$$"""

PG_TRIGGERS = (
    "CREATE TRIGGER articles_count_insert AFTER INSERT ON articles "
    "FOR EACH ROW EXECUTE FUNCTION arshif_count_articles()",
    "CREATE TRIGGER articles_count_delete AFTER DELETE ON articles "
    "FOR EACH ROW EXECUTE FUNCTION arshif_count_articles()",
    "CREATE TRIGGER articles_count_move AFTER UPDATE OF source_id ON articles "
    "FOR EACH ROW WHEN (NEW.source_id IS DISTINCT FROM OLD.source_id) "
    "EXECUTE FUNCTION arshif_count_articles()",
)

TRIGGER_NAMES = ("articles_count_insert", "articles_count_delete", "articles_count_move")


def upgrade() -> None:
    op.add_column(
        "sources",
        sa.Column("article_count", sa.Integer(), nullable=False, server_default="0"),
    )
    op.execute(BACKFILL)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER {name} ON articles" if postgres else f"DROP TRIGGER {name}")
    if postgres:
        op.execute("DROP FUNCTION arshif_count_articles()")
    if postgres:
        op.drop_column("sources", "article_count")
    else:  # SQLite >= 3.35 drops a column in place (as migration 0008 does)
        op.execute("ALTER TABLE sources DROP COLUMN article_count")
