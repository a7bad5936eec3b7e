"""`check`: find the numbers, dates, links and licences that cannot be right, with the evidence."""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from modelatlas.cli._common import CatalogOpt, DbOpt, FormatOpt, duration, settings
from modelatlas.cli._output import Format, emit, stderr
from modelatlas.errors import BadArgument
from modelatlas.sources.formats import FORMAT_NAMES

if TYPE_CHECKING:
    from modelatlas.checks import Finding

__all__ = ["register"]


class FailOn(enum.StrEnum):
    error = "error"
    warning = "warning"
    never = "never"


class Shown(enum.StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(
    catalog: CatalogOpt = None,
    store: Annotated[
        bool,
        typer.Option(
            "--store", help="Check the store: the catalog merged with its imports, and its conflicts."
        ),
    ] = False,
    inputs: Annotated[
        list[str] | None,
        typer.Option(
            "--input",
            "-i",
            help=f"Check an input file's rows: FORMAT:PATH (repeatable). FORMAT: {', '.join(FORMAT_NAMES)}.",
            show_default=False,
        ),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            "--only", help="Run only these checks or topics, comma-separated: dates,sizes.links_list."
        ),
    ] = None,
    stale_after: Annotated[
        str | None,
        typer.Option("--stale-after", help="List facts whose newest source was read longer ago: 365d, 52w."),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option("--fail-on", help="Exit 1 when a finding is this severe: error, warning or never."),
    ] = FailOn.error,
    show: Annotated[
        Shown, typer.Option("--show", help="Print findings at least this severe: error, warning or info.")
    ] = Shown.info,
    list_checks: Annotated[
        bool, typer.Option("--list", help="List the checks and what each looks for.")
    ] = False,
    db: DbOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Check the catalog (or the store, or an input file) for values that cannot be right, with evidence.

    Each finding names its check, severity, model, field and file:line, and gives the evidence: release
    dates against the month an arXiv id encodes, sizes against the name (-7B, 62亿) and the config,
    code links that point at a list's own repository, licences that are not SPDX, mojibake, stale facts.

    Examples:
      modelatlas check
      modelatlas check --input paper-table:seeds/004.txt --input epoch:notable_ai_models.csv
      modelatlas check --store --stale-after 365d --format json
      modelatlas check --only dates,links --fail-on warning
    """
    from modelatlas.catalog.validate import validate_catalog
    from modelatlas.checks import (
        CHECKS,
        Context,
        Loaded,
        Severity,
        from_catalog,
        from_input,
        from_store,
        pick_checks,
        run_checks,
    )
    from modelatlas.live.conflicts import all_conflicts
    from modelatlas.store.engine import make_engine
    from modelatlas.store.queries import check_store

    if list_checks:
        emit(
            [{"check": c.id, "severity": c.severity.name, "description": c.summary} for c in CHECKS.values()],
            [("check", "Check"), ("severity", "Severity"), ("description", "Looks for")],
            fmt,
        )
        return
    chosen = pick_checks((only or "").split(","))
    stale = duration(stale_after, "--stale-after")
    sources = [_input(given) for given in inputs or []]
    config = settings(db=db, catalog=catalog)
    validated = validate_catalog(config.catalog)
    known = from_catalog(validated)
    loaded, has, conflicts = Loaded(), {"configs"}, []
    for fmt_in, path in sources:
        loaded.extend(from_input(fmt_in, path))
    if store:
        engine = make_engine(config.db)
        try:
            check_store(engine)
            stored = from_store(validated, config.db)
            conflicts = all_conflicts(engine, [s.model for s in stored.subjects])
        finally:
            engine.dispose()
        loaded.extend(stored)
        has.add("store")
    if not store and (catalog is not None or not sources):  # the store holds the catalog already
        loaded.extend(known)
    ctx = Context(
        today=dt.date.today(),
        subjects=loaded.subjects,
        problems=loaded.problems,
        skipped=loaded.skipped,
        stale_after=stale,
        configs_dir=config.catalog / "configs",
        conflicts=conflicts,
        has=frozenset(has),
        known=known.subjects,
    )
    findings = run_checks(ctx, chosen)
    _show([f for f in findings if f.severity >= Severity[show.value]], fmt, Path.cwd())
    _summary(findings, len(loaded.subjects))
    threshold = {FailOn.error: Severity.error, FailOn.warning: Severity.warning}.get(fail_on)
    if threshold is not None and any(f.severity >= threshold for f in findings):
        raise typer.Exit(1)


def _input(given: str) -> tuple[str, Path]:
    fmt, sep, path = given.partition(":")
    if not sep or fmt not in FORMAT_NAMES or not path:
        raise BadArgument(
            f"--input {given!r}: write FORMAT:PATH with FORMAT one of {', '.join(FORMAT_NAMES)}"
        )
    return fmt, Path(path)


def _show(findings: list[Finding], fmt: Format, root: Path) -> None:
    records = [f.as_dict(root) for f in findings]
    columns = [
        ("severity", "Severity"),
        ("check", "Check"),
        ("location", "Where"),
        ("model", "Model"),
        ("field", "Field"),
        ("message", "Message"),
        ("evidence", "Evidence"),
    ]
    if fmt is Format.table:
        for record in records:
            where = f"{record['location']}: {record['severity']} [{record['check']}]"
            subject = ".".join(part for part in (record["model"], record["field"]) if part)
            typer.echo(f"{where} {subject}: {record['message']}")
            if record["evidence"]:
                typer.echo(f"    evidence: {record['evidence']}")
        return
    emit(records, columns, fmt)


def _summary(findings: list[Finding], records: int) -> None:
    from modelatlas.checks import Severity

    by_check = Counter(f.check for f in findings)
    by_severity = Counter(f.severity.name for f in findings)
    err = stderr()
    counts = ", ".join(f"{by_severity[s.name]} {s.name}s" for s in reversed(Severity))
    err.print(f"{records} records checked: {counts}", markup=False)
    for check_id, count in sorted(by_check.items(), key=lambda kv: (-kv[1], kv[0])):
        err.print(f"  {check_id}: {count}", markup=False)
    by_field = Counter(f.field for f in findings if f.check == "sources.conflicts")
    if by_field:
        fields = ", ".join(f"{name} {count}" for name, count in by_field.most_common())
        err.print(f"conflicting sources by field: {fields}", markup=False)
