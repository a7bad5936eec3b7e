"""A build's rows in files of their own: written by the children that make them, copied in by SQLite.

At a million models a SQLite build's process spent most of its time on rows others had made: unpickling
each chunk the children sent, then ``executemany`` turning every value of every row into SQLite's with
the GIL taken back for each row (64.5 of the build's 143 s). So on SQLite each child writes its rows into
a file of its own, a *part* of ``PART`` models (``PartFile``), and sends only its name (``Part``); the
build's process attaches it and copies each table with one ``INSERT … SELECT`` (``copy_part``), which
SQLite runs on its own, without Python, as it indexes ``model_text`` (the part holds its rows as plain
text; the store's trigram index is filled as they are copied in).

A part's tables (``t0``, ``t1``…) have a column for each the rows gave, and no names, types, keys or
indexes: SQLite keeps a value as it was given, and the store's own column types apply to it when it is copied,
as they would have to the same value written there directly. A column that is NULL in every row of a
chunk is left out of the part (``_holding``): the store fills it with NULL as the rows are copied, and
binding a None cost the driver four times an integer (most of a million models' columns are empty).
The models' facet combinations are numbered in the part, as first seen (``FacetIndex.number``), and
numbered again in the store's index in the same order (``FacetIndex.renumber``), so every model gets the
number the build would have given it. The lineage edges are a table of the part like the others,
copied in with its models (the build checks every reference once all rows are in), not held as dicts in
the build's process to its end (120,000 edges at a million models).
"""

from __future__ import annotations

import os
import pickle
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, count
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from modelatlas.store import tables as T
from modelatlas.store.facet_index import NARROW, FacetIndex

if TYPE_CHECKING:
    from modelatlas.store.chunks import Chunk

__all__ = ["PART", "Part", "PartFile", "copy_part"]

#: Models a part holds: the build's process waits for a child's first part before it writes anything.
PART = 10_000
#: Rows a child writes into a part's table with one statement: one ``INSERT … VALUES`` of many rows
#: binds the same values as ``executemany`` with fewer steps of SQLite's machine (20,000 merged
#: synthetic models' rows: 31 µs a model against 36; 1,000 a statement no better).
ROWS_A_STATEMENT = 200

_FACETS = [c.name for c in NARROW.c]
_numbers = count()


@dataclass(frozen=True, slots=True)
class Part:
    """A file of ``models`` models' rows: for each of ``tables`` (the store's table and the columns its
    rows give, in the order first written, the lineage edges too) the part's table ``t0``, ``t1``…
    (columns ``c0``, ``c1``…); its facet rows and combinations."""

    models: int
    path: Path
    tables: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(slots=True)
