"""derived tables: the search and facet indexes a build fills, made here like every other table

Before this revision a build created them itself after the load. They are made empty here; a build
fills them (``store.text_index``, ``store.facet_index``). On both databases: ``name_keys`` (the distinct
name keys, one row per length) and ``organization_names`` (every name of every organization). On SQLite
only: ``model_text`` (an FTS5 trigram table of names and summaries; PostgreSQL indexes the columns
themselves with pg_trgm) and the facet index of the models page, ``facet_sets``, ``facet_values`` and
``model_facets`` with its indexes. ``facet_values.value`` has no type on purpose: it holds the years as
integers and the other values as text, as they are compared. None of them is in ``tables.metadata``
(``tables.DERIVED``), so autogenerate leaves them alone.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BOTH = (
    "CREATE TABLE name_keys (length INTEGER PRIMARY KEY, keys TEXT NOT NULL)",
    "CREATE TABLE organization_names (organization_id TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL)",
)
SQLITE = (
    "CREATE VIRTUAL TABLE model_text USING fts5(model_id UNINDEXED, names, summary, tokenize='trigram')",
    "CREATE TABLE facet_sets (combo INTEGER PRIMARY KEY, models INTEGER NOT NULL)",
    "CREATE TABLE facet_values (facet TEXT NOT NULL, value NOT NULL, combo INTEGER NOT NULL, "
    "times INTEGER NOT NULL, models INTEGER NOT NULL, PRIMARY KEY (facet, value, combo)) WITHOUT ROWID",
    "CREATE TABLE model_facets (id TEXT PRIMARY KEY, combo INTEGER NOT NULL, parameters INTEGER, "
    "released DATE, name TEXT NOT NULL) WITHOUT ROWID",
    "CREATE INDEX ix_model_facets_combo ON model_facets (combo)",
    "CREATE INDEX ix_model_facets_released ON model_facets (released, combo, parameters)",
    "CREATE INDEX ix_model_facets_parameters ON model_facets (parameters, combo)",
    "CREATE INDEX ix_model_facets_name ON model_facets (lower(name), combo, parameters)",
)


def _sqlite() -> bool:
    return bool(op.get_bind().dialect.name == "sqlite")


def upgrade() -> None:
    for statement in BOTH + (SQLITE if _sqlite() else ()):
        op.execute(statement)


def downgrade() -> None:
    tables = ["name_keys", "organization_names"]
    if _sqlite():
        tables += ["model_text", "facet_sets", "facet_values", "model_facets"]  # with their indexes
    for table in tables:
        op.execute(f"DROP TABLE IF EXISTS {table}")
