"""What routes depend on: the app's settings and engine, the request's language, the shared parsers."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Query, Request
from sqlalchemy import Engine

from modelatlas.catalog.units import parse_count
from modelatlas.config import Settings
from modelatlas.errors import BadArgument
from modelatlas.store.browse import Browse, BrowseSort
from modelatlas.web.i18n import pick_lang
from modelatlas.web.views import TrendQuery

__all__ = ["BrowseDep", "EngineDep", "LangDep", "SettingsDep", "TrendDep", "browse_params", "trend_params"]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


SettingsDep = Annotated[Settings, Depends(_settings)]
EngineDep = Annotated[Engine, Depends(_engine)]
LangDep = Annotated[str, Depends(pick_lang)]


def _count(value: str | None, name: str) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        return parse_count(value)
    except BadArgument as exc:
        raise BadArgument(f"{name}: {exc}") from exc


def browse_params(
    q: Annotated[str | None, Query(description="Name, alias or words (Chinese or English).")] = None,
    domain: Annotated[list[str], Query(description="Domain (repeatable: any of them).")] = [],  # noqa: B006
    modality: Annotated[list[str], Query(description="Modality (repeatable).")] = [],  # noqa: B006
    org: Annotated[list[str], Query(description="Organization id (repeatable).")] = [],  # noqa: B006
    country: Annotated[list[str], Query(description="Country code, e.g. CN (repeatable).")] = [],  # noqa: B006
    openness: Annotated[list[str], Query(description="Openness (repeatable).")] = [],  # noqa: B006
    year: Annotated[list[int], Query(description="Release year (repeatable).")] = [],  # noqa: B006
    min_params: Annotated[
        str | None, Query(description="At least this many parameters: 7B, 6.2e9, 62亿.")
    ] = None,
    max_params: Annotated[str | None, Query(description="At most this many parameters.")] = None,
    open: Annotated[bool, Query(description="Only models whose weights can be downloaded.")] = False,
    sort: Annotated[
        str | None,
        Query(
            pattern="^(relevance|released|parameters|name)?$",
            description="Default: relevance with q, else released.",
        ),
    ] = None,
    order: Annotated[
        str | None, Query(pattern="^(asc|desc)?$", description="Default: asc for name, else desc.")
    ] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Browse:
    """The query parameters shared by ``/models`` and ``/api/v1/models``."""
    return Browse(
        text=q,
        domain=tuple(domain),
        modality=tuple(modality),
        organization=tuple(org),
        country=tuple(country),
        openness=tuple(openness),
        year=tuple(year),
        min_params=_count(min_params, "min_params"),
        max_params=_count(max_params, "max_params"),
        open_only=open,
        sort=cast(BrowseSort, sort or ("relevance" if q else "released")),
        descending=order == "desc" if order else sort != "name",
        offset=offset,
        limit=limit,
    )


BrowseDep = Annotated[Browse, Depends(browse_params)]


def trend_params(
    metric: Annotated[str, Query(pattern="^(parameters|compute|tokens|cost)$")] = "parameters",
    since: Annotated[int | None, Query(ge=1950, le=2100, description="First release year.")] = 2018,
    until: Annotated[int | None, Query(ge=1950, le=2100, description="Last release year.")] = None,
    domain: Annotated[str | None, Query()] = None,
    org: Annotated[str | None, Query(description="Organization id.")] = None,
    country: Annotated[str | None, Query()] = None,
    openness: Annotated[str | None, Query(description="open, closed or an openness value.")] = None,
    frontier: Annotated[bool, Query(description="Fit record-setting models only.")] = False,
    boot: Annotated[int, Query(ge=100, le=5000, description="Bootstrap resamples.")] = 500,
) -> TrendQuery:
    return TrendQuery(metric, since, until, domain, org, country, openness, frontier, boot)


TrendDep = Annotated[TrendQuery, Depends(trend_params)]
