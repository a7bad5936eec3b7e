"""modelatlas.store.build: the store is written whole or not at all."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, inspect, select
from sqlalchemy.exc import OperationalError

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.errors import StoreError
from modelatlas.store import tables as T
from modelatlas.store.build import (
    INDEX_CACHE_KIB,
    MIN_CACHE_KIB,
    SORT_THREADS,
    _cache_kib,
    _index,
    build_store,
    migrate,
)
from modelatlas.store.engine import make_engine


def _model_ids(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {r[0] for r in conn.execute(select(T.models.c.id))}
    finally:
        engine.dispose()


def test_build_writes_every_table(store_url: str, tiny_catalog: Path) -> None:
    result = build_store(load_valid_catalog(tiny_catalog), store_url)
    assert (result.models, result.organizations, result.techniques, result.benchmarks) == (6, 6, 2, 1)
    engine = make_engine(store_url)
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= set(T.metadata.tables) | {"alembic_version"}
        assert conn.execute(
            select(T.lineage.c.model_id, T.lineage.c.base_id).order_by(T.lineage.c.model_id)
        ).all() == [("alpaca", "llama"), ("freedomgpt", "alpaca"), ("vicuna", "llama")]
        names = {
            r[0]
            for r in conn.execute(select(T.model_names.c.name).where(T.model_names.c.model_id == "llama"))
        }
        assert names == {"llama", "LLaMA", "LLaMa", "LLaMA-7B", "LLaMA-65B"}
        row = conn.execute(select(T.models).where(T.models.c.id == "llama")).mappings().one()
        assert row["parameters"] == 65_200_000_000 and row["released"].isoformat() == "2023-02-24"
    engine.dispose()


def test_curated_ids_are_the_catalogs_records_not_the_imports(
    store_url: str, tiny_catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tiny catalog's six records are curated; after an import (which merges into the bundled
    catalog) the bundled records are, and the models only the import knows are not."""
    from cli_runner import run
    from modelatlas.store.records import load_curated_ids

    catalog = load_valid_catalog(tiny_catalog)
    build_store(catalog, store_url)
    curated = {entry.record.id for entry in catalog.models}
    assert load_curated_ids(store_url) == curated and len(curated) == 6
    listing = Path(__file__).parent / "fixtures" / "epoch" / "notable_ai_models.csv"
    assert run(capsys, "import", "epoch", str(listing), "--db", store_url)[0] == 0
    bundled = {entry.record.id for entry in load_valid_catalog(bundled_catalog()).models}
    assert load_curated_ids(store_url) == bundled
    imported = _model_ids(store_url) - bundled
    assert {"eagle-2", "esm1b"} <= imported


