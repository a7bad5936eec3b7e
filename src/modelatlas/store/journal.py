"""A SQLite build's file in write-ahead-log mode while its views' child reads it, and out of it after.

A build writes its file with no journal (``store.build._unshared``); in that mode a reader's transaction
holds off every write that must reach the file, and the views' child (``web.early``) reads the whole
analysis table in one transaction (13–14 s at a million models) just as the build makes its indexes,
whose sorts spill pages to the file. Measured on a copy of a million-model store, its 42 indexes
dropped and made again with the build's settings: alone 19.4–20.5 s; beside such a reader 30.1–35.6 s
(the same CPU); in WAL mode beside it 21.9–25.2 s. In WAL mode a reader reads the file as it was when
its transaction began while the writer appends to the log, so neither waits for the other.

The store itself is not left in WAL mode: a reader of a WAL file needs to write its ``-shm`` file
beside it (a store read from a read-only folder could not be), and each writer keeps a log beside it.
``rolled_back`` puts the build's file back in rollback-journal mode once no one else has it open,
which copies the log into the file and removes it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from modelatlas.errors import StoreError

__all__ = ["LOG_SUFFIXES", "rolled_back", "write_ahead"]

#: The files SQLite keeps beside a database in WAL mode: the log, and the index of it readers share.
LOG_SUFFIXES = ("-wal", "-shm")


def write_ahead(path: Path) -> bool:
    """Put the SQLite file at ``path`` in WAL mode (connections open on it follow at their next
    transaction); whether it is (a file system without shared memory, as some network ones, cannot).

    Raises:
        StoreError: the file cannot be opened or its mode changed.
    """
    try:
        with contextlib.closing(sqlite3.connect(path)) as db:
            return str(db.execute("PRAGMA journal_mode=WAL").fetchone()[0]).lower() == "wal"
    except sqlite3.Error as exc:
        raise StoreError(f"could not put {path} in write-ahead-log mode: {exc}") from exc


def rolled_back(path: Path) -> None:
    """Put the SQLite file at ``path`` back in rollback-journal mode (as a build writes it: unsynced):
    its log copied into it and removed with the readers' index beside it. A file not in WAL mode is
    left as it is.

    Raises:
        StoreError: another connection still has the file open (a child not ended), or it cannot be
            written.
    """
    try:
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.execute("PRAGMA synchronous=OFF")  # as the build wrote it: the file is not the store yet
            mode = str(db.execute("PRAGMA journal_mode=DELETE").fetchone()[0]).lower()
    except sqlite3.Error as exc:
        raise StoreError(f"could not take {path} out of write-ahead-log mode: {exc}") from exc
    if mode != "delete":
        raise StoreError(f"could not take {path} out of write-ahead-log mode: it is still {mode!r}")
