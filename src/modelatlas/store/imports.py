"""What a rebuild carries over from the store it replaces: imports, and what live sources told us.

The store is rebuilt from scratch on every ``build``. The rows of earlier imports are read from the old
store first and written into the new one, and ``modelatlas.sources.merge`` merges them again with the
(possibly changed) catalog. The live-tracking tables (``tables.KEPT``: snapshots, observations,
candidates, …) are copied as they are. Nothing imported or observed is lost by a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeVar, runtime_checkable

from sqlalchemy import Connection, inspect, select

from modelatlas.errors import StoreError
from modelatlas.store import tables as T
from modelatlas.store.engine import make_engine, sqlite_path, unreadable

__all__ = [
    "IMPORT_ROW_COLUMNS",
    "RowValues",
    "StoredImport",
    "StoredRow",
    "ValuedRows",
    "import_row_values",
    "import_rows",
    "read_imports",
    "read_kept",
]

_T = TypeVar("_T")


@dataclass(slots=True)
class StoredRow:
    """One imported row: its JSON payload (an ``ImportedRow``) and what the last merge did with it."""

    line: int
    name: str
    payload: str
    action: str = "pending"
    model_id: str | None = None
    matched_by: str | None = None
    detail: str | None = None


@dataclass(slots=True)
class StoredImport:
    """One imported file. ``key`` (format and file name) identifies it: importing it again replaces it."""

    key: str
    format: str
    path: str
    sha256: str
    imported_at: str
    #: A list when read from a store; the import being made keeps its rows on disk (``sources._spool``).
    rows: Sequence[StoredRow] = field(default_factory=list)


#: What keeps an import's rows as they are read from the store, a block at a time: a list by default,
#: or somewhere on disk (an import's spool, ``sources._spool``), so that a million rows are not held.
Keep = Callable[[Iterable[StoredRow]], Sequence[StoredRow]]

#: Rows read from the store at a time.
_YIELD = 1000


def read_imports(url: str, keep: Keep = list) -> list[StoredImport]:
    """The imports held by the store at ``url``, in the order they were made; none if there is no store.
    Each import's rows are given to ``keep`` as they are read, and it holds them.

    Raises:
        StoreError: the store exists but cannot be read.
    """
    return _reading(url, "imports", partial(_read, keep=keep), [])


def read_kept(url: str) -> dict[str, list[dict[str, Any]]]:
    """The rows of the live-tracking tables in the store at ``url``, by table; empty if there is no store.

    Only the columns both the old store and this version know are read, so an older store carries over.

    Raises:
        StoreError: the store exists but cannot be read.
    """
    return _reading(url, "live-tracking tables", _read_kept, {})


def _reading(url: str, what: str, read: Callable[[Connection], _T], empty: _T) -> _T:
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return empty
    if path is not None and not path.resolve().is_file():
        raise StoreError(f"cannot read the {what} in {path}: it is not a regular file")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return read(conn) if inspect(conn).has_table("imports") else empty
    except StoreError:
        raise
    except Exception as exc:  # an unreachable server or a damaged file
        if _absent(exc):
            return empty
        raise unreadable(f"cannot read the {what} of the store", url, exc) from exc
    finally:
        engine.dispose()


def _read_kept(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    inspector = inspect(conn)
    kept: dict[str, list[dict[str, Any]]] = {}
    for name in T.KEPT:
        if not inspector.has_table(name):
            continue
        present = {column["name"] for column in inspector.get_columns(name)}
        table = T.metadata.tables[name]
        columns = [column for column in table.c if column.name in present]
        kept[name] = [dict(row._mapping) for row in conn.execute(select(*columns))]
    return kept


def _absent(exc: Exception) -> bool:
    text = str(exc).lower()
    return "unable to open database file" in text or "does not exist" in text


def _read(conn: Connection, keep: Keep) -> list[StoredImport]:
    imports: dict[int, StoredImport] = {}
    for row in conn.execute(select(T.imports).order_by(T.imports.c.id)):
        imports[row.id] = StoredImport(row.key, row.format, row.path, row.sha256, row.imported_at)
    r = T.import_rows
    columns = (r.c.line, r.c.name, r.c.payload, r.c.action, r.c.model_id, r.c.matched_by, r.c.detail)
    streamed = conn.execution_options(yield_per=_YIELD)  # a server's rows too, not all at once
    for number, item in imports.items():
        rows = select(*columns).where(r.c.import_id == number).order_by(r.c.position)
        item.rows = keep(StoredRow(*row) for row in streamed.execute(rows))
    return list(imports.values())


def import_rows(imports: Sequence[StoredImport]) -> list[dict[str, object]]:
    """The ``imports`` table's rows for ``imports`` (their rows: ``import_row_values``)."""
    return [
        {
            "id": number,
            "key": item.key,
            "format": item.format,
            "path": item.path,
            "sha256": item.sha256,
            "imported_at": item.imported_at,
        }
        for number, item in enumerate(imports, start=1)
    ]


#: ``import_rows``' columns, in the order of ``import_row_values``' tuples.
IMPORT_ROW_COLUMNS = (
    "import_id",
    "position",
    "line",
    "name",
    "payload",
    "action",
    "model_id",
    "matched_by",
    "detail",
)
#: A ``StoredRow``'s fields as a tuple, in its order.
RowValues = tuple[int, str, str, str, str | None, str | None, str | None]


@runtime_checkable
class ValuedRows(Protocol):
    """Rows that give their fields as tuples without making a ``StoredRow`` each (an import's spool:
    making an object and a dictionary of each of a million rows was a sixth of writing them)."""

    def stored_values(self) -> Iterable[RowValues]: ...


def import_row_values(imports: Sequence[StoredImport], size: int) -> Iterator[list[tuple[Any, ...]]]:
    """The ``import_rows`` table's rows for ``imports`` as tuples of ``IMPORT_ROW_COLUMNS``, ``size`` at a
    time (an import's rows may be on disk: they are read as they are written)."""
    batch: list[tuple[Any, ...]] = []
    for number, item in enumerate(imports, start=1):
        rows = item.rows
        values = rows.stored_values() if isinstance(rows, ValuedRows) else map(_values, rows)
        for position, row in enumerate(values):
            batch.append((number, position, *row))
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


def _values(row: StoredRow) -> RowValues:
    return (row.line, row.name, row.payload, row.action, row.model_id, row.matched_by, row.detail)
