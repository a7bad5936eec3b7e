"""What the trend, timeline and lineage pages and their API routes compute, once per store build.

The analysis table (``analysis.frame``) and the lineage graph are built from the store on first use and
kept until the store is rebuilt (its ``stamp`` changes), so a page view costs a fit, not a load.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import gc
import heapq
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

import networkx as nx
import pandas as pd
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from sqlalchemy import Connection, Engine, select, text

from modelatlas._collector import paused
from modelatlas.analysis.frame import (
    METRICS,
    EstimatesMode,
    Population,
    Selection,
    chunks_frame,
    countries_of,
    narrowed_frame,
)
from modelatlas.analysis.frame import select as select_rows
from modelatlas.analysis.growth import GrowthFit, fit_growth, frontier
from modelatlas.analysis.lineage import columns_graph, stored_graph
from modelatlas.analysis.timeline import releases
from modelatlas.catalog.vocab import OPENNESS
from modelatlas.errors import BadArgument, NotEnoughData
from modelatlas.report.charts import growth_chart, history_chart, lineage_chart, releases_chart, to_spec
from modelatlas.report.headlines import headline
from modelatlas.store import queries as Q
from modelatlas.store import tables as T
from modelatlas.store.browse import ARRAYS_KEY, Browse, Page, added_since, browse, has_facet_index
from modelatlas.store.facet_counts import FacetArrays
from modelatlas.store.records import (
    analysis_column_chunks,
    load_analysis_rows_of,
    load_lineage,
)
from modelatlas.web import stored_views

__all__ = [
    "organization_names",
    "repo_owners",
    "stamp",
    "Analysis",
    "TrendQuery",
    "analysis",
    "browse_page",
    "dense_since",
    "dense_year",
    "embed",
    "overview",
    "per_build",
    "family_view",
    "added_view",
    "history_view",
    "lineage_view",
    "timeline_view",
    "trend_view",
]


V = TypeVar("V")


#: How many of the models most built on the lineage view lists.
BUILT_ON = 15
#: The columns of ``analysis_rows`` the lineage graph is made from (``analysis.lineage.columns_graph``).
_NODE_COLUMNS = ("id", "name", "released_text", "parameters", "parameters_kind")


def _noting(
    chunks: Iterable[dict[str, list[Any]]], nodes: dict[str, list[Any]], among: Collection[str]
) -> Iterator[dict[str, list[Any]]]:
    """``chunks``, the values of the columns ``nodes`` names in each chunk's rows of the models
    ``among`` added to it as they pass."""
    for chunk in chunks:
        places = [n for n, model_id in enumerate(chunk["id"]) if model_id in among]
        for name, values in nodes.items():
            column = chunk[name]
            values.extend(column[n] for n in places)
        yield chunk


class Analysis:
    """The analysis table (``frame``) and lineage graph (``graph``: of the models on a lineage edge, each
    model on none, a family of its own, left out) of one build of a store, read from
    it on first use: a page answered from the views the build kept (``web.stored_views``) never reads
    them (a million models' table takes a worker tens of seconds)."""

    def __init__(self, built_at: str, engine: Engine, url: str, as_of: dt.date | None) -> None:
        self.built_at = built_at
        #: The store the views are kept in (``per_build``'s ``store``).
        self.engine = engine
        #: The data's date: the day the store was built (``build_info.built_at``), None when unrecorded.
        self.as_of = as_of
        self._url = url
        self._frame: pd.DataFrame | None = None
        self._graph: nx.DiGraph[str] | None = None
        #: The columns the graph is made from (of the models on a lineage edge: the graph leaves out
        #: those on none, which no lineage view shows), read with the table and kept until it is made,
        #: and the edges.
        self._nodes: tuple[dict[str, list[Any]], list[dict[str, object]]] | None = None
        self._loading = threading.Lock()
        self._edges: nx.DiGraph[str] | None = None

    def _load_frame(self) -> pd.DataFrame:
        """The frame, the table read if not yet (the caller holds ``_loading``)."""
        if self._frame is None:
            with paused():
                edges = load_lineage(self._url)
                linked = {str(e["base_id"]) for e in edges} | {str(e["model_id"]) for e in edges}
                nodes: dict[str, list[Any]] = {name: [] for name in _NODE_COLUMNS}
                chunks = _noting(analysis_column_chunks(self._url), nodes, linked)
                self._frame = chunks_frame(chunks, countries_of(self._url))
                self._nodes = nodes, edges
            # The table lives as long as its build: no collection need walk its objects again (at a
            # million models each full collection a search set off walked tens of millions of them,
            # seconds of a worker's time). Objects frozen that die are still freed by reference counting.
            gc.freeze()
        return self._frame

    def _load_graph(self) -> nx.DiGraph[str]:
        """The graph, made from the columns read with the table (read if not yet)."""
        with self._loading:
            if self._graph is None:
                self._load_frame()
                with paused():
                    nodes, edges = self._nodes or ({}, [])
                    self._graph = columns_graph(nodes, edges)
                self._nodes = None
            return self._graph

    def load(self) -> None:
        """Read the table and the graph now (a worker warming), not at the first question needing them."""
        self._load_graph()

    def load_table(self) -> None:
        """Read the table now, and keep what the graph is made from for when it is asked (``refresh``:
        the build's process needs the frame, the child making the lineage chart the graph)."""
        with self._loading:
            self._load_frame()

    @property
    def frame(self) -> pd.DataFrame:
        with self._loading:
            return self._load_frame()

    def rows_for(self, selection: Selection) -> pd.DataFrame:
        """The table, or as much of it as ``select`` needs to apply ``selection`` (resolved:
        ``store.browse.for_frame``): while this worker has not read the table, the rows of the models
        it selects, read for this question alone, when ``analysis.frame.narrowed_frame`` reads them (a
        store of more than ``ALONE_UP_TO`` models, at most that many of them selected); else the table,
        read once and kept."""
        if self._frame is None:
            found = narrowed_frame(self._url, selection)
            if found is not None:
                return found
        return self.frame

    @property
    def graph(self) -> nx.DiGraph[str]:
        return self._load_graph()

    def names_of(self, ids: Collection[str]) -> dict[str, str]:
        """The name of each of ``ids`` the table has, by id (a few rows looked up, not a dict of the
        whole table made: at a million models that took the lineage view 2 s a language)."""
        frame = self.frame
        found = frame.loc[frame["id"].isin(list(ids)), ["id", "name"]]
        return dict(zip(found["id"].tolist(), found["name"].tolist(), strict=True))

    def family(self, model_id: str) -> nx.DiGraph[str] | None:
        """The lineage graph of ``model_id``'s family (its ancestors, descendants and itself), as
        ``graph.subgraph`` gives it; None when the model has no lineage. A model page asks for it: from
        the lineage edges and the family's own rows when the whole table is not loaded (at 100,000
        models loading it made each worker's first model page take 3 s)."""
        loaded = self._graph
        graph = loaded if loaded is not None else self._lineage_edges()
        if model_id not in graph:
            return None
        members = {model_id} | nx.ancestors(graph, model_id) | nx.descendants(graph, model_id)
        if len(members) < 2:
            return None
        if loaded is not None:
            return _in_order(graph.subgraph(members))
        inside = [
            {"base_id": base, "model_id": model, **attributes}
            for base, model, attributes in graph.subgraph(members).edges(data=True)
        ]
        return _in_order(stored_graph(load_analysis_rows_of(self._url, members), inside))

    def _lineage_edges(self) -> nx.DiGraph[str]:
        """The lineage edges alone (``relation``, ``method`` as stored), once per build."""
        with self._loading:
            if self._edges is None:
                edges: nx.DiGraph[str] = nx.DiGraph()
                for edge in load_lineage(self._url):
                    edges.add_edge(
                        str(edge["base_id"]),
                        str(edge["model_id"]),
                        relation=edge["relation"],
                        method=edge["method"],
                    )
                self._edges = edges
            return self._edges

    @property
    def domains(self) -> tuple[str, ...]:
        """Every domain some model has, sorted; once per build."""

        def compute() -> tuple[str, ...]:
            return tuple(sorted({d for ds in self.frame["domains"] for d in ds}))

        return per_build(self.built_at, ("domains",), compute, store=self.engine)


def _in_order(graph: nx.DiGraph[str]) -> nx.DiGraph[str]:
    """``graph``'s copy with its nodes and edges in sorted order: a subgraph lists them in the order of
    a set of ids, which changed from one process to the next, and the chart's layout follows it."""
    ordered: nx.DiGraph[str] = nx.DiGraph()
    ordered.add_nodes_from(sorted(graph.nodes(data=True)))
    ordered.add_edges_from(sorted(graph.edges(data=True), key=lambda edge: (edge[0], edge[1])))
    return ordered


_lock = threading.Lock()
_cache: dict[str, Analysis] = {}


def analysis(engine: Engine, url: str) -> Analysis:
    """The analysis table and lineage graph of the store at ``url``, rebuilt only after a new build (and
    read only when a view not kept is asked for)."""
    key = stamp(engine)
    with _lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = Analysis(key, engine, url, _built_on(engine))
        return _cache[key]


def _built_on(engine: Engine) -> dt.date | None:
    """The day the store was built, the date its charts' data is "as of"."""
    with engine.connect() as conn:
        built = Q.built_at(conn)
    return dt.date.fromisoformat(built[:10]) if built else None


def organization_names(engine: Engine) -> dict[str, tuple[str, str]]:
    """Each organization's id and English name mapped to its (English, Chinese) names, once per build;
    the Chinese name is the English one where the catalog gives none."""

    def compute() -> dict[str, tuple[str, str]]:
        o = T.organizations
        with engine.connect() as conn:
            found = conn.execute(select(o.c.id, o.c.name, o.c.name_zh)).all()
        names = {name: (name, name_zh or name) for _, name, name_zh in found}
        return {**names, **{oid: (name, name_zh or name) for oid, name, name_zh in found}}

    return per_build(stamp(engine), ("organization names",), compute)


def repo_owners(engine: Engine, url: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """For each Hub repo, arXiv paper and GitHub repository the catalog refers to, the models that do
    (``live.targets.targets``, from the store's ``model_refs``), once per build."""

    def compute() -> dict[tuple[str, str], tuple[str, ...]]:
        r = T.model_refs
        owners: dict[tuple[str, str], list[str]] = {}
        with engine.connect() as conn:
            query = select(r.c.source, r.c.ref, r.c.model_id).order_by(r.c.model_id, r.c.position)
            for source, ref, model_id in conn.execute(query):
                owners.setdefault((source, ref), []).append(model_id)
        return {key: tuple(ids) for key, ids in owners.items()}

    return per_build(stamp(engine), ("owners", url), compute)


def _default_selection() -> Selection:
    return Selection(released_after=dt.date(2018, 1, 1), population="notable")


@dataclass(frozen=True, slots=True)
class TrendQuery:
    """A trend to fit: the metric, the models (``selection``: the filters every edge shares, resolved by
    ``store.browse.for_frame``; ``asked``: as asked), and how to fit; ``since`` and ``until`` as the form
    was given them."""

    metric: str = "parameters"
    selection: Selection = field(default_factory=_default_selection)
    frontier: bool = False
    boot: int = 500
    #: Eras to find: None (no search), "auto" (BIC picks 0, 1 or 2 breakpoints), "1" or "2".
    breaks: str | None = None
    since: str | None = "2018"
    until: str | None = None
    #: The filters as asked (organizations as ids, text and modality as words): what the answer repeats.
    asked: Selection = field(default_factory=_default_selection)

    @property
    def domain(self) -> str | None:
        return self.selection.domain[0] if self.selection.domain else None

    @property
    def country(self) -> str | None:
        return self.selection.country[0] if self.selection.country else None

    @property
    def openness(self) -> str | None:
        return self.selection.openness[0] if self.selection.openness else None

    @property
    def population(self) -> Population:
        return self.selection.population

    @property
    def estimates(self) -> EstimatesMode:
        return self.selection.estimates


#: The columns a trend's fit and chart read (``analysis.growth``, ``report.charts.growth_chart``), with
#: every metric and its kind (``select``).
TREND_COLUMNS = ("id", "name", "organization_name", "domain", "released", "decimal_year")


def _fit(frame: pd.DataFrame, query: TrendQuery) -> tuple[pd.DataFrame, GrowthFit, int]:
    """The models shown, the fit, and how many models the filters select (dated or not, with the metric
    or not: the count ``list`` gives with the same filters, each model once)."""
    chosen = select_rows(frame, query.selection, TREND_COLUMNS)
    fit = fit_growth(chosen, query.metric, frontier_top=1 if query.frontier else None, n_boot=query.boot)
    shown = frontier(chosen, query.metric) if query.frontier else chosen
    return shown, fit, len(chosen)


#: How many computed views ``per_build`` keeps (the least recently used go first).
MAX_VIEWS = 256
_views: OrderedDict[tuple[str, Hashable], Any] = OrderedDict()
#: One lock per value being computed, so that callers who ask for it meanwhile wait for it.
_gates: dict[tuple[str, Hashable], threading.Lock] = {}


#: The stamps read during the request being answered (``one_stamp``), by store URL.
_request_stamps: ContextVar[dict[str, str] | None] = ContextVar("request_stamps", default=None)


@contextlib.contextmanager
def one_stamp() -> Iterator[None]:
    """Within it (a request: ``web.middleware.OneStamp``), ``stamp`` reads each store's build once: a
    page that asks for its browser page, the organizations' names and the hardware table keys them all
    by the same build, with one connection and query instead of three (each checkout pings the server
    and rolls back: three round trips apiece on PostgreSQL)."""
    token = _request_stamps.set({})
    try:
        yield
    finally:
        _request_stamps.reset(token)


def stamp(engine: Engine, conn: Connection | None = None) -> str:
    """The store ``engine`` reads and its build (``queries.build_stamp``): what ``per_build`` keys by;
    read through ``conn`` if given (a connection of ``engine`` the caller holds), else its own; once per
    request within ``one_stamp``."""
    read = _request_stamps.get()
    url = str(engine.url)
    if read is not None and url in read:
        return read[url]
    if conn is not None:
        found = f"{engine.url}@{Q.build_stamp(conn)}"
    else:
        with engine.connect() as own:
            found = f"{engine.url}@{Q.build_stamp(own)}"
    if read is not None:
        read[url] = found
    return found


def per_build(built_at: str, key: Hashable, compute: Callable[[], V], *, store: Engine | None = None) -> V:
    """``compute()``, once per store build and ``key``: every later call with both the same returns the
    kept value, until the store is rebuilt (``built_at`` changes) or ``MAX_VIEWS`` others are newer.
    What it computes must depend on the store and ``key`` only, so every worker gives the same answer.
    ``NotEnoughData`` is kept like a value and raised again.

    Callers that ask for the same missing value at once wait for the first to compute it, rather than
    each computing it (eight visitors of a new page would otherwise count its facets eight times over).

    With ``store`` (the engine of the store ``built_at`` names) a missing value is first looked for among
    the views the build kept there (``web.stored_views``), and computed only when it is not; and every
    value is given to ``stored_views.record``, which ``web.refresh`` collects to keep them.
    """
    if store is None:
        return _per_build(built_at, key, compute)
    try:
        value = _per_build(built_at, key, lambda: _stored_first(store, built_at, key, compute))
    except NotEnoughData as exc:
        stored_views.record(key, exc)
        raise
    stored_views.record(key, value)
    return value


def _stored_first(store: Engine, built_at: str, key: Hashable, compute: Callable[[], V]) -> V:
    """The value the build kept for ``key`` in ``store``, else ``compute()``; a kept ``NotEnoughData``
    is raised."""
    found = stored_views.read(store, built_at, key)
    if found is stored_views.MISSING:
        return compute()
    if isinstance(found, NotEnoughData):
        raise found
    return cast(V, found)


def _per_build(built_at: str, key: Hashable, compute: Callable[[], V]) -> V:
    full = (built_at, key)
    with _lock:
        if full in _views:
            return cast(V, _kept(full))
        gate = _gates.setdefault(full, threading.Lock())
    with gate:
        with _lock:
            if full in _views:  # computed while this caller waited
                return cast(V, _kept(full))
        value: V | NotEnoughData
        try:
            value = compute()
        except NotEnoughData as exc:  # as much an answer as a value: kept too
            value = _bare(exc)
        finally:  # any other error is the caller's to report, and the next caller tries again
            with _lock:
                _gates.pop(full, None)
        with _lock:
            if _views and next(iter(_views))[0] != built_at:  # all of one build: cleared for another
                _views.clear()
            _views[full] = value
            while len(_views) > MAX_VIEWS:
                _views.popitem(last=False)
    if isinstance(value, NotEnoughData):
        raise _bare(value)
    return value


def _bare(exc: NotEnoughData) -> NotEnoughData:
    """``exc`` again, without the frames it was raised through: kept, those held what the computation
    read (a trend's selected rows: at a million models 150 MB a metric and language), and a kept error
    raised again would gather each raiser's frames. Its words (``key``, ``values``, ``advice``) kept."""
    return copy.copy(exc)  # an exception's copy has its arguments and attributes, not its frames


def _kept(full: tuple[str, Hashable]) -> Any:
    """The kept value (``_lock`` held), now the most recently used; a kept NotEnoughData is raised."""
    _views.move_to_end(full)
    kept = _views[full]
    if isinstance(kept, NotEnoughData):
        raise _bare(kept)
    return kept


def overview(engine: Engine, built_at: str, newest: int) -> Q.Overview:
    """``queries.overview`` of the store, once per build and ``newest``: its counts once per build for
    all (the home page's 10 newest and the timeline's 30 share them; at a million models counting took
    the build 6 s each time)."""

    def compute() -> Q.Overview:
        with engine.connect() as conn:
            counted = per_build(built_at, ("overview counts",), lambda: Q.overview(conn, newest=0))
            return replace(counted, newest=Q.newest_models(conn, newest))

    return per_build(built_at, ("overview", newest), compute, store=engine)


def browse_page(engine: Engine, selection: Browse, *, facets: bool = True) -> Page:
    """``store.browse.browse``, once per build and selection: the same page of the models browser,
    asked again (the first page, a shared link), costs no query; the next page of a result, or the same
    filters in another order, reuse its search hits, total and facet counts."""
    with engine.connect() as conn:  # one connection for the stamp and the page (each checkout pings)
        built = stamp(engine, conn)

        def keep(key: Hashable, part: Callable[[], Any]) -> Any:
            return _browse_part(built, key, part)

        def compute() -> Page:
            return browse(conn, selection, facets=facets, keep=keep)

        return per_build(built, ("browse", selection, facets), compute, store=engine)


def added_view(engine: Engine, since: dt.date, chosen: Browse) -> list[tuple[Q.ModelRow, dt.date]]:
    """``store.browse.added_since`` (``/new`` and the feed), once per build and question; the build keeps
    the default ones (``web.refresh``): at a million models each took a worker 3–11 s to compute."""
    with engine.connect() as conn:
        built = stamp(engine, conn)

        def compute() -> list[tuple[Q.ModelRow, dt.date]]:
            return added_since(conn, since, chosen)

        return per_build(built, ("added", since, chosen), compute, store=engine)


def warm_browser(engine: Engine) -> None:
    """Read the store's facet index into memory (``FacetArrays``), as ``browse_page``'s first new
    question would: about a second at 100,000 models, paid by the worker as it starts rather than by a
    visitor. A store without the facet index: nothing."""
    with engine.connect() as conn:
        built = stamp(engine, conn)
        if has_facet_index(conn):
            _browse_part(built, ARRAYS_KEY, lambda: FacetArrays.load(conn))


def _browse_part(built: str, key: Hashable, part: Callable[[], Any]) -> Any:
    """A part of a browser page (``store.browse``'s ``keep``: hits, tallies, the facet index in memory),
    kept per build under the key both ``browse_page`` and ``warm_browser`` use."""
    return per_build(built, ("browse-part", key), part)


def embed(spec: dict[str, Any]) -> Markup:
    """A chart spec as the JSON a page embeds in its script (escaped for HTML)."""
    return htmlsafe_json_dumps(spec)


def trend_view(data: Analysis, query: TrendQuery, lang: str) -> dict[str, Any]:
    """The fit (as ``GrowthFit.as_dict``), its headline and its chart spec (``chart``, and ``embed``ded:
    ``chart_json``), computed once per store build, query and language: the bootstrap is seeded, so
    every worker gives the same numbers, and the home page and /trends, asking the same question, give
    the same interval.

    Raises:
        NotEnoughData: fewer than three models have the metric in the selection.
        BadArgument: an unknown metric.
    """
    return per_build(
        data.built_at, ("trend", query, lang), lambda: _trend_view(data, query, lang), store=data.engine
    )


def _trend_view(data: Analysis, query: TrendQuery, lang: str) -> dict[str, Any]:
    # the rows read at most once for the fit and the eras (a question no build keeps reads them anew)
    rows = functools.cache(lambda: data.rows_for(query.selection))
    shown, fit, selected = _last_fit(data, query, rows)
    notable = query.population == "notable"
    chart = growth_chart(shown, fit, lang, notable=notable).properties(width="container")
    said = headline(fit, lang, notable=notable)
    spec = to_spec(chart)
    records = []
    if query.frontier:  # the record setters the line is fitted to, newest first
        column = METRICS[query.metric][0]
        newest = shown.sort_values("released", ascending=False)
        dates = newest["released"].dt.strftime("%Y-%m-%d")
        for (model_id, name, value), released in zip(
            newest[["id", "name", column]].itertuples(index=False), dates, strict=True
        ):
            records.append({"id": model_id, "name": name, "released": released, "value": value})
    return {
        "fit": fit.as_dict(),
        "selected": selected,
        "headline": said,
        "chart": spec,
        "chart_json": embed(spec),
        "frontier_models": records,
        "breakpoints": _eras(rows, query),
    }


_fits: dict[tuple[str, TrendQuery], tuple[pd.DataFrame, GrowthFit, int]] = {}


def _last_fit(
    data: Analysis, query: TrendQuery, rows: Callable[[], pd.DataFrame]
) -> tuple[pd.DataFrame, GrowthFit, int]:
    """``_fit`` of ``rows()``, kept for the next caller until another is asked: the same trend in the
    other language (its bootstrap the longest part of a view) is not fitted again, and only one fit's
    models are held."""
    key = (data.built_at, query)
    with _lock:
        if key in _fits:
            return _fits[key]
    found = _fit(rows(), query)
    with _lock:
        _fits.clear()
        _fits[key] = found
    return found


def _eras(rows: Callable[[], pd.DataFrame], query: TrendQuery) -> dict[str, Any] | None:
    """The eras of the trend (``analysis.breakpoints``) when the query asks for them, as ``as_dict``;
    None when not asked. Too few models to split is an answer too (``{"error": ...}``)."""
    if query.breaks is None:
        return None
    from modelatlas.analysis.breakpoints import find_breakpoints

    chosen = select_rows(rows(), query.selection)
    top = 1 if query.frontier else None
    count = None if query.breaks == "auto" else int(query.breaks)
    try:
        return find_breakpoints(
            chosen, query.metric, breaks=count, frontier_top=top, n_boot=query.boot
        ).as_dict()
    except NotEnoughData as exc:
        return {"error": exc}


def trend_choices(data: Analysis) -> dict[str, Any]:
    """What the trends form offers, once per build: the metrics that at least three dated models have
    (a fit needs three; training cost, which few sources state, is offered only where it can be fitted),
    the countries of the models' makers, most models first, and the openness values present."""

    def compute() -> dict[str, Any]:
        frame = data.frame
        dated = frame["released"].notna()
        metrics = [m for m, (column, *_) in METRICS.items() if int((dated & (frame[column] > 0)).sum()) >= 3]
        countries = frame["country"].dropna().value_counts()
        present = set(frame["openness"].dropna())
        return {
            "metrics": metrics,
            "countries": [str(code) for code in countries.index],
            "openness": [value for value in OPENNESS if value in present],
        }

    return per_build(data.built_at, "trend-choices", compute, store=data.engine)


def timeline_view(
    data: Analysis, lang: str, *, freq: str = "quarter", by: str = "domain", since: int | None = None
) -> dict[str, Any]:
    """Releases per ``freq`` and ``by`` from the year ``since`` (default ``dense_since``; 0: from the
    first release): the counts, the chart spec and its embedding, and the first year shown, once per
    build. The period holding the data's date (``Analysis.as_of``) is marked partial.

    Raises:
        BadArgument: an unknown ``freq``.
        NotEnoughData: no model has a release date.
    """
    key = ("timeline", lang, freq, by, since)
    return per_build(
        data.built_at,
        key,
        lambda: _timeline_view(data, lang, freq=freq, by=by, since=since),
        store=data.engine,
    )


def dense_since(frame: pd.DataFrame) -> int | None:
    """The year from which the timeline is worth reading: that of the 5th percentile of release dates
    (before it, 5% of the models spread over decades: 1950–2012 for the bundled datasets)."""
    dated = frame["released"].dropna()
    return int(cast(pd.Timestamp, dated.quantile(DENSE_QUANTILE)).year) if len(dated) else None


def dense_year(data: Analysis) -> int | None:
    """``dense_since`` of the store's analysis table, once per build."""
    return per_build(data.built_at, ("dense",), lambda: dense_since(data.frame), store=data.engine)


#: The share of the oldest releases that the timeline leaves out by default.
DENSE_QUANTILE = 0.05


def _timeline_view(data: Analysis, lang: str, *, freq: str, by: str, since: int | None) -> dict[str, Any]:
    if freq not in ("month", "quarter", "year"):
        raise BadArgument(f"freq {freq!r}: choose month, quarter or year")
    counts = releases(data.frame, freq=freq, by=by)  # type: ignore[arg-type]
    if counts.empty:
        raise NotEnoughData("no model has a release date")
    first = dense_since(data.frame) if since is None else since
    if first:
        counts = counts[counts["period"].str[:4].astype(int) >= first]
    chart = releases_chart(counts, lang, unit=freq, as_of=data.as_of).properties(width="container")
    spec = to_spec(chart)
    return {
        "counts": counts.to_dict(orient="records"),
        "chart": spec,
        "chart_json": embed(spec),
        "since": first or int(counts["period"].iloc[0][:4]),
    }


def lineage_view(data: Analysis, lang: str) -> dict[str, Any]:
    """The lineage chart of the largest families (``chart``, ``chart_json``) and the 15 models most
    built on (``built_on``: id, name, direct derivatives), once per build.

    Raises:
        NotEnoughData: no model is built on another.
    """
    return per_build(data.built_at, ("lineage", lang), lambda: _lineage_view(data, lang), store=data.engine)


def _lineage_view(data: Analysis, lang: str) -> dict[str, Any]:
    if data.graph.number_of_edges() == 0:
        raise NotEnoughData("no model in the catalog is built on another")
    spec = to_spec(lineage_chart(data.graph, lang).properties(width="container"))
    built_on = heapq.nsmallest(
        BUILT_ON,
        ((node, n) for node, n in data.graph.out_degree() if n > 0),
        key=lambda item: (-item[1], item[0]),
    )
    names = data.names_of([node for node, _ in built_on])
    top = [(node, names.get(node, node), n) for node, n in built_on]
    return {"chart": spec, "chart_json": embed(spec), "built_on": top}


def family_view(data: Analysis, model_id: str, lang: str) -> dict[str, Any] | None:
    """The model's own family (its ancestors, descendants and itself) as a small tree; None alone."""
    family = data.family(model_id)
    if family is None:
        return None
    chart = lineage_chart(family, lang, max_nodes=40, focus=model_id)
    return to_spec(chart.properties(width="container"))


def history_view(rows: list[dict[str, Any]], lang: str) -> dict[str, Any] | None:
    """Synced counts over time, when there are at least two snapshots of one count."""
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    frame["observed_at"] = pd.to_datetime(frame["observed_at"], utc=True).dt.tz_localize(None)
    if frame.groupby(["ref", "metric"]).size().max() < 2:
        return None
    return to_spec(history_chart(frame, lang))


#: Bases drawn in the ecosystem chart (the table lists ``ECOSYSTEM_TOP``).
ECOSYSTEM_LINES = 8
ECOSYSTEM_TOP = 20


def ecosystem_view(engine: Engine, lang: str) -> dict[str, Any] | None:
    """The Hub listing's field (``live.landscape``, read from the sums kept at the end of each listing),
    its chart of the top bases' new derivatives per month and its chart of the days from a release to
    the quantized copies, once per build, listing and language; None when no listing has been synced."""
    from modelatlas.live.landscape import landscape
    from modelatlas.report.charts import ecosystem_chart, quantized_chart

    with engine.connect() as conn:  # the listing changes with each `sync --all`, not with a build
        done = conn.execute(text("SELECT max(finished_at), sum(records) FROM hub_listing")).one()

    def compute() -> dict[str, Any] | None:
        field = landscape(engine, top=ECOSYSTEM_TOP, months=12)
        if not field["top_bases"]:
            return None
        rows = [
            {"month": month, "base": entry["base"], "count": count}
            for entry in field["top_bases"][:ECOSYSTEM_LINES]
            for month, count in entry["by_month"].items()
        ]
        spec = to_spec(ecosystem_chart(pd.DataFrame(rows), lang).properties(width="container"))
        found: dict[str, Any] = {"field": field, "chart": spec, "chart_json": embed(spec)}
        copies = [
            {"month": row["month"], "copy": copy, "days": row[copy], "bases": row[f"{prefix}bases"]}
            for row in field["quantized_by_release"]
            for copy, prefix in (("first", ""), ("tenth", "tenth_"))
            if row[copy] is not None
        ]
        if copies:
            quantized = quantized_chart(pd.DataFrame(copies), lang).properties(width="container")
            found["quantized"] = quantized_spec = to_spec(quantized)
            found["quantized_json"] = embed(quantized_spec)
        return found

    return per_build(stamp(engine), ("ecosystem", lang, tuple(done)), compute)
