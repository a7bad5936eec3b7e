"""PostgreSQL bigrams: ``modelatlas_bigrams(text)``, a text's distinct two-character substrings

pg_trgm's indexes answer a substring of three characters or more; a two-character search (``r1``, 混元)
read every name and summary. The build indexes the names and summaries by this function's array in GIN
indexes (``store.text_index.BIGRAM_INDEXES``), made once the rows are in; ``store.text_index.contains``
asks them. Characters, not bytes (``substr``): 清华大学 gives 清华, 华大, 大学. On SQLite this revision does
nothing (the FTS5 table is scanned there, fast enough: about 10 ms at 100,000 models).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE FUNCTION modelatlas_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT substr(value, i, 2)), '{}')
    FROM generate_series(1, length(value) - 1) AS i
$$
"""


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    if _postgresql():
        op.execute(FUNCTION)


def downgrade() -> None:
    if _postgresql():
        op.execute("DROP FUNCTION IF EXISTS modelatlas_bigrams(text) CASCADE")  # with its indexes
