"""The facet index that ``store.browse`` reads on SQLite, tallied while a build writes the models.

A build finds each model's combination of facet values with its other rows (``combinations``, in the
process that makes them: ``store.chunks``); the build's own process numbers each distinct combination as
first seen and writes the chunk's ``model_facets`` rows (``FacetIndex.number``; ``add`` does both);
``FacetIndex.finish`` writes the combinations once every row is in. The tables and ``model_facets``'
indexes are made by migration 0010, like every other table's (a build drops the indexes for the load and
makes them again after it). The values are those the build writes: a model's domains as listed (a domain
listed twice counts twice), its distinct modalities, organizations and their countries, its openness and
its release year. Reading them back from the model tables instead took 46 s of a 1,000,000-model build
(``bench/build_scale.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, column, inspect, select, table

from modelatlas.store.bulk import insert_rows
from modelatlas.store.engine import driver_rows

__all__ = [
    "FACET_TABLES",
    "MANY_FACETS",
    "NARROW",
    "FacetIndex",
    "combinations",
    "domain_year_counts",
    "has_facet_index",
]

#: The derived tables of the facet index (see ``store.browse``'s docstring).
FACET_TABLES = ("facet_sets", "facet_values", "model_facets")
#: The facets a model can have several values of, in the order a combination lists them.
MANY_FACETS = ("domain", "modality", "organization", "country")

SETS = table("facet_sets", column("combo"), column("models"))
VALUES = table(
    "facet_values", column("facet"), column("value"), column("combo"), column("times"), column("models")
)
NARROW = table(
    "model_facets", column("id"), column("combo"), column("parameters"), column("released"), column("name")
)

Combination = tuple[tuple[Any, ...], ...]


class FacetIndex:
    """The combinations of facet values of the models added so far, numbered from 1 as first seen."""

    def __init__(self, countries: Mapping[str, str | None]) -> None:
        #: ``countries``: each organization's country (None: not known), as the organizations table has it.
        self.countries = countries
        self.combos: dict[Combination, int] = {}
        self.members: Counter[int] = Counter()

    def add(self, rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
        """Tally the models of ``rows`` (one chunk's rows by table, as ``store.rows.model_rows`` makes
        them) and return their ``model_facets`` rows."""
        names = [c.name for c in NARROW.c]
        return [dict(zip(names, row, strict=True)) for row in self.number(combinations(rows, self.countries))]

    def number(self, found: Sequence[tuple[Combination, tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
        """Tally ``combinations``' answer and return the ``model_facets`` rows as tuples in ``NARROW``'s
        column order, each combination numbered (the one part of ``add`` that must see every model, in
        order: a build numbers them in the process that writes, beside the one that made ``found``)."""
        combos, members, narrow = self.combos, self.members, []
        for combination, (mid, parameters, released, name) in found:
            combo = combos.setdefault(combination, len(combos) + 1)
            members[combo] += 1
            narrow.append((mid, combo, parameters, released, name))
        return narrow

    def renumber(self, found: Iterable[tuple[Combination, int]]) -> list[int]:
        """The numbers of the combinations of another index (a part's: ``store.parts``), given in the
        order it numbered them with how many models each has, tallied here as ``number`` would have
        tallied those models: numbered in that order, each as first seen here."""
        combos, members, numbers = self.combos, self.members, []
        for combination, models in found:
            combo = combos.setdefault(combination, len(combos) + 1)
            members[combo] += models
            numbers.append(combo)
        return numbers

    def finish(self, conn: Connection) -> None:
        """Write the combinations and their values."""
        self.write(conn, self.rows())

    def rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The rows of ``facet_sets`` and ``facet_values``: Python's work of ``finish``, which a build
        does while SQLite makes the indexes."""
        facets = (*MANY_FACETS, "openness", "year")
        sets = [{"combo": combo, "models": n} for combo, n in self.members.items()]
        values = [
            {"facet": facet, "value": value, "combo": combo, "times": times, "models": self.members[combo]}
            for found, combo in self.combos.items()
            for facet, found_values in zip(facets, found, strict=True)
            for value, times in (
                ((v, 1) for v in found_values) if len(found_values) < 2 else Counter(found_values).items()
            )
        ]
        return sets, values

    @staticmethod
    def write(conn: Connection, rows: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
        """Insert ``rows`` (from ``rows()``)."""
        insert_rows(conn, SETS, rows[0])
        insert_rows(conn, VALUES, rows[1])


def combinations(
    rows: Mapping[str, Sequence[Mapping[str, Any]]], countries: Mapping[str, str | None]
) -> list[tuple[Combination, tuple[Any, ...]]]:
    """Each model of ``rows``' combination of facet values, with the rest of its ``model_facets`` row
    (id, parameters, release date as ``models`` stores it, name), in the models' order; ``countries``:
    each organization's country."""
    many: dict[str, dict[str, list[Any]]] = {facet: {} for facet in MANY_FACETS}
    for row in rows.get("model_domains", ()):
        many["domain"].setdefault(row["model_id"], []).append(row["domain"])
    for row in rows.get("model_modalities", ()):
        _add_new(many["modality"], row["model_id"], row["modality"])
    for row in rows.get("model_organizations", ()):
        org = row["organization_id"]
        _add_new(many["organization"], row["model_id"], org)
        _add_new(many["country"], row["model_id"], countries.get(org))
    found = []
    for model in rows.get("models", ()):
        mid, openness, released = model["id"], model["openness"], model["released"]
        combination = (
            *(tuple(sorted(many[facet].get(mid, ()))) for facet in MANY_FACETS),
            () if openness is None else (openness,),
            () if released is None else (released.year,),
        )
        iso = None if released is None else released.isoformat()  # as models stores it
        found.append((combination, (mid, model["parameters"], iso, model["name"])))
    return found


def _add_new(found: dict[str, list[Any]], model: str, value: Any) -> None:
    """Add ``value`` to ``model``'s values in ``found`` unless it is None or already there."""
    known = found.setdefault(model, [])
    if value is not None and value not in known:
        known.append(value)


def has_facet_index(conn: Connection) -> bool:
    """Whether the store has the facet index's three tables (a store built before it has not)."""
    inspector = inspect(conn)
    return all(inspector.has_table(name) for name in FACET_TABLES)


def domain_year_counts(conn: Connection) -> tuple[Counter[int], Counter[tuple[str, int]]]:
    """From the facet index: how many models were released each year, and how many times each domain
    is listed by the models of each year (a domain listed twice counts twice), as ``store.queries``'
    overview counts them from the model tables. Each combination's year and domains, summed over its
    models: at a million models 0.4 s against 3.7 s joining every model's domains to its release; the
    rows as the driver gives them (0.66–0.72 against 0.92–1.02 s through SQLAlchemy's)."""
    v = VALUES.c
    years: dict[int, int] = {}
    by_year: Counter[int] = Counter()
    for combo, value, models in driver_rows(
        conn, select(v.combo, v.value, v.models).where(v.facet == "year")
    ):
        year = years[combo] = int(value)  # a number on SQLite, text on PostgreSQL
        by_year[year] += models
    by_domain_year: Counter[tuple[str, int]] = Counter()
    found = driver_rows(conn, select(v.combo, v.value, v.times, v.models).where(v.facet == "domain"))
    for combo, domain, times, models in found:
        if combo in years:
            by_domain_year[(domain, years[combo])] += times * models
    return by_year, by_domain_year
