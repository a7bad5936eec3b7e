"""`export`: write the store's models as the seeds' documents (seed-sections, paper-table) or as data."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from modelatlas.cli._common import DbOpt, LangOpt, settings, store_connection
from modelatlas.cli._filters import with_filters
from modelatlas.cli._output import stderr
from modelatlas.errors import BadArgument
from modelatlas.files import write_atomic

if TYPE_CHECKING:
    from modelatlas.catalog.schema import Model

__all__ = ["ExportFormat", "register"]


class ExportFormat(enum.StrEnum):
    seed_sections = "seed-sections"
    paper_table = "paper-table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


#: Formats that are bytes, not text: never written to a terminal.
_BINARY = {ExportFormat.parquet}


def register(app: typer.Typer) -> None:
    app.command("export")(export)


@with_filters()
def export(
    fmt: Annotated[
        ExportFormat,
        typer.Argument(
            metavar="FORMAT",
            help="seed-sections, paper-table, json, jsonl, csv or parquet.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Write to this file (atomically) instead of stdout; `-` is stdout. Required for parquet.",
            show_default=False,
        ),
    ] = None,
    db: DbOpt = None,
    lang: LangOpt = None,
    *,
    filters: dict[str, Any],
) -> None:
    """Export every model in the store, as the seed documents or as data.

    Formats:
    seed-sections: seed 000's layout, one fenced section per model under 一.自然语言处理领域 …;
    paper-table: seed 004's "Huge Model Paper" tables (the paper-table importer reads it back);
    json / jsonl: the full records; csv / parquet: one flat row per model.

    Examples: `modelatlas export paper-table > papers.md`,
    `modelatlas export seed-sections --lang zh --domain nlp -o nlp.md`,
    `modelatlas export parquet -o models.parquet`.

    The filters of `list` choose the models; one --domain also titles the seed layouts.
    """
    config = settings(db=db, lang=lang)
    domains = filters.get("domain", ())
    domain = domains[0] if len(domains) == 1 else None
    to_stdout = output is None or str(output) == "-"
    if fmt in _BINARY and output is None:
        raise BadArgument(f"{fmt} is a binary format: give --output FILE.{fmt} (or `--output -` to pipe it)")
    if fmt in _BINARY and to_stdout and sys.stdout.isatty():
        raise BadArgument(f"refusing to write binary {fmt} to a terminal: give --output FILE.{fmt}")
    from modelatlas.store.records import load_models

    models = load_models(config.db)
    if filters:
        from modelatlas.store.browse import matching_ids
        from modelatlas.store.filters import Filters

        with store_connection(config) as conn:
            wanted = matching_ids(conn, Filters(**filters))
        models = [m for m in models if m.id in wanted]
    data = _render(fmt, models, config.db, config.lang, domain)
    if output is None or to_stdout:
        if fmt in _BINARY:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data.decode("utf-8"))
        return
    _write_atomic(output, data)
    noun = "model" if len(models) == 1 else "models"
    stderr().print(f"exported {len(models)} {noun} to {output}", markup=False)


def _render(fmt: ExportFormat, models: list[Model], url: str, lang: str, domain: str | None) -> bytes:
    if fmt is ExportFormat.paper_table:
        from modelatlas.report.paper_table import paper_table

        return paper_table(models, lang=lang, domain=domain).encode()
    from modelatlas.report import tabular

    if fmt is ExportFormat.json:
        return tabular.to_json(models)
    if fmt is ExportFormat.jsonl:
        return tabular.to_jsonl(models)
    from modelatlas.store.records import load_organizations

    orgs = load_organizations(url)
    if fmt is ExportFormat.seed_sections:
        from modelatlas.report.seed_sections import seed_sections

        return seed_sections(models, orgs, lang=lang, domain=domain).encode()
    if fmt is ExportFormat.csv:
        return tabular.to_csv(models, orgs, lang=lang).encode()
    return tabular.to_parquet(models, orgs, lang=lang)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``--output`` atomically.

    Raises:
        BadArgument: the directory of ``path`` does not exist.
        ModelAtlasError: the file cannot be written.
    """
    directory = path.expanduser().parent
    if not directory.is_dir():
        raise BadArgument(f"--output {path}: the directory {directory} does not exist")
    write_atomic(path, data)
