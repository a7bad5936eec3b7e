"""Read whole catalog records back out of a built store: every Model and every Organization.

The ``models`` table keeps each full record as JSON (``record_json``), so an export sees exactly
what the catalog said. Read-only: nothing here writes to the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import Boolean, Connection, Date, func, select
from sqlalchemy.exc import SQLAlchemyError

from modelatlas.catalog.schema import Model, Organization
from modelatlas.errors import StoreError
from modelatlas.store import tables as T
from modelatlas.store.browse import selected_ids
from modelatlas.store.engine import driver_sql, make_engine, safe_url
from modelatlas.store.filters import Filters
from modelatlas.store.queries import among, check_store

#: Ids asked for in one statement (SQLite and PostgreSQL limit the parameters of one).
_CHUNK = 5000

__all__ = [
    "CHUNK_ROWS",
    "analysis_column_chunks",
    "few_selected",
    "load_analysis_columns",
    "load_analysis_rows",
    "load_analysis_rows_of",
    "load_curated_ids",
    "load_lineage",
    "load_models",
    "load_organizations",
]


@contextmanager
def _connect(url: str) -> Iterator[Connection]:
    engine = make_engine(url)
    try:
        check_store(engine)
        with engine.connect() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot read the store at {safe_url(url)}: {exc.__class__.__name__}: {exc}"
        ) from exc
    finally:
        engine.dispose()


def load_models(url: str, ids: Collection[str] | None = None) -> list[Model]:
    """Every model in the store at ``url`` (or only those of ``ids``), as full catalog records, by id.

    Raises:
        StoreMissing: there is no store at ``url`` yet (run ``modelatlas build``).
        StoreError: the store cannot be read, or a stored record no longer fits the schema
            (rebuild it with ``modelatlas build``).
    """
    query = select(T.models.c.id, T.models.c.record_json).order_by(T.models.c.id)
    with _connect(url) as conn:
        if ids is None:
            rows = conn.execute(query).all()
        else:
            wanted = sorted(set(ids))
            rows = []
            for start in range(0, len(wanted), _CHUNK):
                rows += conn.execute(query.where(T.models.c.id.in_(wanted[start : start + _CHUNK]))).all()
            rows.sort()
    models = []
    for model_id, record in rows:
        try:
            models.append(Model.model_validate(orjson.loads(record)))
        except (orjson.JSONDecodeError, ValidationError) as exc:
            raise StoreError(
                f"the stored record of {model_id!r} does not fit this version of modelatlas: "
                "rebuild the store with `modelatlas build`"
            ) from exc
    return models


def load_curated_ids(url: str) -> frozenset[str]:
    """The ids of the models whose record is the curated catalog's (a YAML file under ``catalog/``),
    whatever imports were merged into them since; a model only an import knows is not among them.

    Raises:
        StoreMissing: there is no store at ``url`` yet.
        StoreError: the store cannot be read.
    """
    with _connect(url) as conn:
        rows = conn.execute(select(T.models.c.id).where(T.models.c.source_file.like("%.yaml"))).scalars()
        return frozenset(rows)


def load_organizations(url: str) -> dict[str, Organization]:
    """Every organization in the store at ``url``, by id (aliases are not stored, so they are empty).

    Raises:
        StoreMissing: there is no store at ``url`` yet (run ``modelatlas build``).
        StoreError: the store cannot be read.
    """
    with _connect(url) as conn:
        rows = conn.execute(select(T.organizations).order_by(T.organizations.c.id)).mappings().all()
    return {
        row["id"]: Organization.model_validate({k: v for k, v in row.items() if v is not None})
        for row in rows
    }


def load_analysis_rows(url: str) -> list[dict[str, object]]:
    """Every row of the store's ``analysis_rows`` table (``analysis.rows.table_rows``), ordered by id.

    Raises:
        StoreMissing: there is no store at ``url`` yet (run ``modelatlas build``).
        StoreError: the store cannot be read.
    """
    with _connect(url) as conn:
        table = T.analysis_rows
        return [dict(row) for row in conn.execute(select(table).order_by(table.c.id)).mappings()]


#: Rows fetched at a time by ``analysis_column_chunks`` (each batch turned into columns at once).
_BATCH = 20_000
#: Rows in each of ``analysis_column_chunks``' chunks.
CHUNK_ROWS = 100_000


def few_selected(url: str, f: Filters, at_most: int) -> list[str] | None:
    """The ids of the models ``f`` selects (resolved: ``store.browse.for_frame``), in a store of more
    than ``at_most`` models, when they are at most ``at_most`` (``store.browse.selected_ids``); None
    otherwise: a question about most of a small store, or about many models, reads the whole table.

    Raises:
        StoreMissing: there is no store at ``url`` yet (run ``modelatlas build``).
        StoreError: the store cannot be read.
    """
    with _connect(url) as conn:
        some = select(T.models.c.id).limit(at_most + 1).subquery()
        if conn.execute(select(func.count()).select_from(some)).scalar_one() <= at_most:
            return None
        return selected_ids(conn, f, at_most)


def load_analysis_columns(url: str, ids: Sequence[str] | None = None) -> dict[str, list[Any]]:
    """``load_analysis_rows`` column by column: each column's values, rows ordered by id (the same
    values, of the same types), with no dict a row; ``ids``: only the rows of these models
    (``web.views.Analysis.rows_for``: a few of a large table's rows). ``analysis_column_chunks`` joined.

    Raises:
        StoreMissing: there is no store at ``url`` yet (run ``modelatlas build``).
        StoreError: the store cannot be read.
    """
    columns: dict[str, list[Any]] = {}
    for chunk in analysis_column_chunks(url, ids):
        for name, values in chunk.items():
            columns.setdefault(name, []).extend(values)
    if not columns:  # no rows: the columns' names still
        columns = {column.name: [] for column in T.analysis_rows.columns}
    return columns


def analysis_column_chunks(
    url: str, ids: Sequence[str] | None = None, rows: int = CHUNK_ROWS
) -> Iterator[dict[str, list[Any]]]:
    """``load_analysis_columns`` a chunk of ``rows`` rows at a time, in the same order: a caller that turns
    each chunk into something smaller (``analysis.frame.load_frame``) never holds the whole table as
    Python objects (at a million models 1.4 GB, against 0.6 GB as a frame).

    Read through the database driver's own cursor, not SQLAlchemy's result rows (the ids as literals in
    the statement): SQLite's dates (ISO text) and booleans (0 or 1) are made ``date`` and ``bool`` here,
    as SQLAlchemy makes them; PostgreSQL's driver gives them so (at 100,000 models the read took 0.9 s
    CPU through SQLAlchemy, 0.6 s so).

    Raises:
        StoreMissing: there is no store at ``url`` yet (run ``modelatlas build``).
        StoreError: the store cannot be read.
    """
    table = T.analysis_rows
    query = select(table).order_by(table.c.id)
    with _connect(url) as conn:
        if ids is not None:
            query = query.where(among(conn, table.c.id, ids))
        # PostgreSQL's driver sends the rows as they are fetched only from a cursor on the server (one
        # of its own receives the whole answer at once, into the client's memory)
        server = conn.dialect.name == "postgresql"
        cursor = conn.connection.cursor(name="analysis_rows") if server else conn.connection.cursor()
        try:
            cursor.execute(driver_sql(conn, query))
            names = [description[0] for description in cursor.description]
            convert = _converters(names, text_types=conn.dialect.name == "sqlite")
            while True:
                found: list[list[Any]] = [[] for _ in names]
                while len(found[0]) < rows and (batch := cursor.fetchmany(min(_BATCH, rows))):
                    for values, fetched in zip(found, zip(*batch, strict=True), strict=True):
                        values.extend(fetched)
                if not found[0]:
                    return
                for place, made in convert.items():
                    found[place] = made(found[place])
                yield dict(zip(names, found, strict=True))
        finally:
            cursor.close()


def _converters(names: Sequence[str], *, text_types: bool) -> dict[int, Callable[[list[Any]], list[Any]]]:
    """What each column's values need once fetched, by place: SQLite's dates and booleans made so
    (``text_types``: a database that keeps them as text and numbers)."""
    if not text_types:
        return {}
    kinds = {column.name: column.type for column in T.analysis_rows.columns}
    made: dict[int, Callable[[list[Any]], list[Any]]] = {}
    for place, name in enumerate(names):
        if isinstance(kinds.get(name), Date):
            made[place] = _dates
        elif isinstance(kinds.get(name), Boolean):
            made[place] = _booleans
    return made


def _booleans(values: list[Any]) -> list[bool | None]:
    return [None if v is None else bool(v) for v in values]


def _dates(texts: list[str | None]) -> list[dt.date | None]:
    """ISO dates (as SQLite keeps a ``Date``) as dates, each distinct text parsed once."""
    parsed: dict[str | None, dt.date | None] = {None: None}
    for text in set(texts).difference(parsed):
        parsed[text] = dt.date.fromisoformat(str(text))
    return [parsed[text] for text in texts]


def load_analysis_rows_of(url: str, ids: Iterable[str]) -> list[dict[str, object]]:
    """The rows of ``analysis_rows`` for ``ids`` (those it has), ordered by id: a few models' rows
    without reading the whole table.

    Raises:
        StoreMissing: there is no store at ``url`` yet (run ``modelatlas build``).
        StoreError: the store cannot be read.
    """
    with _connect(url) as conn:
        table = T.analysis_rows
        query = select(table).where(table.c.id.in_(sorted(set(ids)))).order_by(table.c.id)
        return [dict(row) for row in conn.execute(query).mappings()]


def load_lineage(url: str) -> list[dict[str, object]]:
    """Every edge of the ``lineage`` table: ``model_id`` built on ``base_id`` by ``relation``/``method``.

    Raises:
        StoreMissing: there is no store at ``url`` yet (run ``modelatlas build``).
        StoreError: the store cannot be read.
    """
    with _connect(url) as conn:
        table = T.lineage
        query = select(table.c.model_id, table.c.base_id, table.c.relation, table.c.method)
        return [dict(row) for row in conn.execute(query).mappings()]
