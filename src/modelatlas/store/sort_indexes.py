"""PostgreSQL indexes in the models browser's sort orders, made by a build once its rows are in.

Newest and largest first, nulls last, so that a page walks one and stops at its end instead of sorting
every match; SQLite's indexes cannot say NULLS LAST. Apart from ``store.browse`` so that a build does not
load what browsing reads with (numpy).
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy import text as sql

__all__ = ["SORT_INDEXES", "sort_indexes"]

SORT_INDEXES = (
    ("ix_models_released_desc", "released DESC NULLS LAST, id"),
    ("ix_models_parameters_desc", "parameters DESC NULLS LAST, id"),
    ("ix_models_name_lower", "lower(name), id"),
    ("ix_models_added_desc", "added DESC, released DESC NULLS LAST, id"),  # added_since: /new, the feed
)


def sort_indexes(conn: Connection) -> None:
    """Create ``SORT_INDEXES`` (PostgreSQL only; else nothing)."""
    if conn.dialect.name != "postgresql":
        return
    for name, columns in SORT_INDEXES:
        conn.execute(sql(f"CREATE INDEX {name} ON models ({columns})"))
