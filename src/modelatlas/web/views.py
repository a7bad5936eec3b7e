"""What the trend, timeline and lineage pages and their API routes compute, once per store build.

The analysis table (``analysis.frame``) and the lineage graph are built from the store on first use and
kept until the store is rebuilt (``build_info.built_at`` changes), so a page view costs a fit, not a load.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd
from sqlalchemy import Engine

from modelatlas.analysis.frame import EstimatesMode, Population, Selection, model_frame
from modelatlas.analysis.frame import select as select_rows
from modelatlas.analysis.growth import GrowthFit, fit_growth, frontier
from modelatlas.analysis.lineage import lineage_graph
from modelatlas.analysis.timeline import releases
from modelatlas.errors import BadArgument, NotEnoughData
from modelatlas.report.charts import growth_chart, history_chart, lineage_chart, releases_chart, to_spec
from modelatlas.report.headlines import headline
from modelatlas.store import queries as Q
from modelatlas.store.records import load_curated_ids, load_models, load_organizations

__all__ = [
    "repo_owners",
    "Analysis",
    "TrendQuery",
    "analysis",
    "family_view",
    "history_view",
    "lineage_view",
    "timeline_view",
    "trend_view",
]


@dataclass(frozen=True, slots=True)
class Analysis:
    built_at: str
    frame: pd.DataFrame
    graph: nx.DiGraph[str]


_lock = threading.Lock()
_cache: dict[str, Analysis] = {}


def analysis(engine: Engine, url: str) -> Analysis:
    """The analysis table and lineage graph of the store at ``url``, rebuilt only after a new build."""
    with engine.connect() as conn:
        built_at = Q.built_at(conn)
    key = f"{url}@{built_at}"
    with _lock:
        if key not in _cache:
            models = load_models(url)
            frame = model_frame(models, load_organizations(url), curated=load_curated_ids(url))
            _cache.clear()
            _cache[key] = Analysis(str(built_at), frame, lineage_graph(models))
        return _cache[key]


_owners: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {}


def repo_owners(engine: Engine, url: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """For each Hub repo and GitHub repository the catalog refers to, the models that do; rebuilt only
    after a new build, like ``analysis``."""
    from modelatlas.live.targets import targets

    with engine.connect() as conn:
        key = f"{url}@{Q.built_at(conn)}"
    with _lock:
        if key not in _owners:
            plan = targets(load_models(url))
            _owners.clear()
            _owners[key] = {(t.source, t.ref): t.models for found in plan.values() for t in found}
        return _owners[key]


@dataclass(frozen=True, slots=True)
class TrendQuery:
    metric: str = "parameters"
    since: int | None = 2018
    until: int | None = None
    domain: str | None = None
    organization: str | None = None
    country: str | None = None
    openness: str | None = None
    frontier: bool = False
    boot: int = 500
    estimates: EstimatesMode = "include"
    population: Population = "notable"

    def selection(self) -> Selection:
        return Selection(
            since=dt.date(self.since, 1, 1) if self.since else None,
            until=dt.date(self.until, 12, 31) if self.until else None,
            domain=self.domain or None,
            organization=self.organization or None,
            country=self.country or None,
            openness=self.openness or None,
            estimates=self.estimates,
            population=self.population,
        )


def _fit(frame: pd.DataFrame, query: TrendQuery) -> tuple[pd.DataFrame, GrowthFit]:
    chosen = select_rows(frame, query.selection())
    fit = fit_growth(chosen, query.metric, frontier_top=1 if query.frontier else None, n_boot=query.boot)
    shown = frontier(chosen, query.metric) if query.frontier else chosen
    return shown, fit


_trends: dict[tuple[str, TrendQuery, str], dict[str, Any]] = {}


def trend_view(data: Analysis, query: TrendQuery, lang: str) -> dict[str, Any]:
    """The fit (as ``GrowthFit.as_dict``), its headline and its chart spec, computed once per store build,
    query and language: the bootstrap is seeded, so every worker gives the same numbers, and the home
    page and /trends, asking the same question, give the same interval.

    Raises:
        NotEnoughData: fewer than three models have the metric in the selection.
        BadArgument: an unknown metric.
    """
    key = (data.built_at, query, lang)
    with _lock:
        if key in _trends:
            return _trends[key]
    view = _trend_view(data, query, lang)
    with _lock:
        if any(k[0] != data.built_at for k in _trends):
            _trends.clear()
        _trends[key] = view
    return view


def _trend_view(data: Analysis, query: TrendQuery, lang: str) -> dict[str, Any]:
    shown, fit = _fit(data.frame, query)
    notable = query.population == "notable"
    chart = growth_chart(shown, fit, lang, notable=notable).properties(width="container")
    said = headline(fit, lang, notable=notable)
    return {"fit": fit.as_dict(), "headline": said, "chart": to_spec(chart)}


def timeline_view(data: Analysis, lang: str, *, freq: str = "quarter", by: str = "domain") -> dict[str, Any]:
    if freq not in ("month", "quarter", "year"):
        raise BadArgument(f"freq {freq!r}: choose month, quarter or year")
    counts = releases(data.frame, freq=freq, by=by)  # type: ignore[arg-type]
    if counts.empty:
        raise NotEnoughData("no model has a release date")
    chart = releases_chart(counts, lang, unit=freq).properties(width="container")
    return {"counts": counts.to_dict(orient="records"), "chart": to_spec(chart)}


def lineage_view(data: Analysis, lang: str) -> dict[str, Any]:
    """The lineage chart of the largest families."""
    if data.graph.number_of_edges() == 0:
        raise NotEnoughData("no model in the catalog is built on another")
    return {"chart": to_spec(lineage_chart(data.graph, lang))}


def family_view(data: Analysis, model_id: str, lang: str) -> dict[str, Any] | None:
    """The model's own family (its ancestors, descendants and itself) as a small tree; None alone."""
    if model_id not in data.graph:
        return None
    family = {model_id} | nx.ancestors(data.graph, model_id) | nx.descendants(data.graph, model_id)
    if len(family) < 2:
        return None
    return to_spec(lineage_chart(data.graph.subgraph(family).copy(), lang, max_nodes=40))


def history_view(rows: list[dict[str, Any]], lang: str) -> dict[str, Any] | None:
    """Synced counts over time, when there are at least two snapshots of one count."""
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    frame["observed_at"] = pd.to_datetime(frame["observed_at"], utc=True).dt.tz_localize(None)
    if frame.groupby(["ref", "metric"]).size().max() < 2:
        return None
    return to_spec(history_chart(frame, lang))