class PartFile:
    """A part being written, in ``folder``, one chunk (``store.chunks.Chunk``: its text as rows, not in
    one statement) at a time; ``close`` ends it."""

    folder: Path
    models: int = 0
    path: Path = field(init=False)
    _db: sqlite3.Connection = field(init=False)
    _tables: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    _last: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    _facets: FacetIndex = field(default_factory=lambda: FacetIndex({}))

    def __post_init__(self) -> None:
        self.path = self.folder / f"part-{os.getpid()}-{next(_numbers)}.db"
        self._db = sqlite3.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF"):  # a file for this build alone
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute(f"CREATE TABLE facets ({', '.join(_FACETS)})")
        self._db.execute("CREATE TABLE combos (combination, models)")
        self._db.execute("BEGIN")

    def add(self, chunk: Chunk) -> None:
        """Write ``chunk``'s rows."""
        for prepared in (*chunk.tables, *([chunk.text] if chunk.text is not None else [])):
            self._insert(prepared.table, prepared.columns, _rows(prepared.values))
        if chunk.lineage:
            columns = tuple(chunk.lineage[0])
            self._insert("lineage", columns, [tuple(edge[c] for c in columns) for edge in chunk.lineage])
        if chunk.facets:
            self._write("facets", len(_FACETS), self._facets.number(chunk.facets))
        self.models += chunk.models

    def _insert(self, table: str, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
        """Add ``rows`` (tuples of ``columns``) to a part's table for ``table``: the last one written for it
        if it has the same columns, else a new one (so a table's rows are copied in the order written).
        Columns NULL in every row are left out (``_holding``)."""
        columns, rows = _holding(table, columns, rows)
        last = self._last.get(table)
        if last is not None and last[0] == columns:
            name = last[1]
        else:
            name = f"t{len(self._tables)}"
            self._db.execute(f"CREATE TABLE {name} ({', '.join(_columns(len(columns)))})")
            self._tables.append((table, columns))
            self._last[table] = columns, name
        self._write(name, len(columns), rows)

    def _write(self, name: str, width: int, rows: Sequence[Any]) -> None:
        """``rows`` (tuples of ``width`` values) into the part's table ``name``, up to ``ROWS_A_STATEMENT``
        in one ``INSERT … VALUES`` (fewer if SQLite binds fewer values a statement)."""
        row = f"({', '.join('?' * width)})"
        bound = self._db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        most = max(1, min(ROWS_A_STATEMENT, bound // width))
        for start in range(0, len(rows), most):
            some = rows[start : start + most]
            values = ", ".join([row] * len(some))
            self._db.execute(f"INSERT INTO {name} VALUES {values}", list(chain.from_iterable(some)))

    def close(self) -> Part:
        """Write what is kept to the end (the combinations) and close the file."""
        members = self._facets.members
        combos = [(pickle.dumps(c), members[n]) for c, n in self._facets.combos.items()]
        self._db.executemany("INSERT INTO combos VALUES (?, ?)", combos)
        self._db.execute("COMMIT")
        self._db.close()
        return Part(self.models, self.path, tuple(self._tables))


def copy_part(conn: Connection, part: Part, facets: FacetIndex | None) -> None:
    """Copy ``part``'s rows into the store ``conn`` writes (SQLite), its facet rows numbered in
    ``facets``; then remove its file. The store's transaction is committed before (a file cannot be
    attached inside one) and after."""
    conn.commit()
    conn.exec_driver_sql("ATTACH DATABASE ? AS part", (str(part.path),))
    quote = conn.dialect.identifier_preparer.quote
    for i, (table, columns) in enumerate(part.tables):
        listed, picked = ", ".join(map(quote, columns)), ", ".join(_columns(len(columns)))
        conn.exec_driver_sql(f"INSERT INTO main.{quote(table)} ({listed}) SELECT {picked} FROM part.t{i}")
    if facets is not None:
        found = conn.exec_driver_sql("SELECT combination, models FROM part.combos ORDER BY rowid")
        numbers = facets.renumber((pickle.loads(c), n) for c, n in found)
        conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS part_combos (n INTEGER PRIMARY KEY, combo)")
        conn.exec_driver_sql("DELETE FROM temp.part_combos")
        conn.exec_driver_sql("INSERT INTO temp.part_combos VALUES (?, ?)", list(enumerate(numbers, 1)))
        picked = ", ".join("c.combo" if name == "combo" else f"f.{name}" for name in _FACETS)
        conn.exec_driver_sql(
            f"INSERT INTO main.{NARROW.name} ({', '.join(_FACETS)}) SELECT {picked} FROM part.facets f "
            "JOIN temp.part_combos c ON c.n = f.combo ORDER BY f.rowid"
        )
    conn.commit()
    conn.exec_driver_sql("DETACH DATABASE part")
    part.path.unlink()


def _holding(
    table: str, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> tuple[tuple[str, ...], Sequence[tuple[Any, ...]]]:
    """``columns`` and ``rows`` without the columns that are None in every row, where the store's column
    is NULL when left out (no ``server_default``: a None given for one fails the copy, as it would
    have failed writing the store); all of them where none would be left. Binding a None costs the
    driver about four times an integer (it looks for an adapter first): at a million models it was a
    third of writing their parts."""
    if not rows:
        return columns, rows
    values = list(zip(*rows, strict=True))
    store = T.metadata.tables.get(table)
    kept = [
        i
        for i, column in enumerate(columns)
        if values[i].count(None) < len(rows)
        or (store is not None and column in store.c and store.c[column].server_default is not None)
    ]
    if not kept or len(kept) == len(columns):
        return columns, rows
    return tuple(columns[i] for i in kept), list(zip(*(values[i] for i in kept), strict=True))


def _columns(count: int) -> list[str]:
    """A part's table's columns: ``c0``, ``c1``…, one for each column of the store's table it holds."""
    return [f"c{i}" for i in range(count)]


def _rows(values: Sequence[Any]) -> Sequence[Any]:
    if isinstance(values, tuple):  # one statement's parameters: a chunk made for the pipe, not a part
        raise TypeError("a part takes rows, not one statement's parameters")
    return values
