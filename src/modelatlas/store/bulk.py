"""Write many rows into a table at once, as the driver takes them.

``conn.execute(insert(table), rows)`` builds a parameter dictionary per row and runs every value through
the compiled statement: at 100,000 models that was 7 of a build's 30 seconds. Here each column's own type
converts its values (``TypeEngine.bind_processor``, as SQLAlchemy would) and the rows go to the driver's
``executemany`` as tuples. Columns missing from the rows get their scalar ``default=`` (the others are
left to the database's ``server_default`` or NULL), as an ``insert()`` would.

The statement and its values are made apart from running them (``prepare_rows``,
``prepare_all_at_once``: they need only the dialect, no connection), so that a build can make them in
another process and hand them to the one that writes (``store.chunks``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

import orjson
from sqlalchemy import ColumnDefault, ColumnElement, Connection, Dialect, TableClause

__all__ = [
    "Prepared",
    "insert_all_at_once",
    "insert_rows",
    "insert_statement",
    "prepare_all_at_once",
    "prepare_rows",
    "run",
]


class Prepared(NamedTuple):
    """A statement and its parameters: a list of tuples (``executemany``) or one tuple (one ``execute``);
    and the table and columns it writes (``store.parts`` copies them by name)."""

    statement: str
    values: list[tuple[Any, ...]] | tuple[Any, ...]
    table: str
    columns: tuple[str, ...]


def insert_rows(conn: Connection, table: TableClause, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (dictionaries by column name, all with the first row's keys) into ``table``.

    Returns the number of rows written.
    """
    prepared = prepare_rows(conn.dialect, table, rows)
    if prepared is not None:
        run(conn, prepared)
    return len(rows)


def prepare_rows(dialect: Dialect, table: TableClause, rows: Sequence[Mapping[str, Any]]) -> Prepared | None:
    """``insert_rows``' statement and values for ``dialect``; None for no rows."""
    if not rows:
        return None
    given = rows[0].keys()
    columns = [c for c in table.c if c.name in given]
    defaults = [(c, d[0]) for c in table.c if c.name not in given and (d := _scalar_default(c))]
    convert: list[tuple[str, Callable[[Any], Any] | None]] = [
        (c.name, c.type.bind_processor(dialect)) for c in columns
    ]
    fixed = tuple(_converted(c, value, dialect) for c, value in defaults)
    names = tuple(c.name for c in [*columns, *(c for c, _ in defaults)])
    statement = insert_statement(dialect, table.name, names)
    if len(convert) > 1 and not fixed and all(process is None for _, process in convert):
        values = list(map(itemgetter(*(name for name, _ in convert)), rows))  # a tuple per row, in C
    else:
        columns_values = [
            map(itemgetter(name), rows) if process is None else map(process, map(itemgetter(name), rows))
            for name, process in convert
        ]
        values = list(zip(*columns_values, *(repeat(value) for value in fixed), strict=False))
    return Prepared(statement, values, table.name, names)


def insert_statement(dialect: Dialect, table: str, names: Sequence[str]) -> str:
    """``INSERT INTO table (names) VALUES (?, …)`` in ``dialect``'s quoting and parameter style."""
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    listed, marks = ", ".join(quote(name) for name in names), ", ".join([mark] * len(names))
    return f"INSERT INTO {quote(table)} ({listed}) VALUES ({marks})"


def run(conn: Connection, prepared: Prepared) -> None:
    """Run a prepared statement: ``executemany`` for a list of rows, one ``execute`` for a tuple."""
    conn.exec_driver_sql(prepared.statement, prepared.values)


def _scalar_default(column: ColumnElement[Any]) -> tuple[Any] | None:
    """``(value,)`` of a column's ``default=value``; None without one (a ``table()`` clause's columns)."""
    default = getattr(column, "default", None)
    return (default.arg,) if isinstance(default, ColumnDefault) and default.is_scalar else None


def _converted(column: ColumnElement[Any], value: Any, dialect: Any) -> Any:
    process = column.type.bind_processor(dialect)
    return value if process is None else process(value)


def insert_all_at_once(conn: Connection, table: TableClause, rows: Sequence[Mapping[str, Any]]) -> int:
    """On SQLite, insert ``rows`` (text and numbers, by column name, all with the first row's keys) with
    one statement that unpacks them from one JSON array: the insert then runs in SQLite with Python's
    GIL let go, beside the thread that makes the next rows (``executemany`` takes the GIL back for each
    row). For a table whose own insert is the cost, as an FTS5 table's indexing is: a wide table pays
    more for the JSON than it saves. Elsewhere the same as ``insert_rows``.

    Returns the number of rows written.
    """
    prepared = prepare_all_at_once(conn.dialect, table, rows)
    if prepared is not None:
        run(conn, prepared)
    return len(rows)


def prepare_all_at_once(
    dialect: Dialect, table: TableClause, rows: Sequence[Mapping[str, Any]]
) -> Prepared | None:
    """``insert_all_at_once``' statement and its one parameter for ``dialect``; None for no rows."""
    if not rows or dialect.name != "sqlite":
        return prepare_rows(dialect, table, rows)
    names = tuple(rows[0].keys())
    payload = orjson.dumps([[row[name] for name in names] for row in rows]).decode()
    quote = dialect.identifier_preparer.quote
    listed = ", ".join(quote(name) for name in names)
    picked = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(names)))
    statement = f"INSERT INTO {quote(table.name)} ({listed}) SELECT {picked} FROM json_each(?)"
    return Prepared(statement, (payload,), table.name, names)
