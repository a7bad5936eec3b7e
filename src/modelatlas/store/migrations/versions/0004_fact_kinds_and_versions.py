"""fact kinds and versions: third-party estimates, dated versions, paper dates, measured sources

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "estimates",
        sa.Column("model_id", sa.String(length=100), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("confidence", sa.String(length=12), nullable=True),
        sa.Column("source_id", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_estimates_model_id_models"), ondelete="CASCADE"
        ),
    )
    with op.batch_alter_table("estimates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_estimates_model_id"), ["model_id"], unique=False)
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version_of", sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_models_version_of"), ["version_of"], unique=False)
    with op.batch_alter_table("papers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("date_precision", sa.String(length=5), nullable=True))
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), server_default="stated", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("kind")
    with op.batch_alter_table("papers", schema=None) as batch_op:
        batch_op.drop_column("date_precision")
        batch_op.drop_column("date")
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_models_version_of"))
        batch_op.drop_column("version_of")
    with op.batch_alter_table("estimates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_estimates_model_id"))
    op.drop_table("estimates")
