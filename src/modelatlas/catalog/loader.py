"""Read a catalog directory into typed records, collecting every problem instead of stopping at the first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from modelatlas.catalog._yaml import Located, dotted, line_of, read_yaml
from modelatlas.catalog.schema import Benchmark, Gpu, Model, Organization, Source, Technique
from modelatlas.errors import CatalogError, Problem

__all__ = ["Catalog", "Entry", "load_catalog", "load_gpus"]

R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Entry(Generic[R]):
    """A record with the file and YAML node it came from, so later checks can name the line."""

    record: R
    path: Path
    node: yaml.Node | None

    def line(self, *loc: str | int) -> int:
        return line_of(self.node, loc)

    def problem(self, field: str, message: str, *loc: str | int) -> Problem:
        return Problem(self.path, self.line(*loc), field, message)


@dataclass
class Catalog:
    """Everything in a catalog directory, and what was wrong with it."""

    root: Path
    #: A list when loaded; a merge's catalog reads its models from disk as they are iterated.
    models: Sequence[Entry[Model]] = field(default_factory=list)
    organizations: list[Entry[Organization]] = field(default_factory=list)
    techniques: list[Entry[Technique]] = field(default_factory=list)
    benchmarks: list[Entry[Benchmark]] = field(default_factory=list)
    #: ``gpus.yaml``: the cards and the sources of their figures (optional file).
    gpus: list[Entry[Gpu]] = field(default_factory=list)
    gpu_sources: list[Entry[Source]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Ids of model files that failed their schema: they exist, so references to them are not errors too.
    unparsed_ids: set[str] = field(default_factory=set)


_LISTS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("organizations", Organization),
    ("techniques", Technique),
    ("benchmarks", Benchmark),
)


def load_catalog(root: Path) -> Catalog:
    """Load every file of the catalog at ``root``; records that fail their schema are left out and reported.

    Raises:
        CatalogError: ``root`` is not a catalog directory (no ``models/`` folder in it).
    """
    models_dir = root / "models"
    if not models_dir.is_dir():
        raise CatalogError(f"{root} is not a catalog: it has no models/ directory")
    catalog = Catalog(root=root)
    for name, schema in _LISTS:
        path = root / f"{name}.yaml"
        if not path.exists():
            catalog.problems.append(Problem(path, 1, "", "file is missing"))
            continue
        getattr(catalog, name).extend(_load_list(path, schema, catalog.problems))
    if (root / "gpus.yaml").exists():
        _load_gpus(root / "gpus.yaml", catalog)
    models: list[Entry[Model]] = []
    for path in sorted(models_dir.glob("*.yaml")) + sorted(models_dir.glob("*.yml")):
        entry = _load_model(path, catalog)
        if entry is not None:
            models.append(entry)
    catalog.models = models
    return catalog


def _load_model(path: Path, catalog: Catalog) -> Entry[Model] | None:
    located, faults = read_yaml(path)
    catalog.problems.extend(Problem(path, f.line, f.field, f.message) for f in faults)
    if located is None:
        return None
    if not isinstance(located.data, dict):
        catalog.problems.append(Problem(path, 1, "", "a model file must be a mapping of fields"))
        return None
    record = _validate(Model, located.data, path, located.node, (), catalog.problems)
    if record is None:
        if isinstance(located.data.get("id"), str):
            catalog.unparsed_ids.add(located.data["id"])
        return None
    return Entry(record, path, located.node)


def _load_list(path: Path, schema: type[R], problems: list[Problem]) -> list[Entry[R]]:
    located, faults = read_yaml(path)
    problems.extend(Problem(path, f.line, f.field, f.message) for f in faults)
    if located is None:
        return []
    if not isinstance(located.data, list) or not isinstance(located.node, yaml.SequenceNode):
        problems.append(Problem(path, 1, "", f"{path.name} must be a list of records"))
        return []
    return _entries(schema, located.data, located.node, path, located.node, (), problems)


def _entries(
    schema: type[R],
    items: list[Any],
    sequence: yaml.Node | None,
    path: Path,
    root: yaml.Node | None,
    prefix: tuple[str, ...],
    problems: list[Problem],
) -> list[Entry[R]]:
    """The records of a YAML list, each validated and located; ``prefix`` leads from ``root`` to the list."""
    nodes: list[yaml.Node | None] = list(sequence.value) if isinstance(sequence, yaml.SequenceNode) else []
    nodes += [None] * (len(items) - len(nodes))
    entries = []
    for index, (item, node) in enumerate(zip(items, nodes, strict=True)):
        record = _validate(schema, item, path, root, (*prefix, index), problems)
        if record is not None:
            entries.append(Entry(record, path, node))
    return entries


def load_gpus(root: Path) -> Catalog:
    """Only the catalog's ``gpus.yaml`` (a missing file is a problem), for the hardware estimates."""
    catalog = Catalog(root=root)
    path = root / "gpus.yaml"
    if not path.exists():
        catalog.problems.append(Problem(path, 1, "", "file is missing"))
    else:
        _load_gpus(path, catalog)
    return catalog


def _load_gpus(path: Path, catalog: Catalog) -> None:
    located, faults = read_yaml(path)
    catalog.problems.extend(Problem(path, f.line, f.field, f.message) for f in faults)
    if located is None:
        return
    if not isinstance(located.data, dict) or set(located.data) != {"sources", "gpus"}:
        catalog.problems.append(
            Problem(path, 1, "", "gpus.yaml must be a mapping with `sources` and `gpus` lists")
        )
        return
    catalog.gpu_sources.extend(_load_section(path, located, "sources", Source, catalog.problems))
    catalog.gpus.extend(_load_section(path, located, "gpus", Gpu, catalog.problems))


def _load_section(
    path: Path, located: Located, key: str, schema: type[R], problems: list[Problem]
) -> list[Entry[R]]:
    items = located.data[key]
    if not isinstance(items, list):
        problems.append(Problem(path, line_of(located.node, (key,)), key, "must be a list"))
        return []
    sequence = None
    if isinstance(located.node, yaml.MappingNode):
        sequence = next((v for k, v in located.node.value if k.value == key), None)
    return _entries(schema, items, sequence, path, located.node, (key,), problems)


def _validate(
    schema: type[R],
    data: Any,
    path: Path,
    node: yaml.Node | None,
    prefix: tuple[int | str, ...],
    problems: list[Problem],
) -> R | None:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = (*prefix, *error["loc"])
            field_loc = [p for p in error["loc"] if isinstance(p, int) or _is_field(p)]
            problems.append(Problem(path, line_of(node, loc), dotted(field_loc), _message(error)))
        return None


def _is_field(part: str) -> bool:
    return "[" not in part and not part.startswith(("function-", "constrained-", "json-"))


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field (misspelt? see docs/catalog.md)"
    if kind == "missing":
        return "required field is missing"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")
