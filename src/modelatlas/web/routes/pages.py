"""The dashboard's pages, rendered on the server from Jinja2 templates; every state is in the URL."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from modelatlas.analysis.hardware.gguf_file import GGUF_MAGIC, MAX_HEADER, read_gguf
from modelatlas.analysis.hardware.gpus import GIB
from modelatlas.analysis.hardware.memory import Breakdown
from modelatlas.analysis.hardware.precision import PRECISIONS
from modelatlas.analysis.hardware.subjects import (
    Subject,
    estimates,
    fits_on,
    gguf_subject,
    model_subjects,
    parse_config,
    pasted_subject,
    precision_list,
)
from modelatlas.catalog.schema import Model
from modelatlas.catalog.units import format_count
from modelatlas.catalog.vocab import DOMAINS
from modelatlas.config import Settings
from modelatlas.errors import (
    BadArgument,
    CatalogError,
    ConfigError,
    ModelAtlasError,
    NotEnoughData,
    NotFound,
)
from modelatlas.live.landscape import derivatives_of
from modelatlas.live.ledger import history, latest
from modelatlas.live.targets import refs_of
from modelatlas.store import queries as Q
from modelatlas.store.browse import FACETS
from modelatlas.store.queries import check_store
from modelatlas.web import views
from modelatlas.web.deps import (
    FEED_SINCE,
    NEW_LIMIT,
    BrowseDep,
    EngineDep,
    Hardware,
    HardwareDep,
    LangDep,
    MemoryDep,
    MemoryQuery,
    SettingsDep,
    TrendDep,
    body_head,
    feed_selection,
    new_filters,
    new_selection,
    new_since,
)
from modelatlas.web.exporting import Figure, figure
from modelatlas.web.i18n import country_name, joined, said, translator
from modelatlas.web.schemas import MemoryOut

__all__ = ["healthz", "router"]

router = APIRouter(include_in_schema=False)

#: The cards a model page checks, and its precisions.
COMMON_CARDS = ("rtx-3060-12gb", "rtx-4090", "a100-80gb")
MODEL_PRECISIONS = ("fp16", "int8", "int4")
#: A pasted config.json larger than this is not one.
MAX_PASTED = 1_000_000
#: app.js sends this header when it posts a pasted config and swaps the result into the page: a problem
#: is then shown there, in a 200 answer, not a failed request that the browser logs as a console error.
INLINE = "X-Modelatlas-Inline"


def _render(request: Request, name: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    other = "en" if lang == "zh" else "zh"
    switch = f"{request.url.path}?{urlencode([*params, ('lang', other)])}"
    html = templates.get_template(name).render(
        request=request,
        lang=lang,
        t=translator(lang),
        switch=switch,
        count=functools.partial(format_count, lang=lang),
        joined=functools.partial(joined, lang=lang),
        orgs_named=_organizations(request, lang),
        said=functools.partial(said, lang=lang),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def _organizations(request: Request, lang: str) -> Callable[[list[str]], str]:
    """What a template calls to name a row's organizations (English names) in ``lang``: Chinese names where
    the catalog has them, joined as the language joins a list. The names are looked up once per page, not
    once per row (each lookup reads the store's build stamp)."""
    known = functools.cache(lambda: views.organization_names(request.app.state.engine))
    side = 1 if lang == "zh" else 0

    def named(names: list[str]) -> str:
        found = known()
        return joined((found.get(n, (n, n))[side] for n in names), lang=lang)

    return named


def healthz(engine: EngineDep) -> JSONResponse:
    """``ok`` when the store can be read; 503 and the reason otherwise."""
    try:
        check_store(engine)
    except ModelAtlasError as exc:
        return JSONResponse({"status": "unavailable", "message": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok"})


def _charts(request: Request, settings: Settings, data: views.Analysis, lang: str) -> list[Figure]:
    """The home page's charts: parameter growth since 2018 and releases per year."""
    shown: list[dict[str, Any]] = []
    with contextlib.suppress(NotEnoughData):
        shown.append(views.trend_view(data, views.TrendQuery(), lang))  # /trends' default
    with contextlib.suppress(NotEnoughData):
        shown.append(views.timeline_view(data, lang, freq="year"))
    return [_figure(request, settings, data, view["chart"], view["chart_json"]) for view in shown]


def _figure(
    request: Request,
    settings: Settings,
    data: views.Analysis,
    spec: dict[str, Any],
    embedded: Markup,
    untitled: str = "",
) -> Figure:
    """A chart with its citation: the data's date and this page's address (under ``MODELATLAS_BASE_URL``
    where set)."""
    url = str(request.url)
    if settings.base_url:
        url = (
            settings.base_url.rstrip("/")
            + request.url.path
            + (f"?{request.url.query}" if request.url.query else "")
        )
    return figure(spec, embedded, data.as_of, url, untitled=untitled)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, engine: EngineDep, settings: SettingsDep, lang: LangDep) -> HTMLResponse:
    data = views.analysis(engine, settings.db)
    summary = views.overview(engine, data.built_at, 10)
    fit = None
    with contextlib.suppress(NotEnoughData):
        fit = views.trend_view(data, views.TrendQuery(), lang)["fit"]  # the fit of the first chart
    charts = _charts(request, settings, data, lang)
    return _render(request, "home.html", lang, summary=summary, charts=charts, fit=fit)


def _facet_links(
    request: Request, page_facets: dict[str, dict[str, int]], lang: str, orgs: dict[str, tuple[str, str]]
) -> dict[str, list[dict[str, Any]]]:
    """For each facet value: its label in ``lang``, its count, whether it is on, and the URL that toggles it
    (back to page 1)."""
    t = translator(lang)
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("offset", "lang")]
    names = {"organization": "org"}
    # each parameter encoded once (as ``urlencode`` would), not once per link: a page has hundreds
    encoded = [(k, v, urlencode([(k, v)])) for k, v in params]
    asked = "&".join(pair for _, _, pair in encoded)
    links: dict[str, list[dict[str, Any]]] = {}
    for facet in FACETS:
        key = names.get(facet, facet)
        chosen = {v for k, v in params if k == key}
        values = dict(page_facets.get(facet, {}))
        for value in chosen:
            values.setdefault(value, 0)
        items = []
        for value, n in values.items():
            on = value in chosen
            if on:
                query = "&".join(pair for k, v, pair in encoded if not (k == key and v == value))
            else:
                query = "&".join(part for part in (asked, urlencode([(key, value)])) if part)
            url = "/models?" + query
            label = _facet_label(facet, str(value), lang, orgs, t)
            items.append({"value": value, "label": label, "count": n, "on": on, "url": url})
        links[facet] = items
    return links


def _facet_label(facet: str, value: str, lang: str, orgs: dict[str, tuple[str, str]], t: Any) -> str:
    """A facet value as a reader sees it: an organization's name (Chinese where the catalog has one), a
    country's name, a vocabulary label."""
    if facet == "organization":
        names = orgs.get(value)
        return names[1 if lang == "zh" else 0] if names else value
    if facet == "country":
        return country_name(value, lang)
    return str(t(value))


@router.get("/models", response_class=HTMLResponse)
def models(
    request: Request, engine: EngineDep, selection: BrowseDep, hardware: HardwareDep, lang: LangDep
) -> HTMLResponse:
    page = views.browse_page(engine, selection)
    gpu, fit_precision = request.query_params.get("gpu"), request.query_params.get("precision", "int4")
    fit_memory = hardware.fitting(gpu, fit_precision) if gpu and gpu.strip() else None  # kept per build
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("offset", "lang")]
    step = page.limit or page.total  # the web always asks for a limit
    pager = {
        "previous": _offset_url(params, max(0, page.offset - step)) if page.offset > 0 else None,
        "next": _offset_url(params, page.offset + step) if page.offset + step < page.total else None,
    }
    exports = {
        fmt: "/api/v1/models?"
        + urlencode([*(p for p in params if p[0] != "limit"), ("limit", "500"), ("format", fmt)])
        for fmt in ("csv", "json", "markdown")
    }
    return _render(
        request,
        "models.html",
        lang,
        page=page,
        selection=selection,
        facets=_facet_links(request, page.facets, lang, views.organization_names(engine)),
        pager=pager,
        exports=exports,
        cards=hardware.table().gpus,
        chosen_card=_card_id(hardware, request.query_params.get("gpu")),
        precisions=list(PRECISIONS),
        fit_memory=fit_memory,
        fit_precision=fit_precision,
    )


