"""model_text without positions: the trigram index keeps which rows hold a trigram, not where

``model_text`` (SQLite only, migration 0010) was an FTS5 table with every trigram's positions
(``detail=full``), which phrase queries (``MATCH '"llama"'``) need. It is asked for the rows holding
every trigram of a query now, and ``instr`` keeps those that hold the query itself
(``store.text_index.text_ids``). At a million models filling it took 11.6–17.0 s of CPU against
19.3–27.6 s, in 240 MB against 555, and the searches are about as quick. Its summaries are kept
case-folded (``text_rows``).

A build migrates a fresh file and fills the table afterwards, so it is made empty here, as 0010 made it.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

COLUMNS = "model_id UNINDEXED, names, summary, tokenize='trigram'"


def _remade(detail: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS model_text")
    op.execute(f"CREATE VIRTUAL TABLE model_text USING fts5({COLUMNS}{detail})")


def upgrade() -> None:
    _remade(", detail=none")


def downgrade() -> None:
    _remade("")
