"""Build a synthetic store and check that its tables hold exactly what another build's do, row by row.

A change to how a build writes (``store.build``, ``store.rows``, ``store.bulk``, the derived tables) must
not change what it writes. Build a reference store with the code before the change, then the same
catalog with the code after it, and compare:

    PYTHONPATH=<old checkout>/src .venv/bin/python bench/build_compare.py --models 10000 --db /tmp/before.db
    PYTHONPATH=src .venv/bin/python bench/build_compare.py --models 10000 --db /tmp/after.db \\
        --against /tmp/before.db

and the same with ``--bundled`` (the bundled catalog: papers, lineage, evaluations, estimates, which the
synthetic models do not have) in place of ``--models``.

Every table is read in the order the database keeps it (by rowid where the table has one, so the order
rows were written in counts too); the FTS5 table is read through its own columns, not its shadow tables,
whose layout depends on how the index was filled. ``build_info``'s time and id of the build and the
schema's revision are left out: they differ between any two builds.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from synthetic import build  # bench/ is on the path as a script

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog, to_db_url
from modelatlas.store.build import build_store

#: Rows that differ between any two builds of the same catalog (its path: between two checkouts).
_PER_BUILD = "key NOT IN ('built_at', 'build_id', 'catalog')"
_SKIPPED = ("alembic_version", "sqlite_sequence")
_FTS_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")


def tables(db: sqlite3.Connection) -> list[str]:
    """The tables whose rows a build writes, shadow tables of an FTS5 table left out."""
    names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    virtual = [n for n in names if _is_virtual(db, n)]
    return [
        n for n in names if n not in _SKIPPED and not any(n == v + s for v in virtual for s in _FTS_SHADOWS)
    ]


def _is_virtual(db: sqlite3.Connection, name: str) -> bool:
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0] or ""
    return sql.upper().startswith("CREATE VIRTUAL TABLE")


def rows(db: sqlite3.Connection, table: str) -> Iterator[tuple[Any, ...]]:
    """``table``'s rows in the order the database keeps them, with the rowid where there is one."""
    where = f" WHERE {_PER_BUILD}" if table == "build_info" else ""
    try:
        yield from db.execute(f'SELECT rowid, * FROM "{table}"{where} ORDER BY rowid')
    except sqlite3.OperationalError:  # WITHOUT ROWID: the primary key's order
        yield from db.execute(f'SELECT * FROM "{table}"{where}')


def compare(one: Path, other: Path) -> list[str]:
    """What differs between the stores at ``one`` and ``other`` (empty: the same rows in every table)."""
    a, b = sqlite3.connect(one), sqlite3.connect(other)
    differences = []
    ta, tb = tables(a), tables(b)
    if ta != tb:
        differences.append(f"tables: {sorted(set(ta) ^ set(tb))} in only one of them")
    for table in (t for t in ta if t in tb):
        count = 0
        for count, (ra, rb) in enumerate(_zipped(rows(a, table), rows(b, table)), start=1):
            if ra != rb:
                differences.append(f"{table}: row {count} differs: {ra!r} != {rb!r}")
                break
        else:
            print(f"{table:>24}: {count:>9,} rows, the same", flush=True)
    return differences


def _zipped(xs: Iterator[Any], ys: Iterator[Any]) -> Iterator[tuple[Any, Any]]:
    missing = object()
    while True:
        x, y = next(xs, missing), next(ys, missing)
        if x is missing and y is missing:
            return
        yield (None if x is missing else x), (None if y is missing else y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument(
        "--bundled", action="store_true", help="Build the bundled catalog instead (papers, lineage, …)."
    )
    parser.add_argument("--db", required=True, help="The store to build (replaced if it exists).")
    parser.add_argument("--against", help="A store built from the same catalog to compare with.")
    args = parser.parse_args()
    if args.bundled:
        Path(args.db).unlink(missing_ok=True)
        build_store(load_valid_catalog(bundled_catalog()), to_db_url(args.db))
    else:
        build(args.models, args.db)
    if args.against:
        differences = compare(Path(args.db), Path(args.against))
        for line in differences:
            print(line)
        print("identical" if not differences else f"{len(differences)} table(s) differ")
        sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
