"""the Hub listing's staged relations carry their repo's creation month

``sync --all`` stages each relation with the month its repo was created, so the final merge dates the
relations as it inserts them instead of looking every repo up again (``live/hub_ledger.py``). Relations
staged before this revision have no month; the merge looks theirs up.

Revision ID: 0009
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("hub_staged_bases", sa.Column("month", sa.String(length=7), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hub_staged_bases") as batch:
        batch.drop_column("month")
