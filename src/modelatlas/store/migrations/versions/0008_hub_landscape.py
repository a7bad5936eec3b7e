"""the Hub listing's field summed up once per listing: per base and month, per base, the derivatives with
several bases, the inner nodes of the model trees, the field's totals

``live.landscape_tables.refresh`` fills them at the end of each ``sync --source hf --all`` merge (and
here, from a listing already stored), so that ``ecosystem``, its page and the model pages read a few
thousand rows instead of every relation.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_base_months",
        sa.Column("base", sa.String(length=200), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("derivatives", sa.Integer(), nullable=False),
        sa.Column("finetunes", sa.Integer(), nullable=False),
        sa.Column("adapters", sa.Integer(), nullable=False),
        sa.Column("quantized", sa.Integer(), nullable=False),
        sa.Column("merges", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("base", "month", name=op.f("pk_hub_base_months")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "hub_base_totals",
        sa.Column("base", sa.String(length=200), nullable=False),
        sa.Column("derivatives", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=24), nullable=True),
        sa.Column("first_quantized", sa.String(length=24), nullable=True),
        sa.Column("tenth_quantized", sa.String(length=24), nullable=True),
        sa.PrimaryKeyConstraint("base", name=op.f("pk_hub_base_totals")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_hub_base_totals_derivatives"), "hub_base_totals", ["derivatives"])
    op.create_table(
        "hub_shared",
        sa.Column("repo_id", sa.String(length=200), nullable=False),
        sa.Column("base", sa.String(length=200), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("repo_id", "base", "relation", name=op.f("pk_hub_shared")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_hub_shared_base", "hub_shared", ["base"])
    op.create_table(
        "hub_inner",
        sa.Column("base", sa.String(length=200), nullable=False),
        sa.Column("repo_id", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("base", "repo_id", name=op.f("pk_hub_inner")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "hub_field",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("derivatives", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_hub_field")),
    )
    from modelatlas.live.landscape_tables import refresh

    refresh(op.get_bind())


def downgrade() -> None:
    op.drop_table("hub_field")
    op.drop_table("hub_inner")
    op.drop_index("ix_hub_shared_base", table_name="hub_shared")
    op.drop_table("hub_shared")
    op.drop_index(op.f("ix_hub_base_totals_derivatives"), table_name="hub_base_totals")
    op.drop_table("hub_base_totals")
    op.drop_table("hub_base_months")
