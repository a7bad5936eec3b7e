"""modelatlas.web.views: what the pages compute, once per store build and question."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.errors import NotEnoughData
from modelatlas.live.targets import targets
from modelatlas.store import tables as T
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine
from modelatlas.store.records import load_models
from modelatlas.web import views


@pytest.fixture(autouse=True)
def _fresh_views() -> None:
    views._views.clear()
    views._gates.clear()


def test_per_build_computes_once_per_build_and_key() -> None:
    calls: list[str] = []

    def compute(value: str) -> str:
        calls.append(value)
        return value

    assert views.per_build("b1", "k", lambda: compute("one")) == "one"
    assert views.per_build("b1", "k", lambda: compute("two")) == "one"  # kept
    assert views.per_build("b1", "other", lambda: compute("three")) == "three"  # another key
    assert views.per_build("b2", "k", lambda: compute("four")) == "four"  # a new build
    assert views.per_build("b2", "other", lambda: compute("five")) == "five"  # the old build's are gone
    assert calls == ["one", "three", "four", "five"]


def test_per_build_keeps_a_bounded_number_of_views_the_least_recently_used_going_first() -> None:
    for i in range(views.MAX_VIEWS):
        views.per_build("b", i, lambda i=i: i)
    views.per_build("b", 0, lambda: -1)  # used again: now the newest
    views.per_build("b", "new", lambda: "new")
    assert len(views._views) == views.MAX_VIEWS
    assert views.per_build("b", 0, lambda: -1) == 0
    assert views.per_build("b", 1, lambda: -1) == -1  # the least recently used went


def test_an_error_is_not_kept_and_leaves_no_gate_behind() -> None:
    from modelatlas.errors import BadArgument

    def broken() -> str:
        raise BadArgument("freq 'decade': choose month, quarter or year")

    with pytest.raises(BadArgument):
        views.per_build("b", "k", broken)
    assert views._gates == {} and ("b", "k") not in views._views
    assert views.per_build("b", "k", lambda: "fixed") == "fixed"  # the next caller tries again


def test_per_build_keeps_not_enough_data_as_an_answer() -> None:
    calls = []

    def compute() -> str:
        calls.append(1)
        raise NotEnoughData("no model has a release date")

    for _ in range(2):
        with pytest.raises(NotEnoughData, match="no model has a release date"):
            views.per_build("b", "k", compute)
    assert calls == [1]


def test_a_kept_not_enough_data_holds_nothing_the_computation_read() -> None:
    """The kept answer is the error without the frames it was raised through (they held a trend's
    selected rows: 150 MB a metric and language at a million models, kept as long as the view), and
    each caller gets an error of its own: a kept one raised again would gather each raiser's frames."""
    import weakref

    class Rows:  # what a computation reads
        pass

    seen: list[weakref.ref[Rows]] = []

    def compute() -> str:
        rows = Rows()
        seen.append(weakref.ref(rows))
        raise NotEnoughData(
            "fewer than three models have the metric", advice="widen", key="err_too_few", values={"n": 2}
        )

    raised = []
    for _ in range(3):
        with pytest.raises(NotEnoughData, match="fewer than three models") as caught:
            views.per_build("b", "rows", compute)
        raised.append(caught.value)
    assert len(seen) == 1 and seen[0]() is None  # computed once, its rows let go
    assert len({id(e) for e in raised}) == 3 and {type(e) for e in raised} == {NotEnoughData}
    assert all(e.__context__ is None and e.__cause__ is None for e in raised)
    assert [(e.advice, e.key, dict(e.values)) for e in raised] == [("widen", "err_too_few", {"n": 2})] * 3


