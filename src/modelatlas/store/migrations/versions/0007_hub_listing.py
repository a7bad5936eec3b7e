"""the whole Hub listing: one row per Hub model repo, its base models, its counts per sync date, the cursor

``sync --source hf --all`` appends each page to ``hub_staged`` and ``hub_staged_bases``, in the same
transaction as the next page's URL in ``hub_listing``, so a killed listing goes on from there; when the
listing is done they are merged into ``hub_repos``, ``hub_bases`` and ``hub_snapshots`` in one pass. On
SQLite the repos, bases and snapshots are WITHOUT ROWID tables.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_repos",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.String(length=24), nullable=True),
        sa.Column("last_modified", sa.String(length=24), nullable=True),
        sa.Column("pipeline_tag", sa.String(length=60), nullable=True),
        sa.Column("library", sa.String(length=60), nullable=True),
        sa.Column("licence", sa.String(length=100), nullable=True),
        sa.Column("gated", sa.String(length=10), nullable=True),
        sa.Column("parameters", sa.BigInteger(), nullable=True),
        sa.Column("downloads", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("listed_on", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_repos")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "hub_bases",
        sa.Column("repo_id", sa.String(length=200), nullable=False),
        sa.Column("base", sa.String(length=200), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=False),
        sa.Column("stated", sa.Boolean(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.PrimaryKeyConstraint("repo_id", "base", "relation", name=op.f("pk_hub_bases")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_hub_bases_base_relation", "hub_bases", ["base", "relation", "month"])
    op.create_table(
        "hub_snapshots",
        sa.Column("observed_on", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("repo_id", sa.String(length=200), nullable=False),
        sa.Column("downloads", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("observed_on", "position", name=op.f("pk_hub_snapshots")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "hub_staged",
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.String(length=24), nullable=True),
        sa.Column("last_modified", sa.String(length=24), nullable=True),
        sa.Column("pipeline_tag", sa.String(length=60), nullable=True),
        sa.Column("library", sa.String(length=60), nullable=True),
        sa.Column("licence", sa.String(length=100), nullable=True),
        sa.Column("gated", sa.String(length=10), nullable=True),
        sa.Column("parameters", sa.BigInteger(), nullable=True),
        sa.Column("downloads", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_hub_staged")),
    )
    op.create_table(
        "hub_staged_bases",
        sa.Column("repo_id", sa.String(length=200), nullable=False),
        sa.Column("base", sa.String(length=200), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=False),
        sa.Column("stated", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "hub_listing",
        sa.Column("listing", sa.String(length=20), nullable=False),
        sa.Column("run_on", sa.String(length=10), nullable=False),
        sa.Column("started_at", sa.String(length=20), nullable=False),
        sa.Column("next_url", sa.Text(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("listing", name=op.f("pk_hub_listing")),
    )


def downgrade() -> None:
    op.drop_table("hub_listing")
    op.drop_table("hub_staged_bases")
    op.drop_table("hub_staged")
    op.drop_table("hub_snapshots")
    op.drop_index("ix_hub_bases_base_relation", table_name="hub_bases")
    op.drop_table("hub_bases")
    op.drop_table("hub_repos")
