"""What the JSON API answers: one pydantic model per response, so ``/openapi.json`` documents it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["ErrorBody", "ErrorOut", "ModelDetailOut", "ModelListOut", "ModelSummaryOut"]


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
