"""The Hub listing's tables: where a listing stands, its pages staged as they come, and the final merge.

A listing run appends each page to ``hub_staged`` and ``hub_staged_bases``, in one transaction with
the next page's URL in ``hub_listing`` (``stage``). Appending costs the same at the millionth repo as at
the first; upserting by repo id, a page at a time, would write pages all over the key's B-tree at every
commit. When the last page is in, ``merge`` moves the staged rows into ``hub_repos``, ``hub_bases`` and
``hub_snapshots`` in one transaction, sorted by key, and empties the staging tables: a run killed during
the merge merges again at the next run. Readers see the last finished listing until then. The
relations are the last finished listing's; a repo gone from the Hub keeps its ``hub_repos`` row (its
``listed_on`` says when it was last listed) and its snapshots, not its relations.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, select, text

from modelatlas.errors import StoreError
from modelatlas.live import landscape_tables
from modelatlas.live.ledger import iso
from modelatlas.sources.hub_listing import BASE_FIELDS, ListedPage
from modelatlas.store import tables as T
from modelatlas.store.lock import write_transaction

if TYPE_CHECKING:
    import psycopg

__all__ = ["CACHE_KIB", "LISTING", "ROWS", "Listing", "Statements", "begin", "merge", "stage"]

#: The key of the model listing's row in ``hub_listing``.
LISTING = "models"
#: SQLite's page cache while merging, in KiB (the repos' key index is written in one sorted pass).
CACHE_KIB = 64 * 1024
#: At most this many rows to one staging ``INSERT`` on SQLite (fewer when its parameters run out).
ROWS = 500

_FIELDS = [c.name for c in T.hub_staged.c if c.name != "position"]
_UPDATED = [name for name in _FIELDS if name != "id"] + ["listed_on"]
# sqlite3 binds an int, float or str at once and looks any other value up among its adapters and the
# adaptation protocols, None included (a staged repo row holds four on average). With an adapter for
# None the first look finds it: ``executemany`` of the staged rows took 1.63 µs a row instead of 2.06.
# None is still bound as NULL.
sqlite3.register_adapter(type(None), lambda value: value)

#: The run's date as a typed parameter (PostgreSQL cannot tell the type of a bare one in a SELECT list).
_RUN_ON = "CAST(:run_on AS VARCHAR(10))"


@dataclass(slots=True)
class Listing:
    """Where a listing run stands: its date, the page to ask for next (None once every page is staged),
    the pages and repos staged so far, and whether it goes on from an earlier process."""

    run_on: str
    next_url: str | None
    pages: int = 0
    records: int = 0
    resumed: bool = False


def begin(engine: Engine, first: str, moment: dt.datetime, *, restart: bool = False) -> Listing:
    """The unfinished run to go on with, or a new one from ``first`` (its staging tables emptied).

    An unfinished run is gone on with only when its next page is on the same Hub as ``first``.
    """
    h = T.hub_listing.c
    origin = first.split("/api/models", 1)[0] + "/"
    with write_transaction(engine) as conn:
        saved = conn.execute(select(T.hub_listing).where(h.listing == LISTING)).first()
        if saved is not None and not restart and saved.finished_at is None:
            if saved.next_url is None or str(saved.next_url).startswith(origin):
                next_url = None if saved.next_url is None else str(saved.next_url)
                return Listing(saved.run_on, next_url, saved.pages, saved.records, resumed=True)
        listing = Listing(moment.date().isoformat(), first)
        state = {
            "run_on": listing.run_on,
            "started_at": iso(moment),
            "next_url": first,
            "pages": 0,
            "records": 0,
            "finished_at": None,
        }
        conn.execute(T.hub_staged.delete())
        conn.execute(T.hub_staged_bases.delete())
        if saved is None:
            conn.execute(T.hub_listing.insert().values(listing=LISTING, **state))
        else:
            conn.execute(T.hub_listing.update().where(h.listing == LISTING).values(**state))
    return listing


class Statements:
    """The staging SQL, with the driver's own parameter marks (``?`` for sqlite3, ``%s`` for psycopg).

    On SQLite ``hub_staged.position`` is the rowid, numbered by the database as rows are appended, so a
    page's ``HubRepo`` tuples go to the driver as they are, many rows to an ``INSERT``: ``executemany``
    steps a statement per row, and 500 rows in one ``VALUES`` list staged a repo in 1.33 µs instead of
    1.78. Elsewhere each row is given its position. With psycopg (``driver``) the rows are streamed by
    ``COPY … FROM STDIN``: ``executemany`` sent an ``INSERT`` per row and staged 3,300 records/s on
    PostgreSQL."""

    def __init__(self, dialect: str, paramstyle: str, driver: str = "", variables: int = 999) -> None:
        mark = "?" if paramstyle == "qmark" else "%s"
        self.numbered = dialect == "sqlite"
        self.copy = driver == "psycopg"
        columns = _FIELDS if self.numbered else ["position", *_FIELDS]
        if self.copy:
            self.repos = _Insert(f"COPY hub_staged ({', '.join(columns)}) FROM STDIN")
            self.bases = _Insert(f"COPY hub_staged_bases ({', '.join(BASE_FIELDS)}) FROM STDIN")
            return
        self.repos = _Insert.of("hub_staged", columns, mark, variables if self.numbered else 0)
        self.bases = _Insert.of("hub_staged_bases", BASE_FIELDS, mark, variables if self.numbered else 0)

    @classmethod
    def of(cls, engine: Engine) -> Statements:
        """The statements for ``engine``'s database and driver (on SQLite, as many rows to an ``INSERT``
        as its limit on parameters allows)."""
        dialect = engine.dialect
        variables = 0
        if dialect.name == "sqlite":
            with engine.connect() as conn:
                driver = cast(sqlite3.Connection, conn.connection.dbapi_connection)
                variables = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return cls(dialect.name, dialect.paramstyle, dialect.driver, variables)

    def write(self, conn: Connection, insert: _Insert, rows: list[tuple[Any, ...]]) -> None:
        """Append ``rows`` with ``insert`` (one of ``repos`` and ``bases``) in ``conn``'s transaction."""
        driver = conn.connection.dbapi_connection
        if driver is None:
            raise StoreError("the store's connection is closed")
        if self.copy:
            copying = cast("psycopg.Connection[Any]", driver)
            with copying.cursor() as copier, copier.copy(insert.one) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor = driver.cursor()
        try:
            whole = len(rows) - len(rows) % insert.per if insert.per > 1 else 0
            for start in range(0, whole, insert.per):
                cursor.execute(insert.many, tuple(chain.from_iterable(rows[start : start + insert.per])))
            if whole < len(rows):
                cursor.executemany(insert.one, rows[whole:])
        finally:
            cursor.close()


