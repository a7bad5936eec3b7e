"""What an import looks up by key, kept on disk so that its memory does not grow with the file.

``private()`` opens a private temporary SQLite file (deleted when the connection closes or is
collected), in one transaction never committed: the file dies with it. ``Bloom`` answers most lookups
of a key that was never added without asking the file. ``FirstSeen`` is the first line each key of a
file was read on (a reader's duplicates), on such a file. (The models a merge changed, and the import
each new one came from, are marks on the merge's shelf: ``sources._shelf``.)
"""

from __future__ import annotations

import sqlite3

__all__ = ["Bloom", "FirstSeen", "private"]

#: Pages of a private file SQLite keeps in memory (KiB, negative as SQLite takes it): lookups touch few
#: pages, and the operating system caches the rest of the file.
CACHE_KIB = 16_384
#: Bits of a ``Bloom`` filter: 16 MiB, wrong for about 1.4 % of the keys never added once 8 million were
#: (a million new models' names and links, two bits a key), which are then looked up.
BITS = 1 << 27
#: Keys ``FirstSeen`` holds before it writes them at once.
DUE = 4096


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
        # the two bits tested in line: a generator a lookup was half its time (1.9 against 1.0 µs), and
        # a merge looks up several keys a row
        digest = hash(item)
        first, second = digest & self._mask, (digest >> self._shift) & self._mask
        bits = self._set
        return bool(bits[first >> 3] & (1 << (first & 7))) and bool(bits[second >> 3] & (1 << (second & 7)))


class FirstSeen:
    """The first line each key was seen on, with how it was spelt there: a file's duplicates, on disk (a
    dict of them grew 170 MB over a million-row file)."""

    def __init__(self) -> None:
        self._db = private()
        self._db.execute(
            "CREATE TABLE seen (key TEXT PRIMARY KEY, line INTEGER, spelling TEXT) WITHOUT ROWID"
        )
        self._added = Bloom(1 << 24)
        #: Keys added and not written yet (``DUE`` at most), with their first line and spelling.
        self._due: dict[str, tuple[int, str]] = {}

    def close(self) -> None:
        self._db.close()

    def get(self, key: str) -> tuple[int, str] | None:
        """The line ``key`` was first seen on and its spelling there, or None."""
        if key not in self._added:
            return None
        found = self._db.execute("SELECT line, spelling FROM seen WHERE key = ?", (key,)).fetchone()
        return self._due.get(key) if found is None else (found[0], found[1])

    def add(self, key: str, line: int, spelling: str) -> None:
        """``key`` seen on ``line``, spelt ``spelling``: kept if it is the first time. Written behind,
        ``DUE`` keys at once in the table's order (one insert a row was a tenth of a reader's process)."""
        self._added.add(key)
        self._due.setdefault(key, (line, spelling))
        if len(self._due) >= DUE:
            rows = sorted((key, line, spelling) for key, (line, spelling) in self._due.items())
            self._db.executemany("INSERT OR IGNORE INTO seen (key, line, spelling) VALUES (?, ?, ?)", rows)
            self._due.clear()
