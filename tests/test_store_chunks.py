"""store.chunks: the rows made in forked processes are the rows made in a thread, row for row; a child
that fails or dies fails the build and leaves the previous store."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections.abc import Callable, Generator
from functools import partial
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from modelatlas._children import Turn
from modelatlas.catalog.loader import Catalog
from modelatlas.catalog.schema import Model
from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.errors import StoreError
from modelatlas.sources import merge
from modelatlas.sources._shelf import ModelShelf
from modelatlas.store import chunks as C
from modelatlas.store import parts as P
from modelatlas.store import rows as R
from modelatlas.store import tables as T
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine

#: Small chunks, parts and slices, so that the bundled catalog (413 models) is made by 5 children, 2 chunks
#: each, written in parts of 50 models on SQLite (``store.parts``).
SMALL = {"CHUNK": 50, "SLICE": 100, "FORK_FROM": 2, "PART": 50}


@pytest.fixture(scope="module")
def bundled() -> Catalog:
    return load_valid_catalog(bundled_catalog())


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Small chunks; the forked path taken (pytest's own threads aside); the number of models each
    forked build was given."""
    for name, value in SMALL.items():
        monkeypatch.setattr(C, name, value)
    monkeypatch.setattr(C, "may_fork", lambda: True)
    given: list[int] = []
    forked = C._forked

    def counted(models: list[Any], maker: C.Maker, folder: Path | None = None) -> Generator[Any, None, None]:
        given.append(len(models))
        return forked(models, maker, folder)

    monkeypatch.setattr(C, "_forked", counted)
    return given


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in the order they were written (rowid), the FTS5 table through its columns;
    the time and id of the build left out."""
    db = sqlite3.connect(path)
    try:
        listed = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        names = [n for (n,) in listed]
        found = {}
        for name in names:
            if name.startswith(("model_text_", "sqlite_")) or name == "alembic_version":
                continue
            where = " WHERE key NOT IN ('built_at', 'build_id')" if name == "build_info" else ""
            try:
                found[name] = db.execute(f'SELECT rowid, * FROM "{name}"{where} ORDER BY rowid').fetchall()
            except sqlite3.OperationalError:  # WITHOUT ROWID
                found[name] = db.execute(f'SELECT * FROM "{name}"{where}').fetchall()
        return found
    finally:
        db.close()


def test_forked_children_write_the_rows_a_thread_writes(
    bundled: Catalog, forks: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the children write parts (``store.parts``): their rows, copied in, are the rows the
    thread's chunks write, row for row and in the same order, the facet combinations numbered alike."""
    copied: list[int] = []

    def counted(conn: Any, part: P.Part, *args: Any) -> None:
        copied.append(part.models)
        assert part.path.parent.name.startswith(".forked.db.") and part.path.parent.name.endswith(".parts")
        P.copy_part(conn, part, *args)
        assert not part.path.exists()

    monkeypatch.setattr("modelatlas.store.build.copy_part", counted)
    done: list[int] = []
    build_store(bundled, f"sqlite:///{tmp_path / 'forked.db'}", progress=done.append)
    assert forks == [413]
    assert copied == [50, 50] * 4 + [13]  # slices of 100 models in parts of 50, and the last 13
    assert done == list(range(1, 414))  # once a model, in order, as the thread's build says it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forked.db"]  # the parts' folder removed
    monkeypatch.setattr(C, "may_fork", lambda: False)
    build_store(bundled, f"sqlite:///{tmp_path / 'threaded.db'}")
    assert forks == [413]  # the second build made its rows in a thread
    forked, threaded = _rows(tmp_path / "forked.db"), _rows(tmp_path / "threaded.db")
    assert forked.keys() == threaded.keys()
    for name, rows in threaded.items():
        assert forked[name] == rows, name
    assert len(forked["models"]) == 413 and len(forked["model_facets"]) == 413
    assert len(forked["model_text"]) == 413 and len(forked["lineage"]) == 92
    assert multiprocessing.active_children() == []


def test_forked_on_postgres_too(postgres_url: str, bundled: Catalog, forks: list[int]) -> None:
    build_store(bundled, postgres_url)
    assert forks == [413]
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            ids = list(conn.execute(select(T.models.c.id).order_by(T.models.c.id)).scalars())
            edges = conn.execute(select(T.lineage.c.model_id)).all()
    finally:
        engine.dispose()
    assert ids == sorted(e.record.id for e in bundled.models)
    assert len(edges) == sum(len(e.record.base_models) for e in bundled.models)