def _offset_url(params: list[tuple[str, str]], offset: int) -> str:
    return "/models?" + urlencode([*params, ("offset", str(offset))])


@router.get("/models/{model_id}", response_class=HTMLResponse)
def model(
    request: Request,
    model_id: str,
    engine: EngineDep,
    settings: SettingsDep,
    hardware: HardwareDep,
    lang: LangDep,
) -> HTMLResponse:
    with engine.connect() as conn:
        found = Q.resolve(conn, model_id)
        record = Q.get_model(conn, found)
        tree = Q.lineage(conn, found)
        dated = Q.versions(conn, found)
        related = [m for m, _, _ in tree.up + tree.down] + [record.version_of or found]
        names = {r.id: r.name for r in Q.rows_for(conn, related)}
        orgs = Q.organizations(conn)
    refs = refs_of(record)
    live = latest(engine, refs)
    derived = derivatives_of(engine, refs["hf"])
    data = views.analysis(engine, settings.db)
    family = views.family_view(data, found, lang)
    counts = views.history_view(history(engine, refs), lang)
    t = translator(lang)
    charts = [  # #chart-0, #chart-1
        _figure(request, settings, data, spec, views.embed(spec), untitled=t(name))
        for spec, name in ((family, "lineage"), (counts, "live"))
        if spec is not None
    ]
    return _render(
        request,
        "model.html",
        lang,
        charts=charts,
        family_chart=0 if family else None,
        history_chart=(1 if family else 0) if counts else None,
        model=record,
        tree=tree,
        names=names,
        versions=dated,
        orgs=orgs,
        live=live,
        derived=derived,
        hardware=_hardware_table(hardware, record),
        gib=_gib,
    )


