"""The rows of the file being imported, on disk: an import's memory does not grow with the file.

``RowSpool`` takes the rows a reader yields, a batch at a time, into a private temporary SQLite file
(deleted when the spool is closed or collected): each row as the JSON payload the store keeps, and, once
merged, its outcome. It is the import's ``StoredImport.rows`` (a sequence of
``StoredRow``). ``payloads()`` gives the rows' JSON back to ``Merger.apply`` as a sequence read a
block at a time: the merge decodes only the rows that may match a model, as a rebuild parses the rows of
earlier imports, and makes the others new models from their plain values; ``imported()`` gives every
row decoded (the outcomes of the 16 real inputs are the same either way).
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar, overload

from modelatlas.sources.merge import Outcome
from modelatlas.sources.rows import EncodedRow, ImportedRow, model_name
from modelatlas.store.imports import RowValues, StoredRow

__all__ = ["RowSpool"]

T = TypeVar("T")

#: Rows written or read at a time.
BLOCK = 1000
#: A ``StoredRow``'s columns; a row not merged yet is pending, as ``StoredRow`` says.
_STORED = "line, name, payload, coalesce(action, 'pending'), model_id, matched_by, detail"
#: Blocks of decoded rows kept: the merge reads rows in file order, but dated rows of one model jump.
_BLOCKS = 2


class RowSpool(Sequence[StoredRow]):
    """An import's rows in a temporary SQLite file, in file order; each a ``StoredRow`` with its outcome."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute(
            "CREATE TABLE spool (pos INTEGER PRIMARY KEY, line INTEGER, name TEXT, payload TEXT, "
            "model_name TEXT, action TEXT, model_id TEXT, matched_by TEXT, detail TEXT)"
        )
        self._db.execute("BEGIN")  # one transaction, never committed: the file dies with the spool
        self._count = 0
        #: The first row, and how many rows make a model: what a refused file is reported by.
        self._first: EncodedRow | None = None
        self.models = 0
        #: Outcomes recorded and not written yet.
        self._outcomes: list[tuple[str, str | None, str | None, str | None, int]] = []
        #: The rows of an earlier import, read back from the store (``of_stored``), not from a reader.
        self.stored = False

    @classmethod
    def of_stored(cls, rows: Iterable[StoredRow]) -> RowSpool:
        """A spool of an earlier import's ``rows`` as the store keeps them, each with its last outcome
        (``store.imports.read_imports`` keeps them so, a block at a time). Their JSON was written by
        whatever version made the import: ``Merger.apply`` is given them decoded (``imported``)."""
        spool = cls()
        spool.stored = True
        it = iter(rows)
        while batch := list(islice(it, BLOCK)):
            spool._insert(
                "line, name, payload, model_name, action, model_id, matched_by, detail",
                [
                    (r.line, r.name, r.payload, model_name(r.payload), r.action, r.model_id, r.matched_by)
                    + (r.detail,)
                    for r in batch
                ],
            )
        return spool

    def add(self, rows: Iterable[ImportedRow]) -> None:
        """Append ``rows`` (read as they come, ``BLOCK`` at a time)."""
        self.add_encoded(EncodedRow.of(row) for row in rows)

    def add_encoded(self, rows: Iterable[EncodedRow]) -> None:
        """Append ``rows``, made by the reader (read as they come, ``BLOCK`` at a time)."""
        it = iter(rows)
        while batch := list(islice(it, BLOCK)):
            if self._first is None:
                self._first = batch[0]
            self.models += sum(row.makes_model for row in batch)
            self._insert(
                "line, name, payload, model_name",
                [(row.line, row.name, row.payload, row.name if row.makes_model else None) for row in batch],
            )

    def _insert(self, columns: str, values: list[tuple[Any, ...]]) -> None:
        """Append rows of ``columns``' ``values``, after the rows already in."""
        marks = ", ".join("?" * (len(values[0]) + 1))
        self._db.executemany(
            f"INSERT INTO spool (pos, {columns}) VALUES ({marks})",
            [(self._count + i, *row) for i, row in enumerate(values)],
        )
        self._count += len(values)

    @property
    def first(self) -> ImportedRow | None:
        """The first row, if any: what a file refused is reported by."""
        return None if self._first is None else self._first.decoded()

    def close(self) -> None:
        self._db.close()

    def record(self, outcomes: Iterable[tuple[str, str | None, str | None, str | None]]) -> None:
        """Each row's outcome, in file order: action, model id, how it matched, the detail."""
        for at, outcome in enumerate(outcomes):
            self.record_at(at, *outcome)
        self.flush()

    def record_at(
        self, at: int, action: str, model_id: str | None, matched_by: str | None, detail: str | None
    ) -> None:
        """The outcome of the row at ``at`` (written ``BLOCK`` at a time, and before the rows are read)."""
        self._outcomes.append((action, model_id, matched_by, detail, at))
        if len(self._outcomes) >= BLOCK:
            self.flush()

    def flush(self) -> None:
        """Write the outcomes recorded so far."""
        if self._outcomes:
            self._db.executemany(
                "UPDATE spool SET action = ?, model_id = ?, matched_by = ?, detail = ? WHERE pos = ?",
                self._outcomes,
            )
            self._outcomes.clear()

    def outcomes(self) -> Sequence[Outcome]:
        """Each row's outcome, in file order, read a block at a time (without its conflicts)."""
        return _Column(self, _OUTCOME, _outcome)

    def imported(self) -> Sequence[ImportedRow]:
        """The rows as the reader made them, read back a block at a time."""
        return _Blocks(self, ImportedRow.model_validate_json)

    def payloads(self) -> Sequence[str]:
        """The rows' JSON, read a block at a time: for ``Merger.apply``, which decodes only the rows
        that need it."""
        return _Blocks(self, str)

    def names(self) -> Sequence[str | None]:
        """Each row's name, None for a row that makes no model (skipped)."""
        return _Column(self, "model_name", _first)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, at: int) -> StoredRow: ...
    @overload
    def __getitem__(self, at: slice) -> Sequence[StoredRow]: ...
    def __getitem__(self, at: int | slice) -> StoredRow | Sequence[StoredRow]:
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(self._count))]
        found = self._select(_STORED, _index(at, self))
        return StoredRow(*found[0]) if found else _missing(at)

    def __iter__(self) -> Iterator[StoredRow]:
        for row in self._scan(_STORED):
            yield StoredRow(*row)

    def stored_values(self) -> Iterator[RowValues]:
        """Each row's ``StoredRow`` fields as a tuple, in file order (``store.imports.ValuedRows``)."""
        return self._scan(_STORED)

    def _scan(self, columns: str) -> Iterator[tuple[Any, ...]]:
        for start in range(0, self._count, BLOCK):
            yield from self._select(columns, start, BLOCK)

    def _select(self, columns: str, start: int, count: int = 1) -> list[tuple[Any, ...]]:
        self.flush()
        query = f"SELECT {columns} FROM spool WHERE pos >= ? AND pos < ? ORDER BY pos"
        return self._db.execute(query, (start, start + count)).fetchall()


