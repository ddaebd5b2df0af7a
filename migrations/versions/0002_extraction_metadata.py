"""Extraction metadata: date precision, canonical URL, image, categories, tags, cleaner
version per version; learned per-source boilerplate lines; skipped pages; views re-created.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the views (docs/schema.md). 0001's definitions are restored on downgrade.
LATEST_VERSIONS = """
CREATE VIEW latest_versions AS
SELECT a.id AS article_id, a.source_id, s.name AS source, a.url,
       v.id AS version_id, v.version, v.fetched_at,
       v.title, v.text, v.authors, a.published_at, v.modified_at, v.date_source,
       v.date_precision, v.language, v.description, v.attribution, v.canonical_url,
       v.image, v.categories, v.tags, v.word_count, v.content_hash,
       v.fetch_url, v.encoding, v.extractor, v.cleaner,
       a.first_seen_at, a.last_seen_at,
       a.duplicate_of_id, a.duplicate_kind, a.similarity
FROM articles a
JOIN sources s ON s.id = a.source_id
JOIN article_versions v ON v.article_id = a.id
WHERE v.version = (SELECT MAX(v2.version) FROM article_versions v2 WHERE v2.article_id = a.id)
"""

CORPUS = """
CREATE VIEW corpus AS
SELECT lv.article_id, lv.source_id, lv.source, lv.url, lv.version_id, lv.version,
       lv.fetched_at, lv.title, lv.text, lv.authors, lv.published_at, lv.modified_at,
       lv.date_source, lv.date_precision, lv.language, lv.description, lv.attribution,
       lv.canonical_url, lv.image, lv.categories, lv.tags, lv.word_count,
       lv.content_hash, lv.fetch_url, lv.encoding, lv.extractor, lv.cleaner,
       lv.first_seen_at, lv.last_seen_at,
       (SELECT COUNT(*) FROM articles d WHERE d.duplicate_of_id = lv.article_id) AS duplicate_count
FROM latest_versions lv
WHERE lv.duplicate_of_id IS NULL
"""

OLD_LATEST_VERSIONS = """
CREATE VIEW latest_versions AS
SELECT a.id AS article_id, a.source_id, s.name AS source, a.url,
       v.id AS version_id, v.version, v.fetched_at,
       v.title, v.text, v.authors, a.published_at, v.modified_at, v.date_source,
       v.language, v.description, v.attribution, v.word_count, v.content_hash,
       v.fetch_url, v.encoding, v.extractor,
       a.first_seen_at, a.last_seen_at,
       a.duplicate_of_id, a.duplicate_kind, a.similarity
FROM articles a
JOIN sources s ON s.id = a.source_id
JOIN article_versions v ON v.article_id = a.id
WHERE v.version = (SELECT MAX(v2.version) FROM article_versions v2 WHERE v2.article_id = a.id)
"""

OLD_CORPUS = """
CREATE VIEW corpus AS
SELECT lv.article_id, lv.source_id, lv.source, lv.url, lv.version_id, lv.version,
       lv.fetched_at, lv.title, lv.text, lv.authors, lv.published_at, lv.modified_at,
       lv.date_source, lv.language, lv.description, lv.attribution, lv.word_count,
       lv.content_hash, lv.fetch_url, lv.encoding, lv.extractor, lv.first_seen_at, lv.last_seen_at,
       (SELECT COUNT(*) FROM articles d WHERE d.duplicate_of_id = lv.article_id) AS duplicate_count
FROM latest_versions lv
WHERE lv.duplicate_of_id IS NULL
"""

NEW_COLUMNS = (
    ("date_precision", sa.String(length=16)),
    ("canonical_url", sa.Text()),
    ("image", sa.Text()),
    ("categories", sa.Text()),
    ("tags", sa.Text()),
    ("cleaner", sa.String(length=40)),
    ("removed_lines", sa.Integer()),
    ("declared_encoding", sa.String(length=40)),
)


def upgrade() -> None:
    op.execute("DROP VIEW corpus")
    op.execute("DROP VIEW latest_versions")
    with op.batch_alter_table("article_versions", schema=None) as batch_op:
        for name, type_ in NEW_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))

    op.create_table(
        "boilerplate_lines",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("line_hash", sa.String(length=16), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("articles_seen", sa.Integer(), nullable=False),
        sa.Column("articles_before", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_boilerplate_lines_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "line_hash", name=op.f("pk_boilerplate_lines")),
    )
    with op.batch_alter_table("boilerplate_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_boilerplate_lines_source_id_articles_seen",
            ["source_id", "articles_seen"],
            unique=False,
        )

    op.create_table(
        "skipped_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("first_skipped_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_skipped_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("times_skipped", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_skipped_pages_crawl_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_skipped_pages_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skipped_pages")),
        sa.UniqueConstraint("url_hash", name=op.f("uq_skipped_pages_url_hash")),
    )
    with op.batch_alter_table("skipped_pages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_skipped_pages_crawl_run_id"), ["crawl_run_id"], unique=False
        )
        batch_op.create_index(
            "ix_skipped_pages_source_id_kind", ["source_id", "kind"], unique=False
        )
    op.execute(LATEST_VERSIONS)
    op.execute(CORPUS)


def downgrade() -> None:
    op.execute("DROP VIEW corpus")
    op.execute("DROP VIEW latest_versions")
    with op.batch_alter_table("skipped_pages", schema=None) as batch_op:
        batch_op.drop_index("ix_skipped_pages_source_id_kind")
        batch_op.drop_index(batch_op.f("ix_skipped_pages_crawl_run_id"))
    op.drop_table("skipped_pages")
    with op.batch_alter_table("boilerplate_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_boilerplate_lines_source_id_articles_seen")
    op.drop_table("boilerplate_lines")
    with op.batch_alter_table("article_versions", schema=None) as batch_op:
        for name, _ in reversed(NEW_COLUMNS):
            batch_op.drop_column(name)
    op.execute(OLD_LATEST_VERSIONS)
    op.execute(OLD_CORPUS)
