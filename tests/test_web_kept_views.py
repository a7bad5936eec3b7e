"""The default views a build keeps in the store (``web.refresh``, ``web.stored_views``): the same values a
request computes, read by every other worker instead of computed again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, insert, select, update

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import Settings, bundled_catalog
from modelatlas.errors import NotEnoughData
from modelatlas.store import queries as Q
from modelatlas.store import tables as T
from modelatlas.store.browse import added_since
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine
from modelatlas.web import stored_views, views
from modelatlas.web.app import create_app
from modelatlas.web.deps import FEED_SINCE, default_browse, default_trend, feed_selection, new_selection
from modelatlas.web.i18n import said
from modelatlas.web.refresh import refresh

ROOT = Path(__file__).resolve().parent.parent


def _forget() -> None:
    """What a new worker starts with: nothing kept in memory."""
    views._views.clear()
    views._gates.clear()
    views._cache.clear()
    views._fits.clear()
    stored_views._kept_keys.clear()


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    _forget()
    yield
    _forget()


@pytest.fixture(scope="module")
def kept_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled catalog built with its default views kept (as ``modelatlas build`` does)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('kept') / 'store.db'}"
    os.environ["MODELATLAS_KEEP_VIEWS"] = "1"
    try:
        result = build_store(load_valid_catalog(bundled_catalog()), url)
    finally:
        os.environ["MODELATLAS_KEEP_VIEWS"] = "0"
    assert result.views == 26 and 0 < result.views_seconds < result.seconds
    return url


def _kept(url: str) -> dict[str, tuple[str, bytes]]:
    k = T.kept_views.c
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(k.key, k.stamp, k.value)).all()
    engine.dispose()
    return {key: (stamp, bytes(value)) for key, stamp, value in rows}


def test_a_build_keeps_each_default_view_once_under_its_build_stamp(kept_store: str) -> None:
    kept = _kept(kept_store)
    engine = make_engine(kept_store)
    with engine.connect() as conn:
        stamp = Q.build_stamp(conn)
    query = default_trend(engine)
    engine.dispose()
    assert {s for s, _ in kept.values()} == {stamp}
    expected = [
        ("overview", 10),
        ("overview", 30),
        ("browse", default_browse(), True),
        ("browse", default_browse(), False),
        "trend-choices",
        ("domains",),
        ("dense",),
        ("trend", query, "en"),
        ("trend", query, "zh"),
        ("timeline", "en", "year", "domain", None),
        ("timeline", "zh", "quarter", "domain", None),
        ("timeline", "en", "month", "domain", None),
        ("lineage", "en"),
        ("lineage", "zh"),
        ("added", FEED_SINCE, feed_selection()),  # the feed
        ("added", dt.date.today().replace(day=1), new_selection()),  # /new, this month
    ]
    for key in expected:
        assert stored_views.text_of(key) in kept, key
    assert sum(k.startswith("('trend', ") for k in kept) == 8  # 4 metrics × 2 languages


def test_the_kept_views_equal_what_a_request_computes(kept_store: str) -> None:
    engine = make_engine(kept_store)
    kept = _kept(kept_store)
    data = views.analysis(engine, kept_store)
    query = default_trend(engine)

    def stored(key: Any) -> Any:
        return stored_views.decode(key, kept[stored_views.text_of(key)][1])

    fresh = views._trend_view(data, query, "en")
    assert stored(("trend", query, "en")) == fresh
    assert stored(("trend", query, "en"))["fit"]["growth_per_year"] == fresh["fit"]["growth_per_year"]
    assert str(stored(("trend", query, "en"))["chart_json"]) == str(fresh["chart_json"])
    key = ("timeline", "zh", "quarter", "domain", None)
    assert stored(key) == views._timeline_view(data, "zh", freq="quarter", by="domain", since=None)
    lineage = stored(("lineage", "en"))
    assert lineage == views._lineage_view(data, "en")
    assert isinstance(lineage["built_on"][0], tuple)
    with engine.connect() as conn:
        assert stored(("overview", 10)) == Q.overview(conn, newest=10)
        assert stored(("overview", 30)) == Q.overview(conn, newest=30)  # counted once for both
        newest = added_since(conn, FEED_SINCE, feed_selection())
        assert stored(("added", FEED_SINCE, feed_selection())) == newest and len(newest) == 30
    assert stored(("domains",)) == tuple(sorted({d for ds in data.frame["domains"] for d in ds}))
    assert stored(("dense",)) == views.dense_since(data.frame)
    cost = default_trend(engine, "cost")
    try:
        expected: Any = views._trend_view(data, cost, "en")
    except NotEnoughData as exc:
        expected = exc
    found = stored(("trend", cost, "en"))
    assert type(found) is type(expected)
    assert str(found) == str(expected) if isinstance(found, NotEnoughData) else found == expected
    engine.dispose()


def test_a_page_shows_the_kept_view_not_a_computed_one(kept_store: str, tmp_path: Path) -> None:
    """The stored headline, altered, is what the page says: the page read it."""
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    Path(url.removeprefix("sqlite:///")).write_bytes(Path(kept_store.removeprefix("sqlite:///")).read_bytes())
    engine = make_engine(url)
    key = ("trend", default_trend(engine), "en")
    value = stored_views.decode(key, _kept(url)[stored_views.text_of(key)][1])
    value["headline"] = "KEPT HEADLINE 12345"
    k = T.kept_views.c
    with engine.begin() as conn:
        conn.execute(
            update(T.kept_views)
            .where(k.key == stored_views.text_of(key))
            .values(value=stored_views.encode(key, value))
        )
    engine.dispose()
    with TestClient(create_app(Settings(db=url))) as client:
        assert "KEPT HEADLINE 12345" in client.get("/trends?lang=en").text
        assert client.get("/api/v1/trends").json()["headline"] == "KEPT HEADLINE 12345"
    _forget()
    with engine.begin() as conn:  # another build's views are not read
        conn.execute(update(T.kept_views).values(stamp="another build"))
    with TestClient(create_app(Settings(db=url))) as client:
        said = client.get("/api/v1/trends").json()["headline"]
        assert said != "KEPT HEADLINE 12345"


def test_a_question_no_build_keeps_is_not_looked_for(kept_store: str) -> None:
    """The kept keys are read once per build; a new search is not looked up, a kept page still is."""
    engine = make_engine(kept_store)
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: sent.append(" ".join(a[2].split())))
    built = views.stamp(engine)
    page = views.browse_page(engine, default_browse())  # read from the kept views
    assert sum("FROM kept_views" in s for s in sent) == 2  # the keys, then the page's value
    sent.clear()
    assert stored_views.read(engine, built, ("browse", default_browse(), True)) == page
    searched = ("browse", dataclasses.replace(default_browse(), text="llama"), True)
    assert stored_views.read(engine, built, searched) is stored_views.MISSING
    assert stored_views.read(engine, built, ("browse", default_browse(), False)) is not stored_views.MISSING
    assert [s for s in sent if "FROM kept_views" in s] == [
        'SELECT kept_views.value FROM kept_views WHERE kept_views."key" = ? AND kept_views.stamp = ?'
    ] * 2
    engine.dispose()


def test_a_build_that_keeps_no_view_is_asked_again(kept_store: str, tmp_path: Path) -> None:
    """Its views may be written after the worker first asked (``refresh`` at the end of a build)."""
    url = f"sqlite:///{tmp_path / 'late.db'}"
    Path(url.removeprefix("sqlite:///")).write_bytes(Path(kept_store.removeprefix("sqlite:///")).read_bytes())
    engine = make_engine(url)
    rows = _kept(url)
    with engine.begin() as conn:
        conn.execute(T.kept_views.delete())
    built, key = views.stamp(engine), ("browse", default_browse(), True)
    assert stored_views.read(engine, built, key) is stored_views.MISSING
    with engine.begin() as conn:
        conn.execute(insert(T.kept_views), [{"key": k, "stamp": s, "value": v} for k, (s, v) in rows.items()])
    assert stored_views.read(engine, built, key) == views.browse_page(engine, default_browse())
    engine.dispose()


COUNTING = """
import json, sys
from fastapi.testclient import TestClient
from modelatlas.config import Settings
from modelatlas.store import records
from modelatlas.web import views
from modelatlas.web.app import create_app

