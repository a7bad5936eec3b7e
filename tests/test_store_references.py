"""A SQLite build's check of every reference once the rows are in (``build._check_references``): a
query a foreign key, which must find exactly the rows ``PRAGMA foreign_key_check`` finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine

from modelatlas.errors import StoreError
from modelatlas.store.build import _check_references

SCHEMA = (
    "CREATE TABLE p (id TEXT PRIMARY KEY NOT NULL, other TEXT)",
    "CREATE TABLE q (a TEXT NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b))",
    # to a named column, to the parent's primary key without naming it, to a key of two columns
    "CREATE TABLE named (p_id TEXT REFERENCES p (id))",
    "CREATE TABLE implied (p_id TEXT REFERENCES p)",
    "CREATE TABLE pair (x TEXT, y INTEGER, FOREIGN KEY (x, y) REFERENCES q (a, b))",
    "CREATE TABLE two (first TEXT REFERENCES p (id), second TEXT REFERENCES p (id))",
)
GOOD = (
    "INSERT INTO p VALUES ('m1', NULL), ('m2', NULL)",
    "INSERT INTO q VALUES ('m1', 1), ('m1', 2)",
    "INSERT INTO named VALUES ('m1'), ('m2'), (NULL)",  # NULL refers to nothing: allowed
    "INSERT INTO implied VALUES ('m2')",
    "INSERT INTO pair VALUES ('m1', 2), (NULL, 7), ('zz', NULL)",  # a NULL column: no parent needed
    "INSERT INTO two VALUES ('m1', 'm2')",
)


def _store(tmp_path: Path, *statements: str) -> Connection:
    engine = create_engine(f"sqlite:///{tmp_path / 'refs.db'}")
    conn = engine.connect()
    for statement in (*SCHEMA, *GOOD, *statements):
        conn.exec_driver_sql(statement)
    conn.commit()
    return conn


def _pragma(conn: Connection) -> int:
    return len(conn.exec_driver_sql("PRAGMA foreign_key_check").all())


def test_a_store_whose_references_all_hold_passes(tmp_path: Path) -> None:
    conn = _store(tmp_path)
    assert _pragma(conn) == 0
    _check_references(conn)


@pytest.mark.parametrize(
    ("broken", "count", "first"),
    [
        ("INSERT INTO named VALUES ('gone')", 1, "'named' (to 'p')"),
        ("INSERT INTO implied VALUES ('gone'), ('M1')", 2, "'implied' (to 'p')"),  # case counts
        ("INSERT INTO pair VALUES ('m1', 3), ('m2', 1)", 2, "'pair' (to 'q')"),  # each column counts
        ("INSERT INTO two VALUES ('m1', 'gone'), ('gone', NULL)", 2, "'two' (to 'p')"),
    ],
)
def test_each_kind_of_broken_reference_is_counted_as_sqlite_counts_it(
    tmp_path: Path, broken: str, count: int, first: str
) -> None:
    conn = _store(tmp_path, broken)
    assert _pragma(conn) == count
    with pytest.raises(StoreError) as info:
        _check_references(conn)
    said = f"{count} row(s) refer to rows the store does not hold, the first in {first}"
    assert str(info.value) == f"{said}; the store is unchanged"


def test_broken_rows_of_several_tables_are_all_counted_and_the_first_table_named(tmp_path: Path) -> None:
    conn = _store(tmp_path, "INSERT INTO two VALUES (NULL, 'x')", "INSERT INTO implied VALUES ('y'), ('z')")
    assert _pragma(conn) == 3
    with pytest.raises(StoreError, match=r"^3 row\(s\) .* the first in 'implied' \(to 'p'\)"):
        _check_references(conn)
