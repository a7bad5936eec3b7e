"""The rows of the store's analysis table, made from models: plain Python, no pandas.

A build makes one for every model (in its children, at a million models); ``analysis.frame`` turns
them into the DataFrame every analysis takes. Kept apart so that a build or an import does not load
pandas for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping

import orjson

from modelatlas.analysis.estimates import training_compute
from modelatlas.catalog.schema import Model, Organization, PartialDate
from modelatlas.store.queries import OPEN_WEIGHTS

__all__ = ["COLUMNS", "KINDS", "LISTS", "NUMBERS", "TEXTS", "model_row", "table_rows"]

#: Each metric column and the column saying what kind its value is: ``stated`` (or measured) by a
#: source, ``estimate`` by a third party (Epoch AI…), or ``6ND`` (modelatlas' own estimate of compute).
KINDS: dict[str, str] = {
    "parameters": "parameters_kind",
    "compute": "compute_method",
    "tokens": "tokens_kind",
    "cost_usd": "cost_kind",
    "co2e_t": "co2e_kind",
}
#: Architectures for which 6·N·D (dense transformer training) is a fair estimate of compute.
_TRANSFORMERS = ("decoder-only", "encoder-only", "encoder-decoder", "glm", "vision-transformer", None)


def table_rows(
    models: Iterable[Model], organizations: Mapping[str, Organization], *, curated: Collection[str] = ()
) -> Iterator[dict[str, object]]:
    """The rows of the store's ``analysis_rows`` table: ``model_frame``'s of every model, dated versions
    too (``version_of`` says which), lists as JSON arrays, and the release date as stated."""
    chosen = frozenset(curated)
    for model in models:
        row = model_row(model, organizations, chosen)
        row["version_of"] = model.version_of
        row["released_text"] = str(model.released) if model.released else None
        for column in LISTS:
            row[column] = orjson.dumps(row[column]).decode()
        yield row


COLUMNS: dict[str, object] = {
    "id": "",
    "name": "",
    "released": None,
    "date_precision": None,
    "domain": "other",
    "domains": (),
    "openness": None,
    "open_weights": False,
    "organization": None,
    "organization_name": None,
    "organization_name_zh": None,
    "organizations": (),
    "org_kind": None,
    "country": None,
    "parameters": None,
    "active_parameters": None,
    "tokens": None,
    "compute": None,
    "compute_method": None,
    "parameters_kind": None,
    "tokens_kind": None,
    "cost_kind": None,
    "co2e_kind": None,
    "cost_usd": None,
    "co2e_t": None,
    "sources": (),
    "base_models": (),
    "notable": False,
}
#: The columns that hold several values (tuples in the frame, JSON arrays in the store).
LISTS = ("domains", "organizations", "sources", "base_models")
#: The columns that hold a number or nothing.
NUMBERS = ("parameters", "active_parameters", "tokens", "compute", "cost_usd", "co2e_t")
#: The columns that hold one text or nothing.
TEXTS = tuple(
    column
    for column, empty in COLUMNS.items()
    if (empty is None or isinstance(empty, str)) and column not in (*NUMBERS, "released")
)


def model_row(
    model: Model, organizations: Mapping[str, Organization], curated: frozenset[str]
) -> dict[str, object]:
    row = dict(COLUMNS)
    first = organizations.get(model.organizations[0]) if model.organizations else None
    training = model.training
    row |= {
        "id": model.id,
        "name": model.name,
        "released": _midpoint(model.released) if model.released else None,
        "date_precision": model.released.precision if model.released else None,
        "domain": model.domains[0],
        "domains": tuple(model.domains),
        "openness": model.openness,
        "open_weights": model.openness in OPEN_WEIGHTS,
        "organization": model.organizations[0] if model.organizations else None,
        "organization_name": first.name if first else None,
        "organization_name_zh": (first.name_zh or first.name) if first else None,
        "organizations": tuple(model.organizations),
        "org_kind": first.kind if first else None,
        "country": first.country if first else None,
        "active_parameters": model.parameters.active if model.parameters else None,
        "sources": tuple(source.id for source in model.sources),
        "base_models": tuple(edge.model for edge in model.base_models),
        "notable": model.id in curated or bool(model.notability),
    }
    row["compute"], row["compute_method"] = _compute(model)
    row["parameters"], row["parameters_kind"] = _fact(
        model.parameters.total if model.parameters else None, model, "parameters"
    )
    for column, field in (("tokens", "tokens"), ("cost_usd", "cost_usd"), ("co2e_t", "co2e_t")):
        stated = getattr(training, field) if training else None
        row[column], row[KINDS[column]] = _fact(stated, model, f"training.{field}")
    return row


def _fact(stated: float | None, model: Model, field: str) -> tuple[float | None, str | None]:
    """The stated value, else a third party's estimate of the whole model (not of one variant)."""
    if stated is not None:
        return stated, "stated"
    estimate = _estimate(model, field)
    return (estimate, "estimate") if estimate is not None else (None, None)


def _estimate(model: Model, field: str) -> float | None:
    if not model.estimates:  # most models: five lookups a model, a build makes them for every one
        return None
    return next((e.value for e in model.estimates if e.field == field and e.variant is None), None)


def _compute(model: Model) -> tuple[float | None, str | None]:
    training = model.training
    if training and training.compute_flop:
        return training.compute_flop, "stated"
    estimate = _estimate(model, "training.compute_flop")
    if estimate is not None:
        return estimate, "estimate"
    architecture = model.architecture
    dense = architecture is None or (not architecture.moe and architecture.type in _TRANSFORMERS)
    parameters = model.parameters.total if model.parameters else None
    if dense and parameters and training and training.tokens:
        return training_compute(parameters, training.tokens).value, "6ND"
    return None, None


def _midpoint(date: PartialDate) -> dt.date:
    if date.precision == "year":
        return dt.date(date.date.year, 7, 2)
    if date.precision == "month":
        return date.date.replace(day=15)
    return date.date
