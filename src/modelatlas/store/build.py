"""Build the store from a validated catalog, atomically: a failed build leaves the previous store intact.

SQLite: the store is written to a temporary file beside the target and renamed over it.
PostgreSQL: the store is written to a fresh schema, swapped in for the live one in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import glob
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from modelatlas import __version__
from modelatlas._children import may_fork
from modelatlas.catalog.loader import Catalog
from modelatlas.errors import ModelAtlasError, StoreError
from modelatlas.files import file_mode, regular_target
from modelatlas.store import rows as R
from modelatlas.store import tables as T
from modelatlas.store.bulk import Prepared, insert_all_at_once, insert_rows, insert_statement, run
from modelatlas.store.carry import carry_postgres, carry_sqlite
from modelatlas.store.chunks import CHUNK, ORDER, Chunk, Maker, chunks
from modelatlas.store.engine import (
    LIVE_SCHEMA,
    PATIENCE_MS,
    driver_error,
    is_postgres,
    make_engine,
    safe_url,
    sqlite_path,
)
from modelatlas.store.facet_index import NARROW, FacetIndex
from modelatlas.store.facet_index_pg import fill_facet_index_postgres
from modelatlas.store.imports import (
    IMPORT_ROW_COLUMNS,
    StoredImport,
    import_row_values,
    import_rows,
    read_kept,
)
from modelatlas.store.journal import LOG_SUFFIXES, rolled_back, write_ahead
from modelatlas.store.parts import Part, copy_part
from modelatlas.store.sort_indexes import sort_indexes
from modelatlas.store.text_index import (
    TEXT,
    TEXT_TABLE,
    fill_organization_names,
    fill_text_index,
)

if TYPE_CHECKING:
    from modelatlas.web.early import Early

__all__ = ["STAGES", "BuildResult", "build_store", "migrate", "remove_leftovers"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: What builds the store into an engine: ``_fill`` with the catalog given (the engine, where the children
#: write their rows, what to call once they are in).
Fill = Callable[[Engine, Path | None, Callable[[], bool] | None], None]
Stage = Callable[[str], None] | None

#: Insertion order: parents before the tables that refer to them.
_ORDER = ORDER
#: SQLite's page cache while building, in KiB: half a KiB a model, at least the default and at most
#: 16 MB. A million merged models (``bench/build_scale.py --merged``, 2026-12-06): 16 MB 192.1 and
#: 192.6 s, 128 MB 175.2 and 215.2 s, 32 MB 217.9 s (512 MB 198 and 200 s the day before); a million
#: unmerged: 150.2 s and 149.7 s. No faster with more, and the cache is held to the build's end: 112 MB
#: of a million-row import's process.
CACHE_KIB_PER_MODEL, MIN_CACHE_KIB, MAX_CACHE_KIB = 0.5, 2 * 1024, 16 * 1024
#: Helper threads SQLite may sort with when it makes an index after the load, unless the views' child
#: computes beside it (``web.early``), on the other core: the 42 indexes of a million models beside a
#: process adding numbers on one core (2026-12-06, in turns): with 2 helpers 18.2 and 17.6 s, the two
#: done after 49.4 and 51.4 s; with none 15.5 and 14.7 s, both done after 41.7 and 38.6 s. Alone, the
#: helpers take 15.3 and 15.1 s against 20.9 and 16.7 s (and 25 s of CPU against 17-21).
SORT_THREADS = 2
#: SQLite's page cache while it makes the indexes and sorts the name keys (``_sorting``), in KiB. Its
#: sorter holds up to the cache's size in memory for each thread it sorts with; with less, it sorts runs
#: small enough to share between them.
#: The 42 indexes of a million models, 8 MB against 128 MB: 17.0 s and 55 MB against 28.0–33.8 s and
#: 382 MB (an import of a million Epoch rows), 14.9 s and 47 MB against 24.8 s and 314 MB (synthetic).
INDEX_CACHE_KIB = 8 * 1024
#: What a build says it is doing (``build_store``'s ``stage``) once every model is written.
STAGES = ("indexing", "keeping the default views")


@dataclass(frozen=True, slots=True)
class BuildResult:
    url: str
    models: int
    organizations: int
    techniques: int
    benchmarks: int
    seconds: float
    #: How many default views the build computed and kept (``web.refresh``), and in how long (of
    #: ``seconds``).
    views: int = 0
    views_seconds: float = 0.0


def migrate(connection: Connection) -> None:
    """Bring the schema on ``connection`` up to the newest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def build_store(
    catalog: Catalog,
    url: str,
    *,
    progress: Callable[[int], None] | None = None,
    stage: Callable[[str], None] | None = None,
    imports: Sequence[StoredImport] = (),
    conflicts: Sequence[dict[str, Any]] = (),
    info: Mapping[str, str] | None = None,
) -> BuildResult:
    """Write ``catalog`` (already validated) into the store at ``url``, replacing what was there.

    ``info`` adds to ``build_info`` (what the curated catalog held, when its newest model came out).

    ``catalog`` may already hold the models merged from ``imports``, which are kept in the store so that
    the next build can merge them again; ``conflicts`` are rows of the ``conflicts`` table.
    ``progress`` is called with the number of models written so far; ``stage`` with what the build
    does once they are all written: ``STAGES[0]`` (the indexes, the check, the derived tables), then
    ``STAGES[1]`` where the default views are kept (at a million models each takes a minute or more,
    which a bar full of models would not say; on SQLite part of the views is computed while the
    indexes are made, and ``STAGES[1]`` is the rest). The live-tracking tables
    (``tables.KEPT``) of the store being replaced are copied into the new one.

    Raises:
        StoreError: the database could not be written; the previous store is untouched.
    """
    started = time.perf_counter()
    # checked before anything reads it: a FIFO would hang, or fail as "disk I/O error"
    target = None if is_postgres(url) else _sqlite_target(url)
    try:
        extra: dict[str, list[dict[str, Any]]] = {"imports": import_rows(imports)}
        extra["conflicts"] = list(conflicts)
        extra["build_info"] = [{"key": k, "value": v} for k, v in (info or {}).items()]
        extra.update(read_kept(url))
        fill = partial(_fill, catalog=catalog, progress=progress, stage=stage, extra=extra, imports=imports)
        kept: tuple[int, float] | None = None
        if target is None:
            _build_postgres(url, fill)
        else:
            kept = _build_sqlite(target, fill, _cache_kib(len(catalog.models)), stage)
    except SQLAlchemyError as exc:
        # the driver's own message: SQLAlchemy's adds the statement and its parameters (10 KB on a
        # full disk)
        cause = driver_error(exc)
        raise StoreError(
            f"could not build the store at {safe_url(url)}: {cause.__class__.__name__}: {cause}"
        ) from exc
    except OSError as exc:
        raise StoreError(f"could not write the store at {safe_url(url)}: {exc}") from exc
    views_started = time.perf_counter()
    views, views_seconds = kept if kept is not None else (_keep_views(url, stage), 0.0)
    done = time.perf_counter()
    return BuildResult(
        url=url,
        models=len(catalog.models),
        organizations=len(catalog.organizations),
        techniques=len(catalog.techniques),
        benchmarks=len(catalog.benchmarks),
        seconds=done - started,
        views=views,
        views_seconds=views_seconds + done - views_started,
    )


