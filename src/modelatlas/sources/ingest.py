"""Import a file into the store: read it, merge it with the catalog and earlier imports, rebuild atomically.

The store keeps every import's rows; any build merges them again with the catalog, so imports survive
rebuilds and follow catalog edits. A failed import or build leaves the previous store as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from modelatlas._collector import give_back, paused
from modelatlas.catalog.loader import Catalog
from modelatlas.errors import BadArgument, InputError
from modelatlas.sources._spool import RowSpool
from modelatlas.sources.importers import FORMAT_NAMES, encoded_reader
from modelatlas.sources.merge import Conflict, Merger, Outcome
from modelatlas.sources.rows import ImportedRow
from modelatlas.sources.snapshots import is_bundled, read_snapshots
from modelatlas.store.build import BuildResult, build_store, remove_leftovers
from modelatlas.store.imports import StoredImport, read_imports
from modelatlas.store.lock import writing

__all__ = [
    "ImportResult",
    "Stages",
    "Merged",
    "import_file",
    "merge_imports",
    "curation_info",
    "rebuild",
    "with_snapshots",
]


@dataclass
class ImportResult:
    """What an import did: one outcome per row of the file, and the merged catalog it produced."""

    key: str
    #: In file order; an import's own are read from its spool (without their conflicts: ``conflicts``).
    outcomes: Sequence[Outcome]
    merger: Merger
    conflicts: list[Conflict]
    build: BuildResult | None = None
    counts: Counter[str] = field(default_factory=Counter)


#: Told of each stage of an import after reading as it starts, its name (``merging``: rows, every import's
#: as the store is merged again; ``writing``: models; then the build's ``STAGES``, of 0 steps: nothing
#: counted) and its number of steps; returns what is then called with the steps done so far.
Stages = Callable[[str, int], Callable[[int], None]]


def import_key(fmt: str, path: Path) -> str:
    return f"{fmt}:{path.name}"


@dataclass
class Merged:
    """The catalog with the imports merged in, every conflict, and each import's outcomes by key."""

    merger: Merger
    conflicts: list[Conflict]
    #: Each import's outcomes: a list, or read from the import's spool (``_spool.RowSpool.outcomes``).
    outcomes: dict[str, Sequence[Outcome]]
    #: Each import's conflicts, in its rows' order.
    conflicts_of: dict[str, list[Conflict]] = field(default_factory=dict)


def merge_imports(
    catalog: Catalog, imports: list[StoredImport], *, progress: Callable[[int], None] | None = None
) -> Merged:
    """Merge ``imports`` in order into ``catalog``; record each row's outcome on the stored row.

    The rows of an import being made (a ``RowSpool``) are merged as read, not parsed again from their
    stored payloads. ``progress`` is called with the number of rows merged so far, of all ``imports``.
    """
    merged = Merged(Merger(catalog), [], {})
    merged.conflicts = merged.merger.catalog_conflicts()
    done = 0
    for item in imports:
        path = Path(item.path)
        tick = None if progress is None else partial(_after, progress, done)
        if isinstance(item.rows, RowSpool):
            mine = _spooled(merged.merger, item.key, path, item.rows, tick)
            merged.outcomes[item.key] = item.rows.outcomes()
        else:
            rows = [ImportedRow.model_validate_json(r.payload) for r in item.rows]
            outcomes = merged.merger.apply(item.key, path, rows, progress=tick)
            for stored, outcome in zip(item.rows, outcomes, strict=True):
                stored.action, stored.model_id = outcome.action, outcome.model_id
                stored.matched_by, stored.detail = outcome.matched_by, outcome.detail or None
            merged.outcomes[item.key] = outcomes
            mine = [c for outcome in outcomes for c in outcome.conflicts]
        done += len(item.rows)
        merged.conflicts.extend(mine)
        merged.conflicts_of[item.key] = mine
    merged.merger.close_matching()  # the build needs the merged models, not the index that found them
    give_back()
    return merged