class _Blocks(Sequence[T]):
    """A spool's rows, each made one value by ``made`` from its payload; the last few blocks read stay
    made."""

    def __init__(self, spool: RowSpool, made: Callable[[str], T]) -> None:
        self._spool, self._made = spool, made
        self._blocks: OrderedDict[int, list[T]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._spool)

    @overload
    def __getitem__(self, at: int) -> T: ...
    @overload
    def __getitem__(self, at: slice) -> Sequence[T]: ...
    def __getitem__(self, at: int | slice) -> T | Sequence[T]:
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(len(self)))]
        at = _index(at, self)
        start = at - at % BLOCK
        block = self._blocks.get(start)
        if block is None:
            rows = self._spool._select("payload", start, BLOCK)
            block = [self._made(payload) for (payload,) in rows]
            self._blocks[start] = block
            while len(self._blocks) > _BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(start)
        return block[at - start]

    def __iter__(self) -> Iterator[T]:
        for (payload,) in self._spool._scan("payload"):
            yield self._made(payload)


class _Column(Sequence[T]):
    """Columns of a spool's rows, each row made one value by ``made`` (the first column by default),
    read a block at a time as it is iterated."""

    def __init__(self, spool: RowSpool, columns: str, made: Callable[[tuple[Any, ...]], T]) -> None:
        self._spool, self._columns, self._made = spool, columns, made

    def __len__(self) -> int:
        return len(self._spool)

    @overload
    def __getitem__(self, at: int) -> T: ...
    @overload
    def __getitem__(self, at: slice) -> Sequence[T]: ...
    def __getitem__(self, at: int | slice) -> T | Sequence[T]:
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(len(self)))]
        found = self._spool._select(self._columns, _index(at, self))
        return self._made(found[0]) if found else _missing(at)

    def __iter__(self) -> Iterator[T]:
        for row in self._spool._scan(self._columns):
            yield self._made(row)


#: An outcome's columns, as ``_outcome`` takes them.
_OUTCOME = "line, name, coalesce(action, 'pending'), model_id, matched_by, detail"


def _first(row: tuple[Any, ...]) -> Any:
    return row[0]


def _outcome(row: tuple[Any, ...]) -> Outcome:
    line, name, action, model_id, matched_by, detail = row
    return Outcome(line, name, action, model_id, matched_by, detail or "")


def _index(at: int, rows: Sequence[Any]) -> int:
    return at + len(rows) if at < 0 else at


def _missing(at: int) -> Any:
    raise IndexError(at)