def test_the_stored_analysis_table_is_the_one_the_records_give(
    store_url: str, tiny_catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a build and after an import, the frame and lineage graph read from ``analysis_rows`` equal
    those computed from the stored records: every column, value and dtype, every node and edge."""
    import networkx as nx
    import pandas as pd

    from cli_runner import run
    from modelatlas.analysis.frame import columns_frame, load_frame, model_frame, stored_frame
    from modelatlas.analysis.lineage import columns_graph, lineage_graph, stored_graph
    from modelatlas.store.records import (
        load_analysis_columns,
        load_analysis_rows,
        load_curated_ids,
        load_lineage,
        load_models,
        load_organizations,
    )

    build_store(load_valid_catalog(tiny_catalog), store_url)
    listing = Path(__file__).parent / "fixtures" / "epoch" / "notable_ai_models.csv"
    for step in ("build", "import"):
        if step == "import":
            assert run(capsys, "import", "epoch", str(listing), "--db", store_url)[0] == 0
        models = load_models(store_url)
        computed = model_frame(models, load_organizations(store_url), curated=load_curated_ids(store_url))
        stored = load_frame(store_url)
        pd.testing.assert_frame_equal(stored, computed)
        assert (len(stored) == 6) == (step == "build")
        expected = lineage_graph(models)
        graph = stored_graph(load_analysis_rows(store_url), load_lineage(store_url))
        assert dict(graph.nodes(data=True)) == dict(expected.nodes(data=True))
        assert nx.to_dict_of_dicts(graph) == nx.to_dict_of_dicts(expected)
        assert graph.number_of_edges() >= 3, step
        # the web's reading, column by column through the driver's cursor: the values of the dict a
        # row above, of the same types (SQLite's dates and booleans made date and bool), the same frame
        # (dtypes and order too, versions left out) and graph
        rows = load_analysis_rows(store_url)
        by_column = load_analysis_columns(store_url)
        assert list(by_column) == list(rows[0])
        for column, values in by_column.items():
            assert [(type(v), v) for v in values] == [(type(row[column]), row[column]) for row in rows], (
                column
            )
        assert {type(v) for v in by_column["released"]} <= {dt.date, type(None)}
        assert {type(v) for v in by_column["notable"]} == {bool}
        countries = {oid: org.country for oid, org in load_organizations(store_url).items()}
        read = columns_frame(by_column, countries)
        assert list(read.dtypes) == list(stored.dtypes)
        pd.testing.assert_frame_equal(read, stored, check_exact=True)
        assert len(rows) > len(read) if step == "import" else len(rows) == len(read) == 6  # versions out
        # a chunk keeping none of its rows (versions all), one or several is the frame of its rows
        kept_counts = set()
        for size in (1, 2, 3):
            for start in range(0, len(rows), size):
                part = {column: values[start : start + size] for column, values in by_column.items()}
                chunk = columns_frame(part, countries)
                expected_chunk = stored_frame(rows[start : start + size], countries)
                pd.testing.assert_frame_equal(chunk, expected_chunk, check_exact=True)
                kept_counts.add(len(chunk))
        assert kept_counts >= ({0, 1, 2} if step == "import" else {1, 2, 3})
        quick = columns_graph(by_column, load_lineage(store_url))
        assert list(quick.nodes(data=True)) == list(graph.nodes(data=True))
        assert list(quick.edges(data=True)) == list(graph.edges(data=True))


def test_the_table_read_a_chunk_at_a_time_is_the_table(store_url: str) -> None:
    """``analysis_column_chunks`` gives the rows ``load_analysis_columns`` gives, ``rows`` at a time, in
    order (on PostgreSQL from a cursor on the server), and ``chunks_frame`` of them is the frame of the
    whole table, dtypes and all; ids matching none make the empty frame, of the same dtypes."""
    import pandas as pd

    from modelatlas.analysis.frame import chunks_frame, columns_frame
    from modelatlas.store.records import analysis_column_chunks, load_analysis_columns

    url = store_url
    build_store(load_valid_catalog(bundled_catalog()), url)
    whole = load_analysis_columns(url)
    total = len(whole["id"])
    chunks = list(analysis_column_chunks(url, rows=50))
    assert [len(c["id"]) for c in chunks] == [50] * (total // 50) + [total % 50]
    assert all(list(c) == list(whole) for c in chunks)
    assert {name: [v for c in chunks for v in c[name]] for name in whole} == whole
    frame = columns_frame(whole)
    for rows in (50, 100, total, total + 1):
        joined = chunks_frame(analysis_column_chunks(url, rows=rows))
        assert list(joined.dtypes) == list(frame.dtypes)
        pd.testing.assert_frame_equal(joined, frame, check_exact=True)
    some = sorted(whole["id"])[100:230]
    assert [c["id"] for c in analysis_column_chunks(url, some, rows=100)] == [some[:100], some[100:]]
    nothing = chunks_frame(analysis_column_chunks(url, ["no-such-model"]))
    assert len(nothing) == 0 and list(nothing.dtypes) == list(frame.dtypes)


def test_rebuild_replaces_the_store(store_url: str, tiny_catalog: Path) -> None:
    build_store(load_valid_catalog(tiny_catalog), store_url)
    (tiny_catalog / "models" / "zidong-taichu.yaml").unlink()
    build_store(load_valid_catalog(tiny_catalog), store_url)
    assert "zidong-taichu" not in _model_ids(store_url)
    assert len(_model_ids(store_url)) == 5


def test_failed_build_leaves_previous_store(store_url: str, tiny_catalog: Path, tmp_path: Path) -> None:
    build_store(load_valid_catalog(tiny_catalog), store_url)
    before = _model_ids(store_url)
    (tiny_catalog / "models" / "zidong-taichu.yaml").unlink()
    catalog = load_valid_catalog(tiny_catalog)

    def crash(done: int) -> None:
        if done == 3:
            raise RuntimeError("killed midway")

    with pytest.raises(RuntimeError, match="killed midway"):
        build_store(catalog, store_url, progress=crash)
    assert _model_ids(store_url) == before
    if store_url.startswith("sqlite"):
        assert sorted(p.name for p in tmp_path.iterdir() if p.name != "catalog") == ["store.db"]


def test_unwritable_location_is_a_store_error(tiny_catalog: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="could not write the store"):
        build_store(load_valid_catalog(tiny_catalog), f"sqlite:///{blocker}/sub/store.db")


def test_migrations_create_exactly_the_declared_tables(tmp_path: Path) -> None:
    """Alembic's autogenerate finds nothing to change: the migrations and ``tables.py`` agree (the
    derived tables, ``tables.DERIVED``, are made by their own DDL and left out)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from modelatlas.store.build import migrate

    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.begin() as conn:
        migrate(conn)
        context = MigrationContext.configure(conn, opts={"include_name": T.declared})
        assert compare_metadata(context, T.metadata) == []
    engine.dispose()