def _gib(value: int) -> str:
    return f"{value / GIB:.2f}"


def _hardware_table(hardware: Hardware, record: Model) -> dict[str, Any] | None:
    """Memory per size and precision at the default workload, and the fit on a few common cards;
    None when the model has neither a bundled config nor a stated size."""
    try:
        sizes = model_subjects(record, hardware.configs_dir)
        table = hardware.table()
    except (CatalogError, ConfigError):  # a broken gpus.yaml or config costs the table, not the page
        return None
    if not sizes:
        return None
    by_id = {card.id: card for card in table.gpus}
    cards = [by_id[c] for c in COMMON_CARDS if c in by_id]
    formats = precision_list(MODEL_PRECISIONS)
    shown = []
    for found in sizes:
        work = found.workload()
        chosen = [p for p in formats if p.scope == "all"] if found.pipeline else formats
        rows = [
            {"row": _weights_row(e.breakdown, found), "fits": [fits_on(e.breakdown, card) for card in cards]}
            for e in estimates(found, work, precisions=chosen)
        ]
        shown.append({"subject": found, "work": work, "rows": rows})
    return {"cards": cards, "sizes": shown, "stated": any(not s.count.exact for s in sizes)}


def _weights_row(row: Breakdown, found: Subject) -> Breakdown:
    """A pipeline's row with its networks' weights as one part, as the model page's columns show them (the
    calculator breaks them down)."""
    if found.pipeline is None:
        return row
    weights = sum(v for k, v in row.parts.items() if k != "overhead")
    return Breakdown(row.label, {"weights": weights, "overhead": row.parts["overhead"]}, row.gpus, row.notes)


@router.get("/hardware", response_class=HTMLResponse)
def hardware(
    request: Request,
    hardware: HardwareDep,
    query: MemoryDep,
    lang: LangDep,
    model: Annotated[str | None, Query(description="A catalog model or size, or a bundled repo.")] = None,
) -> HTMLResponse:
    """The calculator; with ``model`` its estimate. Every input is in the URL, so a result can be shared."""
    asked = (model or "").strip()
    api = f"/api/v1/memory?{request.url.query}" if asked else None
    return _calculator(
        request, hardware, query, lang, lambda: hardware.asked(asked) if asked else [], asked, api
    )


@router.post("/hardware", response_class=HTMLResponse)
def hardware_pasted(
    request: Request,
    hardware: HardwareDep,
    query: MemoryDep,
    lang: LangDep,
    body: Annotated[bytes, Depends(body_head)],
) -> HTMLResponse:
    """The calculator's estimate for a config.json pasted on the page: app.js posts it as the body.

    A bad config is a 422 with the reason on the page, or a 200 with it when app.js asks (``INLINE``).
    """

    def pasted() -> list[Subject]:
        if body.startswith(GGUF_MAGIC):  # the beginning of a .gguf file, which app.js reads and sends
            return [gguf_subject(read_gguf(body[:MAX_HEADER], origin="GGUF header"))]
        if len(body) > MAX_PASTED:
            raise BadArgument(f"a config.json of {len(body):,} bytes is too large (at most {MAX_PASTED:,})")
        return [pasted_subject(parse_config(body.decode("utf-8", errors="replace")))]

    shown = _calculator(request, hardware, query, lang, pasted, "", None)
    if INLINE in request.headers:
        shown.status_code = 200
    return shown


