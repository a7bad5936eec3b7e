"""What the checks look at: records (``Subject``) with the file and line they came from, and their context.

Records come from one of three places: the catalog (YAML files, lines from the YAML nodes), the rows of
an input file as an importer reads them (lines from the input), or the store (the catalog merged with
every import it holds, plus what live sync recorded).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from modelatlas.catalog._yaml import line_of
from modelatlas.catalog.loader import Catalog
from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import Model
from modelatlas.errors import Problem
from modelatlas.sources.importers import reader
from modelatlas.sources.ingest import merge_imports
from modelatlas.store.imports import read_imports

__all__ = ["Context", "Loaded", "Skipped", "Subject", "from_catalog", "from_input", "from_store"]


@dataclass(frozen=True, slots=True)
class Subject:
    """One model record and where it was read: a catalog file (with its YAML node) or an input's line."""

    model: Model
    path: Path
    #: ``catalog`` or the import's key (``epoch:notable_ai_models.csv``).
    origin: str = "catalog"
    node: yaml.Node | None = None
    line: int = 1
    #: Base models as an input names them (imported rows only; catalog records use ``model.base_models``).
    base_names: tuple[str, ...] = ()

    def line_at(self, loc: Iterable[str | int]) -> int:
        """The line of the field at ``loc`` in the record's file (the record's own line for input rows)."""
        return line_of(self.node, tuple(loc)) if self.node is not None else self.line

    @property
    def from_seed(self) -> bool:
        """Whether one of the seed documents is among the record's sources."""
        return any(source.id.startswith("seed") for source in self.model.sources)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row of an input that its importer skipped: where, the name it gave, and why."""

    path: Path
    line: int
    name: str
    reason: str
    #: The row is not a model at all (a framework, a dataset): listed, not a fault.
    not_a_model: bool = False


@dataclass
class Context:
    """What checks may consult besides the record: today, the other records, configs, the store's evidence."""

    today: dt.date
    subjects: list[Subject] = field(default_factory=list)
    #: Records that could not be read (schema problems), reported by ``schema.valid``.
    problems: list[Problem] = field(default_factory=list)
    #: Rows of an input that its importer skipped, with the reason, reported by ``schema.skipped``.
    skipped: list[Skipped] = field(default_factory=list)
    #: Facts whose only source is older than this are listed by ``sources.stale``; None leaves it off.
    stale_after: dt.timedelta | None = None
    #: The catalog's ``configs/`` directory, for parameter counts computed from ``config.json``.
    configs_dir: Path | None = None
    #: Conflict rows (importer and live), shaped like the store's ``conflicts`` table; store only.
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    #: What this run can consult: ``store`` (conflicts, live observations), ``configs``.
    has: frozenset[str] = frozenset()
    #: Records consulted but not checked: the catalog, when the rows of an input file are checked.
    known: list[Subject] = field(default_factory=list)
    _names: dict[str, Subject] = field(default_factory=dict, repr=False)
    _ids: dict[str, Subject] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for subject in [*self.subjects, *self.known]:
            self._ids.setdefault(subject.model.id, subject)
            for spelling in (subject.model.id, *subject.model.names):
                self._names.setdefault(name_key(spelling), subject)

    def record(self, model_id: str) -> Subject | None:
        """The record with exactly this id (a conflict row's ``model_id``), if any."""
        return self._ids.get(model_id)

    def find(self, name: str) -> Subject | None:
        """The record whose id, name or alias is ``name`` (spelling and case aside), if any."""
        return self._names.get(name_key(name))


@dataclass
class Loaded:
    """Records read from somewhere, and the problems that kept other records from being read."""

    subjects: list[Subject] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Rows an importer skipped.
    skipped: list[Skipped] = field(default_factory=list)

    def extend(self, other: Loaded) -> None:
        self.subjects.extend(other.subjects)
        self.problems.extend(other.problems)
        self.skipped.extend(other.skipped)


def from_catalog(catalog: Catalog) -> Loaded:
    """Every model of ``catalog`` with its YAML node, and the catalog's validation problems."""
    subjects = [Subject(e.record, e.path, node=e.node) for e in catalog.models]
    return Loaded(subjects, list(catalog.problems))


def from_input(fmt: str, path: Path) -> Loaded:
    """The rows of ``path`` as importer ``fmt`` reads them; a skipped row is a problem at its line.

    Raises:
        InputError: the file cannot be read as that format at all.
    """
    loaded = Loaded()
    origin = f"{fmt}:{path.name}"
    for row in reader(fmt)(path, None):
        where = path / row.file if row.file else path
        if row.model is None:
            loaded.skipped.append(
                Skipped(where, row.line, row.name, row.skipped or "skipped", row.not_a_model)
            )
            continue
        loaded.subjects.append(
            Subject(row.model, where, origin=origin, line=row.line, base_names=tuple(row.base_models))
        )
    return loaded


def from_store(catalog: Catalog, url: str) -> Loaded:
    """The models the store at ``url`` holds: the catalog merged with every import the store keeps.

    Catalog models keep their YAML lines; a model an import created is located at its input row.

    Raises:
        StoreError: the store exists but cannot be read.
    """
    nodes = {e.record.id: e for e in catalog.models}
    imports = read_imports(url)
    merged = merge_imports(catalog, imports)
    rows: dict[str, tuple[str, Path, int]] = {}
    for item in imports:
        for outcome in merged.outcomes[item.key]:
            if outcome.action == "new" and outcome.model_id:
                rows.setdefault(outcome.model_id, (item.key, Path(item.path), outcome.line))
    loaded = Loaded(problems=list(catalog.problems))
    for entry in merged.merger.catalog().models:
        model = entry.record
        if model.id in nodes:
            own = nodes[model.id]
            loaded.subjects.append(Subject(model, own.path, node=own.node))
        elif model.id in rows:
            origin, path, line = rows[model.id]
            loaded.subjects.append(Subject(model, path, origin=origin, line=line))
        else:
            loaded.subjects.append(Subject(model, entry.path, origin="store"))
    return loaded
