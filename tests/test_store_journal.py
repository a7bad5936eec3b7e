"""modelatlas.store.journal: a build's file in WAL mode while its views' child reads it, out of it after."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from pathlib import Path

import pytest

from modelatlas.errors import StoreError
from modelatlas.store.journal import LOG_SUFFIXES, rolled_back, write_ahead


def _file(tmp_path: Path) -> Path:
    """A file as a build writes it (no journal), with one row."""
    path = tmp_path / "store.db"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("CREATE TABLE t (x INTEGER)")
        db.execute("INSERT INTO t VALUES (1)")
    return path


def _open(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA busy_timeout=0")  # a lock held off is an error at once, not a wait
    return db


def _header_mode(path: Path) -> bytes:
    """The file's read and write format versions (bytes 18 and 19): 1 rollback journal, 2 WAL."""
    return path.read_bytes()[18:20]


def test_a_reader_holds_off_a_writer_without_the_log_and_not_with_it(tmp_path: Path) -> None:
    """Both directions: in the build's own mode a reader's transaction makes the build's write fail
    (here at once; the build waits for it), in WAL mode the write goes in while the reader still reads
    the file as it was."""
    path = _file(tmp_path)
    for logged in (False, True):
        if logged:
            assert write_ahead(path) is True
            assert _header_mode(path) == b"\x02\x02"
        reader, writer = _open(path), _open(path)
        try:
            reader.execute("BEGIN")
            before = reader.execute("SELECT count(*) FROM t").fetchone()[0]
            if logged:
                writer.execute("INSERT INTO t VALUES (2)")
                assert reader.execute("SELECT count(*) FROM t").fetchone()[0] == before == 1
            else:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    writer.execute("INSERT INTO t VALUES (2)")
            reader.execute("COMMIT")
        finally:
            reader.close()
            writer.close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (2,)]


def test_rolled_back_leaves_the_file_whole_in_rollback_mode_with_nothing_beside_it(tmp_path: Path) -> None:
    path = _file(tmp_path)
    assert write_ahead(path)
    writer = _open(path)
    writer.execute("INSERT INTO t VALUES (2)")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("INSERT INTO t VALUES (3)")
    with pytest.raises(StoreError, match=re.escape(f"could not take {path} out of write-ahead-log mode")):
        rolled_back(path)  # the writer still has it open
    assert _header_mode(path) == b"\x02\x02"
    writer.close()
    rolled_back(path)
    assert _header_mode(path) == b"\x01\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]
    assert LOG_SUFFIXES == ("-wal", "-shm")
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert db.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (2,), (3,)]


def test_rolled_back_leaves_a_file_never_logged_as_it_is(tmp_path: Path) -> None:
    path = _file(tmp_path)
    before = path.read_bytes()
    rolled_back(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]


def test_a_file_that_is_no_database_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    path.write_bytes(b"not a database at all, but long enough to have a header of sorts" * 2)
    mode = "write-ahead-log mode: file is not a database"
    with pytest.raises(StoreError, match=re.escape(f"could not put {path} in {mode}")):
        write_ahead(path)
    with pytest.raises(StoreError, match=re.escape(f"could not take {path} out of {mode}")):
        rolled_back(path)


def test_a_builds_connection_leaves_a_logged_file_logged_and_a_fresh_one_unjournalled(tmp_path: Path) -> None:
    """``store.build._unshared`` (every connection the build opens): a fresh file gets no journal; one the
    views' child reads in WAL mode stays so (turning its journal off would hold the build off again,
    or fail while the child has it open)."""
    from modelatlas.store.build import _unshared

    fresh, logged = _file(tmp_path), tmp_path / "logged.db"
    logged.write_bytes(fresh.read_bytes())
    assert write_ahead(logged)
    for path, mode in ((fresh, "off"), (logged, "wal")):
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
            _unshared(db, None, cache_kib=2048)
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == mode
            assert db.execute("PRAGMA synchronous").fetchone()[0] == 0
            assert db.execute("PRAGMA cache_size").fetchone()[0] == -2048
