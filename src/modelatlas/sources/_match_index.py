"""The matcher's keys on disk: which models have each name, stem, paper, repository and code link.

A ``MatchIndex`` keeps ``Matcher``'s index in a private temporary SQLite file (``_disk.private``),
looked up by key (a ``_disk.Bloom`` filter answers most keys no model has), so that an import's memory
does not grow with the models it makes: as dicts of sets, the keys of a million new models held about
400 bytes each (their strings and entries).

``names`` maps a name key to the models spelt so, each with how it first had the key (``name``,
``alias`` or ``variant``) and its spelling: a key added again for a model keeps its first spelling, as
``dict.setdefault`` did. ``keys`` holds the other kinds (``KINDS``) as sets of models by key.

Both write behind: what is added waits in memory (and is looked up there too) until ``DUE`` keys or
puts wait, then goes in with one statement a table, sorted as the table is, so that successive inserts
land on the pages the last ones read (a statement or two a new model, into files of a million models'
keys, was a fifth of the merge's plain way: ``docs/importing.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from modelatlas.sources._disk import Bloom, private

__all__ = ["KINDS", "Kind", "Listed", "MatchIndex"]

#: The keys other than names: a name's stem before a trailing size, an arXiv id, a Hugging Face repo
#: (case folded), a repo listed under a variant, a code URL (``matching.code_key``).
Kind = Literal["stem", "arxiv", "hf", "variant_repo", "code"]
KINDS: tuple[Kind, ...] = ("stem", "arxiv", "hf", "variant_repo", "code")
#: Keys (or puts) held in memory before they are written: a few hundred models' worth.
DUE = 4096


class MatchIndex:
    """Models by name key (with how they have it) and by the other ``KINDS`` of key, on disk."""

    def __init__(self) -> None:
        self._db = private()
        self._db.execute(
            "CREATE TABLE names (key TEXT, model TEXT, kind TEXT, spelling TEXT, PRIMARY KEY (key, model))"
            " WITHOUT ROWID"
        )
        self._db.execute(
            "CREATE TABLE keys (kind TEXT, key TEXT, model TEXT, PRIMARY KEY (kind, key, model))"
            " WITHOUT ROWID"
        )
        #: Every key added: most lookups are of keys no model has (each new row's)
        self._added = Bloom()
        #: What was added and is not written yet: models by name key, and by kind and key.
        self._names_due: dict[str, dict[str, tuple[str, str]]] = {}
        self._keys_due: dict[tuple[Kind, str], set[str]] = {}
        self._due = 0

    def close(self) -> None:
        """Close the file and let the filter's 16 MiB go: a lookup then fails on the closed file."""
        self._db.close()
        self._added = Bloom.anything()

    def add(
        self, model_id: str, names: Iterable[tuple[str, str, str]], keys: Iterable[tuple[Kind, str]]
    ) -> None:
        """Index ``model_id`` under each name ``(key, kind, spelling)`` (a name key it already has keeps
        its first spelling) and each other ``(kind, key)``."""
        added = self._added
        for key, kind, spelling in names:
            added.add(("name", key))
            self._names_due.setdefault(key, {}).setdefault(model_id, (kind, spelling))
            self._due += 1
        for kind, key in keys:
            added.add((kind, key))
            self._keys_due.setdefault((kind, key), set()).add(model_id)
            self._due += 1
        if self._due >= DUE:
            self._write()

    def _write(self) -> None:
        """Write what waits, sorted by each table's key; a key the file has for a model keeps the file's
        spelling (added first)."""
        named = sorted((key, m, *how) for key, models in self._names_due.items() for m, how in models.items())
        keyed = sorted((kind, key, m) for (kind, key), models in self._keys_due.items() for m in models)
        self._db.executemany(
            "INSERT OR IGNORE INTO names (key, model, kind, spelling) VALUES (?, ?, ?, ?)", named
        )
        self._db.executemany("INSERT OR IGNORE INTO keys (kind, key, model) VALUES (?, ?, ?)", keyed)
        self._names_due.clear()
        self._keys_due.clear()
        self._due = 0

    def names(self, key: str) -> dict[str, tuple[str, str]]:
        """The models with name key ``key``, each with how it has it and its spelling."""
        if ("name", key) not in self._added:
            return {}
        rows = self._db.execute("SELECT model, kind, spelling FROM names WHERE key = ?", (key,))
        found = {model: (kind, spelling) for model, kind, spelling in rows}
        due = self._names_due.get(key)
        if due:  # in the table's order, by model; the file's spelling of a model is its first
            found = dict(sorted((due | found).items()))
        return found

    def models(self, kind: Kind, key: str) -> set[str]:
        """The models with ``key`` of ``kind``."""
        if (kind, key) not in self._added:
            return set()
        found = self._db.execute("SELECT model FROM keys WHERE kind = ? AND key = ?", (kind, key))
        return {model for (model,) in found} | self._keys_due.get((kind, key), set())

    def only(self, kind: Kind, key: str) -> str | None:
        """The one model with ``key`` of ``kind``; None when none or several have it. No more than two
        are read: a paper a thousand models cite is ruled out as quickly as one two cite (reading every
        citing model was a sixth of a million-row import's merge)."""
        if (kind, key) not in self._added:
            return None
        found = self._db.execute(
            "SELECT model FROM keys WHERE kind = ? AND key = ? LIMIT 2", (kind, key)
        ).fetchall()
        models = {model for (model,) in found} | self._keys_due.get((kind, key), set())
        return next(iter(models)) if len(models) == 1 else None

    def has(self, kind: Kind, key: str) -> bool:
        """Whether any model has ``key`` of ``kind``."""
        if (kind, key) not in self._added:
            return False
        if self._keys_due.get((kind, key)):
            return True
        found = self._db.execute("SELECT 1 FROM keys WHERE kind = ? AND key = ? LIMIT 1", (kind, key))
        return found.fetchone() is not None


class Listed:
    """The makers each file's rows gave each model under each name (``Merger``: one list naming two
    makers of one name lists two models), on disk: as a dict of tuples this held 300 bytes a row."""

    def __init__(self) -> None:
        self._db = private()
        self._db.execute(
            "CREATE TABLE listed (origin TEXT, model TEXT, key TEXT, makers TEXT, "
            "PRIMARY KEY (origin, model, key)) WITHOUT ROWID"
        )
        #: Puts not written yet, the last of each (origin, model, key).
        self._due: dict[tuple[str, str, str], tuple[str, ...]] = {}

    def close(self) -> None:
        self._db.close()

    def get(self, origin: str, model_id: str, key: str) -> tuple[str, ...]:
        """The makers ``origin`` gave ``model_id`` under name key ``key``, in the order they were added."""
        due = self._due.get((origin, model_id, key))
        if due is not None:
            return due
        found = self._db.execute(
            "SELECT makers FROM listed WHERE origin = ? AND model = ? AND key = ?", (origin, model_id, key)
        ).fetchone()
        return tuple(found[0].split("\n")) if found else ()

    def put(self, origin: str, model_id: str, key: str, makers: tuple[str, ...]) -> None:
        self._due[origin, model_id, key] = makers
        if len(self._due) >= DUE:
            rows = sorted((*place, "\n".join(given)) for place, given in self._due.items())
            self._db.executemany(
                "INSERT OR REPLACE INTO listed (origin, model, key, makers) VALUES (?, ?, ?, ?)", rows
            )
            self._due.clear()