def _keep_views(url: str, stage: Callable[[str], None] | None = None) -> int:
    """The last step of a build: the default views of the pages, computed once and kept in the store
    for every worker of ``serve`` (``web.refresh``); how many. None where ``MODELATLAS_KEEP_VIEWS``
    is off (the tests' many small builds): the server computes them as it would for an older store."""
    from modelatlas.config import Settings

    if not Settings().keep_views:
        return 0
    from modelatlas.web.refresh import refresh  # the web layer, and pandas: only for the views

    if stage is not None:
        stage(STAGES[1])
    try:
        return refresh(url)
    except SQLAlchemyError as exc:
        cause = driver_error(exc)
        raise StoreError(
            f"could not keep the default views in {safe_url(url)}: {cause.__class__.__name__}: {cause}"
        ) from exc


def remove_leftovers(url: str) -> list[Path]:
    """Remove the temporary files of builds of the SQLite store at ``url`` that were killed (``kill -9``
    leaves ``.<store>.<random>.building`` beside it, each as large as the store, and the folder of the
    children's rows, ``.<store>.<random>.parts``). Only a caller holding the store's write lock
    (``store.lock``) may call this: no other build of the store is running then. Returns what was
    removed (with the ``-wal`` and ``-shm`` files of a file killed in WAL mode: ``_start_views``)."""
    path = sqlite_path(url)
    if path is None or not path.parent.is_dir():
        return []
    removed = []
    for pattern in ("building", *(f"building{suffix}" for suffix in LOG_SUFFIXES)):  # and its WAL files
        for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.{pattern}"):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
                removed.append(leftover)
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.parts"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    return removed


