"""Models by id on disk, for a merge whose models outgrow memory: ``Merger`` and ``Matcher`` share one.

A ``ModelShelf`` is a ``MutableMapping[str, Model]`` that keeps its models as JSON in a private temporary
SQLite file (deleted when the shelf is closed or collected) and only the ``cached`` most recently used
decoded in memory. Iteration is in insertion order, as a ``dict``'s: a model put again keeps its place,
so the merged catalog lists the curated models first, then the new ones in the order they were made.
Each model may carry the file it came from (``path_of``), stored beside it, whether the merge changed it
(``mark_changed``, ``changed``) and the import that made it (``set_origin``, ``origins``): on the model's
row, not in files of their own (each with up to 16 MiB of page cache and a 2 MiB filter, and two more
inserts a new model; the million-row merge's peak went 292 → 248 MB with this and an earlier
``give_back``). A Bloom filter of the ids answers most asks for an id the shelf does
not have, as each new row's match makes, without a query.

JSON, not pickle (``Model.record_json``, read back with ``model_validate_json``): a
model comes back equal, and is smaller and quicker both ways. On 20,000 merged synthetic models
(``bench/synthetic.py``, 2026-12-06, three runs): written in 9 to 17 µs and 395 bytes against pickle's
45 µs and 1,159 bytes, read in 58 to 73 µs against 121 µs; the build's children decode every model
(``store.chunks``). A field at its default is left out (the empty lists a merge sets) and comes back as
that default: which fields a record had *set* is not kept, and nothing reads it (the store, the API
and the YAML dumps write values). JSON validates again what pickle restored as it was: a merged model
is made by ``model_copy(update=…)``, which validates nothing, so the merge builds what it updates from
valid parts (``sources.merge``), and a model that would not validate fails where it is read, by its id.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Iterator, Mapping, MutableMapping, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from modelatlas.catalog.schema import Model
from modelatlas.errors import StoreError
from modelatlas.sources._disk import Bloom

__all__ = ["Changed", "ModelShelf", "Origins", "decode", "encode"]

#: Models kept decoded: the merge's working set (a file's models and the catalog's it names) fits.
CACHED = 2048
#: Rows read at a time when the whole shelf is iterated.
_BATCH = 1000
#: New models ``put_new`` holds back before it inserts them at once.
DUE = 1000


@dataclass(slots=True)
class _Unwritten:
    """What the shelf keeps in memory of a model not written yet: its place, file and marks."""

    seq: int
    path: str | None = None
    changed: bool = False
    origin: str | None = None


class ModelShelf(MutableMapping[str, Model]):
    """Models by id, as JSON in a temporary SQLite file, the ``cached`` most recently used decoded."""

    def __init__(self, cached: int = CACHED) -> None:
        # "": a private temporary file, removed when the connection closes
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute(
            "CREATE TABLE shelf (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, path TEXT, body TEXT, "
            "changed INTEGER NOT NULL DEFAULT 0, origin TEXT)"
        )
        self._db.execute("BEGIN")  # one transaction, never committed: the file dies with the shelf
        self._cached = cached
        self._recent: OrderedDict[str, Model] = OrderedDict()
        self._dirty: set[str] = set()
        #: Every id put on the shelf: a lookup of an id that is not there (each new row's) asks no query;
        #: a set of them held 100 MB at a million models.
        self._added = Bloom(1 << 24)
        self._count = 0
        #: Models not written yet (all in ``_recent``, all dirty), with their place in the order, file and
        #: marks: inserted whole when first written, one statement a new model instead of three.
        self._new: dict[str, _Unwritten] = {}
        self._next = 1
        self._changed = 0
        self._made = 0
        #: Models ``put_new`` gave, not inserted yet (by id: their rows), inserted ``DUE`` at a time.
        self._due: dict[str, tuple[int, str, str, str, str]] = {}

    def close(self) -> None:
        self._recent.clear()
        self._dirty.clear()
        self._new.clear()
        self._due.clear()
        self._db.close()

    def settle(self) -> None:
        """Write back every changed model and let the decoded ones go: for a build, which reads the shelf
        once in order, the cache of the merge's working set (about 16 MB) is of no use."""
        self._flush()
        self._recent.clear()

    def __len__(self) -> int:
        return self._count

    def __contains__(self, model_id: object) -> bool:
        if not isinstance(model_id, str) or model_id not in self._added:
            return False
        if model_id in self._new or model_id in self._due:
            return True
        return self._db.execute("SELECT 1 FROM shelf WHERE id = ?", (model_id,)).fetchone() is not None

    def __getitem__(self, model_id: str) -> Model:
        model = self._recent.get(model_id)
        if model is not None:
            self._recent.move_to_end(model_id)
            return model
        if model_id not in self._added:
            raise KeyError(model_id)
        self._insert_due(model_id)
        found = self._db.execute("SELECT body FROM shelf WHERE id = ?", (model_id,)).fetchone()
        if found is None:
            raise KeyError(model_id)
        decoded = decode(found[0])
        self._keep(model_id, decoded)
        return decoded

    def __setitem__(self, model_id: str, model: Model) -> None:
        if model_id not in self:
            self._new[model_id] = _Unwritten(self._next)  # its place in the order
            self._next += 1
            self._added.add(model_id)
            self._count += 1
        self._dirty.add(model_id)
        self._keep(model_id, model)

    def put_new(self, model_id: str, body: str, path: Path, origin: str) -> None:
        """Put a model the shelf does not have, as its ``encode``d JSON, made by the import ``origin``
        from the file ``path`` and marked changed: one insert, and nothing held decoded (a merge's new
        model from plain values, ``sources.merge``).

        Raises:
            KeyError: the shelf has ``model_id`` already.
        """
        if model_id in self:
            raise KeyError(f"{model_id} is on the shelf already")
        self._due[model_id] = (self._next, model_id, str(path), body, origin)
        if len(self._due) >= DUE:
            self._insert_due()
        self._next += 1
        self._added.add(model_id)
        self._count += 1
        self._changed += 1
        self._made += 1

    def __delitem__(self, model_id: str) -> None:
        if model_id not in self:
            raise KeyError(model_id)
        self._insert_due(model_id)
        self._recent.pop(model_id, None)
        self._dirty.discard(model_id)
        self._changed -= self.is_changed(model_id)
        self._made -= self.origin_of(model_id) is not None
        if self._new.pop(model_id, None) is None:
            self._db.execute("DELETE FROM shelf WHERE id = ?", (model_id,))
        self._count -= 1

    def __iter__(self) -> Iterator[str]:
        for model_id, _ in self._rows("id, NULL"):
            yield model_id

    def values_with_paths(self) -> Iterator[tuple[Model, Path | None]]:
        """Every model with its file, in insertion order; decoded one batch at a time."""
        for model_id, body, path in self._rows("id, body, path"):
            model = self._recent.get(model_id)
            if model is None:
                model = decode(body)
            yield model, (Path(path) if path else None)

    def encoded_with_paths(self) -> Iterator[tuple[str, str | None]]:
        """Every model as JSON (``decode`` reads it), with its file, in insertion order, without decoding
        it: for a build that decodes them in another process (``store.chunks``). A model held decoded is
        encoded anew, as ``values_with_paths`` gives it."""
        for model_id, body, path in self._rows("id, body, path"):
            model = self._recent.get(model_id)
            yield (body if model is None else encode(model)), path

    def set_path(self, model_id: str, path: Path) -> None:
        """Record the file ``model_id`` (already on the shelf) came from."""
        if model_id in self._new:
            self._new[model_id].path = str(path)
            return
        self._insert_due(model_id)
        self._db.execute("UPDATE shelf SET path = ? WHERE id = ?", (str(path), model_id))

    def path_of(self, model_id: str) -> Path | None:
        if model_id in self._new:
            path = self._new[model_id].path
            return Path(path) if path else None
        self._insert_due(model_id)
        found = self._db.execute("SELECT path FROM shelf WHERE id = ?", (model_id,)).fetchone()
        return Path(found[0]) if found and found[0] else None

    def mark_changed(self, model_id: str) -> None:
        """Note that a merge changed (or made) ``model_id``, already on the shelf."""
        if self.is_changed(model_id):
            return
        self._changed += 1
        if model_id in self._new:
            self._new[model_id].changed = True
            return
        self._insert_due(model_id)
        self._db.execute("UPDATE shelf SET changed = 1 WHERE id = ?", (model_id,))

    def is_changed(self, model_id: str) -> bool:
        if model_id in self._new:
            return self._new[model_id].changed
        if model_id not in self._added:
            return False
        if model_id in self._due:
            return True  # put_new marks it changed
        found = self._db.execute("SELECT changed FROM shelf WHERE id = ?", (model_id,)).fetchone()
        return bool(found and found[0])

    def set_origin(self, model_id: str, origin: str) -> None:
        """Record the import (its key) that made ``model_id``, already on the shelf."""
        self._made += self.origin_of(model_id) is None
        if model_id in self._new:
            self._new[model_id].origin = origin
            return
        self._insert_due(model_id)
        self._db.execute("UPDATE shelf SET origin = ? WHERE id = ?", (origin, model_id))

    def origin_of(self, model_id: str) -> str | None:
        if model_id in self._new:
            return self._new[model_id].origin
        if model_id not in self._added:
            return None
        if model_id in self._due:
            return self._due[model_id][4]
        found = self._db.execute("SELECT origin FROM shelf WHERE id = ?", (model_id,)).fetchone()
        return found[0] if found else None

    @property
    def changed(self) -> Changed:
        """The ids of the models marked changed, in the shelf's order."""
        return Changed(self)

    @property
    def origins(self) -> Origins:
        """The import each model an import made came from, by id, in the shelf's order."""
        return Origins(self)

    def _rows(self, columns: str) -> Iterator[tuple[Any, ...]]:
        """The shelf's rows in insertion order, ``_BATCH`` at a time (the shelf may change between: what
        was put since the last batch is written first)."""
        after = 0
        while True:
            self._flush()
            batch = self._db.execute(
                f"SELECT seq, {columns} FROM shelf WHERE seq > ? ORDER BY seq LIMIT ?", (after, _BATCH)
            ).fetchall()
            if not batch:
                return
            after = batch[-1][0]
            for row in batch:
                yield row[1:]

    def _keep(self, model_id: str, model: Model) -> None:
        """Hold ``model`` decoded; write back what falls out of the cache if it changed."""
        self._recent[model_id] = model
        self._recent.move_to_end(model_id)
        while len(self._recent) > self._cached:
            old_id, old = self._recent.popitem(last=False)
            if old_id in self._dirty:
                self._dirty.discard(old_id)
                self._write(old_id, old)

    def _write(self, model_id: str, model: Model) -> None:
        body = encode(model)
        if model_id in self._new:
            new = self._new.pop(model_id)
            self._db.execute(
                "INSERT INTO shelf (seq, id, path, body, changed, origin) VALUES (?, ?, ?, ?, ?, ?)",
                (new.seq, model_id, new.path, body, new.changed, new.origin),
            )
        else:
            self._insert_due(model_id)
            self._db.execute("UPDATE shelf SET body = ? WHERE id = ?", (body, model_id))

    def _insert_due(self, model_id: str | None = None) -> None:
        """Insert the models ``put_new`` gave and the shelf holds back (``DUE`` at a time: one statement
        for them all, not one each); if ``model_id`` is given, only when it is one of them."""
        if not self._due or (model_id is not None and model_id not in self._due):
            return
        self._db.executemany(
            "INSERT INTO shelf (seq, id, path, body, changed, origin) VALUES (?, ?, ?, ?, 1, ?)",
            self._due.values(),
        )
        self._due.clear()

    def _flush(self) -> None:
        self._insert_due()
        if not self._dirty:
            return
        for model_id in self._dirty:
            self._write(model_id, self._recent[model_id])
        self._dirty.clear()


