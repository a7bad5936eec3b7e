"""Records that could not be read at all: schema and cross-reference problems, and skipped input rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from modelatlas.checks.registry import Hit, Severity, catalog_check
from modelatlas.checks.subjects import Context, Subject


@catalog_check("schema.valid", Severity.error)
def unreadable(subjects: Sequence[Subject], ctx: Context) -> Iterator[Hit]:
    """A record that breaks the schema or its references: a value outside a controlled list (domains,
    modalities, architectures, relations), an unknown organization or base model, a fact without a source,
    a malformed date, URL or arXiv id.
    """
    for problem in ctx.problems:
        yield Hit(problem.field, problem.message, where=(problem.path, problem.line, problem.field))


@catalog_check("schema.skipped", Severity.warning)
def skipped_rows(subjects: Sequence[Subject], ctx: Context) -> Iterator[Hit]:
    """A row of an input file that its importer skipped, with the reason: a duplicate of an earlier row,
    no model name, values that make no valid model. Rows of sections that list no models (frameworks,
    datasets) are info.
    """
    for row in ctx.skipped:
        yield Hit(
            "row",
            f"row {row.name!r} skipped: {row.reason}",
            where=(row.path, row.line, row.name),
            severity=Severity.info if row.not_a_model else None,
        )