def test_repo_owners_are_the_sync_targets_of_the_stored_records(tmp_path: Path) -> None:
    """Read from ``model_refs``, the owners of every Hub repo, paper and GitHub repository are those
    ``live.targets`` finds in the full records, in the same order."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    build_store(load_valid_catalog(bundled_catalog()), url)
    expected = {(t.source, t.ref): t.models for found in targets(load_models(url)).values() for t in found}
    engine = make_engine(url)
    try:
        owners = views.repo_owners(engine, url)
    finally:
        engine.dispose()
    assert owners == expected
    assert len(expected) > 300 and any(len(models) > 1 for models in expected.values())
    assert {source for source, _ in owners} == {"hf", "arxiv", "github"}


def test_two_stores_built_in_one_second_never_share_a_view(tmp_path: Path, tiny_catalog: Path) -> None:
    """The stamp tells stores and builds apart (not only ``built_at``, which has one-second steps), so a
    process serving one store never answers from another's views; a rebuild gets a new stamp."""
    catalog = load_valid_catalog(tiny_catalog)
    urls = [f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db")]
    for url in urls:
        build_store(catalog, url)
    engines = [make_engine(url) for url in urls]
    try:
        first, second = (views.stamp(engine) for engine in engines)
        assert first != second
        assert views.stamp(engines[0]) == first  # the same build: the same stamp
        build_store(catalog, urls[0])
        engines[0].dispose()
        assert views.stamp(engines[0]) != first
    finally:
        for engine in engines:
            engine.dispose()
    same_place = [f"sqlite:///{tmp_path / 'c.db'}"] * 2
    stamps = []
    for url in same_place:  # the same file built twice, both builds dated the same second
        build_store(catalog, url)
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                T.build_info.update()
                .where(T.build_info.c.key == "built_at")
                .values(value="2026-01-01T00:00:00+00:00")
            )
        stamps.append(views.stamp(engine).split("@", 1)[1])
        engine.dispose()
    assert stamps[0].split()[0] == stamps[1].split()[0] == "2026-01-01T00:00:00+00:00"
    assert stamps[0] != stamps[1]  # told apart by the build's id


def test_callers_asking_at_once_wait_for_one_computation() -> None:
    """Eight threads ask for the same missing value while it is being computed: it is computed once and
    all eight get it; a different key is answered meanwhile, not held up behind it."""
    import threading

    calls: list[str] = []
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        calls.append("slow")
        started.set()
        release.wait(10)
        return "value"

    answers: list[str] = []
    threads = [
        threading.Thread(target=lambda: answers.append(views.per_build("b", "k", slow))) for _ in range(8)
    ]
    threads[0].start()
    assert started.wait(10)
    for thread in threads[1:]:
        thread.start()
    assert views.per_build("b", "other", lambda: "quick") == "quick"
    assert not release.is_set() and threads[0].is_alive()  # answered while the slow one still ran
    release.set()
    for thread in threads:
        thread.join(10)
    assert answers == ["value"] * 8 and calls == ["slow"]
    assert views._gates == {}


def test_hardware_suggestions_read_only_the_records_they_can_suggest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The field's suggestions, from the records of the configured and newest notable models only, are
    what every model's sizes give under the same rule (with only the 10 newest notable suggested, so that
    the configured models must be found by their bundled configs)."""
    from modelatlas.analysis.hardware.subjects import catalog_subjects
    from modelatlas.config import Settings
    from modelatlas.web import hardware as web_hardware
    from modelatlas.web.hardware import Hardware

    monkeypatch.setattr(web_hardware, "MAX_SUGGESTED", 10)
    MAX_SUGGESTED = 10

    url = f"sqlite:///{tmp_path / 'store.db'}"
    build_store(load_valid_catalog(bundled_catalog()), url)
    settings = Settings(db=url)
    engine = make_engine(url)
    try:
        hardware = Hardware(settings, engine)
        frame = views.analysis(engine, url).frame
        newest = set(
            frame[frame["notable"]].sort_values("released", ascending=False)["id"].head(MAX_SUGGESTED)
        )
        every = catalog_subjects(load_models(url), hardware.configs_dir)
        expected = sorted(
            {n for s in every if s.count.exact or s.model_id in newest for n in (s.model_id, s.title) if n},
            key=lambda n: (n.lower(), n),
        )
        assert hardware.suggestions() == expected
        exact = {s.model_id for s in every if s.count.exact}
        assert len(exact) >= 30 and len(exact - newest) >= 25  # most come in by their configs
    finally:
        engine.dispose()


def test_warming_compiles_every_template_reads_the_cards_and_freezes(
    tmp_path: Path, tiny_catalog: Path
) -> None:
    """Before the first visitor: each page's template compiled (the hardware page's took 0.3 s of CPU on
    its first visit at 100,000 models) and the card list read; none of it before warming."""
    from modelatlas.config import Settings
    from modelatlas.web.app import _warm, create_app
    from modelatlas.web.hardware import Hardware

    url = f"sqlite:///{tmp_path / 'store.db'}"
    build_store(load_valid_catalog(tiny_catalog), url)
    settings = Settings(db=url)
    app = create_app(settings)
    env = app.state.templates.env
    names = set(env.list_templates(extensions=["html", "xml"]))
    assert {"hardware.html", "models.html", "feed.xml"} <= names

    def compiled() -> set[str]:
        return {name for _, name in env.cache.keys()} if env.cache is not None else set()

    Hardware._tables.clear()
    assert compiled() == set()
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        _warm(settings, app.state.engine, app.state.templates)
        assert compiled() == names
        assert len(Hardware._tables) == (1 if (settings.catalog / "gpus.yaml").exists() else 0)
        # and what it made frozen, out of the cyclic collector's full walks
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
        app.state.engine.dispose()


def test_warming_reads_the_facet_index_into_memory_once(store_url: str, tiny_catalog: Path) -> None:
    """``warm_browser`` keeps the facet index in memory under the key ``browse`` asks for it (on both
    databases), so the first new question of a worker reads no ``facet_values``; the counts are the
    store's (six models, each in one combination)."""
    from modelatlas.store.browse import ARRAYS_KEY, Browse
    from modelatlas.store.facet_counts import FacetArrays

    build_store(load_valid_catalog(tiny_catalog), store_url)
    engine = make_engine(store_url)
    try:
        views.warm_browser(engine)
        (key, arrays), *others = views._views.items()
        assert not others and key == (views.stamp(engine), ("browse-part", ARRAYS_KEY))
        assert isinstance(arrays, FacetArrays) and int(arrays.members.sum()) == 6
        assert ("year", 2023) in arrays.index  # a number on both databases
        page = views.browse_page(engine, Browse(domain=("nlp",)))
        kept = [value for value in views._views.values() if isinstance(value, FacetArrays)]
        assert kept == [arrays] and views._views[key] is arrays  # used, not read again
        assert page.total == 4 and page.facets["year"] == {"2023": 4}
        assert page.facets["openness"] == {"research-only": 2, "open-weights-restricted": 1}
    finally:
        engine.dispose()