def _build_sqlite(target: Path, fill: Fill, cache_kib: int, stage: Stage) -> tuple[int, float] | None:
    """Build the store into a file beside ``target``, then put it in its place. Where the default views
    are kept and this process may fork, they are computed in a child from the moment the rows are in,
    those the analysis table gives while this process makes the indexes (``web.early``), and all are
    kept in the file before it takes ``target``'s place: how many, and the seconds spent on them after
    the indexes. None: the views are left to ``_keep_views``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".building", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    url = f"sqlite:///{tmp}"
    early: list[Early] = []
    try:
        engine = make_engine(url)
        event.listen(engine, "connect", partial(_unshared, cache_kib=cache_kib))
        try:
            with tempfile.TemporaryDirectory(
                prefix=f".{target.name}.", suffix=".parts", dir=target.parent
            ) as parts:  # the children's rows (``store.parts``), removed with it
                fill(engine, Path(parts), partial(_start_views, tmp, early))
            carry_sqlite(engine, target)
            kept = _keep_early_views(early, stage)
        finally:
            for started in early:
                started.end()
            engine.dispose()
        if early:  # the views' child read it in WAL mode (``_start_views``), and has ended
            rolled_back(tmp)
        os.chmod(tmp, file_mode(target))  # mkstemp's 0600 would lock out the other readers of the store
        os.replace(tmp, target)
        return kept
    finally:
        for leftover in (tmp, *(tmp.with_name(tmp.name + suffix) for suffix in LOG_SUFFIXES)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _start_views(file: Path, early: list[Early]) -> bool:
    """Once the rows are in: fork the child that computes the default views (``web.early``), those the
    analysis table gives at once, the others once told the indexes are made (``_build_sqlite``); whether
    it was (it takes a core while the indexes are made). The file is put in WAL mode first, so that the
    child's reading it does not hold off the indexes' writes (``store.journal``)."""
    from modelatlas.config import Settings

    if not Settings().keep_views or not may_fork():
        return False
    from modelatlas.web.early import Early  # the views' child: it imports what they need

    write_ahead(file)
    early.append(Early(f"sqlite:///{file}"))
    return True


def _keep_early_views(early: list[Early], stage: Stage) -> tuple[int, float] | None:
    if not early:
        return None
    if stage is not None:
        stage(STAGES[1])
    begun = time.perf_counter()
    return early[0].kept(), time.perf_counter() - begun


def _cache_kib(models: int) -> int:
    return int(min(MAX_CACHE_KIB, max(MIN_CACHE_KIB, models * CACHE_KIB_PER_MODEL)))


def _sqlite_target(url: str) -> Path:
    """The file a SQLite build replaces: links followed, and a FIFO, device or directory refused.

    Raises:
        StoreError: the URL names no file, or something other than a regular file.
    """
    path = sqlite_path(url)
    if path is None:
        raise StoreError(f"{url!r} is not a SQLite file; an in-memory store would vanish at once")
    try:
        return regular_target(path)
    except ModelAtlasError as exc:
        raise StoreError(str(exc)) from exc


def _unshared(dbapi_connection: Any, _record: Any, *, cache_kib: int) -> None:
    """Settings for a file no one else reads until it is renamed into place: no rollback journal (a
    file the views' child reads in WAL mode left so: ``_start_views``) and no
    syncs (a crash leaves only the temporary file, which the next build replaces), a larger page cache
    for the load, and the references checked once at the end (``_check_references``) instead of one
    lookup per row."""
    cursor = dbapi_connection.cursor()
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":  # as the views' child reads it
        cursor.execute("PRAGMA journal_mode=OFF")
    pragmas = (
        "synchronous=OFF",
        f"cache_size=-{cache_kib}",
        "foreign_keys=OFF",
        f"threads={SORT_THREADS}",
        f"busy_timeout={PATIENCE_MS}",  # the views' child reading the rows may hold the file a while
    )
    for pragma in pragmas:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _build_postgres(url: str, fill: Fill) -> None:
    suffix = uuid.uuid4().hex[:8]
    staging, retired = f"{LIVE_SCHEMA}_build_{suffix}", f"{LIVE_SCHEMA}_old_{suffix}"
    admin = make_engine(url, schema="public")
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{staging}"'))
        try:
            engine = make_engine(url, schema=staging)
            try:
                fill(engine, None, None)
            finally:
                engine.dispose()
            with admin.begin() as conn:
                live = conn.execute(
                    text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                    {"s": LIVE_SCHEMA},
                ).first()
                if live:
                    carry_postgres(conn, LIVE_SCHEMA, staging)
                    conn.execute(text(f'ALTER SCHEMA "{LIVE_SCHEMA}" RENAME TO "{retired}"'))
                conn.execute(text(f'ALTER SCHEMA "{staging}" RENAME TO "{LIVE_SCHEMA}"'))
                if live:
                    conn.execute(text(f'DROP SCHEMA "{retired}" CASCADE'))
        except BaseException:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{staging}" CASCADE'))
            raise
    finally:
        admin.dispose()


def _fill(
    engine: Engine,
    parts: Path | None,
    loaded: Callable[[], bool] | None,
    *,
    catalog: Catalog,
    progress: Callable[[int], None] | None,
    stage: Callable[[str], None] | None,
    extra: dict[str, list[dict[str, Any]]],
    imports: Sequence[StoredImport],
) -> None:
    """Write the catalog ``CHUNK`` models at a time, so that memory does not grow with the catalog; the
    lineage edges of chunks last, when every model they join is in (a part's are copied in with its
    models: SQLite checks the references once at the end). ``parts``: where the children of a SQLite
    build write their rows (``store.parts``); ``loaded`` is called once they, the lineage and
    ``build_info`` are in and committed (before the indexes), and says whether a views' child then
    computes beside them (the indexes are sorted without helper threads: ``SORT_THREADS``)."""
    gc.freeze()  # the catalog's objects, made before the build and kept through it, are not walked by
    try:  # every full collection of the build's own (at 1,000,000 models they are 5.9 GB)
        _fill_frozen(engine, catalog, progress, stage, extra, imports, parts, loaded)
    finally:
        gc.unfreeze()


def _fill_frozen(
    engine: Engine,
    catalog: Catalog,
    progress: Callable[[int], None] | None,
    stage: Callable[[str], None] | None,
    extra: dict[str, list[dict[str, Any]]],
    imports: Sequence[StoredImport],
    parts: Path | None,
    loaded: Callable[[], bool] | None,
) -> None:
    """``_fill``'s work: the migrations make every table, the derived ones too (empty); the rows go in
    without the secondary indexes, which are made once they are all in. One transaction, but on SQLite
    committed around each part copied in (``store.parts``: a file cannot be attached inside one)."""
    with engine.connect() as conn:
        migrate(conn)
        indexes = _without_indexes(conn)
        facets, countries = None, None
        if conn.dialect.name == "sqlite":  # the facet index of store.browse's fast path
            countries = {e.record.id: e.record.country for e in catalog.organizations}
            facets = FacetIndex(countries)
            # FTS5 merges the trigram index's segments 16 at a time, not 4: at a million models filling
            # it took 24.1 s of the build's process, 14.7 s so (the same rows; queries as fast)
            conn.exec_driver_sql(f"INSERT INTO {TEXT_TABLE} ({TEXT_TABLE}, rank) VALUES ('automerge', 16)")
        write = partial(_write, conn)
        write(
            {
                "organizations": [R.organization_row(e.record) for e in catalog.organizations],
                "techniques": [R.technique_row(e.record) for e in catalog.techniques],
                "benchmarks": [R.benchmark_row(e.record) for e in catalog.benchmarks],
            }
        )
        lineage: list[dict[str, Any]] = []
        maker = Maker(conn.dialect, {e.record.id: e.record for e in catalog.organizations}, countries)
        _load(chunks(catalog, maker, parts), partial(_write_chunk, conn, facets, lineage), progress)
        if stage is not None:
            stage(STAGES[0])
        built = [
            {"key": "built_at", "value": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
            {"key": "build_id", "value": uuid.uuid4().hex},
            {"key": "catalog", "value": str(catalog.root)},
            {"key": "models", "value": str(len(catalog.models))},
            {"key": "modelatlas_version", "value": __version__},
        ]
        write({**extra, "lineage": lineage, "build_info": built + extra.get("build_info", [])})
        statement = insert_statement(conn.dialect, T.import_rows.name, IMPORT_ROW_COLUMNS)
        for values in import_row_values(imports, CHUNK):
            run(conn, Prepared(statement, values, T.import_rows.name, IMPORT_ROW_COLUMNS))
        viewing = False  # a views' child computing while the indexes are made
        if loaded is not None:
            conn.commit()
            viewing = loaded()
        with ThreadPoolExecutor(max_workers=1) as beside:  # Python's part while SQLite sorts
            tallied = beside.submit(facets.rows) if facets is not None else None
            with _sorting(conn, threads=0 if viewing else SORT_THREADS):
                _index(conn, indexes)
                _check_references(conn)
                fill_text_index(conn)
            fill_organization_names(conn, (e.record for e in catalog.organizations))
            if tallied is not None:
                FacetIndex.write(conn, tallied.result())
        sort_indexes(conn)
        fill_facet_index_postgres(conn)  # on PostgreSQL (SQLite's was tallied during the load)
        if conn.dialect.name == "postgresql":
            # the planner's statistics, which a bulk load leaves empty (this schema's tables only)
            conn.execute(text(f"ANALYZE {', '.join(_ORDER)}"))
        conn.commit()


def _load(
    made: Generator[Chunk | Part, None, None],
    write: Callable[[Chunk | Part], None],
    progress: Callable[[int], None] | None,
) -> None:
    """Write every chunk as it is made (``store.chunks``: in another process, or a thread), then say
    how many models are in (``progress``, once a model). A failure here stops the making at once (the
    child processes are ended), not when the failure's traceback is let go."""
    done = 0
    with contextlib.closing(made):
        for chunk in made:
            write(chunk)
            if progress:
                for model in range(done + 1, done + chunk.models + 1):
                    progress(model)
            done += chunk.models


def _index(conn: Connection, statements: Sequence[str]) -> None:
    """Make the indexes ``_without_indexes`` dropped, once every row is in."""
    for statement in statements:
        conn.exec_driver_sql(statement)


@contextlib.contextmanager
def _sorting(conn: Connection, *, threads: int) -> Generator[None, None, None]:
    """On SQLite, the page cache at ``INDEX_CACHE_KIB`` and ``threads`` helper threads to sort with
    meanwhile, then as they were: what SQLite sorts after the load (the indexes, the name keys) it sorts
    in memory up to the cache's size a thread."""
    if conn.dialect.name != "sqlite":
        yield
        return
    cache = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    helpers = conn.exec_driver_sql("PRAGMA threads").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{INDEX_CACHE_KIB}")
    conn.exec_driver_sql(f"PRAGMA threads={threads}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")
        conn.exec_driver_sql(f"PRAGMA threads={int(helpers)}")


def _write_chunk(
    conn: Connection,
    facets: FacetIndex | None,
    lineage: list[dict[str, Any]],
    chunk: Chunk | Part,
) -> None:
    """Write ``chunk``'s rows: its tables', parents first, then its ``model_facets`` rows (numbered
    here, in the models' order) and its ``model_text`` rows; keep its lineage edges for the end. A part's
    rows are copied in from its file (``store.parts``), its lineage edges with them."""
    if isinstance(chunk, Part):
        copy_part(conn, chunk, facets)  # its lineage edges too: SQLite checks references at the end
        return
    for prepared in chunk.tables:
        run(conn, prepared)
    if facets is not None and chunk.facets:
        names = [c.name for c in NARROW.c]
        statement = insert_statement(conn.dialect, NARROW.name, names)
        run(conn, Prepared(statement, facets.number(chunk.facets), NARROW.name, tuple(names)))
    if chunk.text is not None:  # the trigram index's work, without the GIL: see insert_all_at_once
        run(conn, chunk.text)
    lineage.extend(chunk.lineage)


def _without_indexes(conn: Connection) -> list[str]:
    """On SQLite, drop the migrations' secondary indexes and return the statements that make them again:
    an index made once over all the rows is a sort, where one kept up row by row is a search per row
    (a third of the insert time at 100,000 models). Primary keys and unique constraints stay."""
    if conn.dialect.name != "sqlite":
        return []
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [statement for _, statement in found]


def _check_references(conn: Connection) -> None:
    """On SQLite, every row's references, all at once (the build turns the per-row checks off): for each
    foreign key of each table, the rows whose key is set and names no row of the table it refers to.
    A query a key, which walks the key's index (made just before) and so looks its parents up in their
    own order, not ``PRAGMA foreign_key_check``, which walks the rows and looks each up at random (a
    table of a million models' rows: 0.5–1.0 s against 1.0–2.0; the whole store 6.0–6.6 s against 23–28).

    Raises:
        StoreError: a row refers to something the store does not hold.
    """
    if conn.dialect.name != "sqlite":
        return
    broken, first = 0, ""
    for table, parent, query in _reference_queries(conn):
        found = conn.exec_driver_sql(query).scalar_one()
        if found and not broken:
            first = f"the first in {table!r} (to {parent!r})"
        broken += found
    if broken:
        raise StoreError(
            f"{broken} row(s) refer to rows the store does not hold, {first}; the store is unchanged"
        )


def _reference_queries(conn: Connection) -> Iterator[tuple[str, str, str]]:
    """For each foreign key of each table of the SQLite store ``conn`` writes (as SQLAlchemy reflects
    them: a key naming no columns refers to its table's primary key): the table, the table it refers
    to, and the query counting its rows that name no row there. A key with a NULL column refers to
    nothing (SQLite's rule)."""
    quote = conn.dialect.identifier_preparer.quote
    schema = inspect(conn)
    for table in schema.get_table_names():
        for key in schema.get_foreign_keys(table):
            parent = key["referred_table"]
            pairs = list(zip(key["constrained_columns"], key["referred_columns"], strict=True))
            given = " AND ".join(f"c.{quote(child)} IS NOT NULL" for child, _ in pairs)
            same = " AND ".join(f"p.{quote(column)} = c.{quote(child)}" for child, column in pairs)
            query = f"SELECT count(*) FROM {quote(table)} AS c WHERE {given} AND NOT EXISTS ("
            yield table, parent, f"{query}SELECT 1 FROM {quote(parent)} AS p WHERE {same})"


def _write(conn: Connection, batch: Mapping[str, Sequence[dict[str, Any]]]) -> None:
    """Insert ``batch``'s rows, parents before the tables that refer to them; then its ``model_facets``
    rows (a derived table, not one of the migrations')."""
    for name in _ORDER:
        if batch.get(name):
            insert_rows(conn, T.metadata.tables[name], batch[name])
    if batch.get("model_facets"):
        insert_rows(conn, NARROW, batch["model_facets"])
    if batch.get("model_text"):  # the trigram index's work, without the GIL: see insert_all_at_once
        insert_all_at_once(conn, TEXT, batch["model_text"])
