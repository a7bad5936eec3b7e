"""Checks across records: ids, names, references, lineage, and that every fact has a source."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from modelatlas.catalog.loader import Catalog, Entry, load_catalog
from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import SOURCED_LISTS, Model, Training
from modelatlas.catalog.vocab import FACT_FIELDS
from modelatlas.errors import CatalogInvalid, Problem

__all__ = [
    "check",
    "filled_fact_fields",
    "filled_record_fields",
    "load_valid_catalog",
    "name_keys",
    "validate_catalog",
]

_FACTS = frozenset(FACT_FIELDS)
_TRAINING_FIELDS = tuple(f"training.{name}" for name in Training.model_fields if name != "note")
_KNOWN_SOURCE_FIELDS = frozenset(FACT_FIELDS) | frozenset(_TRAINING_FIELDS)


def validate_catalog(root: Path) -> Catalog:
    """Load the catalog at ``root`` and run every check; ``catalog.problems`` lists all that is wrong."""
    catalog = load_catalog(root)
    catalog.problems.extend(check(catalog))
    catalog.problems.sort(key=lambda p: (str(p.path), p.line, p.field))
    return catalog


def load_valid_catalog(root: Path) -> Catalog:
    """Load and validate the catalog at ``root``.

    Raises:
        CatalogInvalid: one or more problems were found; the exception lists them all.
        CatalogError: ``root`` is not a catalog directory.
    """
    catalog = validate_catalog(root)
    if catalog.problems:
        raise CatalogInvalid(catalog.problems)
    return catalog


def check(catalog: Catalog) -> Iterator[Problem]:
    """Every cross-record problem in ``catalog``."""
    for entries in (catalog.organizations, catalog.techniques, catalog.benchmarks):
        yield from _unique_ids(entries)
    yield from _unique_ids(catalog.models)
    yield from _unique_names(catalog.models)
    orgs = {e.record.id for e in catalog.organizations}
    techniques = {e.record.id for e in catalog.techniques}
    benchmarks = {e.record.id for e in catalog.benchmarks}
    models = {e.record.id for e in catalog.models} | catalog.unparsed_ids
    for entry in catalog.models:
        yield from _file_name(entry)
        yield from _references(entry, orgs, techniques, benchmarks, models)
        yield from _provenance(entry)
    yield from _cycles(catalog.models)
    yield from _gpus(catalog)


def filled_fact_fields(model: Model) -> set[str]:
    """The fact fields that ``model`` fills; sub-fields of ``training`` are listed one by one."""
    filled: set[str] = set()
    fields = model.__dict__  # the field values, without a getattr each (a row's reader calls this)
    for name in FACT_FIELDS:
        value = fields[name]
        if value is None or value == []:  # most fields of most records: nothing to look into
            continue
        if name == "training":
            filled.update(f"training.{k}" for k in _set_fields(value) if k != "note")
        elif _is_filled(value):
            filled.add(name)
    return filled


def filled_record_fields(record: Mapping[str, Any]) -> set[str]:
    """``filled_fact_fields`` of a model given as its record's plain values (``Model.record_json`` read as
    JSON, its fields at their defaults left out): the same fields, without a ``Model`` made."""
    filled: set[str] = set()
    for name, value in record.items():
        if name not in _FACTS or value is None:
            continue
        if name == "training":
            filled.update(f"training.{k}" for k, v in value.items() if k != "note" and _is_filled(v))
        elif _is_filled(value):
            filled.add(name)
    return filled


def _set_fields(record: BaseModel) -> Iterable[str]:
    return (k for k, v in record.__dict__.items() if _is_filled(v))


def _is_filled(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, list | str):
        return bool(value)
    if isinstance(value, BaseModel):  # its fields, as __dict__ holds them: no getattr a field
        return any(_is_filled(v) for k, v in value.__dict__.items() if k != "note")
    if isinstance(value, dict):  # a record's plain values: a field at its default is left out
        return any(_is_filled(v) for k, v in value.items() if k != "note")
    return True


def _unique_ids(entries: Sequence[Entry[Any]]) -> Iterator[Problem]:
    first: dict[str, Entry[Any]] = {}
    for entry in entries:
        rid: str = entry.record.id
        if rid in first:
            other = first[rid]
            yield entry.problem(
                "id", f"duplicate id {rid!r}, first used at {other.path}:{other.line()}", "id"
            )
        else:
            first[rid] = entry


def _gpus(catalog: Catalog) -> Iterator[Problem]:
    """``gpus.yaml``: unique ids, no spelling shared by two cards, every source defined."""
    yield from _unique_ids(catalog.gpu_sources)
    yield from _unique_ids(catalog.gpus)
    sources = {e.record.id for e in catalog.gpu_sources}
    owner: dict[str, str] = {}
    for entry in catalog.gpus:
        gpu = entry.record
        if gpu.source not in sources:
            yield entry.problem("source", f"source {gpu.source!r} is not in the file's sources", "source")
        for spelling in gpu.spellings():
            key = name_key(spelling)
            if owner.setdefault(key, gpu.id) != gpu.id:
                yield entry.problem("aliases", f"{spelling!r} already names GPU {owner[key]!r}", "aliases")


def name_keys(model: Model) -> dict[str, str]:
    """The spellings ``model`` answers to (its id, name, aliases, variants' names) by ``name_key``; a
    catalog gives each key to one model only."""
    return {key: spelling for spelling in [model.id, *model.names] if (key := name_key(spelling))}


def _unique_names(entries: Sequence[Entry[Model]]) -> Iterator[Problem]:
    owner: dict[str, tuple[str, str]] = {}
    for entry in entries:
        model = entry.record
        for key, spelling in name_keys(model).items():
            if key in owner and owner[key][0] != model.id:
                other_id, other_spelling = owner[key]
                field = "aliases" if spelling in model.aliases else "name"
                yield entry.problem(
                    field,
                    f"name {spelling!r} is already used by model {other_id!r} (as {other_spelling!r})",
                    field,
                )
            owner.setdefault(key, (model.id, spelling))


def _file_name(entry: Entry[Model]) -> Iterator[Problem]:
    expected = f"{entry.record.id}.yaml"
    if entry.path.name != expected:
        yield entry.problem("id", f"the file must be named {expected} after the model id", "id")


def _references(
    entry: Entry[Model],
    orgs: set[str],
    techniques: set[str],
    benchmarks: set[str],
    models: set[str],
) -> Iterator[Problem]:
    model = entry.record
    for i, org in enumerate(model.organizations):
        if org not in orgs:
            yield entry.problem("organizations", f"unknown organization {org!r}", "organizations", i)
    for i, tech in enumerate(model.techniques):
        if tech not in techniques:
            yield entry.problem("techniques", f"unknown technique {tech!r}", "techniques", i)
    for i, edge in enumerate(model.base_models):
        if edge.model not in models:
            yield entry.problem("base_models", f"base model {edge.model!r} does not exist", "base_models", i)
        if edge.model == model.id:
            yield entry.problem("base_models", "a model cannot be its own base", "base_models", i)
        if edge.method is not None and edge.method not in techniques:
            yield entry.problem(
                "base_models", f"unknown technique {edge.method!r}", "base_models", i, "method"
            )
    if model.version_of is not None and model.version_of not in models:
        yield entry.problem("version_of", f"model {model.version_of!r} does not exist", "version_of")
    if model.version_of == model.id:
        yield entry.problem("version_of", "a model cannot be a version of itself", "version_of")
    for i, ev in enumerate(model.evaluations):
        if ev.benchmark not in benchmarks:
            yield entry.problem("evaluations", f"unknown benchmark {ev.benchmark!r}", "evaluations", i)


def _provenance(entry: Entry[Model]) -> Iterator[Problem]:
    model = entry.record
    source_ids: set[str] = set()
    covered: set[str] = set()
    for i, source in enumerate(model.sources):
        if source.id in source_ids:
            yield entry.problem("sources", f"duplicate source id {source.id!r}", "sources", i, "id")
        source_ids.add(source.id)
        for j, name in enumerate(source.fields):
            if name == "training":
                covered.update(_TRAINING_FIELDS)
            elif name in _KNOWN_SOURCE_FIELDS:
                covered.add(name)
            else:
                yield entry.problem(
                    "sources", f"{name!r} is not a fact field a source can support", "sources", i, "fields", j
                )
    for name in sorted(filled_fact_fields(model) - covered):
        top = name.split(".")[0]
        loc: tuple[str, ...] = (top, name.split(".")[1]) if "." in name else (top,)
        yield entry.problem(name, "fact without source: no entry in `sources` lists this field", *loc)
    for list_name in SOURCED_LISTS:
        for i, item in enumerate(getattr(model, list_name)):
            if item.source not in source_ids:
                yield entry.problem(
                    list_name,
                    f"source {item.source!r} is not among this model's sources",
                    list_name,
                    i,
                    "source",
                )


def _cycles(entries: Sequence[Entry[Model]]) -> Iterator[Problem]:
    by_id = {e.record.id: e for e in entries}
    graph = {e.record.id: {b.model for b in e.record.base_models if b.model in by_id} for e in entries}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        cycle = list(exc.args[1])
        entry = by_id[cycle[0]]
        yield entry.problem("base_models", f"lineage cycle: {' -> '.join(cycle)}", "base_models")
