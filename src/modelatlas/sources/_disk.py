"""What an import looks up by key, kept on disk so that its memory does not grow with the file.

``private()`` opens a private temporary SQLite file (deleted when the connection closes or is
collected), in one transaction never committed: the file dies with it. ``Bloom`` answers most lookups
of a key that was never added without asking the file. ``FirstSeen`` is the first line each key of a
file was read on (a reader's duplicates), ``IdSet`` and ``IdMap`` a set of ids and a mapping of ids to
text (the models a merge changed, and the import each new one came from), each on such a file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, MutableMapping, MutableSet, ValuesView
from typing import Any

__all__ = ["Bloom", "FirstSeen", "IdMap", "IdSet", "private"]

#: Pages of a private file SQLite keeps in memory (KiB, negative as SQLite takes it): lookups touch few
#: pages, and the operating system caches the rest of the file.
CACHE_KIB = 16_384
#: Bits of a ``Bloom`` filter: 16 MiB, wrong for about 1.4 % of the keys never added once 8 million were
#: (a million new models' names and links, two bits a key), which are then looked up.
BITS = 1 << 27
#: Rows of an ``IdSet`` or ``IdMap`` read at a time as it is iterated.
_BATCH = 1000


def private() -> sqlite3.Connection:
    """A private temporary SQLite file, in a transaction that is never committed."""
    db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", f"cache_size=-{CACHE_KIB}"):
        db.execute(f"PRAGMA {pragma}")
    db.execute("BEGIN")
    return db


class Bloom:
    """Which keys may have been added: never wrong about a key that was, sometimes about one that was
    not. Two bits a key, from its ``hash`` (this process's: the filter is not kept)."""

    def __init__(self, bits: int | None = None) -> None:
        self._bits = BITS if bits is None else bits
        self._shift = self._bits.bit_length() - 1
        self._mask = self._bits - 1
        self._set = bytearray(self._bits >> 3)

    @classmethod
    def anything(cls) -> Bloom:
        """A filter of 8 bits, all set: it lets every key through to the file."""
        anything = cls(8)
        anything._set[0] = 0xFF
        return anything

    def add(self, item: object) -> None:
        digest = hash(item)
        for bit in (digest & self._mask, (digest >> self._shift) & self._mask):
            self._set[bit >> 3] |= 1 << (bit & 7)

    def __contains__(self, item: object) -> bool:
        digest = hash(item)
        bits = (digest & self._mask, (digest >> self._shift) & self._mask)
        return all(self._set[bit >> 3] & (1 << (bit & 7)) for bit in bits)


class FirstSeen:
    """The first line each key was seen on, with how it was spelt there: a file's duplicates, on disk (a
    dict of them grew 170 MB over a million-row file)."""

    def __init__(self) -> None:
        self._db = private()
        self._db.execute(
            "CREATE TABLE seen (key TEXT PRIMARY KEY, line INTEGER, spelling TEXT) WITHOUT ROWID"
        )
        self._added = Bloom(1 << 24)

    def close(self) -> None:
        self._db.close()

    def get(self, key: str) -> tuple[int, str] | None:
        """The line ``key`` was first seen on and its spelling there, or None."""
        if key not in self._added:
            return None
        found = self._db.execute("SELECT line, spelling FROM seen WHERE key = ?", (key,)).fetchone()
        return None if found is None else (found[0], found[1])

    def add(self, key: str, line: int, spelling: str) -> None:
        """``key`` seen on ``line``, spelt ``spelling``: kept if it is the first time."""
        self._added.add(key)
        self._db.execute(
            "INSERT OR IGNORE INTO seen (key, line, spelling) VALUES (?, ?, ?)", (key, line, spelling)
        )


class IdSet(MutableSet[str]):
    """A set of ids on disk (a set of a million held 100 MB with its strings), in the order first added."""

    def __init__(self) -> None:
        self._db = private()
        self._db.execute("CREATE TABLE ids (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE)")
        self._added = Bloom(1 << 24)
        self._count = 0

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, str) or item not in self._added:
            return False
        return self._db.execute("SELECT 1 FROM ids WHERE id = ?", (item,)).fetchone() is not None

    def __iter__(self) -> Iterator[str]:
        for (item,) in _batches(self._db, "id"):
            yield item

    def __len__(self) -> int:
        return self._count

    def add(self, value: str) -> None:
        if value not in self:
            self._added.add(value)
            self._db.execute("INSERT INTO ids (id) VALUES (?)", (value,))
            self._count += 1

    def discard(self, value: str) -> None:
        if value in self:
            self._db.execute("DELETE FROM ids WHERE id = ?", (value,))
            self._count -= 1


class IdMap(MutableMapping[str, str]):
    """A mapping of ids to text on disk, in the order the ids were first set."""

    def __init__(self) -> None:
        self._db = private()
        self._db.execute("CREATE TABLE ids (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, value TEXT)")
        self._added = Bloom(1 << 24)
        self._count = 0

    def __getitem__(self, key: str) -> str:
        found = None
        if key in self._added:
            found = self._db.execute("SELECT value FROM ids WHERE id = ?", (key,)).fetchone()
        if found is None:
            raise KeyError(key)
        value: str = found[0]
        return value

    def __setitem__(self, key: str, value: str) -> None:
        if key in self:
            self._db.execute("UPDATE ids SET value = ? WHERE id = ?", (value, key))
            return
        self._added.add(key)
        self._db.execute("INSERT INTO ids (id, value) VALUES (?, ?)", (key, value))
        self._count += 1

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._db.execute("DELETE FROM ids WHERE id = ?", (key,))
        self._count -= 1

    def __iter__(self) -> Iterator[str]:
        for (key,) in _batches(self._db, "id"):
            yield key

    def __len__(self) -> int:
        return self._count

    def values(self) -> ValuesView[str]:
        return _Values(self)

    def _values(self) -> Iterator[str]:
        for (value,) in _batches(self._db, "value"):
            yield value


class _Values(ValuesView[str]):
    """An ``IdMap``'s values read in one pass, not looked up id by id."""

    _mapping: IdMap

    def __iter__(self) -> Iterator[str]:
        return self._mapping._values()


def _batches(db: sqlite3.Connection, column: str) -> Iterator[tuple[Any, ...]]:
    """``column`` of table ``ids`` in the order added, ``_BATCH`` rows at a time (the table may change
    between batches)."""
    after = 0
    while batch := db.execute(
        f"SELECT seq, {column} FROM ids WHERE seq > ? ORDER BY seq LIMIT ?", (after, _BATCH)
    ).fetchall():
        after = batch[-1][0]
        for row in batch:
            yield row[1:]
