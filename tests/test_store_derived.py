"""The derived tables (``tables.DERIVED``): made empty by migration 0010 on both databases (the SQLite
ones on SQLite only) and 0011 (the facet index on PostgreSQL), filled by a build, dropped by the
downgrade; a store without them still answers."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect
from sqlalchemy import text as sql

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.store import tables as T
from modelatlas.store.build import MIGRATIONS, build_store, migrate
from modelatlas.store.engine import LIVE_SCHEMA, make_engine
from modelatlas.store.queries import search

BOTH = {"name_keys", "organization_names", "facet_sets", "facet_values", "model_facets"}
SQLITE_ONLY = {"model_text"}
FACET_INDEXES = {
    "ix_model_facets_combo",
    "ix_model_facets_name",
    "ix_model_facets_parameters",
    "ix_model_facets_released",
}


def _derived(names: set[str]) -> set[str]:
    return {n for n in names if n in T.DERIVED}


def _migrated(url: str, revision: str = "head") -> set[str]:
    """The tables of a fresh database at ``url`` brought to ``revision`` (``head``, or down to it)."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sql(f'CREATE SCHEMA IF NOT EXISTS "{LIVE_SCHEMA}"'))
            migrate(conn)
            if revision != "head":
                config = Config()
                config.set_main_option("script_location", str(MIGRATIONS))
                config.attributes["connection"] = conn
                command.downgrade(config, revision)
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_the_migrations_make_them_empty(store_url: str) -> None:
    tables = _migrated(store_url)
    sqlite = store_url.startswith("sqlite")
    assert _derived(tables) == (BOTH | SQLITE_ONLY if sqlite else BOTH)
    assert tables >= set(T.metadata.tables)
    engine = make_engine(store_url)
    with engine.connect() as conn:
        for table in _derived(tables):
            assert conn.execute(sql(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table
        if sqlite:
            query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'model_facets'"
            assert set(conn.execute(sql(f"{query} AND sql IS NOT NULL")).scalars()) == FACET_INDEXES
        else:
            query = "SELECT indexname FROM pg_indexes WHERE tablename IN ('model_facets', 'facet_values')"
            indexes = set(conn.execute(sql(query)).scalars())
            assert indexes == FACET_INDEXES | {
                "ix_facet_values_combo",
                "model_facets_pkey",
                "facet_values_pkey",
            }
    engine.dispose()


def test_the_downgrade_drops_them_and_only_them(store_url: str) -> None:
    at_head = _migrated(store_url, "0011")  # the revisions that make them; later ones add their own
    engine = make_engine(store_url)
    with engine.begin() as conn:  # a fresh start for the next
        if conn.dialect.name == "postgresql":
            conn.execute(sql(f'DROP SCHEMA "{LIVE_SCHEMA}" CASCADE'))
        else:
            for table in inspect(conn).get_table_names():
                conn.execute(sql(f'DROP TABLE IF EXISTS "{table}"'))
    engine.dispose()
    before = _migrated(store_url, "0009")
    assert _derived(before) == set()
    shadows = {t for t in at_head if t.startswith("model_text_")}  # the FTS5 table's own
    assert at_head - before == _derived(at_head) | shadows
    assert len(at_head - before) == (2 + 4 + 5 if store_url.startswith("sqlite") else 2 + 3)


def test_a_build_fills_them(store_url: str, tiny_catalog: Path) -> None:
    build_store(load_valid_catalog(tiny_catalog), store_url)
    engine = make_engine(store_url)
    with engine.connect() as conn:
        count = {
            t: conn.execute(sql(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in _derived(set(inspect(conn).get_table_names()))
        }
        by_length = sql("SELECT length, keys FROM name_keys ORDER BY length")
        stored = [tuple(row) for row in conn.execute(by_length)]
        every = sorted(conn.execute(sql("SELECT DISTINCT key FROM model_names")).scalars())  # code points
        lengths = sorted({len(key) for key in every})
        assert stored == [(n, "\n".join(key for key in every if len(key) == n)) for n in lengths]
        assert len(every) > 10 and len(lengths) > 3
        organizations = conn.execute(sql("SELECT count(*) FROM organizations")).scalar_one()
        assert count["organization_names"] >= organizations == 6
        assert count["model_facets"] == 6
        assert sum(conn.execute(sql("SELECT models FROM facet_sets")).scalars()) == 6
        if store_url.startswith("sqlite"):
            assert count["model_text"] == 6
            text = conn.execute(sql("SELECT names, summary FROM model_text WHERE model_id = 'vicuna'")).one()
            keys = "SELECT key FROM model_names WHERE model_id = 'vicuna' ORDER BY rowid"
            assert text.names == " ".join(conn.execute(sql(keys)).scalars())
            assert text.summary == "chatbot fine-tuned from llama on sharegpt conversations."  # case-folded
    engine.dispose()


def test_a_store_without_them_finds_the_same(sqlite_url: str, tiny_catalog: Path) -> None:
    """A store built before migration 0010 (the derived tables missing) answers a search as one with them,
    through the readers' fallbacks."""
    build_store(load_valid_catalog(tiny_catalog), sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            with_them = [h.id for h in search(conn, "llama")], [h.id for h in search(conn, "icuna")]
        with engine.begin() as conn:
            for table in T.DERIVED:
                conn.execute(sql(f"DROP TABLE {table}"))
        with engine.connect() as conn:
            without = [h.id for h in search(conn, "llama")], [h.id for h in search(conn, "icuna")]
    finally:
        engine.dispose()
    assert with_them == without
    assert "vicuna" in with_them[1] and "llama" in with_them[0]
