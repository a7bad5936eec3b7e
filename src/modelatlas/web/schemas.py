"""What the JSON API answers: one pydantic model per response, so ``/openapi.json`` documents it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "ErrorBody",
    "ErrorOut",
    "LineageOut",
    "ModelDetailOut",
    "ModelListOut",
    "ModelSummaryOut",
    "TrendOut",
]


class ModelSummaryOut(BaseModel):
    """One model in a listing; with ``fields=`` only the fields asked for are present."""

    id: str | None = None
    name: str | None = None
    organizations: list[str] | None = None
    countries: list[str] | None = None
    domains: list[str] | None = None
    parameters: int | None = None
    released: str | None = None
    openness: str | None = None
    architecture: str | None = None
    license: str | None = None


class ModelListOut(BaseModel):
    total: int = Field(description="Models that pass the filters.")
    offset: int
    limit: int
    next_offset: int | None = Field(description="Offset of the next page; null on the last page.")
    items: list[ModelSummaryOut]
    facets: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="Counts per facet value among the models that pass the filters."
    )


class ModelDetailOut(BaseModel):
    """The whole catalog record, its lineage and what live sources last said."""

    model: dict[str, Any]
    lineage: dict[str, list[dict[str, Any]]]
    live: list[dict[str, Any]]


class ErrorBody(BaseModel):
    status: int
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


class TrendOut(BaseModel):
    """A log-linear growth fit: growth per year, doubling time and their 90% bootstrap intervals."""

    fit: dict[str, Any] = Field(
        description="metric, n, growth_per_year, doubling_months, ci90, doubling_ci90 …"
    )
    headline: str


class LineageEdgeOut(BaseModel):
    model: str
    name: str
    relation: str
    depth: int


class LineageOut(BaseModel):
    model: str
    name: str
    up: list[LineageEdgeOut] = Field(description="What it was built on, nearest first.")
    down: list[LineageEdgeOut] = Field(description="What was built on it, nearest first.")
