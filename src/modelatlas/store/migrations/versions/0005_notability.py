"""notability: third parties' judgement that a model is notable (Epoch AI's criteria)

The judgement lives in each model's ``record_json``; no table changes. A store of revision 0004 has
no notability in its records, so its trends would count only the curated catalog as notable: the new
revision makes such a store ask to be rebuilt instead.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change in the tables: the records that carry notability are rewritten by a build."""


def downgrade() -> None:
    """Nothing to undo."""
