"""Write models as data: full records in JSON or JSON Lines, one flat row per model in CSV or Parquet.

JSON and JSON Lines hold each whole record (``Model.model_validate`` reads them back). CSV and Parquet
share the columns of ``COLUMNS``: lists are joined with ``"; "``, variants written ``name=7B``, and an
unknown value is empty (CSV) or null (Parquet).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from modelatlas.catalog.schema import Estimate, Model, Organization
from modelatlas.catalog.units import format_count

__all__ = ["COLUMNS", "flat_rows", "to_csv", "to_json", "to_jsonl", "to_parquet"]

#: Column kinds, as Arrow types in Parquet; pyarrow is imported only when Parquet is written.
_TEXT, _INT, _FLOAT, _BOOL = "string", "int64", "float64", "bool_"

#: The flat columns of CSV and Parquet, with their Parquet types.
COLUMNS: dict[str, str] = {
    "id": _TEXT,
    "name": _TEXT,
    "aliases": _TEXT,
    "family": _TEXT,
    "version_of": _TEXT,
    "version": _TEXT,
    "organizations": _TEXT,
    "organization_names": _TEXT,
    "domains": _TEXT,
    "modalities_input": _TEXT,
    "modalities_output": _TEXT,
    "architecture": _TEXT,
    "moe": _BOOL,
    "parameters": _INT,
    "active_parameters": _INT,
    "context_length": _INT,
    "training_tokens": _INT,
    "training_dataset": _TEXT,
    "training_compute_flop": _FLOAT,
    "training_hardware": _TEXT,
    "training_gpu_hours": _FLOAT,
    "training_cost_usd": _FLOAT,
    "training_co2e_t": _FLOAT,
    # a third party's figures, never in the columns above: the first estimate of the whole model, and all
    "parameters_estimated": _FLOAT,
    "training_compute_flop_estimated": _FLOAT,
    "estimates": _TEXT,
    "techniques": _TEXT,
    "released": _TEXT,
    "announced": _TEXT,
    "paper_titles": _TEXT,
    "arxiv_ids": _TEXT,
    "code": _TEXT,
    "weights_huggingface": _TEXT,
    "demo": _TEXT,
    "homepage": _TEXT,
    "license": _TEXT,
    "openness": _TEXT,
    "base_models": _TEXT,
    "variants": _TEXT,
    "sources": _TEXT,
    "source_urls": _TEXT,
    "source_credits": _TEXT,
}


def to_json(models: Sequence[Model]) -> bytes:
    """One indented JSON array of the full records."""
    return orjson.dumps([_record(m) for m in models], option=orjson.OPT_INDENT_2) + b"\n"


def to_jsonl(models: Sequence[Model]) -> bytes:
    """One full record per line."""
    return b"".join(orjson.dumps(_record(m)) + b"\n" for m in models)


def _record(model: Model) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_defaults=True)


def _joined(values: Sequence[str | None]) -> str | None:
    kept = [v for v in values if v]
    return "; ".join(kept) if kept else None


def _org_name(org_id: str, orgs: Mapping[str, Organization], lang: str) -> str:
    org = orgs.get(org_id)
    if org is None:
        return org_id
    return (org.name_zh or org.name) if lang == "zh" else org.name


def flat_rows(
    models: Sequence[Model], organizations: Mapping[str, Organization], *, lang: str = "en"
) -> list[dict[str, Any]]:
    """One flat dict per model with the keys of ``COLUMNS``; None where the catalog does not say.

    ``organization_names`` uses the organizations' Chinese names when ``lang`` is ``zh``.
    """
    rows = []
    for m in models:
        params, training, arch, weights = m.parameters, m.training, m.architecture, m.weights
        row: dict[str, Any] = {
            "id": m.id,
            "name": m.name,
            "aliases": _joined(m.aliases),
            "family": m.family,
            "version_of": m.version_of,
            "version": m.version,
            "organizations": _joined(m.organizations),
            "organization_names": _joined([_org_name(o, organizations, lang) for o in m.organizations]),
            "domains": _joined(m.domains),
            "modalities_input": _joined(m.modalities.input) if m.modalities else None,
            "modalities_output": _joined(m.modalities.output) if m.modalities else None,
            "architecture": arch.type if arch else None,
            "moe": arch.moe if arch else None,
            "parameters": params.total if params else None,
            "active_parameters": params.active if params else None,
            "context_length": m.context_length,
            "parameters_estimated": _estimated(m, "parameters"),
            "training_compute_flop_estimated": _estimated(m, "training.compute_flop"),
            "estimates": _joined([_estimate_text(e) for e in m.estimates]),
            "techniques": _joined(m.techniques),
            "released": str(m.released) if m.released else None,
            "announced": str(m.announced) if m.announced else None,
            "paper_titles": _joined([p.title for p in m.papers]),
            "arxiv_ids": _joined([p.arxiv for p in m.papers]),
            "code": _joined(m.code),
            "weights_huggingface": _joined(weights.huggingface) if weights else None,
            "demo": m.demo,
            "homepage": m.homepage,
            "license": m.license,
            "openness": m.openness,
            "base_models": _joined([e.model for e in m.base_models]),
            "variants": _joined([_variant(v.name, v.parameters) for v in m.variants]),
            "sources": _joined([s.id for s in m.sources]),
            "source_urls": _joined([s.url for s in m.sources]),
            # the dataset a row came from, its licence and snapshot: "Epoch AI, … (CC BY 4.0), snapshot of …"
            "source_credits": _joined([s.citation for s in m.sources if s.citation]),
        }
        for field in ("tokens", "dataset", "compute_flop", "hardware", "gpu_hours", "cost_usd", "co2e_t"):
            row[f"training_{field}"] = getattr(training, field) if training else None
        rows.append({column: row[column] for column in COLUMNS})
    return rows


def _estimated(model: Model, field: str) -> float | None:
    return next((e.value for e in model.estimates if e.field == field and e.variant is None), None)


def _estimate_text(estimate: Estimate) -> str:
    """``parameters=1.8e+12 by Epoch AI (rumour, likely)``: a figure with who estimated it and how."""
    about = f"[{estimate.variant}]" if estimate.variant else ""
    how = ", ".join(filter(None, [estimate.method, estimate.confidence]))
    return f"{estimate.field}{about}={estimate.value:.4g} by {estimate.by}" + (f" ({how})" if how else "")


def _variant(name: str, parameters: int | None) -> str:
    return f"{name}={format_count(parameters)}" if parameters is not None else name


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(models: Sequence[Model], organizations: Mapping[str, Organization], *, lang: str = "en") -> str:
    """A CSV table with a header row and one row per model (see ``COLUMNS``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in flat_rows(models, organizations, lang=lang):
        writer.writerow([_csv_cell(v) for v in row.values()])
    return buffer.getvalue()


def to_parquet(
    models: Sequence[Model], organizations: Mapping[str, Organization], *, lang: str = "en"
) -> bytes:
    """A Parquet file (as bytes) with the columns and types of ``COLUMNS``, every column nullable."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = flat_rows(models, organizations, lang=lang)
    fields = [pa.field(name, getattr(pa, kind)(), nullable=True) for name, kind in COLUMNS.items()]
    schema = pa.schema(fields)
    table = pa.Table.from_pylist(rows, schema=schema)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())
