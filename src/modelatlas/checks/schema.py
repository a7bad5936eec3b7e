"""Records that could not be read at all: schema and cross-reference problems, and skipped input rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from modelatlas.checks.registry import Hit, Severity, catalog_check
from modelatlas.checks.subjects import Context, Subject


@catalog_check("schema.valid", Severity.error)
def unreadable(subjects: Sequence[Subject], ctx: Context) -> Iterator[Hit]:
    """A record that breaks the schema or its references: a value outside a controlled list (domains,
    modalities, architectures, relations), an unknown organization or base model, a fact without a source,
    a malformed date, URL or arXiv id. In an input file, a row the importer had to skip, with the reason.
    """
    for problem in ctx.problems:
        yield Hit(problem.field, problem.message, where=(problem.path, problem.line, problem.field))