calls = {"trend": 0, "timeline": 0, "lineage": 0, "overview": 0, "load": 0, "added": 0}

def counted(name, function):
    def call(*args, **kwargs):
        calls[name] += 1
        return function(*args, **kwargs)
    return call

views._trend_view = counted("trend", views._trend_view)
views._timeline_view = counted("timeline", views._timeline_view)
views._lineage_view = counted("lineage", views._lineage_view)
views.Q.overview = counted("overview", views.Q.overview)
views.analysis_column_chunks = counted("load", views.analysis_column_chunks)
views.added_since = counted("added", views.added_since)
statuses = []
with TestClient(create_app(Settings(db=sys.argv[1]))) as client:
    for path in ("/", "/trends", "/trends?metric=compute", "/timeline", "/timeline?freq=month",
                 "/lineage", "/api/v1/trends", "/api/v1/trends?metric=tokens", "/models",
                 "/api/v1/models", "/hardware", "/?lang=zh", "/feed.atom", "/new"):
        statuses.append(client.get(path).status_code)
print(json.dumps({"calls": calls, "statuses": statuses}))
"""


def _serve_and_count(url: str) -> dict[str, Any]:
    """A new process serving ``url`` asks every default page: what it had to compute."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MODELATLAS_WARM": "0"}
    done = subprocess.run(
        [sys.executable, "-c", COUNTING, url], capture_output=True, text=True, env=env, check=True
    )
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["statuses"] == [200] * 14
    return found