def test_a_request_reads_the_build_stamp_once(store_url: str, tiny_catalog: Path) -> None:
    """The models page keys its browser page, the organizations' names and the hardware table by the
    store's build: read once per request (``one_stamp``), again by the next request, and each time
    outside a request."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from modelatlas.config import Settings
    from modelatlas.web.app import create_app

    build_store(load_valid_catalog(tiny_catalog), store_url)
    app = create_app(Settings(db=store_url, warm=False))
    engine = app.state.engine
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))

    def stamps() -> int:
        found = sum("FROM build_info" in s for s in sent)
        sent.clear()
        return found

    try:
        with TestClient(app) as client:
            for _ in range(2):
                assert client.get("/models?q=llama").status_code == 200
                assert stamps() == 1
                assert client.get("/models").status_code == 200
                assert stamps() == 1
        assert views.stamp(engine) == views.stamp(engine) and stamps() == 2
    finally:
        engine.dispose()


def test_whether_the_store_has_aliases_is_asked_once_per_build(store_url: str, tiny_catalog: Path) -> None:
    """A new search asks the catalog for ``organization_names`` once per build (a query on PostgreSQL),
    not once per search; the aliases are still read (``casia`` is Zidong Taichu's organization's)."""
    from sqlalchemy import event

    from modelatlas.store.browse import Browse

    build_store(load_valid_catalog(tiny_catalog), store_url)
    engine = make_engine(store_url)
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: sent.append(f"{a[2]} {a[3]}"))
    try:
        for text, sort in (("casia", "relevance"), ("CASIA ", "relevance"), ("casia", "name")):
            page = views.browse_page(engine, Browse(text=text, sort=sort))
            assert [row.id for row in page.rows] == ["zidong-taichu"]
        asked = [s for s in sent if "organization_names" in s and "organization_id" not in s]
        searched = [s for s in sent if "organization_id, name FROM organization_names" in s]
        assert len(asked) == 1 and len(searched) == 3
    finally:
        engine.dispose()


def test_the_table_is_read_with_the_collector_paused_and_it_is_on_again_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Analysis`` reads the table with the cyclic collector off (its collections walked the millions of
    objects made so far), and leaves it as it found it: on again, or off if it was off."""
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    build_store(load_valid_catalog(bundled_catalog()), url)
    seen: list[bool] = []
    read = views.analysis_column_chunks

    def watched(at: str) -> Iterator[dict[str, list[object]]]:
        for chunk in read(at):
            seen.append(gc.isenabled())  # as each chunk is read
            yield chunk

    monkeypatch.setattr(views, "analysis_column_chunks", watched)
    assert gc.isenabled()
    data = views.Analysis("one", make_engine(url), url, None)
    data.load()
    assert seen == [False] and gc.isenabled() and len(data.frame) > 100
    gc.disable()
    try:
        views.Analysis("two", make_engine(url), url, None).load()
        assert seen == [False, False] and not gc.isenabled()
    finally:
        gc.enable()