def _spooled(
    merger: Merger, key: str, path: Path, spool: RowSpool, progress: Callable[[int], None] | None
) -> list[Conflict]:
    """Merge the rows of ``spool``, recording each outcome in it as it is made; the conflicts found, in
    the file's order."""
    conflicts: list[tuple[int, list[Conflict]]] = []

    def record(at: int, outcome: Outcome) -> None:
        spool.record_at(at, outcome.action, outcome.model_id, outcome.matched_by, outcome.detail or None)
        if outcome.conflicts:
            conflicts.append((at, outcome.conflicts))

    rows = spool.imported() if spool.stored else spool.payloads()  # an earlier version's JSON: decoded
    merger.apply_to(record, key, path, rows, names=spool.names(), progress=progress)
    spool.flush()
    return [c for _, found in sorted(conflicts, key=lambda pair: pair[0]) for c in found]


def _stage(stages: Stages, name: str) -> None:
    """A step of the build that counts nothing (``build_store``'s ``stage``), as a stage of no steps."""
    stages(name, 0)


def _after(progress: Callable[[int], None], before: int, done: int) -> None:
    progress(before + done)


def curation_info(catalog: Catalog) -> dict[str, str]:
    """What the curated catalog holds, for ``build_info``: how many models, and the newest release."""
    dates = [str(e.record.released) for e in catalog.models if e.record.released is not None]
    info = {"curated_models": str(len(catalog.models))}
    return info | ({"newest_curated": max(dates)} if dates else {})


def with_snapshots(
    catalog: Catalog, imports: list[StoredImport], *, curated_only: bool
) -> list[StoredImport]:
    """The catalog's bundled snapshots (unless ``curated_only``), then the user's own ``imports``."""
    own = [i for i in imports if not is_bundled(i.key)]
    return own if curated_only else read_snapshots(catalog.root) + own


def rebuild(
    catalog: Catalog,
    url: str,
    *,
    stages: Stages | None = None,
    curated_only: bool = False,
    waiting: Callable[[], None] | None = None,
) -> tuple[BuildResult, Merger]:
    """Build the store from ``catalog``, its bundled snapshots (unless ``curated_only``) and the imports
    the store already holds, holding the store's write lock (``waiting`` is called if another writer
    holds it first). ``stages`` is told of each stage as ``import_file``'s is: the merge of the
    snapshots and imports (rows), the writing (models of the merged catalog), the build's last steps.

    Raises:
        InputError: a bundled snapshot is missing or changed (the store is untouched).
        StoreError: another writer kept the lock too long, or the store cannot be written.
    """
    with writing(url, waiting=waiting), paused():
        remove_leftovers(url)
        imports = with_snapshots(catalog, read_imports(url, RowSpool.of_stored), curated_only=curated_only)
        merged = _merged(catalog, imports, stages)
        result = _written(catalog, url, merged, imports, stages)
    return result, merged.merger


def _merged(catalog: Catalog, imports: list[StoredImport], stages: Stages | None) -> Merged:
    """``merge_imports``, told as the stage ``merging`` of every import's rows."""
    rows_in = sum(len(i.rows) for i in imports)
    return merge_imports(catalog, imports, progress=stages and stages("merging", rows_in))


def _written(
    catalog: Catalog, url: str, merged: Merged, imports: list[StoredImport], stages: Stages | None
) -> BuildResult:
    """The store at ``url`` built from what ``merged`` made of ``catalog`` and ``imports``, told as the
    stage ``writing`` of its models, then the build's ``STAGES``."""
    catalog_now = merged.merger.catalog()
    return build_store(
        catalog_now,
        url,
        progress=stages and stages("writing", len(catalog_now.models)),
        stage=stages and partial(_stage, stages),
        imports=imports,
        conflicts=[c.row() for c in merged.conflicts],
        info=curation_info(catalog),
    )


