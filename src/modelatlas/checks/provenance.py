"""The sources behind the facts: facts no source has confirmed for a long time, and sources that disagree.

A source supports the fact fields its ``fields`` names; ``training`` covers every ``training.*`` field
(see ``modelatlas.catalog.validate``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from modelatlas.catalog.schema import Model, Source
from modelatlas.catalog.validate import filled_fact_fields
from modelatlas.checks.registry import Hit, Severity, catalog_check, model_check
from modelatlas.checks.subjects import Context, Subject

__all__ = ["supporting"]

#: Conflict rows of this origin are disputes written in the catalog: a curator has already seen them.
_CURATED = "catalog"


def supporting(model: Model, field: str) -> list[Source]:
    """The sources of ``model`` that list ``field`` (``training`` counting for each ``training.*``)."""
    names = {field, field.split(".")[0]} if field.startswith("training.") else {field}
    return [source for source in model.sources if names & set(source.fields)]


def _loc(field: str) -> tuple[str, ...]:
    """Where a fact field sits in a record: ``training.tokens`` → (training, tokens); else its top key."""
    parts = field.split(".")
    return tuple(parts[:2]) if parts[0] == "training" else (parts[0],)


@model_check("sources.stale", Severity.info)
def stale(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """Facts whose every source was read longer ago than ``--stale-after``, listed for re-checking.

    One finding per model, naming the facts and, for each old source, when it was read and what it backs.
    Off unless ``--stale-after`` is given.
    """
    if ctx.stale_after is None:
        return
    cutoff = ctx.today - ctx.stale_after
    model = subject.model
    backing: dict[str, list[Source]] = {}
    for field in sorted(filled_fact_fields(model)):
        sources = supporting(model, field)
        if sources and all(source.accessed < cutoff for source in sources):
            backing[field] = sources
    if not backing:
        return
    newest = max(source.accessed for sources in backing.values() for source in sources)
    first = next(iter(backing))
    yield Hit(
        first,
        f"{len(backing)} fact{'s' if len(backing) > 1 else ''} backed only by sources read before {cutoff} "
        f"(the newest on {newest}): {', '.join(backing)}",
        evidence=_by_source(backing),
        loc=_loc(first),
    )


def _by_source(backing: dict[str, list[Source]]) -> str:
    """``seed (read 2023-03-22): code, parameters; seed002 (read 2023-07-01): released``."""
    fields: dict[str, list[str]] = {}
    read: dict[str, dt.date] = {}
    for field, sources in backing.items():
        for source in sources:
            fields.setdefault(source.id, []).append(field)
            read[source.id] = source.accessed
    return "; ".join(f"{sid} (read {read[sid]}): {', '.join(names)}" for sid, names in fields.items())


@catalog_check("sources.conflicts", Severity.warning, needs=("store",))
def conflicts(subjects: Sequence[Subject], ctx: Context) -> Iterator[Hit]:
    """Sources that disagree on a field (importers, live sync), summarised per model and field.

    Each finding names the value kept, the other values and the sources giving them. A disagreement that
    only the catalog's own ``disputes`` record has been seen by a curator: it is counted, not reported.
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in ctx.conflicts:
        groups.setdefault((row["model_id"], row["field"]), []).append(row)
    for (model_id, field), rows in sorted(groups.items()):
        if all(row["origin"] == _CURATED for row in rows):
            continue
        subject = ctx.record(model_id)
        others = sorted({str(row["other"]) for row in rows})
        curated = sum(row["origin"] == _CURATED for row in rows)
        noted = f" ({curated} already in the catalog's disputes)" if curated else ""
        sources = f"{len(rows)} sources disagree" if len(rows) > 1 else "1 source disagrees"
        yield Hit(
            field,
            f"{field}: {sources} with the value kept, {rows[0]['kept'] or 'none'!r}{noted}: "
            f"{', '.join(repr(o) for o in others)}",
            evidence="; ".join(_conflict_source(row) for row in rows),
            loc=_loc(field),
            subject=subject,
            where=None if subject is not None else (Path("-"), 0, model_id),
        )


def _conflict_source(row: dict[str, Any]) -> str:
    """A disagreeing source, its URL, the import it came from and its value: ``seed004 (catalog): '41B'``."""
    url = f" {row['source_url']}" if row.get("source_url") else ""
    return f"{row['source_id']}{url} ({row['origin']}): {row['other']!r}"
