"""models.added: the day a model entered the atlas, indexed; the notable models' ids indexed

A model entered the atlas on its earliest source's ``accessed`` (``store.browse.added_since``: ``/new``
and the feed). Grouping every model's sources for it, even from the index of migration 0015, took
3.6 s at 1,000,000 models for a ``/new`` of a month no build keeps. A column made with the model's row,
indexed with the release date (``/new`` lists the newest entries, newest released first), answers any
day by walking that index: 0.3 ms at 100,000 models, all entered on one day, where the index on
``added`` alone left all of them to sort (60 ms). PostgreSQL's index in that order, nulls last, is
``store.sort_indexes.SORT_INDEXES``.

``population=notable`` asks for the ids of the notable models (``store.filter_sql.population_condition``):
read from ``analysis_rows``' wide rows, at 1,000,000 models all of them notable, 2.5–3 s a question; from
an index of ``(notable, id)`` 0.3–0.7 s.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("models", sa.Column("added", sa.Date(), nullable=True))
    op.create_index("ix_models_added", "models", ["added", "released"])
    op.create_index("ix_analysis_rows_notable", "analysis_rows", ["notable", "id"])


def downgrade() -> None:
    op.drop_index("ix_analysis_rows_notable", table_name="analysis_rows")
    op.drop_index("ix_models_added", table_name="models")
    with op.batch_alter_table("models") as batch_op:
        batch_op.drop_column("added")
