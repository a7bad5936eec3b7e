"""Public datasets bundled with a catalog (``<catalog>/snapshots/manifest.yaml``) and merged into its builds.

Each snapshot is a verbatim copy of a public file (Epoch AI's CSVs, curated lists) with where it came
from, its licence, the date of the copy and its SHA-256. A default build reads them before the imports a
user made, in manifest order; ``build --curated-only`` leaves them out. A catalog without a manifest has
no snapshots.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from modelatlas.errors import InputError
from modelatlas.sources.importers import FORMAT_NAMES, reader
from modelatlas.sources.rows import ImportedRow
from modelatlas.store.imports import StoredImport, StoredRow

__all__ = ["KEY_PREFIX", "MANIFEST", "Snapshot", "is_bundled", "load_manifest", "read_snapshots"]

MANIFEST = Path("snapshots") / "manifest.yaml"
#: Import keys of bundled snapshots start with this; a user's own imports never do.
KEY_PREFIX = "bundled:"


class Snapshot(BaseModel):
    """One bundled file: what it is, where it came from, under which licence, and when it was copied."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    format: str
    title: str
    upstream: str
    via: str
    licence: str
    attribution: str
    snapshot: dt.date
    rows: Annotated[int, Field(ge=0)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]

    @property
    def key(self) -> str:
        return f"{KEY_PREFIX}{self.file}"


def is_bundled(key: str) -> bool:
    return key.startswith(KEY_PREFIX)


def load_manifest(catalog_root: Path) -> list[Snapshot]:
    """The snapshots a catalog bundles, in merge order; none when it has no manifest.

    Raises:
        InputError: the manifest is not a list of snapshots (names the entry and the field), or names a
            format no importer reads.
    """
    path = catalog_root / MANIFEST
    if not path.exists():
        return []
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(path, mark.line + 1 if mark else 0, f"not YAML: {exc}") from exc
    if not isinstance(entries, list):
        raise InputError(path, 1, "the manifest must be a list of snapshots")
    snapshots = []
    for number, entry in enumerate(entries, 1):
        try:
            snapshot = Snapshot.model_validate(entry)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InputError(path, 0, f"snapshot {number}: {where}: {first['msg']}") from exc
        if snapshot.format not in FORMAT_NAMES:
            raise InputError(path, 0, f"snapshot {number}: format {snapshot.format!r} has no importer")
        snapshots.append(snapshot)
    return snapshots


def read_snapshots(catalog_root: Path, progress: Callable[[str], None] | None = None) -> list[StoredImport]:
    """Every bundled snapshot read as an import, in manifest order.

    Raises:
        InputError: a file is missing, differs from its SHA-256 (it was edited or truncated), or cannot
            be read as its format.
    """
    imported = []
    for snapshot in load_manifest(catalog_root):
        path = catalog_root / "snapshots" / snapshot.file
        if not path.is_file():
            raise InputError(path, 0, "bundled snapshot is missing (listed in snapshots/manifest.yaml)")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != snapshot.sha256:
            raise InputError(
                path, 0, f"SHA-256 is {digest}, the manifest says {snapshot.sha256}: the copy was changed"
            )
        if progress is not None:
            progress(snapshot.file)
        stored = StoredImport(
            key=snapshot.key,
            format=snapshot.format,
            path=str(path),
            sha256=digest,
            imported_at=snapshot.snapshot.isoformat(),
        )
        rows: list[StoredRow] = []
        for row in reader(snapshot.format)(path, None):
            row = _attributed(row, snapshot)
            rows.append(StoredRow(row.line, row.name, row.model_dump_json(exclude_defaults=True)))
        stored.rows = rows
        imported.append(stored)
    return imported


def _attributed(row: ImportedRow, snapshot: Snapshot) -> ImportedRow:
    """The row with its source credited to the dataset and dated by the snapshot, not by today: ``show``
    and the model page then say "Epoch AI, 'Data on AI Models', epoch.ai (CC BY 4.0), snapshot of
    2026-07-19, line 4840"."""
    if row.model is None or not row.model.sources:
        return row
    first, *rest = row.model.sources
    credit = f"{snapshot.attribution}, snapshot of {snapshot.snapshot.isoformat()}, line {row.line}"
    first = first.model_copy(update={"citation": credit, "accessed": snapshot.snapshot})
    return row.model_copy(update={"model": row.model.model_copy(update={"sources": [first, *rest]})})