def encode(model: Model) -> str:
    """``model`` as the shelf keeps it: ``Model.record_json``, what the store keeps of it too (a build
    from the shelf writes the text it reads, without encoding the model again)."""
    return model.record_json()


def decode(body: str | bytes) -> Model:
    """A model ``encode`` wrote, validated again.

    Raises:
        StoreError: the model does not validate (the merge made it invalid: a bug), naming it.
    """
    try:
        return Model.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the record"
        raise StoreError(f"a merged model is not valid ({where}: {first['msg']}): {str(body)[:120]}") from exc


class Changed(Set[str]):
    """The ids of a shelf's models a merge changed or made (``ModelShelf.changed``), in its order."""

    def __init__(self, shelf: ModelShelf) -> None:
        self._shelf = shelf

    def __contains__(self, model_id: object) -> bool:
        return isinstance(model_id, str) and self._shelf.is_changed(model_id)

    def __iter__(self) -> Iterator[str]:
        for model_id, changed in self._shelf._rows("id, changed"):
            if changed:
                yield model_id

    def __len__(self) -> int:
        return self._shelf._changed


class Origins(Mapping[str, str]):
    """The import each of a shelf's models an import made came from (``ModelShelf.origins``)."""

    def __init__(self, shelf: ModelShelf) -> None:
        self._shelf = shelf

    def __getitem__(self, model_id: str) -> str:
        origin = self._shelf.origin_of(model_id)
        if origin is None:
            raise KeyError(model_id)
        return origin

    def __iter__(self) -> Iterator[str]:
        for model_id, origin in self._shelf._rows("id, origin"):
            if origin is not None:
                yield model_id

    def __len__(self) -> int:
        return self._shelf._made