def test_the_table_once_read_is_frozen_out_of_the_collectors_walks(tmp_path: Path) -> None:
    """The table lives as long as its build: once read, its objects are frozen (``gc.freeze``), so the
    full collections a worker's later requests set off do not walk them (at a million models each took
    seconds); the frame's rows are among the frozen objects."""
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    build_store(load_valid_catalog(bundled_catalog()), url)
    gc.unfreeze()
    try:
        frame = views.Analysis("one", make_engine(url), url, None).frame
        sources = frame["sources"].tolist()  # tuples the read made, tracked by the collector
        assert len(sources) > 100 and gc.get_freeze_count() > len(sources)
        tracked = {id(item) for generation in range(3) for item in gc.get_objects(generation)}
        assert not any(id(item) in tracked for item in sources if gc.is_tracked(item))
    finally:
        gc.unfreeze()


def test_the_table_alone_is_read_for_the_frame_and_the_graph_made_when_asked(tmp_path: Path) -> None:
    """``load_table`` reads the frame and keeps the graph's columns; the graph is made when asked, the
    same as ``load`` makes it, and the columns are let go."""
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    build_store(load_valid_catalog(bundled_catalog()), url)
    whole = views.Analysis("one", make_engine(url), url, None)
    whole.load()
    assert whole._frame is not None and whole._graph is not None and whole._nodes is None
    lazy = views.Analysis("two", make_engine(url), url, None)
    lazy.load_table()
    assert lazy._frame is not None and lazy._graph is None and lazy._nodes is not None
    assert list(lazy._nodes[0]) == ["id", "name", "released_text", "parameters", "parameters_kind"]
    assert list(lazy.graph.nodes(data=True)) == list(whole.graph.nodes(data=True))
    assert list(lazy.graph.edges(data=True)) == list(whole.graph.edges(data=True))
    assert lazy.graph.number_of_edges() > 0 and lazy._nodes is None


def test_the_graph_holds_the_models_on_an_edge_and_shows_what_the_whole_graph_shows(tmp_path: Path) -> None:
    """The graph leaves out the models on no lineage edge (at a million models their nodes held 280 MB
    and took 4 s): its nodes are the edges' ends, each with the attributes and in the order of the graph
    of every model, and the lineage chart's layout, the models most built on and a family are the same."""
    from modelatlas.analysis.lineage import most_built_on, stored_graph
    from modelatlas.report.lineage_layout import layout
    from modelatlas.store.records import load_analysis_rows, load_lineage

    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    build_store(load_valid_catalog(bundled_catalog()), url)
    data = views.Analysis("one", make_engine(url), url, None)
    every = stored_graph(load_analysis_rows(url), load_lineage(url))
    ends = {m for edge in every.edges for m in edge}
    assert 0 < len(ends) < every.number_of_nodes() // 2  # most of the bundled models are on no edge
    assert list(data.graph.nodes(data=True)) == [(n, a) for n, a in every.nodes(data=True) if n in ends]
    assert list(data.graph.edges(data=True)) == list(every.edges(data=True))
    for size in (60, 12):
        shown, whole = layout(data.graph, size), layout(every, size)
        assert shown.nodes.equals(whole.nodes) and shown.edges.equals(whole.edges)
        assert (shown.hub, shown.hidden, shown.family) == (whole.hub, whole.hidden, whole.family)
    assert most_built_on(data.graph, 15).equals(most_built_on(every, 15))
    alone = next(n for n in every.nodes if every.degree(n) == 0)
    linked = min(ends)
    family = data.family(linked)
    assert data.family(alone) is None and family is not None and linked in family


def test_the_models_most_built_on_are_those_of_the_most_derivatives_named_as_the_table_names_them(
    tmp_path: Path,
) -> None:
    """The lineage view's list: the models with the most direct derivatives, ties by id, each with its
    name in the table (its id when the table has none), found without a dict of every model's name."""
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    build_store(load_valid_catalog(bundled_catalog()), url)
    data = views.Analysis("one", make_engine(url), url, None)
    graph = data.graph
    everyone = sorted(((n, graph.out_degree(n)) for n in graph.nodes), key=lambda item: (-item[1], item[0]))
    names = dict(zip(data.frame["id"], data.frame["name"], strict=True))
    expected = [(node, names.get(node, node), n) for node, n in everyone if n > 0][: views.BUILT_ON]
    found = views.lineage_view(data, "en")["built_on"]
    assert found == expected and len(found) == views.BUILT_ON == 15
    counts = [n for *_, n in found]
    assert len(set(counts)) < len(counts) and counts[0] > counts[-1] >= 1  # ties among them, broken by id
    assert any(name != node for node, name, _ in found)
    first, name, _ = found[0]
    assert data.names_of(["no-such-model", first]) == {first: name}
    assert data.names_of([]) == {}