def _calculator(
    request: Request,
    hardware: Hardware,
    query: MemoryQuery,
    lang: str,
    find: Callable[[], list[Subject]],
    asked: str,
    api: str | None,
) -> HTMLResponse:
    """The Hardware page: the form, and the estimate of what ``find`` returns or why there is none."""
    results: list[MemoryOut] = []
    problem, status = None, 200
    try:
        results = [hardware.memory(found, query, lang) for found in find()]
    except ModelAtlasError as exc:
        problem = said(exc, lang)
        status = 422 if exc.status == 400 and isinstance(exc, ValueError) else exc.status
    known = hardware.suggestions()
    return _render(
        request,
        "hardware.html",
        lang,
        status,
        query=query,
        asked=asked,
        results=results,
        problem=problem,
        api=api if results else None,
        cards=hardware.table().gpus,
        chosen_card=results[0].gpu.id if results and results[0].gpu else _card_id(hardware, query.gpu),
        precisions=list(PRECISIONS),
        known=known,
    )


def _card_id(hardware: Hardware, name: str | None) -> str | None:
    """The id of the card ``name`` names, to select it in a form; None when it names none."""
    with contextlib.suppress(ModelAtlasError):
        card = hardware.card(name)
        return card.id if card else None
    return None


@router.get("/trends", response_class=HTMLResponse)
def trends(
    request: Request, engine: EngineDep, settings: SettingsDep, query: TrendDep, lang: LangDep
) -> HTMLResponse:
    data = views.analysis(engine, settings.db)
    try:
        view: dict[str, Any] | None = views.trend_view(data, query, lang)
        problem = None
    except NotEnoughData as exc:
        view, problem = None, said(exc, lang)
    return _render(
        request,
        "trends.html",
        lang,
        query=query,
        view=view,
        problem=problem,
        domains=data.domains,
        choices=views.trend_choices(data),
        org=request.query_params.get("org"),
        charts=[_figure(request, settings, data, view["chart"], view["chart_json"])] if view else [],
    )


@router.get("/timeline", response_class=HTMLResponse)
def timeline(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    lang: LangDep,
    freq: str = "quarter",
    since: Annotated[
        str | None, Query(description="The first year shown, or all; default: where releases become dense.")
    ] = None,
) -> HTMLResponse:
    data = views.analysis(engine, settings.db)
    first = _since_year(since)
    view = views.timeline_view(data, lang, freq=freq, since=first)
    newest = views.overview(engine, data.built_at, 30).newest
    return _render(
        request,
        "timeline.html",
        lang,
        freq=freq,
        since=since or "",
        dense=views.dense_year(data),
        newest=newest,
        charts=[_figure(request, settings, data, view["chart"], view["chart_json"])],
    )


def _since_year(since: str | None) -> int | None:
    """``since`` as the timeline's first year: None for the default, 0 for ``all``."""
    if since is None or not since.strip():
        return None
    if since.strip() == "all":
        return 0
    if not since.strip().isdigit():
        raise BadArgument(f"since {since!r}: write a year such as 2015, or all")
    return int(since)


@router.get("/ecosystem", response_class=HTMLResponse)
def ecosystem(request: Request, engine: EngineDep, settings: SettingsDep, lang: LangDep) -> HTMLResponse:
    """What the open community builds on which base models, from the whole Hub listing."""
    view = views.ecosystem_view(engine, lang)
    charts = []
    if view is not None:
        data = views.analysis(engine, settings.db)
        charts = [_figure(request, settings, data, view["chart"], view["chart_json"])]
        if "quantized" in view:
            charts.append(_figure(request, settings, data, view["quantized"], view["quantized_json"]))
    return _render(request, "ecosystem.html", lang, field=view["field"] if view else None, charts=charts)


@router.get("/trending", response_class=HTMLResponse)
def trending_page(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    lang: LangDep,
    metric: Annotated[
        str, Query(description="downloads, likes, stars, forks or downloads_all_time.")
    ] = "downloads",
    days: Annotated[int, Query(ge=1, le=365, description="The window, in days, ending now.")] = 30,
) -> HTMLResponse:
    """The catalog's Hub repos and GitHub repositories ranked by the growth of a count that `sync`
    recorded over the last ``days``."""
    from modelatlas.live.ledger import require_live_tables
    from modelatlas.live.trending import METRICS, trending

    if metric not in METRICS:
        raise BadArgument(f"metric {metric!r}: choose one of {', '.join(METRICS)}")
    require_live_tables(engine)
    owners = views.repo_owners(engine, settings.db)
    now = dt.datetime.now(dt.UTC)
    found = trending(engine, owners, metric=metric, window=dt.timedelta(days=days), now=now, top=50)
    with engine.connect() as conn:
        names = {r.id: r.name for r in Q.rows_for(conn, sorted({m for t in found for m in t.models}))}
    return _render(
        request,
        "trending.html",
        lang,
        found=found,
        names=names,
        metric=metric,
        days=days,
        metrics=list(METRICS),
    )


