"""The matcher's keys on disk: which models have each name, stem, paper, repository and code link.

A ``MatchIndex`` keeps ``Matcher``'s index in a private temporary SQLite file (deleted when it is closed
or collected), looked up by key, so that an import's memory does not grow with the models it makes: as
dicts of sets, the keys of a million new models held about 400 bytes each (their strings and entries).

``names`` maps a name key to the models spelt so, each with how it first had the key (``name``,
``alias`` or ``variant``) and its spelling: a key added again for a model keeps its first spelling, as
``dict.setdefault`` did. ``keys`` holds the other kinds (``KINDS``) as sets of models by key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Literal

__all__ = ["KINDS", "Kind", "Listed", "MatchIndex"]

#: The keys other than names: a name's stem before a trailing size, an arXiv id, a Hugging Face repo
#: (case folded), a repo listed under a variant, a code URL (``matching.code_key``).
Kind = Literal["stem", "arxiv", "hf", "variant_repo", "code"]
KINDS: tuple[Kind, ...] = ("stem", "arxiv", "hf", "variant_repo", "code")
#: Pages of the file SQLite keeps in memory (KiB, negative as SQLite takes it): the lookups of a file's
#: rows touch few pages, and the operating system caches the rest of the file.
_CACHE_KIB = 16_384
#: Bits of the filter that answers most lookups of a key no model has without asking the file (a Bloom
#: filter of two bits a key): 16 MiB, wrong for about 1.4 % of such keys at 8 million keys (a million
#: new models), which are then looked up.
_BITS = 1 << 27
_MASK = _BITS - 1


def _private() -> sqlite3.Connection:
    """A private temporary SQLite file, removed when the connection closes, in one transaction never
    committed (the file dies with it)."""
    db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", f"cache_size=-{_CACHE_KIB}"):
        db.execute(f"PRAGMA {pragma}")
    return db


class MatchIndex:
    """Models by name key (with how they have it) and by the other ``KINDS`` of key, on disk."""

    def __init__(self) -> None:
        self._db = _private()
        self._db.execute(
            "CREATE TABLE names (key TEXT, model TEXT, kind TEXT, spelling TEXT, PRIMARY KEY (key, model))"
            " WITHOUT ROWID"
        )
        self._db.execute(
            "CREATE TABLE keys (kind TEXT, key TEXT, model TEXT, PRIMARY KEY (kind, key, model))"
            " WITHOUT ROWID"
        )
        self._db.execute("BEGIN")  # one transaction, never committed: the file dies with the index
        self._seen = bytearray(_BITS >> 3)

    def close(self) -> None:
        self._db.close()

    def add(
        self, model_id: str, names: Iterable[tuple[str, str, str]], keys: Iterable[tuple[Kind, str]]
    ) -> None:
        """Index ``model_id`` under each name ``(key, kind, spelling)`` (a name key it already has keeps
        its first spelling) and each other ``(kind, key)``."""
        named = [(key, model_id, kind, spelling) for key, kind, spelling in names]
        for row in named:
            self._mark(("name", row[0]))
        if named:
            self._db.executemany(
                "INSERT OR IGNORE INTO names (key, model, kind, spelling) VALUES (?, ?, ?, ?)", named
            )
        keyed = [(kind, key, model_id) for kind, key in keys]
        for kind, key, _ in keyed:
            self._mark((kind, key))
        if keyed:
            self._db.executemany("INSERT OR IGNORE INTO keys (kind, key, model) VALUES (?, ?, ?)", keyed)

    def names(self, key: str) -> dict[str, tuple[str, str]]:
        """The models with name key ``key``, each with how it has it and its spelling."""
        if not self._may_have(("name", key)):
            return {}
        found = self._db.execute("SELECT model, kind, spelling FROM names WHERE key = ?", (key,))
        return {model: (kind, spelling) for model, kind, spelling in found}

    def models(self, kind: Kind, key: str) -> set[str]:
        """The models with ``key`` of ``kind``."""
        if not self._may_have((kind, key)):
            return set()
        found = self._db.execute("SELECT model FROM keys WHERE kind = ? AND key = ?", (kind, key))
        return {model for (model,) in found}

    def has(self, kind: Kind, key: str) -> bool:
        """Whether any model has ``key`` of ``kind``."""
        if not self._may_have((kind, key)):
            return False
        found = self._db.execute("SELECT 1 FROM keys WHERE kind = ? AND key = ? LIMIT 1", (kind, key))
        return found.fetchone() is not None

    def _mark(self, item: tuple[str, str]) -> None:
        digest = hash(item)
        for bit in (digest & _MASK, (digest >> 27) & _MASK):
            self._seen[bit >> 3] |= 1 << (bit & 7)

    def _may_have(self, item: tuple[str, str]) -> bool:
        """False when no model has the key; True when one may (the file then says)."""
        digest = hash(item)
        bits = (digest & _MASK, (digest >> 27) & _MASK)
        return all(self._seen[bit >> 3] & (1 << (bit & 7)) for bit in bits)


class Listed:
    """The makers each file's rows gave each model under each name (``Merger``: one list naming two
    makers of one name lists two models), on disk: as a dict of tuples this held 300 bytes a row."""

    def __init__(self) -> None:
        self._db = _private()
        self._db.execute(
            "CREATE TABLE listed (origin TEXT, model TEXT, key TEXT, makers TEXT, "
            "PRIMARY KEY (origin, model, key)) WITHOUT ROWID"
        )
        self._db.execute("BEGIN")

    def close(self) -> None:
        self._db.close()

    def get(self, origin: str, model_id: str, key: str) -> tuple[str, ...]:
        """The makers ``origin`` gave ``model_id`` under name key ``key``, in the order they were added."""
        found = self._db.execute(
            "SELECT makers FROM listed WHERE origin = ? AND model = ? AND key = ?", (origin, model_id, key)
        ).fetchone()
        return tuple(found[0].split("\n")) if found else ()

    def put(self, origin: str, model_id: str, key: str, makers: tuple[str, ...]) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO listed (origin, model, key, makers) VALUES (?, ?, ?, ?)",
            (origin, model_id, key, "\n".join(makers)),
        )
