"""Scheduling: crawl locks with a lease, the per-source frontier, run errors by kind and duration.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("errors_by_kind", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("duration_seconds", sa.Float(), nullable=True))

    op.create_table(
        "crawl_locks",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("holder_host", sa.String(length=255), nullable=False),
        sa.Column("holder_pid", sa.Integer(), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_crawl_locks_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_crawl_locks_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_crawl_locks")),
    )
    with op.batch_alter_table("crawl_locks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crawl_locks_token"), ["token"], unique=False)

    op.create_table(
        "crawl_frontier",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("published_hint", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discovered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_crawl_frontier_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_crawl_frontier_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "url_hash", name=op.f("pk_crawl_frontier")),
    )
    with op.batch_alter_table("crawl_frontier", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crawl_frontier_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crawl_frontier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crawl_frontier_run_id"))
    op.drop_table("crawl_frontier")
    with op.batch_alter_table("crawl_locks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crawl_locks_token"))
    op.drop_table("crawl_locks")
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("duration_seconds")
        batch_op.drop_column("errors_by_kind")