def test_schema_revision_is_the_newest_migration() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from modelatlas.store.build import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == T.SCHEMA_REVISION


def test_a_store_of_an_older_schema_asks_for_a_rebuild(
    store_url: str, tiny_catalog: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An older modelatlas's store is refused with one line that says what to do (not a 500 or a trace),
    and `build` brings it to this schema."""
    from sqlalchemy import text

    from cli_runner import run

    build_store(load_valid_catalog(tiny_catalog), store_url)
    engine = make_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0003'"))
    engine.dispose()
    monkeypatch.setenv("MODELATLAS_CATALOG", str(tiny_catalog))
    code, out, err = run(capsys, "list", "--db", store_url)
    assert code == 1 and out == ""
    said = f"has schema 0003, this modelatlas reads {T.SCHEMA_REVISION} (run `modelatlas build` to rebuild it"
    assert said in err
    assert len(err.strip().splitlines()) == 1
    assert run(capsys, "build", "--db", store_url)[0] == 0
    code, out, _ = run(capsys, "list", "--db", store_url, "--format", "csv")
    assert code == 0 and out.count("\n") == 7


def test_a_reference_to_nothing_fails_the_build_and_keeps_the_store(
    store_url: str, tiny_catalog: Path
) -> None:
    """SQLite checks references once after the rows, PostgreSQL row by row: both refuse a lineage edge to
    a model the catalog does not hold, and the previous store stays."""
    catalog = load_valid_catalog(tiny_catalog)
    build_store(catalog, store_url)
    before = _model_ids(store_url)
    at, alpaca = next((i, e) for i, e in enumerate(catalog.models) if e.record.id == "alpaca")
    edge = alpaca.record.base_models[0].model_copy(update={"model": "no-such-model"})
    record = alpaca.record.model_copy(update={"base_models": [edge]})
    catalog.models[at] = dataclasses.replace(alpaca, record=record)
    catalog.models = [e for e in catalog.models if e.record.id != "zidong-taichu"]
    with pytest.raises(StoreError, match="lineage|foreign key|ForeignKey") as info:
        build_store(catalog, store_url)
    assert _model_ids(store_url) == before
    assert len(str(info.value)) < 500  # the driver's message, not every parameter of the statement


def test_the_build_keeps_every_index_the_migrations_make(tmp_path: Path, tiny_catalog: Path) -> None:
    """The build drops SQLite's secondary indexes while it writes and makes them again after."""
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with empty.begin() as conn:
        migrate(conn)
        made = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index'").all()
    empty.dispose()
    url = f"sqlite:///{tmp_path / 'built.db'}"
    build_store(load_valid_catalog(tiny_catalog), url)
    built = make_engine(url)
    with built.connect() as conn:
        kept = set(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index'").all())
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # readers still check
    built.dispose()
    assert len(made) > 30 and set(made) <= kept


@pytest.mark.parametrize(("views", "fork"), [(True, True), (False, True), (True, False)])
def test_the_indexes_and_name_keys_are_sorted_with_a_small_page_cache_then_the_loads_again(
    views: bool, fork: bool, tmp_path: Path, tiny_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's sorter holds up to the page cache's size for each of its threads: the indexes are made,
    the references checked and the name keys sorted with ``INDEX_CACHE_KIB`` (at a million models the
    indexes took 17 s and 55 MB with 8 MB, 28 s and 382 MB with the load's 128 MB), and the cache is the
    load's again for what follows. They are sorted with ``SORT_THREADS`` helper threads, or with none
    while the views' child computes on the other core; then the threads are the load's again. No child
    when the views are not kept, nor when a thread that is not a daemon runs beside the build (a
    process with one may not fork: the views are computed after the build, in its process)."""
    monkeypatch.setenv("MODELATLAS_KEEP_VIEWS", "1" if views else "0")
    said: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        said.append(" ".join(statement.split()))

    done = threading.Event()
    beside = threading.Thread(target=done.wait)
    if not fork:
        beside.start()
    event.listen(Engine, "before_cursor_execute", record)
    try:
        build_store(load_valid_catalog(tiny_catalog), f"sqlite:///{tmp_path / 'built.db'}")
    finally:
        event.remove(Engine, "before_cursor_execute", record)
        done.set()
        if not fork:
            beside.join()
    small = said.index(f"PRAGMA cache_size=-{INDEX_CACHE_KIB}")
    back = said.index(f"PRAGMA cache_size=-{MIN_CACHE_KIB}", small)  # the load's, for six models
    dropped = [statement for statement in said if statement.startswith('DROP INDEX "')]  # the build's
    assert said[small - 2 : small] == ["PRAGMA cache_size", "PRAGMA threads"]
    assert said[small + 1] == f"PRAGMA threads={0 if views and fork else SORT_THREADS}"
    made = said[small + 2 : small + 2 + len(dropped)]
    assert len(dropped) > 30 and all(statement.startswith("CREATE INDEX") for statement in made)
    keys = [i for i, statement in enumerate(said) if statement.startswith("INSERT INTO name_keys")]
    read = 'SELECT DISTINCT model_names."key" FROM model_names ORDER BY model_names."key"'
    keys.insert(0, said.index(read))
    checked = said[small + 2 + len(dropped)]  # the references after the indexes, with the small cache
    listed = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite~_%' ESCAPE '~'"
    assert checked == f"{listed} ORDER BY name"  # SQLAlchemy's inspector, as the check reflects the keys
    assert len(keys) > 1 and small + len(dropped) < keys[0] and keys[-1] < back
    assert said[back + 1] == f"PRAGMA threads={SORT_THREADS}"  # the load's, set as the file was opened
    assert "CREATE INDEX" not in " ".join(said[back:])
    assert INDEX_CACHE_KIB == 8 * 1024
    assert SORT_THREADS == 2


def test_the_loads_page_cache_is_half_a_kib_a_model_from_2_to_16_mb() -> None:
    """A bigger cache made a million-model build no faster (``MAX_CACHE_KIB``), and it is held to the
    build's end: 128 MB of a million-row import's process before 2026-12-06, 16 now."""
    counts = (0, 4_096, 4_098, 10_000, 32_766, 32_768, 40_000, 10**6)
    sizes = {models: _cache_kib(models) for models in counts}
    assert sizes == {
        0: 2_048,
        4_096: 2_048,
        4_098: 2_049,
        10_000: 5_000,
        32_766: 16_383,
        32_768: 16_384,
        40_000: 16_384,
        10**6: 16_384,
    }


def test_a_failed_index_leaves_the_page_cache_as_it_was(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA cache_size=-65536")
        conn.exec_driver_sql("CREATE TABLE t (x)")
        with pytest.raises(OperationalError, match="no such column: y"):
            _index(conn, ["CREATE INDEX t_x ON t (x)", "CREATE INDEX t_y ON t (y)"])
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -65536
        assert conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'").all() == [("t_x",)]
    engine.dispose()


def test_a_store_path_that_is_no_regular_file_is_refused(tiny_catalog: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    with pytest.raises(StoreError, match=r"pipe\.db: it is a FIFO \(named pipe\), not a regular file"):
        build_store(load_valid_catalog(tiny_catalog), f"sqlite:///{fifo}")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    real, link = tmp_path / "real.db", tmp_path / "link.db"
    build_store(load_valid_catalog(tiny_catalog), f"sqlite:///{real}")
    link.symlink_to(real)
    build_store(load_valid_catalog(tiny_catalog), f"sqlite:///{link}")
    assert link.is_symlink() and _model_ids(f"sqlite:///{link}") == _model_ids(f"sqlite:///{real}")


def test_a_rebuild_keeps_the_store_files_permissions(tiny_catalog: Path, tmp_path: Path) -> None:
    """Issue 19: build and import reset the store to 0600 (mkstemp's mode), locking out other readers."""
    store = tmp_path / "store.db"
    umask = os.umask(0o022)
    try:
        build_store(load_valid_catalog(tiny_catalog), f"sqlite:///{store}")
        assert stat.S_IMODE(store.stat().st_mode) == 0o644
        store.chmod(0o640)
        build_store(load_valid_catalog(tiny_catalog), f"sqlite:///{store}")
        assert stat.S_IMODE(store.stat().st_mode) == 0o640
    finally:
        os.umask(umask)


def test_a_build_under_the_lock_removes_killed_builds_leftovers(tiny_catalog: Path, tmp_path: Path) -> None:
    """Issue 19: kill -9 left ``.store.db.*.building`` files, each as large as the store, for good."""
    from modelatlas.sources.ingest import rebuild

    store = tmp_path / "store.db"
    leftover = tmp_path / ".store.db.k1ll3d.building"
    other = tmp_path / ".other.db.k1ll3d.building"  # another store's: not ours to remove
    leftover.write_bytes(b"half a store")
    other.write_bytes(b"half another")
    logs = [tmp_path / f".store.db.k1ll3d.building{suffix}" for suffix in ("-wal", "-shm")]  # store.journal
    for log in logs:
        log.write_bytes(b"its log")
    other_log = tmp_path / ".other.db.k1ll3d.building-wal"
    other_log.write_bytes(b"another's log")
    parts, others = tmp_path / ".store.db.k1ll3d.parts", tmp_path / ".other.db.k1ll3d.parts"
    for folder in (parts, others):  # the children's rows (store.parts)
        folder.mkdir()
        (folder / "part-1-0.db").write_bytes(b"rows")
    rebuild(load_valid_catalog(tiny_catalog), f"sqlite:///{store}", curated_only=True)
    assert not leftover.exists() and other.exists() and store.exists()
    assert not any(log.exists() for log in logs) and other_log.exists()
    assert not parts.exists() and (others / "part-1-0.db").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".building")) == [other.name]


@pytest.mark.parametrize("keep_views", ["0", "1"])
def test_build_says_what_it_does_after_the_models(
    keep_views: str, sqlite_url: str, tiny_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once every model is written the build says it is indexing, then, where the default views are
    kept, that it keeps them: a bar full of models otherwise stood still for minutes at a million."""
    from modelatlas.store.build import STAGES

    monkeypatch.setenv("MODELATLAS_KEEP_VIEWS", keep_views)
    told: list[object] = []
    result = build_store(
        load_valid_catalog(tiny_catalog), sqlite_url, progress=told.append, stage=told.append
    )
    assert STAGES == ("indexing", "keeping the default views")
    assert told[-1 - int(keep_views) :] == list(STAGES[: 1 + int(keep_views)])
    assert told[-2 - int(keep_views)] == 6  # every model written before it indexes
    assert [t for t in told if isinstance(t, str)] == list(STAGES[: 1 + int(keep_views)])
    assert result.views > 0 if keep_views == "1" else result.views == 0


@pytest.mark.parametrize("keep_views", ["0", "1"])
def test_a_build_makes_its_indexes_in_wal_mode_only_beside_its_views_child(
    keep_views: str, tmp_path: Path, tiny_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the views' child reads the file as the indexes are made (``web.early``), the file is in WAL
    mode meanwhile (``store.journal``: the child's read does not hold off the indexes' writes); else it
    has no journal. Either way the store is left in rollback-journal mode, with nothing beside it."""
    from modelatlas.store import build as B

    modes: list[str] = []

    def indexed(conn: Any, statements: Any) -> None:
        _index(conn, statements)
        modes.append(conn.exec_driver_sql("PRAGMA journal_mode").scalar_one())  # as they were written

    monkeypatch.setattr(B, "_index", indexed)
    monkeypatch.setenv("MODELATLAS_KEEP_VIEWS", keep_views)
    (tmp_path / "built").mkdir()
    store = tmp_path / "built" / "store.db"
    result = build_store(load_valid_catalog(tiny_catalog), f"sqlite:///{store}")
    assert modes == (["wal"] if keep_views == "1" else ["off"])
    assert (result.views > 0) is (keep_views == "1")
    assert sorted(p.name for p in store.parent.iterdir()) == ["store.db"]
    assert store.read_bytes()[18:20] == b"\x01\x01"  # the header's rollback-journal mode
    assert _model_ids(f"sqlite:///{store}") == {e.record.id for e in load_valid_catalog(tiny_catalog).models}


def test_rebuild_counts_the_models_it_writes_not_the_curated_ones(sqlite_url: str) -> None:
    """``modelatlas build``'s bar: the merge's rows, then the merged catalog's models (the bar read
    2878/413, the curated count), then the steps that count nothing."""
    from modelatlas.sources.ingest import rebuild

    catalog = load_valid_catalog(bundled_catalog())
    seen: dict[str, list[int]] = {}

    def stages(name: str, steps: int) -> Callable[[int], None]:
        seen[name] = [steps]
        return seen[name].append

    result, _ = rebuild(catalog, sqlite_url, stages=stages)
    assert list(seen) == ["merging", "writing", "indexing"]
    assert seen["writing"][0] == seen["writing"][-1] == result.models == len(_model_ids(sqlite_url))
    assert result.models > len(catalog.models)  # the bundled datasets' models are written too
    assert seen["merging"][0] == seen["merging"][-1] > 0 and seen["indexing"] == [0]


def test_the_stage_bar_names_each_stage_and_counts_what_it_can() -> None:
    import io

    from rich.console import Console

    from modelatlas.cli._output import bar_stages, stage_bar

    out = io.StringIO()
    with stage_bar(Console(file=out, force_terminal=True, width=120), quiet=False) as bar:
        stages = bar_stages(bar, "store")
        stages("merging", 4)(4)
        stages("writing", 10)(7)
        stages("indexing", 0)
        found = [(t.description, t.total, t.completed, t.fields["unit"]) for t in bar.tasks]
        bar.refresh()
    assert found == [
        ("store: merging", 4, 4, "rows"),
        ("store: writing", 10, 7, "models"),
        ("store: indexing", None, 0, "models"),
    ]
    shown = out.getvalue()
    assert "4/4 rows" in shown and "7/10 models" in shown and "0/0" not in shown
