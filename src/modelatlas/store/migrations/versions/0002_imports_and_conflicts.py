"""imports, their rows and the conflicts they raise; organization kind optional

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=20), nullable=True)
    op.create_table(
        "conflicts",
        sa.Column("model_id", sa.String(length=100), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("kept", sa.Text(), nullable=True),
        sa.Column("other", sa.Text(), nullable=False),
        sa.Column("source_id", sa.String(length=100), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("magnitude", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_conflicts_model_id_models"), ondelete="CASCADE"
        ),
    )
    op.create_index(op.f("ix_conflicts_model_id"), "conflicts", ["model_id"])
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=30), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
        sa.UniqueConstraint("key", name=op.f("uq_imports_key")),
    )
    op.create_table(
        "import_rows",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("model_id", sa.String(length=100), nullable=True),
        sa.Column("matched_by", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_import_rows_import_id_imports"), ondelete="CASCADE"
        ),
    )
    op.create_index(op.f("ix_import_rows_import_id"), "import_rows", ["import_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_import_rows_import_id"), table_name="import_rows")
    op.drop_table("import_rows")
    op.drop_table("imports")
    op.drop_index(op.f("ix_conflicts_model_id"), table_name="conflicts")
    op.drop_table("conflicts")
    with op.batch_alter_table("organizations") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=20), nullable=False)
