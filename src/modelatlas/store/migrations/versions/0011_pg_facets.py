"""PostgreSQL facet index: the models page's ``facet_sets``, ``facet_values`` and ``model_facets`` there too

Revision 0010 made them on SQLite only, so on PostgreSQL every new filter or search counted the six
facets over the models table (1,000,000 models: a new search on the models page 33 s). Here they are
made on PostgreSQL, with typed columns: ``facet_values.value`` is text (the years as their digits,
``store.browse`` compares them so), ``model_facets.released`` a date, ``parameters`` a bigint; the
indexes of ``model_facets`` are in the browser's sort orders with nulls last, as ``models``' are
(``store.sort_indexes.SORT_INDEXES``), so that a page walks one and stops at its end; ``facet_values`` has
an index by combination, from which a search's few thousand combinations read their values. A build
fills them (``store.facet_index_pg``). On SQLite this revision does nothing.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

POSTGRESQL = (
    "CREATE TABLE facet_sets (combo INTEGER PRIMARY KEY, models INTEGER NOT NULL)",
    "CREATE TABLE facet_values (facet TEXT NOT NULL, value TEXT NOT NULL, combo INTEGER NOT NULL, "
    "times INTEGER NOT NULL, models INTEGER NOT NULL, PRIMARY KEY (facet, value, combo))",
    "CREATE TABLE model_facets (id TEXT PRIMARY KEY, combo INTEGER NOT NULL, parameters BIGINT, "
    "released DATE, name TEXT NOT NULL)",
    "CREATE INDEX ix_facet_values_combo ON facet_values (combo) INCLUDE (facet, value, times)",
    "CREATE INDEX ix_model_facets_combo ON model_facets (combo)",
    "CREATE INDEX ix_model_facets_released ON model_facets (released DESC NULLS LAST, id)",
    "CREATE INDEX ix_model_facets_parameters ON model_facets (parameters DESC NULLS LAST, id)",
    "CREATE INDEX ix_model_facets_name ON model_facets (lower(name), id)",
)


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    if _postgresql():
        for statement in POSTGRESQL:
            op.execute(statement)


def downgrade() -> None:
    if _postgresql():
        for table in ("facet_sets", "facet_values", "model_facets"):  # with their indexes
            op.execute(f"DROP TABLE IF EXISTS {table}")
