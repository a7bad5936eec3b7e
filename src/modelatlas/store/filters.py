"""The one filter model: which models a question is about, whoever asks it (issue 18).

The CLI (``list``, ``new``, ``trends``, ``report``), the API (``/api/v1/models``, ``/api/v1/trends``) and
the pages (models, new, trends) all build a ``Filters`` from what they were given, through one parser
per edge that reads ``FILTERS``; two appliers answer it: SQL (``store.filter_sql``, behind
``store.browse`` on SQLite's facet index and on PostgreSQL alike) and the analysis table
(``analysis.frame.select``). Each filter is defined here once: its field, its parameter name, its help
text, how its text is read, and whether the analysis table can apply it itself (the others are asked of
the store as ids first: ``filter_sql.for_frame``).

To add a filter: a field of ``Filters``, a ``FilterSpec`` in ``FILTERS``, its SQL condition in
``filter_sql.conditions``, and (if the analysis table has the column) its condition in
``analysis.frame.select``. Every edge then takes it; ``tests/test_filters.py`` checks that each does.

What each word means, everywhere:

- ``org``: an organization by id, name, alias or Chinese name (the start of one is enough: 智谱);
  several are alternatives; a model counts if any of its organizations is one of them.
- ``country``: an ISO code; a model counts if any of its organizations is from there.
- ``openness``: a catalog value (``open-weights``, ``api-only``, ``closed`` …), ``open``: weights
  anyone can download (``open-weights`` and ``open-weights-restricted``), or ``not-open``: every other
  model, unknown openness included. (``closed`` is the catalog's value everywhere; the trends took it
  for ``not-open`` before issue 18.)
- ``released_after`` / ``released_before``: inclusive; a year or month covers its whole span; a model
  known only to the month or year is dated by its first day, as stated.
- ``min_params`` / ``max_params``: the total parameters its maker states (no third-party estimate).
- ``population``: ``notable`` (Epoch AI's notability criteria, or the curated catalog) or ``all``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

from modelatlas.catalog.units import date_bound, parse_count
from modelatlas.catalog.vocab import DOMAINS, MODALITIES, OPENNESS
from modelatlas.errors import BadArgument

__all__ = [
    "FILTERS",
    "LARGEST",
    "NOT_OPEN",
    "OPEN",
    "OPENNESS_WORDS",
    "POPULATIONS",
    "FilterSpec",
    "Filters",
    "Population",
    "check",
    "filter_kwargs",
    "spec",
]

#: The largest integer SQLite and PostgreSQL compare (a signed 64-bit one).
LARGEST = 2**63 - 1
#: The openness word for "weights anyone can download" (``catalog.vocab.OPEN_WEIGHTS``).
OPEN = "open"
#: The openness word for everything else, unknown openness included (what ``trends`` called "closed").
NOT_OPEN = "not-open"
#: What ``openness`` takes: ``open``, ``not-open`` or a catalog value.
OPENNESS_WORDS = (OPEN, NOT_OPEN, *OPENNESS)
Population = Literal["notable", "all"]
POPULATIONS: tuple[str, ...] = ("notable", "all")


@dataclass(frozen=True, slots=True)
class Filters:
    """Which models: every field optional, every field given applies (and), the values of one field
    are alternatives (or). Text fields given one string take it as one value. Values are checked here,
    so an unknown domain or openness is the same error on every edge.

    Raises:
        BadArgument: a value no model can have (an unknown domain, modality, openness or population, a
            year outside 1–9999), naming the filter.
    """

    #: Words of a model's names, aliases, organizations or summary (``queries.text_match``).
    text: str | None = None
    domain: tuple[str, ...] = ()
    modality: tuple[str, ...] = ()
    #: Ids, names, aliases or Chinese names; ids once resolved (``filter_sql.resolve``).
    organization: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    openness: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    released_after: dt.date | None = None
    released_before: dt.date | None = None
    min_params: int | None = None
    max_params: int | None = None
    #: Only models whose weights anyone can download (``openness=open``, kept for ``--open``).
    open_only: bool = False
    #: Only the derivatives (at any depth) of the model with this id.
    base: str | None = None
    #: Only these ids (the caller's own filter, e.g. "fits on my GPU"); None for all.
    only: tuple[str, ...] | None = None
    #: Only models with a source of this id, or whose id starts with it and a hyphen (``epoch``).
    source: str | None = None
    population: Population = "all"

    def __post_init__(self) -> None:
        for name in ("domain", "modality", "organization", "country", "openness", "year"):
            value = getattr(self, name)
            if isinstance(value, str | int):
                object.__setattr__(self, name, (value,))
        object.__setattr__(self, "country", tuple(c.strip().upper() for c in self.country))
        for name in _CHOICES:
            given = getattr(self, name)
            check(name, given if isinstance(given, tuple) else (given,), name)
        for name in ("min_params", "max_params"):
            value = getattr(self, name)
            if value is not None and value > LARGEST:  # no store holds more: the same answer, not a 500
                object.__setattr__(self, name, LARGEST)
        wrong_years = [y for y in self.year if not 1 <= y <= 9999]
        if wrong_years:
            raise BadArgument(
                f"year: {wrong_years[0]} is not a year from 1 to 9999",
                key="err_year",
                values={"text": wrong_years[0]},
            )
        if self.text is not None and "\0" in self.text:  # no name has one; FTS5 read it as the end
            object.__setattr__(self, "text", self.text.replace("\0", ""))

    def given(self) -> dict[str, Any]:
        """The filter fields that are set, by name."""
        empty = Filters()
        return {
            f.name: getattr(self, f.name)
            for f in fields(Filters)
            if getattr(self, f.name) != getattr(empty, f.name)
        }


#: The filters whose values come from a vocabulary.
_CHOICES: dict[str, tuple[str, ...]] = {
    "domain": DOMAINS,
    "modality": MODALITIES,
    "openness": OPENNESS_WORDS,
    "population": POPULATIONS,
}


def check(field: str, values: Sequence[object], shown: str) -> None:
    """Raise if a value of ``field`` is not in its vocabulary, naming the filter as ``shown``.

    Raises:
        BadArgument: the first such value, with the choices.
    """
    allowed = _CHOICES.get(field)
    wrong = [v for v in values if allowed is not None and v not in allowed]
    if allowed is not None and wrong:
        raise _one_of(shown, wrong[0], allowed)


def _one_of(name: str, value: object, allowed: Sequence[str]) -> BadArgument:
    return BadArgument(
        f"{name}: {value!r} is not one of {', '.join(allowed)}",
        key="err_one_of",
        values={"field": name, "text": value, "choices": list(allowed)},
    )


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """One filter as the edges see it: its ``Filters`` field, its parameter (``?org=``, ``--org``), its
    help, whether it repeats, how one value of it is read, and whether ``analysis.frame.select`` applies
    it itself (else the store answers it as ids first)."""

    field: str
    param: str
    help: str
    read: Callable[[str, str], Any]
    many: bool = False
    frame: bool = True
    #: A switch (``?open=true``, ``--open``) rather than a value.
    flag: bool = False


def _text(value: str, _: str) -> str:
    return value


def _count(value: str, name: str) -> int:
    try:
        return parse_count(value)
    except BadArgument as exc:
        raise BadArgument(f"{name}: {exc}", key="err_count", values={"field": name, "text": value}) from exc


def _date(end: bool) -> Callable[[str, str], dt.date]:
    def read(value: str, name: str) -> dt.date:
        try:
            return date_bound(value, end=end)
        except BadArgument as exc:
            raise BadArgument(
                f"{name}: {exc}", key="err_date", values={"field": name, "text": value}
            ) from exc

    return read


def _year(value: str, name: str) -> int:
    if not value.strip().lstrip("-").isdigit():
        raise BadArgument(f"{name}: {value!r} is not a year", key="err_year", values={"text": value})
    return int(value)


def _flag(value: str, name: str) -> bool:
    folded = value.strip().lower()
    if folded in ("1", "true", "yes", "on"):
        return True
    if folded in ("", "0", "false", "no", "off"):
        return False
    raise BadArgument(f"{name}: {value!r} is not true or false")


#: Every filter, in the order the edges list them.
FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec("text", "q", "Name, alias or words (Chinese or English).", _text, frame=False),
    FilterSpec("domain", "domain", f"Domain (repeatable: any of them): {', '.join(DOMAINS)}.", _text, True),
    FilterSpec(
        "modality", "modality", f"Modality (repeatable): {', '.join(MODALITIES)}.", _text, True, frame=False
    ),
    FilterSpec(
        "organization",
        "org",
        "Organization by id, name, alias or Chinese name: meta, Meta, Qwen, 智谱 (repeatable).",
        _text,
        True,
    ),
    FilterSpec(
        "country",
        "country",
        "Country of any of its organizations, ISO code: CN, US (repeatable).",
        _text,
        True,
    ),
    FilterSpec(
        "openness",
        "openness",
        "open (weights anyone can download), not-open (the rest, unknown included) or a catalog value: "
        + ", ".join(OPENNESS)
        + " (repeatable).",
        _text,
        True,
    ),
    FilterSpec("year", "year", "Release year (repeatable).", _year, True),
    FilterSpec(
        "released_after", "released_after", "Released on or after: 2023, 2023-03 or 2023-03-14.", _date(False)
    ),
    FilterSpec(
        "released_before",
        "released_before",
        "Released on or before (the whole year or month counts).",
        _date(True),
    ),
    FilterSpec(
        "min_params", "min_params", "At least this many parameters (as stated): 7B, 6.2e9, 62亿.", _count
    ),
    FilterSpec("max_params", "max_params", "At most this many parameters (as stated).", _count),
    FilterSpec("open_only", "open", "Only models whose weights anyone can download.", _flag, flag=True),
    FilterSpec("base", "base", "Only derivatives (at any depth) of this model.", _text, frame=False),
    FilterSpec(
        "source",
        "source",
        "Only models with a source of this id or prefix: epoch, epoch-notable-ai-models.csv.",
        _text,
    ),
    FilterSpec(
        "population",
        "population",
        "notable: models meeting Epoch AI's notability criteria, and the curated catalog; all: every model.",
        _text,
    ),
)
_BY_PARAM = {s.param: s for s in FILTERS}


def spec(field: str) -> FilterSpec:
    """The ``FilterSpec`` of ``field``."""
    return next(s for s in FILTERS if s.field == field)


def filter_kwargs(
    raw: Mapping[str, str | Sequence[str] | bool | None], shown: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The ``Filters`` fields that ``raw`` (parameter name → the text given, a list of them for a
    repeatable filter, None or empty for none) sets: the one parser every edge calls. Errors name the
    parameter as ``shown`` spells it (the command line's ``--min-params``), else by its name.

    Raises:
        BadArgument: an unknown parameter, or a value that cannot be read, naming the parameter.
    """
    found: dict[str, Any] = {}
    for param, given in raw.items():
        if param not in _BY_PARAM:
            raise BadArgument(f"{param}: not a filter; the filters are {', '.join(_BY_PARAM)}")
        filt, name = _BY_PARAM[param], (shown or {}).get(param, param)
        if isinstance(given, bool):
            if given:
                found[filt.field] = given
            continue
        texts = [given] if given is None or isinstance(given, str) else list(given)
        values = [filt.read(t.strip(), name) for t in texts if t is not None and t.strip()]
        check(filt.field, values, name)
        if values:
            found[filt.field] = tuple(values) if filt.many else values[-1]
    return found
