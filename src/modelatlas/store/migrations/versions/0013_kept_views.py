"""kept views: the default views of the pages, computed once at the end of a build

``kept_views`` holds, for each default view (the home page's figures and fit, each metric's default
trend, the timelines, the lineage, the trends form's choices, the hardware page's suggestions), its key,
the build it was computed from and its value serialised; every worker of ``serve`` reads it instead of
computing the view again (``web.refresh``, ``web.stored_views``).

Revision ID: 0013
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_views",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("stamp", sa.String(length=100), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kept_views")),
    )


def downgrade() -> None:
    op.drop_table("kept_views")
