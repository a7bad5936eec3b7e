"""Carry the Hub listing's tables (``tables.STREAMED``) into a new build, inside the database.

``tables.KEPT`` rows are read into memory and written again, which suits thousands of rows; the Hub
listing holds millions (a row per Hub repo, a snapshot per repo and sync date), so a build copies them
with one ``INSERT … SELECT`` per table that the database runs on its own: from the old file ``ATTACH``-ed
to the new one on SQLite, from the live schema into the staging schema on PostgreSQL. Only the columns
that both know are copied, so an older store carries over; one without the listing's summary tables
(``tables.SUMMARY``, schema 0008) has them computed from its listing once copied.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, text

from modelatlas.store import tables as T

__all__ = ["carry_postgres", "carry_sqlite"]


def carry_sqlite(engine: Engine, old: Path) -> None:
    """Copy the streamed tables of the SQLite store at ``old`` into the new store behind ``engine``."""
    if not old.is_file():
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("ATTACH DATABASE ? AS old", (str(old),))
        conn.commit()
        try:
            missing = False
            for name in T.STREAMED:
                found = conn.exec_driver_sql(f"PRAGMA old.table_info({name})").fetchall()
                _copy(conn, name, {row[1] for row in found}, "old", "main")
                missing |= name in T.SUMMARY and not found
            if missing:
                _summarize(conn)
            conn.commit()
        finally:
            conn.rollback()
            conn.exec_driver_sql("DETACH DATABASE old")
            conn.commit()


def carry_postgres(conn: Connection, live: str, staging: str) -> None:
    """Copy the streamed tables of schema ``live`` into schema ``staging``, in the caller's transaction."""
    missing = False
    for name in T.STREAMED:
        found = conn.execute(
            text(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = :s AND table_name = :t"
            ),
            {"s": live, "t": name},
        )
        present = {row[0] for row in found}
        _copy(conn, name, present, f'"{live}"', f'"{staging}"')
        missing |= name in T.SUMMARY and not present
    if missing:
        conn.execute(text(f'SET LOCAL search_path TO "{staging}"'))
        _summarize(conn)


def _summarize(conn: Connection) -> None:
    """Compute the listing's summary tables in the new store, from its copied listing."""
    from modelatlas.live.landscape_tables import refresh

    refresh(conn)


def _copy(conn: Connection, name: str, present: set[str], source: str, target: str) -> None:
    columns = [c.name for c in T.metadata.tables[name].c if c.name in present]
    if columns:
        listed = ", ".join(f'"{c}"' for c in columns)
        conn.exec_driver_sql(f"INSERT INTO {target}.{name} ({listed}) SELECT {listed} FROM {source}.{name}")
