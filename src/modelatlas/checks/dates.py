"""Dates that cannot be right: before the paper they come from, in the future, out of order, or before
the model they were built on.

A partial date (``2023`` or ``2023-03``) stands for its whole span; a check fires only when no day in the
span would satisfy it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence

from modelatlas.catalog.schema import PartialDate
from modelatlas.checks.registry import Hit, Severity, catalog_check, model_check
from modelatlas.checks.subjects import Context, Subject

__all__ = ["arxiv_month"]

#: An arXiv id encodes its submission month: 2106.04803 is June 2021, cs/0601001 January 2006.
_NEW_ID = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")
_OLD_ID = re.compile(r"^[a-z-]+(?:\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}$")
#: How many months before its paper a model may be released (a release, then the write-up) unremarked.
_EARLY_MONTHS = 6
#: Beyond this, a release before its paper is most likely a wrong year.
_EARLY_ERROR_MONTHS = 12
#: A derivative this many days before its base is a warning (release conventions differ), beyond an error.
_LINEAGE_DAYS = 31
#: A release this long after its newest paper suggests the date or the paper is the wrong one.
_LATE_MONTHS = 36


def arxiv_month(arxiv_id: str) -> dt.date | None:
    """The first day of the month an arXiv id encodes, or None for an id that encodes none."""
    found = _NEW_ID.match(arxiv_id) or _OLD_ID.match(arxiv_id)
    if not found:
        return None
    yy, mm = int(found.group(1)), int(found.group(2))
    if not 1 <= mm <= 12:
        return None
    return dt.date(2000 + yy if yy < 90 else 1900 + yy, mm, 1)


def _months(later: dt.date, earlier: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _papers(subject: Subject) -> list[tuple[int, str, dt.date]]:
    found = []
    for i, paper in enumerate(subject.model.papers):
        month = arxiv_month(paper.arxiv) if paper.arxiv else None
        if paper.arxiv and month is not None:
            found.append((i, paper.arxiv, month))
    return found


@model_check("dates.arxiv", Severity.warning)
def released_vs_arxiv(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """Release date months before the month the model's earliest arXiv id encodes, or years after its newest.

    An arXiv id is dated by construction (2106.04803 was submitted in June 2021), so a model released
    in 2012 whose paper is 2106.04803 has a wrong year. More than 12 months early is an error; 6 to 12
    months early, or over 36 months after the newest paper, a warning.
    """
    released = subject.model.released
    papers = _papers(subject)
    if released is None or not papers:
        return
    first, last = released.span()
    _, arxiv_id, earliest = min(papers, key=lambda p: p[2])
    early = _months(earliest, last)
    if early > _EARLY_MONTHS:
        yield Hit(
            "released",
            f"released {released} is {early} months before its paper arXiv:{arxiv_id} "
            f"({earliest:%Y-%m}, from the id)",
            evidence=f"arXiv id {arxiv_id} encodes {earliest:%Y-%m}; released: {released}",
            loc=("released",),
            severity=Severity.error if early > _EARLY_ERROR_MONTHS else None,
        )
    _, newest_id, newest = max(papers, key=lambda p: p[2])
    late = _months(first, newest)
    if late > _LATE_MONTHS:
        yield Hit(
            "released",
            f"released {released} is {late} months after its newest paper arXiv:{newest_id} ({newest:%Y-%m})",
            evidence=f"arXiv id {newest_id} encodes {newest:%Y-%m}; released: {released}",
            loc=("released",),
        )


@model_check("dates.paper_year", Severity.error)
def paper_year_vs_arxiv(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """A paper's year earlier than the year its arXiv id encodes: no paper appears before it is submitted."""
    for i, arxiv_id, month in _papers(subject):
        year = subject.model.papers[i].year
        if year is not None and year < month.year:
            yield Hit(
                "papers.year",
                f"paper year {year} is before its arXiv id {arxiv_id} ({month:%Y-%m})",
                evidence=f"arXiv id {arxiv_id} encodes {month:%Y-%m}; year: {year}",
                loc=("papers", i, "year"),
            )


@model_check("dates.future", Severity.error)
def in_the_future(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """A release or announcement date after today (the whole span of a partial date lies ahead)."""
    for name in ("released", "announced"):
        date: PartialDate | None = getattr(subject.model, name)
        if date is not None and date.span()[0] > ctx.today:
            yield Hit(
                name, f"{name} {date} is in the future (today is {ctx.today})", evidence=f"{name}: {date}"
            )


@model_check("dates.order", Severity.error)
def announced_after_released(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """``announced`` after ``released``: a model is announced at the latest when it is released."""
    announced, released = subject.model.announced, subject.model.released
    if announced is not None and released is not None and announced.span()[0] > released.span()[1]:
        yield Hit(
            "announced",
            f"announced {announced} is after released {released}",
            evidence=f"announced: {announced}; released: {released}",
        )


@catalog_check("dates.lineage", Severity.error)
def before_base(subjects: Sequence[Subject], ctx: Context) -> Iterator[Hit]:
    """A derivative released before the model it was built from (fine-tune, distillation, port…).

    Up to a month early is a warning: weights often appear days before the announcement a list dates the
    base model by (Mixtral 8x22B's torrent on 2024-04-10, its post on 04-17).
    """
    for subject in subjects:
        released = subject.model.released
        if released is None:
            continue
        for i, name in _bases(subject):
            base = ctx.find(name)
            if base is None or base is subject or base.model.released is None:
                continue
            days = (base.model.released.span()[0] - released.span()[1]).days
            if days > 0:
                yield Hit(
                    "released",
                    f"released {released}, before its base model {base.model.id} ({base.model.released})",
                    evidence=f"{subject.model.id}: {released}; {base.model.id}: {base.model.released} "
                    f"({base.path.name}:{base.line_at(('released',))})",
                    loc=("base_models", i) if i >= 0 else ("released",),
                    severity=Severity.warning if days <= _LINEAGE_DAYS else None,
                    subject=subject,
                )


def _bases(subject: Subject) -> list[tuple[int, str]]:
    """The base models of a record: catalog edges by index, an input row's names (index -1)."""
    edges = [(i, edge.model) for i, edge in enumerate(subject.model.base_models)]
    return edges + [(-1, name) for name in subject.base_names]
