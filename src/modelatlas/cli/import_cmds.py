"""`import` and `conflicts`: take in the lists people keep, and show where sources disagree."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, overload

import typer

from modelatlas.cli._common import CatalogOpt, DbOpt, FormatOpt, open_store, settings, waiting_notice
from modelatlas.cli._output import Format, bar_stages, emit, stage_bar, stderr
from modelatlas.errors import CatalogInvalid
from modelatlas.files import write_atomic
from modelatlas.sources.formats import FORMAT_NAMES

if TYPE_CHECKING:
    from modelatlas.catalog.loader import Entry
    from modelatlas.catalog.schema import Model
    from modelatlas.sources.ingest import ImportResult
    from modelatlas.sources.merge import Outcome

__all__ = ["register"]

ImportFormat = enum.StrEnum("ImportFormat", {n.replace("-", "_"): n for n in FORMAT_NAMES})  # type: ignore[misc]

_REPORT = [
    ("line", "Line"),
    ("name", "Name"),
    ("action", "Action"),
    ("model_id", "Model"),
    ("matched_by", "Matched by"),
    ("detail", "Detail"),
]


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("conflicts")(conflicts)


#: The report's table shows at most this many rows (csv and json give every row).
REPORT_ROWS = 1000


def import_(
    fmt: Annotated[ImportFormat, typer.Argument(metavar="FORMAT", help="Input format.")],
    path: Annotated[Path, typer.Argument(help="The file (or, for ecosystem-graphs, directory) to import.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report and show the diff; write nothing.")
    ] = False,
    write_catalog: Annotated[
        bool,
        typer.Option("--write-catalog", help="Also write new and enriched models as YAML into the catalog."),
    ] = False,
    changes_only: Annotated[
        bool, typer.Option("--changes-only", help="Report only rows that created, changed or conflicted.")
    ] = False,
    fmt_out: Annotated[Format, typer.Option("--format", help="Report as table, json, csv or markdown.")] = (
        Format.table
    ),
    catalog: CatalogOpt = None,
    db: DbOpt = None,
) -> None:
    """Import a model list, merge it with the catalog without duplicates, and report every row.

    FORMAT is one of: seed-sections (seed 000's per-model sections), paper-table (markdown tables such
    as seed 004 and awesome-list READMEs), epoch (Epoch AI CSV exports), ecosystem-graphs (Stanford's
    asset YAML, a file or the assets directory).

    Each row is reported as new, merged (into which model, matched how), conflict (the catalog's value
    is kept, the other recorded: see `modelatlas conflicts`) or skipped (why). Importing the same file
    again replaces its earlier import. The store is rebuilt atomically: a bad file changes nothing.

    Examples:
      modelatlas import paper-table seeds/004.txt --dry-run
      modelatlas import epoch notable_ai_models.csv --changes-only --format csv > report.csv
      modelatlas import seed-sections seeds/000.txt --write-catalog
    """
    from modelatlas.catalog.validate import validate_catalog
    from modelatlas.sources.ingest import import_file

    config = settings(db=db, catalog=catalog)
    checked = validate_catalog(config.catalog)
    if checked.problems:
        raise CatalogInvalid(checked.problems)
    err = stderr()
    size = sum(p.stat().st_size for p in _files(path))
    with stage_bar(err, quiet=not err.is_terminal or size < 1 << 20) as bar:
        reading = bar.add_task(f"{path.name}: reading", total=size, unit="bytes")
        progress: Callable[[int], None] = lambda done: bar.update(reading, completed=done)  # noqa: E731
        result = import_file(
            checked,
            config.db,
            str(fmt),
            path,
            dry_run=dry_run,
            progress=progress,
            waiting=waiting_notice(config.db),
            stages=bar_stages(bar, path.name),
        )
    reported = result.outcomes
    if changes_only:
        reported = [o for o in reported if o.action != "skipped" and o.detail != "nothing new"]
    records = _Records(reported)
    emit(records, _REPORT, fmt_out, title=f"import {result.key}", most=REPORT_ROWS)
    if dry_run:
        _print_diff(result, config.catalog)
    elif write_catalog:
        kept_out = _name_clashes(result, checked.models)
        written = _write_catalog(result, config.catalog, kept_out)
        err.print(f"wrote {written} file(s) into {config.catalog}", markup=False)
        for model_id, why in kept_out.items():
            err.print(f"left out of the catalog: {model_id}: {why}", markup=False)
    counts = ", ".join(f"{result.counts[a]} {a}" for a in ("new", "merged", "conflict", "skipped"))
    where = f"store has {result.build.models} models" if result.build else "nothing written (dry run)"
    err.print(f"{result.key}: {len(result.outcomes)} rows: {counts}; {where}", markup=False)


def conflicts(
    model: Annotated[str | None, typer.Option("--model", help="Only this model id.")] = None,
    field: Annotated[str | None, typer.Option("--field", help="Only this field, e.g. parameters.")] = None,
    origin: Annotated[
        str | None,
        typer.Option("--origin", help="Only conflicts from this origin (prefix): catalog, epoch…"),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Show at most this many.")] = None,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
) -> None:
    """List values that sources give differently, the largest disagreements first.

    The catalog's value is kept (`Kept`); the other (`Other`) is recorded with its source. Sizes are
    compared within 5%, dates at their common precision (a month apart is not a conflict). Besides
    imports, what `modelatlas sync` read (origin `hf`, `arxiv`) is compared with the current catalog:
    Hub parameter counts and licences, arXiv titles and years.

    Examples:
      modelatlas conflicts --limit 10
      modelatlas conflicts --field parameters --format csv
      modelatlas conflicts --origin hf
    """
    from modelatlas.live.conflicts import all_conflicts
    from modelatlas.store.records import load_models

    config = settings(db=db)
    engine = open_store(config)
    try:
        records = all_conflicts(engine, load_models(config.db))
    finally:
        engine.dispose()
    records = [
        r
        for r in records
        if (model is None or r["model_id"] == model)
        and (field is None or r["field"] == field)
        and (origin is None or r["origin"].startswith(origin))
    ]
    records.sort(key=lambda r: (-(r["magnitude"] or 0.0), r["model_id"], r["field"]))
    records = records[:limit] if limit is not None else records
    columns = [
        ("model_id", "Model"),
        ("field", "Field"),
        ("kept", "Kept"),
        ("other", "Other"),
        ("origin", "From"),
        ("source_url", "Source URL"),
    ]
    emit(records, columns, fmt, title="conflicts")
    stderr().print(f"{len(records)} conflict(s)", markup=False)


class _Records(Sequence[dict[str, Any]]):
    """The report's rows, each made as it is read: a table reads the first ``REPORT_ROWS``, and the
    rows made at once as dicts took 312 bytes each (300 MB at a million rows)."""

    def __init__(self, outcomes: Sequence[Outcome]) -> None:
        self._outcomes = outcomes

    def __len__(self) -> int:
        return len(self._outcomes)

    @overload
    def __getitem__(self, at: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, at: slice) -> Sequence[dict[str, Any]]: ...
    def __getitem__(self, at: int | slice) -> dict[str, Any] | Sequence[dict[str, Any]]:
        if isinstance(at, slice):
            return _Records(self._outcomes[at])
        return _record(self._outcomes[at])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(_record, self._outcomes)


def _record(o: Outcome) -> dict[str, Any]:
    return {
        "line": o.line,
        "name": o.name,
        "action": o.action,
        "model_id": o.model_id,
        "matched_by": o.matched_by,
        "detail": o.detail,
    }


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.rglob("*.yaml"))
    return [path] if path.is_file() else []


def _changed(result: ImportResult) -> list[str]:
    ids = {o.model_id for o in result.outcomes if o.model_id and o.action in ("new", "merged", "conflict")}
    return sorted(i for i in ids if i in result.merger.changed)


def _print_diff(result: ImportResult, root: Path) -> None:
    from modelatlas.catalog.dump import dump_model

    for model_id in _changed(result):
        target = root / "models" / f"{model_id}.yaml"
        before = target.read_text(encoding="utf-8").splitlines(keepends=True) if target.exists() else []
        after = dump_model(result.merger.model(model_id)).splitlines(keepends=True)
        name = f"models/{model_id}.yaml"
        typer.echo("".join(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}")), nl=False)


def _name_clashes(result: ImportResult, catalog: Sequence[Entry[Model]]) -> dict[str, str]:
    """The changed models a catalog cannot hold: one of their names is another model's (the merge keeps
    two models named "DDPM" apart by their makers and years; ``validate`` wants every name once). They
    stay in the store; their files are not written, so the catalog stays valid (issue 19)."""
    from modelatlas.catalog.validate import name_keys

    owner: dict[str, tuple[str, str]] = {}
    for entry in catalog:
        for key, spelling in name_keys(entry.record).items():
            owner.setdefault(key, (entry.record.id, spelling))
    clashes: dict[str, str] = {}
    for model_id in _changed(result):
        keys = name_keys(result.merger.model(model_id))
        taken = [(n, owner[k]) for k, n in keys.items() if k in owner and owner[k][0] != model_id]
        if taken:
            spelling, (other, theirs) = taken[0]
            clashes[model_id] = (
                f"its name {spelling!r} is {other}'s ({theirs!r}); give it a name of its own to write it"
            )
            continue
        for key, spelling in keys.items():
            owner.setdefault(key, (model_id, spelling))
    return clashes


def _write_catalog(result: ImportResult, root: Path, kept_out: Mapping[str, str]) -> int:
    """Write the new organizations, then each changed model after the models it names (its bases, the
    model it is a version of): stopped at any point, the catalog holds no reference to a file not yet
    written (written the other way round, a kill midway left hundreds of problems; issue 19)."""
    from modelatlas.catalog.dump import dump_model, dump_organization

    written = 0
    new_orgs = result.merger.new_organizations()
    if new_orgs:
        orgs_file = root / "organizations.yaml"
        text = orgs_file.read_text(encoding="utf-8")
        if not text.endswith("\n"):
            text += "\n"
        write_atomic(orgs_file, (text + "".join(dump_organization(o) for o in new_orgs)).encode())
        written += 1
    for model_id in _referred_first(result, [i for i in _changed(result) if i not in kept_out]):
        write_atomic(root / "models" / f"{model_id}.yaml", dump_model(result.merger.model(model_id)).encode())
        written += 1
    return written


def _referred_first(result: ImportResult, ids: list[str]) -> list[str]:
    """``ids`` with every model after those of ``ids`` it refers to (bases, ``version_of``)."""
    chosen, ordered, placed, entered = set(ids), [], set(), set()
    for start in ids:
        todo = [(start, False)]
        while todo:
            model_id, ready = todo.pop()
            if model_id in placed:
                continue
            if ready:
                placed.add(model_id)
                ordered.append(model_id)
                continue
            if model_id in entered:  # a cycle (validation refuses them): written where it closes
                continue
            entered.add(model_id)
            todo.append((model_id, True))
            model = result.merger.model(model_id)
            named = [e.model for e in model.base_models] + ([model.version_of] if model.version_of else [])
            todo.extend((other, False) for other in named if other in chosen and other not in placed)
    return ordered
