"""``store.bulk.insert_rows`` writes what ``conn.execute(insert(table), rows)`` writes, on both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import column, insert, select, table
from sqlalchemy import text as sql

from modelatlas.store import tables as T
from modelatlas.store.build import migrate
from modelatlas.store.bulk import insert_all_at_once, insert_rows
from modelatlas.store.engine import LIVE_SCHEMA, make_engine

FILED = {"source_file": "m.yaml", "record_json": "{}"}
MODEL = {"id": "m1", "name": "M1", "released": dt.date(2023, 7, 18), "moe": True, "parameters": 7 * 10**9}
MODEL |= FILED


def _models(url: str, rows: list[dict[str, Any]], *, bulk: bool) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sql(f'CREATE SCHEMA IF NOT EXISTS "{LIVE_SCHEMA}"'))
            migrate(conn)
            conn.execute(sql("DELETE FROM models"))
            if bulk:
                assert insert_rows(conn, T.models, rows) == len(rows)
            else:
                conn.execute(insert(T.models), rows)
            m = T.models.c
            query = select(m.id, m.name, m.released, m.moe, m.parameters, m.context_length).order_by(m.id)
            return [tuple(r) for r in conn.execute(query)]
    finally:
        engine.dispose()


def test_the_same_rows_as_an_insert(store_url: str) -> None:
    rows = [MODEL, {**MODEL, "id": "m2", "name": "M2", "released": None, "moe": False, "parameters": None}]
    written = _models(store_url, rows, bulk=True)
    assert written == _models(store_url, rows, bulk=False)
    assert written == [
        ("m1", "M1", dt.date(2023, 7, 18), True, 7 * 10**9, None),
        ("m2", "M2", None, False, None, None),
    ]


def test_a_missing_column_takes_its_default(store_url: str) -> None:
    rows = [{"id": "m3", "name": "M3"} | FILED]
    assert _models(store_url, rows, bulk=True) == [("m3", "M3", None, False, None, None)]
    assert _models(store_url, rows, bulk=True) == _models(store_url, rows, bulk=False)


def test_a_table_clause_and_no_rows(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    pairs = table("pairs", column("a"), column("b"))
    with engine.begin() as conn:
        conn.execute(sql("CREATE TABLE pairs (a TEXT, b INTEGER)"))
        assert insert_rows(conn, pairs, []) == 0
        assert insert_rows(conn, pairs, [{"a": "x", "b": 1}, {"a": "y", "b": 2}]) == 2
        assert conn.execute(sql("SELECT a, b FROM pairs ORDER BY a")).all() == [("x", 1), ("y", 2)]
    engine.dispose()


def test_all_at_once_writes_what_insert_rows_writes(store_url: str) -> None:
    """One JSON array unpacked by SQLite (``insert_all_at_once``) keeps each value's text, type and the
    rows' order, as the driver's own binding does; PostgreSQL takes ``insert_rows``' path."""
    rows = [
        {"a": 'quote " back\\slash\nline', "b": 2**62, "c": 0.1 + 0.2, "d": None},
        {"a": "紫东太初 🦙 \t café", "b": -1, "c": 6.02e23, "d": "x"},
        {"a": "", "b": 0, "c": -0.0, "d": ""},
    ]
    got = {}
    engine = make_engine(store_url)
    try:
        for name, insert_with in (("one", insert_all_at_once), ("many", insert_rows)):
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(sql(f'CREATE SCHEMA IF NOT EXISTS "{LIVE_SCHEMA}"'))
                kind = "BIGINT" if conn.dialect.name == "postgresql" else "INTEGER"
                conn.execute(sql(f"CREATE TABLE t_{name} (a TEXT, b {kind}, c FLOAT, d TEXT)"))
                assert insert_with(conn, table(f"t_{name}", *map(column, "abcd")), rows) == 3
                assert insert_with(conn, table(f"t_{name}", *map(column, "abcd")), []) == 0
                typed = "SELECT a, b, c, d FROM t_{} ORDER BY {}"
                order = "rowid" if conn.dialect.name == "sqlite" else "b DESC"
                got[name] = conn.execute(sql(typed.format(name, order))).all()
                if conn.dialect.name == "sqlite":
                    types = f"SELECT typeof(a), typeof(b), typeof(c), typeof(d) FROM t_{name} ORDER BY rowid"
                    got[f"{name} types"] = conn.execute(sql(types)).all()
    finally:
        engine.dispose()
    assert got["one"] == got["many"]
    assert [tuple(r) for r in got["one"]][0] == ('quote " back\\slash\nline', 2**62, 0.1 + 0.2, None)
    if store_url.startswith("sqlite"):
        assert [tuple(r) for r in got["one"]] == [tuple(r.values()) for r in rows]
        assert got["one types"] == got["many types"]
        assert got["one types"][0] == ("text", "integer", "real", "null")
