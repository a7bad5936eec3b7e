"""`validate` and `build`: check the catalog, write the store."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from modelatlas.cli._common import CatalogOpt, DbOpt, settings, waiting_notice
from modelatlas.cli._output import Format, bar_stages, emit_json, stage_bar, stderr
from modelatlas.errors import CatalogInvalid, Problem

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("build")(build)


def validate(
    catalog: CatalogOpt = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="table (file:line lines), json, csv or markdown.")
    ] = Format.table,
) -> None:
    """Check the whole catalog and report every problem as `file:line: field: message`.

    Checks types, unknown fields, dates, duplicate ids and names, unknown organizations, techniques and
    benchmarks, base models that do not exist, lineage cycles and facts without a source. Exit 1 if any.
    """
    from modelatlas.catalog.validate import validate_catalog

    config = settings(catalog=catalog)
    result = validate_catalog(config.catalog)
    problems = result.problems
    if fmt is Format.json:
        emit_json([_problem_dict(p) for p in problems])
    else:
        for problem in problems:
            typer.echo(_relative(problem))
    err = stderr()
    if problems:
        files = len({p.path for p in problems})
        err.print(f"{len(problems)} problem(s) in {files} file(s) under {config.catalog}", markup=False)
        raise typer.Exit(1)
    err.print(
        f"catalog OK: {len(result.models)} models, {len(result.organizations)} organizations, "
        f"{len(result.techniques)} techniques, {len(result.benchmarks)} benchmarks, {len(result.gpus)} GPUs",
        markup=False,
    )


def build(
    catalog: CatalogOpt = None,
    db: DbOpt = None,
    curated_only: Annotated[
        bool,
        typer.Option(
            "--curated-only",
            help="Build from the curated catalog alone, without the public datasets it bundles "
            "(catalog/snapshots/manifest.yaml: Epoch AI's CSVs, curated lists).",
        ),
    ] = False,
) -> None:
    """Validate the catalog, then build the store from it and the public datasets it bundles.

    The curated records come first; the bundled snapshots (Epoch AI's notable, frontier, large-scale and
    all-models CSVs, and curated lists; see `catalog/snapshots/manifest.yaml`) are merged in after them,
    then the models imported earlier (`modelatlas import`). The build writes a new database (SQLite by
    default, or PostgreSQL) and swaps it in only when complete: if validation or writing fails, the
    previous store stays as it was.

    Examples: `modelatlas build`, `modelatlas build --curated-only`, `modelatlas build --db
    postgresql://user@host/atlas`.
    """
    from modelatlas.catalog.validate import validate_catalog
    from modelatlas.sources.ingest import rebuild
    from modelatlas.sources.snapshots import is_bundled
    from modelatlas.store.engine import is_postgres, safe_url

    config = settings(db=db, catalog=catalog)
    result = validate_catalog(config.catalog)
    if result.problems:
        for problem in result.problems:
            typer.echo(_relative(problem), err=True)
        raise CatalogInvalid(result.problems)
    err = stderr()
    with stage_bar(err, quiet=not err.is_terminal) as bar:
        outcome, merger = rebuild(
            result,
            config.db,
            stages=bar_stages(bar, "store"),
            curated_only=curated_only,
            waiting=waiting_notice(config.db),
        )
    where = "PostgreSQL" if is_postgres(config.db) else "SQLite"
    bundled = sum(1 for key in merger.created_by.values() if is_bundled(key))
    imported = len(merger.created_by) - bundled
    origins = [
        *([f"{bundled} from the bundled datasets"] if bundled else []),
        *([f"{imported} of the models from earlier imports"] if imported else []),
    ]
    err.print(
        f"built {where} store {safe_url(config.db)}: "
        f"{outcome.models} models, {outcome.organizations} organizations, {outcome.techniques} techniques, "
        f"{outcome.benchmarks} benchmarks in {outcome.seconds:.2f} s"
        + (f" ({', '.join(origins)})" if origins else "")
        + (f"; {outcome.views} default views kept in {outcome.views_seconds:.1f} s" if outcome.views else ""),
        markup=False,
    )


def _relative(problem: Problem) -> str:
    try:
        path = Path(os.path.relpath(problem.path))
    except ValueError:  # another drive on Windows
        path = problem.path
    if str(path).startswith(".."):
        path = problem.path
    return str(Problem(path, problem.line, problem.field, problem.message))


def _problem_dict(problem: Problem) -> dict[str, object]:
    return {
        "file": str(problem.path),
        "line": problem.line,
        "field": problem.field,
        "message": problem.message,
    }