def test_another_worker_reads_the_kept_views_and_computes_none(kept_store: str) -> None:
    found = _serve_and_count(kept_store)
    assert found["calls"] == {"trend": 0, "timeline": 0, "lineage": 0, "overview": 0, "load": 0, "added": 0}


def test_a_store_without_kept_views_computes_them_as_before(kept_store: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    Path(url.removeprefix("sqlite:///")).write_bytes(Path(kept_store.removeprefix("sqlite:///")).read_bytes())
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(T.kept_views.delete())
    engine.dispose()
    found = _serve_and_count(url)
    # /, /trends and the API share the parameters fit; compute and tokens in en, the zh home page's own;
    # the home page's overview and the timeline's newest share its counts
    assert found["calls"] == {"trend": 4, "timeline": 4, "lineage": 1, "overview": 1, "load": 1, "added": 2}
    assert refresh(url) == 26
    assert _serve_and_count(url)["calls"]["trend"] == 0


def test_a_kept_not_enough_data_is_raised_again() -> None:
    key = ("trend", "anything", "en")
    kept = NotEnoughData("only 2 models", key="err_too_few", values={"metric": "cost", "n": 2})
    found = stored_views.decode(key, stored_views.encode(key, kept))
    assert isinstance(found, NotEnoughData) and str(found) == "only 2 models"
    assert (found.key, dict(found.values)) == ("err_too_few", {"metric": "cost", "n": 2})
    assert said(found, "zh") == said(kept, "zh") != said(kept, "en")
    value = {"chart": {"mark": "point"}, "chart_json": "left out", "n": 3}
    assert stored_views.decode(key, stored_views.encode(key, value)) == {
        "chart": {"mark": "point"},
        "chart_json": views.embed({"mark": "point"}),
        "n": 3,
    }


def test_a_postgresql_build_keeps_its_views_and_a_worker_reads_them(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELATLAS_KEEP_VIEWS", "1")
    result = build_store(load_valid_catalog(bundled_catalog()), postgres_url)
    assert result.views == 26
    engine = make_engine(postgres_url)
    data = views.analysis(engine, postgres_url)
    query = default_trend(engine)
    kept = _kept(postgres_url)
    key = ("trend", query, "zh")
    assert stored_views.decode(key, kept[stored_views.text_of(key)][1]) == views._trend_view(
        data, query, "zh"
    )
    engine.dispose()
    _forget()
    assert _serve_and_count(postgres_url)["calls"] == {
        "trend": 0,
        "timeline": 0,
        "lineage": 0,
        "overview": 0,
        "load": 0,
        "added": 0,
    }


def test_a_model_pages_family_is_read_without_the_analysis_table(kept_store: str) -> None:
    """A model page's family comes from the lineage edges and the family's own rows: the same nodes,
    attributes, edges and order as from the whole graph, without loading the analysis table; a model
    without lineage has none either way."""
    engine = make_engine(kept_store)
    try:
        lazy = views.Analysis("lazy", engine, kept_store, None)
        full = views.Analysis("full", engine, kept_store, None)
        ids = sorted(full.graph.nodes)
        sizes = []
        for model_id in ids:
            read, whole = lazy.family(model_id), full.family(model_id)
            if whole is None:
                assert read is None, model_id
                continue
            assert read is not None, model_id
            assert list(read.nodes(data=True)) == list(whole.nodes(data=True)), model_id
            assert list(read.edges(data=True)) == list(whole.edges(data=True)), model_id
            sizes.append(len(whole))
        assert lazy._frame is None and lazy._graph is None  # the table was never read
        assert lazy.family("no-such-model") is None
        assert (len(sizes), max(sizes), min(sizes)) == (124, 8, 2)
        family = lazy.family("vicuna")
        assert family is not None and list(family.nodes) == ["llama", "llava", "vicuna"]
        assert list(family.edges) == [("llama", "vicuna"), ("vicuna", "llava")]
        assert family.nodes["llama"]["name"] == full.graph.nodes["llama"]["name"]
    finally:
        engine.dispose()


def test_warming_reads_the_analysis_table_only_up_to_its_size(
    kept_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker warming a store of up to ``LOAD_TABLE_UP_TO`` models reads the analysis table (the
    bundled catalog's 413 models), so a question no view was kept for does not wait for it; above it,
    it does not read it (a million models' table is about 6 GB a worker)."""
    from modelatlas.web import refresh as R

    engine = make_engine(kept_store)
    settings = Settings(db=kept_store)
    try:
        monkeypatch.setattr(R, "LOAD_TABLE_UP_TO", 412)
        R.warm(engine, settings)
        assert views.analysis(engine, kept_store)._frame is None
        _forget()
        monkeypatch.setattr(R, "LOAD_TABLE_UP_TO", 413)
        R.warm(engine, settings)
        assert views.analysis(engine, kept_store)._graph is not None
    finally:
        engine.dispose()


def test_views_computed_in_forked_children_are_the_same_bytes(
    kept_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``refresh`` shares the views with two forked children: it keeps the same 26 views, byte for byte,
    as computing them all in this process, and this process computes none of those the children do."""
    from modelatlas.web import refresh as R

    calls = {"timeline": 0, "overview": 0, "trend": 0}

    def counted(name: str, function: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return function(*args, **kwargs)

        return call

    monkeypatch.setattr(views, "_timeline_view", counted("timeline", views._timeline_view))
    monkeypatch.setattr(views.Q, "overview", counted("overview", views.Q.overview))
    monkeypatch.setattr(views, "_trend_view", counted("trend", views._trend_view))
    kept: dict[bool, dict[str, tuple[str, bytes]]] = {}
    for forks in (True, False):
        url = f"sqlite:///{tmp_path / f'forks-{forks}.db'}"
        Path(url.removeprefix("sqlite:///")).write_bytes(
            Path(kept_store.removeprefix("sqlite:///")).read_bytes()
        )
        monkeypatch.setattr(R, "may_fork", lambda forks=forks: forks)
        _forget()
        assert refresh(url) == 26
        kept[forks] = _kept(url)
        # forked: the timelines and the overviews in the children, the trends here (8: 4 metrics × 2
        # languages); in one process, all here (6 timelines: 3 periods × 2 languages)
        assert calls == (
            {"timeline": 0, "overview": 0, "trend": 8}
            if forks
            else {"timeline": 6, "overview": 1, "trend": 8}
        )
        calls.update(timeline=0, overview=0, trend=0)
    assert len(kept[True]) == 26 and kept[True] == kept[False] == _kept(kept_store)


@pytest.mark.parametrize("frontier", [False, True])
@pytest.mark.parametrize("metric", ["parameters", "compute", "tokens", "cost"])
def test_a_trend_fitted_on_its_columns_is_the_trend_fitted_on_every_column(
    kept_store: str, metric: str, frontier: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trend's fit and chart read only ``TREND_COLUMNS`` (and the metrics with their kinds) of the rows
    the filters keep: the same view, to the byte, as from every column of the table."""
    engine = make_engine(kept_store)
    try:
        data = views.analysis(engine, kept_store)
        query = dataclasses.replace(default_trend(engine, metric), frontier=frontier)
        narrow = views._trend_view(data, query, "zh")
        views._fits.clear()
        monkeypatch.setattr(views, "TREND_COLUMNS", tuple(data.frame.columns))
        wide = views._trend_view(data, query, "zh")
    finally:
        engine.dispose()
    assert narrow["chart_json"] == wide["chart_json"] and narrow == wide
    assert narrow["fit"]["n"] > 3


def test_a_sqlite_build_computes_the_tables_views_while_it_makes_its_indexes(
    kept_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SQLite build starts the views the analysis table gives in a child once its rows are in, before
    its indexes (``web.early.Early``); all 26 are kept in its file before it takes the store's place, the
    same, byte for byte, as ``refresh`` computes from the finished store. The child keeps them itself:
    the build's process never receives them."""
    from modelatlas.store import build as B
    from modelatlas.web import early as E
    from modelatlas.web import refresh as R

    happened: list[str] = []
    early, index = E.Early.__init__, B._index

    def started(self: E.Early, url: str) -> None:
        happened.append("views started")
        early(self, url)

    def indexed(conn: Any, statements: Any) -> None:
        happened.append("indexes")
        index(conn, statements)

    from modelatlas.web import stored_views

    keep, keepers = stored_views.keep, tmp_path / "keepers"

    def kept_by(engine: Any, compute: Any) -> int:
        with keepers.open("a") as out:  # the child's too: it is forked with this patch
            out.write(f"{os.getpid()}\n")
        return keep(engine, compute)

    monkeypatch.setattr(E.Early, "__init__", started)
    monkeypatch.setattr(B, "_index", indexed)
    monkeypatch.setattr(stored_views, "keep", kept_by)
    monkeypatch.setenv("MODELATLAS_KEEP_VIEWS", "1")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = build_store(load_valid_catalog(bundled_catalog()), url)
    assert happened == ["views started", "indexes"]
    assert result.views == 26
    (keeper,) = keepers.read_text().split()  # the child kept them: this process never held them
    assert int(keeper) != os.getpid()
    built = {key: value for key, (_, value) in _kept(url).items()}
    assert multiprocessing.active_children() == []
    _forget()
    monkeypatch.setattr(R, "may_fork", lambda: False)
    assert refresh(url) == 26
    assert {key: value for key, (_, value) in _kept(url).items()} == built
    assert len({stamp for stamp, _ in _kept(url).values()}) == 1


def test_a_build_whose_views_fail_keeps_the_previous_store(
    kept_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The views are kept before the file takes the store's place: when the child computing them fails,
    the build fails and the store is the one before it, with its views (no child or file left)."""
    from modelatlas.web import refresh as R

    store = tmp_path / "store.db"
    store.write_bytes(Path(kept_store.removeprefix("sqlite:///")).read_bytes())
    before = store.read_bytes()

    def fail(*_: Any) -> None:
        raise ValueError("no trends today")

    monkeypatch.setattr(R, "_trends", fail)  # in the child, forked after this
    monkeypatch.setenv("MODELATLAS_KEEP_VIEWS", "1")
    with pytest.raises(ValueError, match="no trends today"):
        build_store(load_valid_catalog(bundled_catalog()), f"sqlite:///{store}")
    assert store.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]
    assert multiprocessing.active_children() == []


def test_a_build_that_fails_before_its_indexes_stops_its_views_child_at_once(
    kept_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child computing the views waits to be told the indexes are made (``web.early``); a build that
    fails before closes the pipe, and the child ends as soon as its table's views are done, not after
    the minute ``Early.end`` waits before ending it. The store is the one before the build."""
    from modelatlas.errors import StoreError
    from modelatlas.store import build as B

    store = tmp_path / "store.db"
    store.write_bytes(Path(kept_store.removeprefix("sqlite:///")).read_bytes())
    before = store.read_bytes()

    def fail(*_: Any) -> None:
        raise StoreError("no indexes today")

    monkeypatch.setattr(B, "_index", fail)
    monkeypatch.setenv("MODELATLAS_KEEP_VIEWS", "1")
    started = time.perf_counter()
    with pytest.raises(StoreError, match="no indexes today"):
        build_store(load_valid_catalog(bundled_catalog()), f"sqlite:///{store}")
    assert time.perf_counter() - started < 45
    assert store.read_bytes() == before
    assert multiprocessing.active_children() == []


def test_a_catalog_elsewhere_finds_the_kept_hardware_suggestions(
    kept_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suggestions' key names the bundled configs by their files, not the catalog's path: a server
    whose catalog is a copy elsewhere reads the kept view instead of reading the whole analysis table to
    compute it (2.3 GB a worker at a million models). Another set of configs is another key."""
    import shutil
    from collections import OrderedDict

    from modelatlas.web.hardware import Hardware

    copy = tmp_path / "catalog"
    shutil.copytree(bundled_catalog(), copy)

    def no_table(_: object) -> None:
        raise AssertionError("the analysis table was read")

    monkeypatch.setattr(views.Analysis, "_load_frame", no_table)
    engine = make_engine(kept_store)
    try:
        monkeypatch.setattr(views, "_views", OrderedDict())
        found = Hardware(Settings(db=kept_store, catalog=copy), engine).suggestions()
        assert len(found) > 10 and found == Hardware(Settings(db=kept_store), engine).suggestions()
        extra = copy / "configs" / "someone" / "tiny.json"
        extra.parent.mkdir()
        extra.write_text('{"model_type": "llama"}')
        monkeypatch.setattr(views, "_views", OrderedDict())
        with pytest.raises(AssertionError, match="the analysis table was read"):
            Hardware(Settings(db=kept_store, catalog=copy), engine).suggestions()
    finally:
        engine.dispose()