def _failing_in_child(monkeypatch: pytest.MonkeyPatch, fail: Callable[[], None], at: str) -> None:
    """``model_rows`` runs ``fail`` for the model ``at`` (in a child: the parent makes no rows)."""
    made = R.model_rows

    def model_rows(model: Any, path: Path, record_json: str | None = None) -> Any:
        if model.id == at:
            fail()
        return made(model, path, record_json)

    monkeypatch.setattr(R, "model_rows", model_rows)


def _crash() -> None:
    raise ValueError("no rows for you")


def test_what_a_child_raises_fails_the_build_and_keeps_the_store(
    bundled: Catalog, forks: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    build_store(bundled, url)
    before = (tmp_path / "store.db").read_bytes()
    _failing_in_child(monkeypatch, _crash, bundled.models[250].record.id)  # the third child's
    with pytest.raises(ValueError, match="no rows for you"):
        build_store(bundled, url)
    assert (tmp_path / "store.db").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]
    assert multiprocessing.active_children() == []


def test_a_failed_write_ends_the_children_at_once(bundled: Catalog, forks: list[int], tmp_path: Path) -> None:
    """A failure in the build's process (here its progress callback) ends the children before the
    build raises, not when the traceback is let go."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    build_store(bundled, url)
    before = (tmp_path / "store.db").read_bytes()

    def stop(done: int) -> None:
        if done == 150:
            raise RuntimeError("stopped at 150")

    try:
        build_store(bundled, url, progress=stop)
    except RuntimeError as exc:
        assert str(exc) == "stopped at 150"
        assert multiprocessing.active_children() == []  # the traceback is still held here
    else:
        raise AssertionError("the build did not fail")
    assert (tmp_path / "store.db").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]


def test_a_child_that_dies_fails_the_build_and_keeps_the_store(
    bundled: Catalog, forks: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    build_store(bundled, url)
    before = (tmp_path / "store.db").read_bytes()
    _failing_in_child(monkeypatch, lambda: os._exit(3), bundled.models[120].record.id)
    with pytest.raises(StoreError, match=r"ended unexpectedly \(exit code 3\)"):
        build_store(bundled, url)
    assert (tmp_path / "store.db").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]
    assert multiprocessing.active_children() == []


def test_a_small_or_streamed_catalog_is_made_in_a_thread(
    bundled: Catalog, forks: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(C, "FORK_FROM", 414)
    build_store(bundled, f"sqlite:///{tmp_path / 'small.db'}")
    monkeypatch.setattr(C, "FORK_FROM", 2)
    streamed = Catalog(root=bundled.root, organizations=bundled.organizations)
    streamed.models = tuple(bundled.models)  # type: ignore[assignment]
    streamed.techniques, streamed.benchmarks = bundled.techniques, bundled.benchmarks
    build_store(streamed, f"sqlite:///{tmp_path / 'streamed.db'}")
    assert forks == []
    assert _rows(tmp_path / "small.db") == _rows(tmp_path / "streamed.db")


def test_a_merged_catalog_is_decoded_in_the_child(
    bundled: Catalog, forks: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A merge's catalog, as JSON on disk (``sources.merge``): its text goes to two children in turn, which
    decode it; the rows are the thread's, whether a model was held decoded or only on disk."""
    monkeypatch.setattr(merge, "ModelShelf", partial(ModelShelf, cached=100))  # most only on disk
    merged = merge.Merger(bundled).catalog()
    assert isinstance(merged.models, C.Encoded)
    decoded = [(merged.models.decode(body), path) for body, path in merged.models.encoded()]
    assert decoded == [(e.record, str(e.path)) for e in merged.models]
    fed = C._fed
    given: list[int] = []

    def counted(models: C.Encoded, maker: C.Maker, folder: Path | None = None) -> Generator[Any, None, None]:
        given.append(len(decoded))
        return fed(models, maker, folder)

    monkeypatch.setattr(C, "_fed", counted)
    copied: list[int] = []

    def parts(conn: Any, part: P.Part, *args: Any) -> None:
        copied.append(part.models)
        P.copy_part(conn, part, *args)

    monkeypatch.setattr("modelatlas.store.build.copy_part", parts)
    here, encode = os.getpid(), Model.record_json

    def encoded_here(model: Model) -> str:  # a child keeps the text it decoded: it encodes nothing again
        assert os.getpid() == here, f"a decoding child encoded {model.id} again"
        return encode(model)

    monkeypatch.setattr(Model, "record_json", encoded_here)
    build_store(merged, f"sqlite:///{tmp_path / 'fed.db'}")
    assert given == [413] and forks == []
    assert copied == [50] * 8 + [13]  # fed in parts' worth, written in parts
    monkeypatch.setattr(C, "may_fork", lambda: False)
    build_store(merged, f"sqlite:///{tmp_path / 'threaded.db'}")
    assert given == [413]
    assert _rows(tmp_path / "fed.db") == _rows(tmp_path / "threaded.db")
    assert multiprocessing.active_children() == []


