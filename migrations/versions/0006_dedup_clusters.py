"""Duplicate detection at scale: verification features on fingerprints, partial reprints.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing fingerprints keep NULL features and an older `method`: `arshif dedup
    # rebuild` recomputes them (docs/dedup.md).
    with op.batch_alter_table("fingerprints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shingles", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("numbers", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("wire", sa.String(length=32), nullable=True))

    op.create_table(
        "partial_reprints",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("of_article_id", sa.Integer(), nullable=False),
        sa.Column("containment", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_partial_reprints_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["of_article_id"],
            ["articles.id"],
            name=op.f("fk_partial_reprints_of_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_partial_reprints")),
    )
    with op.batch_alter_table("partial_reprints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partial_reprints_of_article_id"), ["of_article_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("partial_reprints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partial_reprints_of_article_id"))
    op.drop_table("partial_reprints")
    with op.batch_alter_table("fingerprints", schema=None) as batch_op:
        batch_op.drop_column("wire")
        batch_op.drop_column("numbers")
        batch_op.drop_column("shingles")
