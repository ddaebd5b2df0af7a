"""Versions that mean edits: raw capture, recheck state, version kinds and diffs, article_edits.

New tables ``raw_bodies``, ``captures``, ``fetch_state``; new columns
``article_versions.kind / words_added / words_removed / capture_id`` and
``crawl_runs.not_modified``; new view ``article_edits``. See docs/versions.md.

SQLite note: Alembic's batch mode would rebuild ``article_versions`` (copy, DROP, rename).
With ``PRAGMA foreign_keys = ON`` (the archive's engine) that DROP performs an implicit
DELETE, which cascades to ``fingerprints`` and would silently empty the duplicate index. So
on SQLite the columns are added and dropped with SQLite's own ``ALTER TABLE ADD/DROP
COLUMN`` (3.37+), with the foreign key and CHECK written as column constraints; the views
over ``article_versions`` are untouched.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 10:00:00.000000
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = "kind IN ('first', 'edit', 'reextraction')"

# Frozen here, as a migration must be; a later change is a new migration.
ARTICLE_EDITS = """
CREATE VIEW article_edits AS
SELECT v.article_id, a.source_id, s.name AS source, a.url,
       p.version AS from_version, v.version AS to_version, v.id AS version_id,
       p.fetched_at AS previous_fetched_at, v.fetched_at AS detected_at,
       v.modified_at, v.words_added, v.words_removed,
       CASE WHEN COALESCE(p.title, '') <> COALESCE(v.title, '') THEN 1 ELSE 0 END
           AS title_changed,
       p.title AS old_title, v.title AS new_title,
       p.word_count AS old_word_count, v.word_count AS new_word_count
FROM article_versions v
JOIN article_versions p ON p.article_id = v.article_id AND p.version = v.version - 1
JOIN articles a ON a.id = v.article_id
JOIN sources s ON s.id = a.source_id
WHERE v.kind = 'edit'
"""


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite and sqlite3.sqlite_version_info < (3, 37):
        raise RuntimeError(
            f"SQLite {sqlite3.sqlite_version} is too old for this migration: arshif needs 3.37+"
        )
    op.create_table(
        "raw_bodies",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("compression", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "compression IN ('gzip', 'none')", name=op.f("ck_raw_bodies_compression")
        ),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_raw_bodies")),
    )
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_captures_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["body_sha256"],
            ["raw_bodies.sha256"],
            name=op.f("fk_captures_body_sha256_raw_bodies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_captures_crawl_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_captures_source_id_sources"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captures")),
    )
    with op.batch_alter_table("captures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_captures_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_captures_body_sha256"), ["body_sha256"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_captures_crawl_run_id"), ["crawl_run_id"], unique=False
        )
        batch_op.create_index(
            "ix_captures_source_id_fetched_at", ["source_id", "fetched_at"], unique=False
        )

    op.create_table(
        "fetch_state",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lastmod", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_fetch_state_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_fetch_state")),
    )
    with op.batch_alter_table("fetch_state", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fetch_state_next_check_at"), ["next_check_at"], unique=False
        )

    if sqlite:
        for ddl in (
            "ADD COLUMN kind VARCHAR(16) DEFAULT 'edit' NOT NULL"
            f" CONSTRAINT ck_article_versions_kind CHECK ({KINDS})",
            "ADD COLUMN words_added INTEGER",
            "ADD COLUMN words_removed INTEGER",
            "ADD COLUMN capture_id INTEGER CONSTRAINT fk_article_versions_capture_id_captures"
            " REFERENCES captures (id)",
        ):
            op.execute(f"ALTER TABLE article_versions {ddl}")
        op.execute("ALTER TABLE crawl_runs ADD COLUMN not_modified INTEGER DEFAULT '0' NOT NULL")
    else:
        op.add_column(
            "article_versions",
            sa.Column("kind", sa.String(length=16), server_default="edit", nullable=False),
        )
        op.add_column("article_versions", sa.Column("words_added", sa.Integer(), nullable=True))
        op.add_column("article_versions", sa.Column("words_removed", sa.Integer(), nullable=True))
        op.add_column("article_versions", sa.Column("capture_id", sa.Integer(), nullable=True))
        op.create_check_constraint(op.f("ck_article_versions_kind"), "article_versions", KINDS)
        op.create_foreign_key(
            op.f("fk_article_versions_capture_id_captures"),
            "article_versions",
            "captures",
            ["capture_id"],
            ["id"],
        )
        op.add_column(
            "crawl_runs",
            sa.Column("not_modified", sa.Integer(), server_default="0", nullable=False),
        )
    op.create_index(
        op.f("ix_article_versions_capture_id"), "article_versions", ["capture_id"], unique=False
    )
    # Versions stored before this migration: version 1 was the first fetch, later ones edits.
    op.execute("UPDATE article_versions SET kind = 'first' WHERE version = 1")
    op.execute(ARTICLE_EDITS)


def downgrade() -> None:
    op.execute("DROP VIEW article_edits")
    op.drop_index(op.f("ix_article_versions_capture_id"), table_name="article_versions")
    if op.get_bind().dialect.name == "sqlite":
        for column in ("capture_id", "words_removed", "words_added", "kind"):
            op.execute(f"ALTER TABLE article_versions DROP COLUMN {column}")
        op.execute("ALTER TABLE crawl_runs DROP COLUMN not_modified")
    else:
        op.drop_constraint(
            op.f("fk_article_versions_capture_id_captures"), "article_versions", type_="foreignkey"
        )
        op.drop_constraint(op.f("ck_article_versions_kind"), "article_versions", type_="check")
        for column in ("capture_id", "words_removed", "words_added", "kind"):
            op.drop_column("article_versions", column)
        op.drop_column("crawl_runs", "not_modified")
    with op.batch_alter_table("fetch_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fetch_state_next_check_at"))
    op.drop_table("fetch_state")
    with op.batch_alter_table("captures", schema=None) as batch_op:
        batch_op.drop_index("ix_captures_source_id_fetched_at")
        batch_op.drop_index(batch_op.f("ix_captures_crawl_run_id"))
        batch_op.drop_index(batch_op.f("ix_captures_body_sha256"))
        batch_op.drop_index(batch_op.f("ix_captures_article_id"))
    op.drop_table("captures")
    op.drop_table("raw_bodies")