def test_a_chunk_keeps_the_text_its_models_were_read_from(bundled: Catalog) -> None:
    """``Maker.make`` keeps each model's ``record_json`` as it is given (``_fed``'s children: the text the
    shelf kept and they decoded), not encoded again; not given, the model's own ``Model.record_json``."""
    entries = bundled.models[:3]
    organizations = {o.record.id: o.record for o in bundled.organizations}
    maker = C.Maker(make_engine("sqlite://").dialect, organizations, None)
    own = [e.record.record_json() for e in entries]
    given = [orjson.dumps(dict(reversed(orjson.loads(text).items()))).decode() for text in own]
    assert given != own  # the same records, their keys in another order
    assert [Model.model_validate_json(text) for text in given] == [e.record for e in entries]

    def kept(chunk: C.Chunk) -> list[Any]:
        models = next(p for p in chunk.tables if p.table == "models")
        at = models.columns.index("record_json")
        return [row[at] for row in models.values]

    assert kept(maker.make(entries, text_rows=True, encoded=given)) == given
    assert kept(maker.make(entries, text_rows=True)) == own
    assert kept(maker.make(entries)) == own  # one statement's rows (a thread's chunk): the same


def test_what_the_decoding_child_raises_fails_the_build(
    bundled: Catalog, forks: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    merged = merge.Merger(bundled).catalog()
    _failing_in_child(monkeypatch, _crash, bundled.models[300].record.id)
    with pytest.raises(ValueError, match="no rows for you"):
        build_store(merged, f"sqlite:///{tmp_path / 'store.db'}")
    assert list(tmp_path.iterdir()) == []
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(("part", "fed"), [(413, 2), (207, 2), (138, 2), (100, 3)])
def test_a_merged_catalog_in_fewer_batches_than_children_or_more(
    bundled: Catalog, forks: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part: int, fed: int
) -> None:
    """Each child of ``_fed`` sends one message a batch, taken in turns: one batch for two children, as
    many as the children, or more (not a multiple of them) give the thread's rows, and every child ends.
    A batch goes down the pipe a chunk's models (50) at a time, a part's last piece what is left of it."""
    merged = merge.Merger(bundled).catalog()
    monkeypatch.setattr(C, "PART", part)
    monkeypatch.setattr(C, "FED", fed)
    sent: list[int | None] = []
    send_batch = C._give_batch

    def recorded(feed: Turn, encoded: Any, size: int) -> None:
        pipe = feed.send

        class Recording:
            def send(self, piece: list[Any] | None) -> None:
                sent.append(None if piece is None else len(piece))
                pipe.send(piece)

        feed.send = Recording()  # type: ignore[assignment]
        try:
            send_batch(feed, encoded, size)
        finally:
            feed.send = pipe

    monkeypatch.setattr(C, "_give_batch", recorded)
    build_store(merged, f"sqlite:///{tmp_path / 'fed.db'}")
    assert multiprocessing.active_children() == []
    pieces = [n for n in sent if n is not None]
    whole, rest = divmod(part, 50)
    one_batch = [50] * whole + ([rest] if rest else [])
    assert pieces[: len(one_batch)] == one_batch and sum(pieces) == 413 and sent.count(None) == fed
    monkeypatch.setattr(C, "may_fork", lambda: False)
    build_store(merged, f"sqlite:///{tmp_path / 'threaded.db'}")
    assert _rows(tmp_path / "fed.db") == _rows(tmp_path / "threaded.db")