@dataclass(frozen=True, slots=True)
class _Insert:
    """An ``INSERT`` of one row (or a ``COPY``), and of ``per`` rows in one ``VALUES`` list."""

    one: str
    many: str = ""
    per: int = 1

    @classmethod
    def of(cls, table: str, columns: Sequence[str], mark: str, variables: int) -> _Insert:
        """The inserts into ``table``, ``per`` rows of ``columns`` within ``variables`` parameters (at
        most ``ROWS``; one row when ``variables`` is 0)."""
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        row = f"({', '.join([mark] * len(columns))})"
        per = min(ROWS, variables // len(columns))
        return cls(head + row, head + ", ".join([row] * per) if per > 1 else "", max(per, 1))


def stage(
    engine: Engine, sql: Statements, pages: list[tuple[ListedPage, str | None]], listing: Listing
) -> None:
    """Append ``pages`` (each with the URL of the page after it) in one transaction with the URL after
    the last of them, and count them in ``listing``."""
    position = listing.records
    rows: list[tuple[Any, ...]] = []
    bases: list[tuple[Any, ...]] = []
    for page, _ in pages:
        rows += page.repos if sql.numbered else [(position + n, *repo) for n, repo in enumerate(page.repos)]
        position += len(page.repos)
        bases += page.bases
    after = pages[-1][1]
    h = T.hub_listing.c
    with write_transaction(engine) as conn:
        if rows:
            sql.write(conn, sql.repos, rows)
        if bases:
            sql.write(conn, sql.bases, bases)
        conn.execute(
            T.hub_listing.update()
            .where(h.listing == LISTING)
            .values(next_url=after, pages=h.pages + len(pages), records=h.records + len(rows))
        )
    listing.next_url, listing.pages, listing.records = after, listing.pages + len(pages), position


def merge(engine: Engine, listing: Listing, moment: dt.datetime) -> None:
    """Move the staged listing into ``hub_repos``, ``hub_bases`` and ``hub_snapshots`` (replacing the
    run date's snapshots), empty the staging tables and mark the run finished, in one transaction."""
    with write_transaction(engine) as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")
        values = {"run_on": listing.run_on}
        conn.execute(text(_repos_sql(sqlite)), values)
        # the relations are the finished listing's: those it no longer has are deleted (a repo gone from
        # the Hub keeps its row in hub_repos, not its relations), only new ones are inserted
        conn.execute(
            text(
                "DELETE FROM hub_bases WHERE (repo_id, base, relation) NOT IN "
                "(SELECT repo_id, base, relation FROM hub_staged_bases)"
            )
        )
        conn.execute(text(_bases_sql(sqlite)))
        conn.execute(text("DELETE FROM hub_snapshots WHERE observed_on = :run_on"), values)
        conn.execute(
            text(
                "INSERT INTO hub_snapshots (observed_on, position, repo_id, downloads, likes) "
                f"SELECT {_RUN_ON}, position, id, downloads, likes FROM hub_staged ORDER BY position"
            ),
            values,
        )
        conn.execute(T.hub_staged.delete())
        conn.execute(T.hub_staged_bases.delete())
        _finish(conn, moment)
        landscape_tables.refresh(conn)  # the field's sums, once per listing


def _repos_sql(sqlite: bool) -> str:
    """Upsert the staged repos by id, in key order; a repo listed twice keeps its later record."""
    columns = ", ".join([*_FIELDS, "listed_on"])
    fields = ", ".join(_FIELDS)
    updates = ", ".join(f"{name} = excluded.{name}" for name in _UPDATED)
    if sqlite:  # rows of one statement are applied in order: the later duplicate wins
        chosen = f"SELECT {fields}, {_RUN_ON} FROM hub_staged WHERE true ORDER BY id, position"
    else:  # PostgreSQL refuses to touch a row twice in one statement
        chosen = f"SELECT DISTINCT ON (id) {fields}, {_RUN_ON} FROM hub_staged ORDER BY id, position DESC"
    return f"INSERT INTO hub_repos ({columns}) {chosen} ON CONFLICT (id) DO UPDATE SET {updates}"


def _bases_sql(sqlite: bool) -> str:
    """Insert the staged relations in key order, each dated by the creation month staged with it; one
    already there only has ``stated`` brought up to date, and its month filled if it had none (a repo's
    creation never changes: a relation keeps the month it got).

    Dating the relations as they are inserted, not by an ``UPDATE … WHERE month IS NULL`` afterwards,
    writes each row and its ``(base, relation, month)`` index entry once: the update took 3.2 of the
    merge's 7.0 CPU seconds at 1,000,000 repos, and looking the month up in ``hub_repos`` instead
    1.5. A relation staged without its month (by a version before it was staged) has it looked up."""
    month = "coalesce(s.month, (SELECT substr(r.created_at, 1, 7) FROM hub_repos r WHERE r.id = s.repo_id))"
    columns = "s.repo_id, s.base, s.relation, s.stated"
    if sqlite:
        chosen = f"SELECT {columns}, {month} FROM hub_staged_bases s WHERE true ORDER BY 1, 2, 3"
    else:  # one row per key: PostgreSQL refuses to touch a row twice in one statement
        chosen = (
            f"SELECT DISTINCT ON (s.repo_id, s.base, s.relation) {columns}, {month} "
            "FROM hub_staged_bases s ORDER BY 1, 2, 3"
        )
    return (
        f"INSERT INTO hub_bases (repo_id, base, relation, stated, month) {chosen} "
        "ON CONFLICT (repo_id, base, relation) DO UPDATE SET stated = excluded.stated, "
        "month = coalesce(hub_bases.month, excluded.month) "
        "WHERE hub_bases.stated <> excluded.stated "
        "OR (hub_bases.month IS NULL AND excluded.month IS NOT NULL)"
    )


def _finish(conn: Connection, moment: dt.datetime) -> None:
    h = T.hub_listing.c
    conn.execute(T.hub_listing.update().where(h.listing == LISTING).values(finished_at=iso(moment)))
