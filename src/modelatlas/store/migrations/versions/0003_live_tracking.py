"""live tracking: sync state, metric snapshots, observations, candidates, the HTTP cache, sync runs

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("checked_at", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("source", "ref", name=op.f("pk_sync_state")),
    )
    op.create_index(op.f("ix_sync_state_checked_at"), "sync_state", ["checked_at"])
    op.create_table(
        "snapshots",
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=30), nullable=False),
        sa.Column("observed_at", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("source", "ref", "metric", "observed_at", name=op.f("pk_snapshots")),
    )
    op.create_index("ix_snapshots_metric_observed_at", "snapshots", ["metric", "observed_at"])
    op.create_table(
        "observations",
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("observed_at", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("source", "ref", "field", name=op.f("pk_observations")),
    )
    op.create_table(
        "candidates",
        sa.Column("key", sa.String(length=220), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("organization", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("published", sa.String(length=10), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("found_at", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_at", sa.String(length=20), nullable=True),
        sa.Column("model_id", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_candidates")),
    )
    op.create_index(op.f("ix_candidates_status"), "candidates", ["status"])
    op.create_table(
        "http_cache",
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("etag", sa.Text(), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_http_cache")),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("started_at", sa.String(length=20), nullable=False),
        sa.Column("finished_at", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("discovered", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )


def downgrade() -> None:
    op.drop_table("sync_runs")
    op.drop_table("http_cache")
    op.drop_index(op.f("ix_candidates_status"), table_name="candidates")
    op.drop_table("candidates")
    op.drop_table("observations")
    op.drop_index("ix_snapshots_metric_observed_at", table_name="snapshots")
    op.drop_table("snapshots")
    op.drop_index(op.f("ix_sync_state_checked_at"), table_name="sync_state")
    op.drop_table("sync_state")
