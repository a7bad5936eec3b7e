"""Engines for the store: SQLite by default, PostgreSQL for a shared server (in its own schema)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.sql.expression import ClauseElement

from modelatlas.errors import StoreError

__all__ = [
    "DAMAGED",
    "LIVE_SCHEMA",
    "PATIENCE_MS",
    "driver_error",
    "driver_rows",
    "driver_sql",
    "is_postgres",
    "make_engine",
    "parse_url",
    "safe_url",
    "sqlite_path",
    "unreadable",
]

#: On PostgreSQL the store lives in this schema; a build fills a fresh schema and swaps it in.
LIVE_SCHEMA = "modelatlas"
#: How long, in ms, a SQLite build and the child computing its views as it makes its indexes
#: (``web.early.Early``) each wait for the other's lock on the file being built: as long as it takes.
PATIENCE_MS = 3_600_000


def parse_url(url: str) -> URL:
    """``url`` parsed.

    Raises:
        StoreError: it is no database URL (``--db '://'`` was a traceback).
    """
    try:
        return make_url(url)
    except ArgumentError:
        raise StoreError(
            f"{url!r} is not a database URL: give a file path, sqlite:///path.db or postgresql://…"
        ) from None


def is_postgres(url: str) -> bool:
    return parse_url(url).get_backend_name() == "postgresql"


def safe_url(url: str) -> str:
    """``url`` with its password hidden, for messages."""
    return parse_url(url).render_as_string(hide_password=True)


#: What to do with a SQLite file that is not a store, or a damaged one (``unreadable``).
DAMAGED = (
    "move the file away or delete it, then run `modelatlas build`; files imported into it must be "
    "imported again"
)


def driver_error(exc: BaseException) -> BaseException:
    """The database driver's own error under SQLAlchemy's, whose message adds the statement, its
    parameters and a link: three lines where the driver's says it in one."""
    return getattr(exc, "orig", None) or exc


def unreadable(doing: str, url: str, exc: BaseException) -> StoreError:
    """The error of a store that cannot be read: ``doing`` (``cannot open the store``) at ``url``, with
    the driver's message; for a SQLite file that is not a database or is damaged, what to do (``DAMAGED``)."""
    cause = driver_error(exc)
    damaged = type(cause) is sqlite3.DatabaseError  # "file is not a database", "… disk image is malformed"
    return StoreError(f"{doing} at {safe_url(url)}: {cause}", advice=DAMAGED if damaged else "")


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for an in-memory database or another backend."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _identity(path: Path) -> tuple[int, int] | None:
    """The file at ``path`` (device and inode), or None if there is none."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def make_engine(url: str, *, schema: str = LIVE_SCHEMA) -> Engine:
    """An engine for ``url``; on PostgreSQL every connection searches ``schema`` first.

    Raises:
        StoreError: the URL names a backend modelatlas does not support or whose driver is missing.
    """
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            engine = create_engine(parsed, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise StoreError(
                f"the PostgreSQL driver is missing ({exc.name}): pip install 'modelatlas[postgres]'"
            ) from exc

        @event.listens_for(engine, "connect")
        def _search_path(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f'SET search_path TO "{schema}"')
            dbapi_connection.commit()

        return engine
    if backend == "sqlite":
        engine = create_engine(parsed)
        path = sqlite_path(url)

        @event.listens_for(engine, "connect")
        def _foreign_keys(dbapi_connection: Any, record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
            if path is not None:
                record.info["file"] = _identity(path)

        @event.listens_for(engine, "checkout")
        def _same_file(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
            # A build replaces the file (a rename): a pooled connection still reads the old one, and
            # ``serve`` answered from it, old and new totals alternating, for over a minute (issue 19).
            # Raising DisconnectionError makes the pool drop this connection and open the file anew.
            now = _identity(path) if path is not None else None
            if now is not None and record.info.get("file") not in (None, now):
                raise DisconnectionError("the store file was replaced")

        return engine
    raise StoreError(f"unsupported database {backend!r}: use sqlite:///path.db or postgresql://…")


def driver_sql(conn: Connection, query: ClauseElement) -> str:
    """``query`` as the text ``conn``'s database driver runs, its values written in: for a caller that
    reads the rows through the driver's own cursor (tuples, not SQLAlchemy's rows: a million of them
    in a fraction of the time)."""
    return str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))


def driver_rows(conn: Connection, query: ClauseElement) -> list[tuple[Any, ...]]:
    """Every row of ``query``, as the database driver gives them (tuples), not SQLAlchemy's rows: for
    columns SQLAlchemy converts nothing of (no dates, no booleans on SQLite)."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(driver_sql(conn, query))
        return list(cursor.fetchall())
    finally:
        cursor.close()
