"""``store.engine``: a pooled SQLite connection follows the store file when a build replaces it."""

from __future__ import annotations

import os
from pathlib import Path

from modelatlas.store.engine import make_engine


def _store(path: Path, value: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE facts (value INTEGER)")
        conn.exec_driver_sql(f"INSERT INTO facts VALUES ({value})")
    engine.dispose()


def _value(engine: object) -> int:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.exec_driver_sql("SELECT value FROM facts").scalar_one())


def test_a_replaced_file_is_read_anew(tmp_path: Path) -> None:
    """Issue 19: ``serve`` kept answering from the replaced store, old and new totals alternating."""
    store, new = tmp_path / "store.db", tmp_path / "new.db"
    _store(store, 1)
    engine = make_engine(f"sqlite:///{store}")
    assert _value(engine) == 1 and _value(engine) == 1  # the pooled connection, reused
    _store(new, 2)
    os.replace(new, store)  # what a build does
    assert _value(engine) == 2
    assert _value(engine) == 2
    engine.dispose()


def test_a_deleted_file_keeps_its_connection_and_makes_no_empty_store(tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    _store(store, 1)
    engine = make_engine(f"sqlite:///{store}")
    assert _value(engine) == 1
    store.unlink()
    assert _value(engine) == 1  # still the file it had open; nothing new created in its place
    assert not store.exists()
    engine.dispose()
