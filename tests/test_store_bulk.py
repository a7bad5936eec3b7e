"""``store.bulk.insert_rows`` writes what ``conn.execute(insert(table), rows)`` writes, on both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import column, insert, select, table
from sqlalchemy import text as sql

from modelatlas.store import tables as T
from modelatlas.store.build import migrate
from modelatlas.store.bulk import insert_rows
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
