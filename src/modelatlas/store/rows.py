"""Flatten catalog records into the store's table rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import Benchmark, Model, Organization, Technique
from modelatlas.live.targets import refs_of

__all__ = ["benchmark_row", "model_rows", "organization_row", "technique_row"]

Rows = dict[str, list[dict[str, Any]]]


def organization_row(org: Organization) -> dict[str, Any]:
    return org.model_dump(include={"id", "name", "name_zh", "country", "kind", "url"})


def technique_row(tech: Technique) -> dict[str, Any]:
    paper = tech.paper
    return {
        "id": tech.id,
        "name": tech.name,
        "name_zh": tech.name_zh,
        "kind": tech.kind,
        "year": tech.year,
        "paper_title": paper.title if paper else None,
        "paper_arxiv": paper.arxiv if paper else None,
    }


def benchmark_row(bench: Benchmark) -> dict[str, Any]:
    return bench.model_dump(include={"id", "name", "name_zh", "domain", "url"})


def model_rows(model: Model, source_file: Path, record_json: str | None = None) -> Rows:
    """The rows of every table that describe ``model``, keyed by table name; a table the model has no
    rows in is left out. A build makes these for every model, so each table's rows are made only when
    the record has the field they come from (a million models, most with few of them). ``record_json``:
    the model's ``Model.record_json`` where the caller has it (a merge's shelf keeps it; encoding the
    model again was a quarter of making its rows)."""
    mid = model.id
    rows: Rows = {
        "models": [
            _model_row(model, source_file, model.record_json() if record_json is None else record_json)
        ],
        "model_names": _name_rows(model),
    }
    if model.domains:
        rows["model_domains"] = [{"model_id": mid, "domain": d} for d in model.domains]
    if model.modalities:
        rows["model_modalities"] = [
            {"model_id": mid, "direction": direction, "modality": m}
            for direction in ("input", "output")
            for m in getattr(model.modalities, direction)
        ]
    if model.organizations:
        rows["model_organizations"] = [
            {"model_id": mid, "organization_id": org, "position": i}
            for i, org in enumerate(model.organizations)
        ]
    if model.techniques:
        rows["model_techniques"] = [{"model_id": mid, "technique_id": t} for t in model.techniques]
    if model.variants:
        rows["variants"] = [
            {"model_id": mid, "name": v.name, "parameters": v.parameters, "context_length": v.context_length}
            for v in model.variants
        ]
    if model.papers:
        rows["papers"] = [
            {
                "model_id": mid,
                "position": i,
                **p.model_dump(include={"title", "arxiv", "venue", "year", "url"}),
                "date": p.date.date if p.date else None,
                "date_precision": p.date.precision if p.date else None,
            }
            for i, p in enumerate(model.papers)
        ]
    if model.code:
        rows["code"] = [{"model_id": mid, "url": url} for url in model.code]
    if model.weights:
        rows["weights"] = [
            {"model_id": mid, "kind": "huggingface", "ref": r} for r in model.weights.huggingface
        ]
        rows["weights"] += [{"model_id": mid, "kind": "url", "ref": r} for r in model.weights.urls]
    if model.weights or model.variants or model.papers or model.code:  # where refs_of finds them
        rows["model_refs"] = [
            {"model_id": mid, "source": source, "ref": ref, "position": i}
            for source, refs in refs_of(model).items()
            for i, ref in enumerate(refs)
        ]
    if model.base_models:
        rows["lineage"] = [
            {"model_id": mid, "base_id": e.model, "relation": e.relation, "method": e.method, "note": e.note}
            for e in model.base_models
        ]
    if model.hardware:
        rows["hardware"] = [
            {
                "model_id": mid,
                "source_id": h.source,
                **h.model_dump(include={"purpose", "precision", "gpu_memory_gb", "gpu", "note"}),
            }
            for h in model.hardware
        ]
    if model.evaluations:
        rows["evaluations"] = [
            {
                "model_id": mid,
                "benchmark_id": e.benchmark,
                "metric": e.metric,
                "value_num": e.value if isinstance(e.value, float) else None,
                "value_text": e.value if isinstance(e.value, str) else None,
                "date": e.date.date if e.date else None,
                "source_id": e.source,
            }
            for e in model.evaluations
        ]
    if model.sources:
        rows["sources"] = [
            {
                "model_id": mid,
                "source_id": s.id,
                "url": s.url,
                "citation": s.citation,
                "title": s.title,
                "accessed": s.accessed,
                "note": s.note,
                "kind": s.kind,
                "fields": orjson.dumps(s.fields).decode() if s.fields else None,
            }
            for s in model.sources
        ]
    if model.status_notes:
        rows["status_notes"] = [
            {
                "model_id": mid,
                "date": n.date.date,
                "precision": n.date.precision,
                "note": n.note,
                "source_id": n.source,
            }
            for n in model.status_notes
        ]
    if model.disputes:
        rows["disputes"] = [
            {"model_id": mid, "field": d.field, "value": str(d.value), "source_id": d.source, "note": d.note}
            for d in model.disputes
        ]
    if model.estimates:
        rows["estimates"] = [
            {
                "model_id": mid,
                **e.model_dump(include={"field", "value", "by", "method", "confidence", "note"}),
            }
            | {"source_id": e.source}
            for e in model.estimates
        ]
    return rows


def _name_rows(model: Model) -> list[dict[str, Any]]:
    """``model_names``: the id, name, aliases and variant names, each key once per kind."""
    mid = model.id
    found = []
    seen: set[tuple[str, str]] = set()
    named = [("id", mid), ("name", model.name)]
    named += [("alias", name) for name in model.aliases]
    named += [("variant", v.name) for v in model.variants]
    for kind, name in named:
        key = name_key(name)
        if key and (key, kind) not in seen:
            seen.add((key, kind))
            found.append({"model_id": mid, "name": name, "key": key, "kind": kind})
    return found


def _model_row(model: Model, source_file: Path, record_json: str) -> dict[str, Any]:
    training = model.training
    params = model.parameters
    arch = model.architecture
    return {
        "id": model.id,
        "name": model.name,
        "family": model.family,
        "version": model.version,
        "version_of": model.version_of,
        "architecture": arch.type if arch else None,
        "moe": bool(arch and arch.moe),
        "parameters": params.total if params else None,
        "active_parameters": params.active if params else None,
        "context_length": model.context_length,
        "training_tokens": training.tokens if training else None,
        "training_dataset": training.dataset if training else None,
        "training_compute_flop": training.compute_flop if training else None,
        "training_hardware": training.hardware if training else None,
        "training_gpu_hours": training.gpu_hours if training else None,
        "training_cost_usd": training.cost_usd if training else None,
        "training_co2e_t": training.co2e_t if training else None,
        "released": model.released.date if model.released else None,
        "released_precision": model.released.precision if model.released else None,
        "announced": model.announced.date if model.announced else None,
        "announced_precision": model.announced.precision if model.announced else None,
        "license": model.license,
        "openness": model.openness,
        "demo": model.demo,
        "homepage": model.homepage,
        "summary_en": model.summary.en if model.summary else None,
        "summary_zh": model.summary.zh if model.summary else None,
        "source_file": source_file.name,
        "record_json": record_json,
        "added": min(s.accessed for s in model.sources) if model.sources else None,
    }
