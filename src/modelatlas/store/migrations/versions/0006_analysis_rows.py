"""analysis rows: the analysis table of every model, computed once per build; each model's live refs

Trends, timelines and lineage read ``analysis_rows`` instead of parsing every stored record on first
use; the trending page reads which models refer to a Hub repo or GitHub repository from ``model_refs``.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analysis_rows",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version_of", sa.String(length=100), nullable=True),
        sa.Column("released", sa.Date(), nullable=True),
        sa.Column("released_text", sa.String(length=10), nullable=True),
        sa.Column("date_precision", sa.String(length=5), nullable=True),
        sa.Column("domain", sa.String(length=20), nullable=False),
        sa.Column("domains", sa.Text(), nullable=False),
        sa.Column("openness", sa.String(length=30), nullable=True),
        sa.Column("open_weights", sa.Boolean(), nullable=False),
        sa.Column("organization", sa.String(length=100), nullable=True),
        sa.Column("organization_name", sa.Text(), nullable=True),
        sa.Column("organization_name_zh", sa.Text(), nullable=True),
        sa.Column("organizations", sa.Text(), nullable=False),
        sa.Column("org_kind", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("parameters", sa.Float(), nullable=True),
        sa.Column("parameters_kind", sa.String(length=10), nullable=True),
        sa.Column("active_parameters", sa.Float(), nullable=True),
        sa.Column("tokens", sa.Float(), nullable=True),
        sa.Column("tokens_kind", sa.String(length=10), nullable=True),
        sa.Column("compute", sa.Float(), nullable=True),
        sa.Column("compute_method", sa.String(length=10), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("cost_kind", sa.String(length=10), nullable=True),
        sa.Column("co2e_t", sa.Float(), nullable=True),
        sa.Column("co2e_kind", sa.String(length=10), nullable=True),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("base_models", sa.Text(), nullable=False),
        sa.Column("notable", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_rows")),
    )
    op.create_table(
        "model_refs",
        sa.Column("model_id", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_model_refs_model_id_models"), ondelete="CASCADE"
        ),
    )
    with op.batch_alter_table("model_refs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_refs_model_id"), ["model_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("model_refs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_refs_model_id"))
    op.drop_table("model_refs")
    op.drop_table("analysis_rows")