@router.get("/new", response_class=HTMLResponse)
def new(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    since: Annotated[
        str | None, Query(description="2026, 2026-11 or 2026-11-15; default: this month.")
    ] = None,
    *,
    filters: Annotated[dict[str, Any], Depends(new_filters)],
) -> HTMLResponse:
    """The models that entered the atlas since a date (their first source's date), the most recent first;
    the models page's filters narrow them."""
    first = new_since(since)
    found = views.added_view(engine, first, new_selection(filters))
    domain, org = request.query_params.get("domain"), request.query_params.get("org")
    return _render(
        request,
        "new.html",
        lang,
        found=found[:NEW_LIMIT],
        more=len(found) > NEW_LIMIT,
        since=first.isoformat(),
        domain=domain or "",
        org=org or "",
        domains=DOMAINS,
    )


@router.get("/lineage", response_class=HTMLResponse)
def lineage(request: Request, engine: EngineDep, settings: SettingsDep, lang: LangDep) -> HTMLResponse:
    data = views.analysis(engine, settings.db)
    try:
        view = views.lineage_view(data, lang)
    except NotEnoughData:
        return _render(request, "lineage.html", lang, charts=[], built_on=[])
    charts = [_figure(request, settings, data, view["chart"], view["chart_json"])]
    return _render(request, "lineage.html", lang, charts=charts, built_on=view["built_on"])


@router.get("/compare", response_class=HTMLResponse)
def compare(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    m: Annotated[list[str], Query(description="Model id, name or alias (2 to 6).")] = [],  # noqa: B006
) -> HTMLResponse:
    asked = [ident for ident in m if ident.strip()]
    if len(asked) > 6:
        raise BadArgument(f"compare takes at most 6 models, got {len(asked)}")
    records, missing = [], []
    with engine.connect() as conn:
        for ident in asked:  # an unknown name is said so beside the others, not a 404 for them all
            try:
                records.append(Q.get_model(conn, Q.resolve(conn, ident)))
            except NotFound as exc:
                missing.append(said(exc, lang))
        orgs = Q.organizations(conn)
    shown = {row: any(_FILLED[row](r) for r in records) for row in _FILLED}
    return _render(
        request, "compare.html", lang, records=records, orgs=orgs, asked=asked, missing=missing, shown=shown
    )


#: Compare's rows, each shown only when some model has a value for it.
_FILLED: dict[str, Callable[[Model], object]] = {
    "organizations": lambda r: r.organizations,
    "released": lambda r: r.released,
    "parameters": lambda r: r.parameters and r.parameters.total,
    "training_data": lambda r: r.training and (r.training.dataset or r.training.tokens),
    "code": lambda r: r.code,
    "openness": lambda r: r.openness,
    "license": lambda r: r.license,
    "base_models": lambda r: r.base_models,
    "cost": lambda r: r.training and r.training.cost_usd,
    "papers": lambda r: r.papers,
}


@router.get("/feed.atom")
def feed(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    """The 30 models that entered the atlas last (their first source's date), as an Atom feed; its links
    start with ``MODELATLAS_BASE_URL`` where set (a cached feed built from a forged Host header would
    send readers elsewhere), else the request's address."""
    lang = request.query_params.get("lang", "en")
    lang = lang if lang in ("en", "zh") else "en"
    domains = tuple(d for d in request.query_params.getlist("domain") if d.strip())
    newest = views.added_view(engine, FEED_SINCE, feed_selection(domains))
    templates: Jinja2Templates = request.app.state.templates
    base = (settings.base_url or str(request.base_url)).rstrip("/")
    xml = templates.get_template("feed.xml").render(
        entries=newest,
        base=base,
        lang=lang,
        t=translator(lang),
        count=functools.partial(format_count, lang=lang),
        orgs_named=_organizations(request, lang),
        domains=domains,
    )
    return Response(xml, media_type="application/atom+xml; charset=utf-8")