def _nothing_to_import(fmt: str, rows: RowSpool) -> str:
    """Why a file with no importable row is refused (importing it would erase its earlier import)."""
    if rows.first is None:
        found = f"no {fmt} rows in it (a header alone, or a file in another format)"
    else:
        first = rows.first
        found = f"none of its {len(rows):,} rows can be imported (line {first.line}: {first.skipped})"
    return f"{found}; the store is unchanged, an earlier import of this file too"


def import_file(
    catalog: Catalog,
    url: str,
    fmt: str,
    path: Path,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    waiting: Callable[[], None] | None = None,
    stages: Stages | None = None,
) -> ImportResult:
    """Import ``path`` (in format ``fmt``) into the store at ``url``, replacing an earlier import of it.

    The store's write lock is held from reading the store to replacing it (``waiting`` is called if
    another writer holds it first); a dry run reads without it. ``progress`` is called with the bytes
    read so far, ``stages`` told of the merge and the build (``Stages``).

    Raises:
        BadArgument: unknown format.
        InputError: the file cannot be read as that format, or no row of it can be imported (the store
            is untouched).
        StoreError: the store cannot be read or written, or another writer kept the lock too long (the
            store is untouched).
    """
    if fmt not in FORMAT_NAMES:
        raise BadArgument(f"unknown import format {fmt!r}: use one of {', '.join(FORMAT_NAMES)}")
    if not path.exists():
        raise InputError(path, 0, "no such file or directory")
    if path.is_dir() and fmt != "ecosystem-graphs":
        raise InputError(path, 0, f"is a directory; {fmt} imports one file")
    if not path.is_dir() and not path.is_file():  # /dev/zero, a FIFO: endless, or gone once read
        raise InputError(path, 0, "is not a regular file; give a file (copy a stream to one first)")
    with paused():
        return _import(
            catalog, url, fmt, path, dry_run=dry_run, progress=progress, waiting=waiting, stages=stages
        )


def _import(
    catalog: Catalog,
    url: str,
    fmt: str,
    path: Path,
    *,
    dry_run: bool,
    progress: Callable[[int], None] | None,
    waiting: Callable[[], None] | None,
    stages: Stages | None,
) -> ImportResult:
    """``import_file`` once its arguments are checked."""
    digest = hashlib.sha256()
    stored = StoredImport(
        key=import_key(fmt, path),
        format=fmt,
        path=str(path.resolve()),
        sha256="",
        imported_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    rows = RowSpool()  # on disk, a block at a time: memory does not follow the file's size
    try:
        rows.add_encoded(encoded_reader(fmt)(path, progress))
    except OSError as exc:  # /proc/self/mem, a file that vanishes or a disk that fails while read
        raise InputError(path, 0, f"cannot be read: {exc.strerror or exc}") from exc
    if not rows.models:
        raise InputError(path, rows.first.line if rows.first else 1, _nothing_to_import(fmt, rows))
    give_back()  # what the reader let go (its first-seen names' file and filter) before the merge grows
    stored.rows = rows
    for part in sorted(path.rglob("*")) if path.is_dir() else [path]:
        if part.is_file():
            try:
                with part.open("rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):  # noqa: B023
                        digest.update(chunk)
            except OSError as exc:
                raise InputError(part, 0, f"cannot be read: {exc.strerror or exc}") from exc
    stored.sha256 = digest.hexdigest()
    # from reading the store to replacing it, no other writer: two imports at once lost one of them
    with contextlib.nullcontext() if dry_run else writing(url, waiting=waiting):
        # the store holds the bundled snapshots it was built with (first) and earlier imports: merged as
        # they are
        imports = [i for i in read_imports(url, RowSpool.of_stored) if i.key != stored.key] + [stored]
        merged = _merged(catalog, imports, stages)
        outcomes = merged.outcomes[stored.key]
        result = ImportResult(stored.key, outcomes, merged.merger, merged.conflicts_of[stored.key])
        result.counts.update(o.action for o in outcomes)
        if not dry_run:
            remove_leftovers(url)
            result.build = _written(catalog, url, merged, imports, stages)
    return result
