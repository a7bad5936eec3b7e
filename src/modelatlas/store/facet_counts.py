"""The facet index's values in memory (SQLite and PostgreSQL), so that a new question's facet counts
are a few array sums instead of one SQL pass over every row of ``facet_values``.

``store.browse`` counts each facet's values over the combinations of facet values (``facet_sets``) that
pass every other filter, weighted by how many models of each combination pass the conditions that are not
facets. In SQL that joins and groups all of ``facet_values``: about 260,000 rows for 100,000 synthetic
models (53,000 combinations), 120 ms of CPU for each new filter. Here the same rows are four arrays read
once per build (``FacetArrays.load``, kept by the caller: the web keeps it per store build), and a
question costs one boolean array per filter and one ``numpy.bincount`` per facet: a few milliseconds.
The answers are those of the SQL (``tests/test_store_browse.py`` compares the two on every state, on
both databases; PostgreSQL's years, text in ``facet_values``, are read as numbers, as SQLite keeps them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, select

from modelatlas.catalog.vocab import OPEN_WEIGHTS
from modelatlas.store.engine import driver_rows
from modelatlas.store.facet_index import NARROW, SETS, VALUES
from modelatlas.store.filters import NOT_OPEN

__all__ = ["FacetArrays"]

Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class FacetArrays:
    """``facet_values`` as arrays, one entry per row, and ``facet_sets``' model counts by combination."""

    #: Each distinct (facet, value), in the order first read; ``key`` indexes it.
    labels: tuple[tuple[str, Any], ...]
    #: Each label's index in ``labels``.
    index: dict[tuple[str, Any], int]
    key: Ints
    combo: Ints
    times: Ints
    #: The models of each combination number (0 for a number no combination has).
    members: Ints
    #: The rows of each facet (indexes into ``key``, ``combo``, ``times``).
    rows: dict[str, Ints]
    #: Every stated parameter count, ascending (a model without one is not in it).
    sizes: Ints

    @classmethod
    def load(cls, conn: Connection) -> FacetArrays:
        """Read ``facet_values``, ``facet_sets`` and the stated sizes (a fraction of a second at 100,000
        models). Read through the database driver's own cursor, each row a tuple, and numbered with
        loops in C (``dict.fromkeys``, ``map``), not a row at a time in Python: at a million models the
        facet counts' first question took 2.2 s of CPU, most of it reading 841,814 rows of values."""
        values = driver_rows(conn, select(VALUES.c.facet, VALUES.c.value, VALUES.c.combo, VALUES.c.times))
        facet_of, value_of, combos, times = zip(*values, strict=True) if values else ((), (), (), ())
        pairs = list(zip(facet_of, value_of, strict=True))
        numbered = {pair: n for n, pair in enumerate(dict.fromkeys(pairs))}  # in the order first read
        key = np.fromiter(map(numbered.__getitem__, pairs), dtype=np.int64, count=len(pairs))
        # a year a number on SQLite, text on PostgreSQL: a number here on both (each label once)
        labels = tuple((f, int(v) if f == "year" else v) for f, v in numbered)
        facets = {f: n for n, f in enumerate(dict.fromkeys(f for f, _ in labels))}
        facet_key = np.array([facets[f] for f, _ in labels], dtype=np.int64)[key]
        sets = np.array(driver_rows(conn, select(SETS.c.combo, SETS.c.models)), dtype=np.int64).reshape(-1, 2)
        members = np.zeros(int(sets[:, 0].max(initial=0)) + 1, dtype=np.int64)
        members[sets[:, 0]] = sets[:, 1]
        stated = NARROW.c.parameters
        found = driver_rows(conn, select(stated).where(stated.is_not(None)).order_by(stated))
        return cls(
            labels=labels,
            index={label: n for n, label in enumerate(labels)},
            key=key,
            combo=np.array(combos, dtype=np.int64),
            times=np.array(times, dtype=np.int64),
            members=members,
            rows={facet: np.flatnonzero(facet_key == n) for facet, n in facets.items()},
            sizes=np.fromiter((size for (size,) in found), dtype=np.int64, count=len(found)),
        )

    def sized(self, least: float | None, most: float | None) -> int:
        """How many models state at least ``least`` and at most ``most`` parameters (None: no bound):
        two binary searches, not a count of every model above the size."""
        low = 0 if least is None else int(np.searchsorted(self.sizes, least, side="left"))
        high = len(self.sizes) if most is None else int(np.searchsorted(self.sizes, most, side="right"))
        return max(0, high - low)

    def with_value(self, facet: str, values: Sequence[Any]) -> Flags:
        """For each combination number, whether it has one of ``values`` for ``facet`` (as
        ``browse._with_value``: for openness, ``not-open`` is every combination without an open one)."""
        if facet == "openness" and NOT_OPEN in values:
            shut = ~self.with_value(facet, OPEN_WEIGHTS)
            plain = [v for v in values if v != NOT_OPEN]
            return shut | self.with_value(facet, plain) if plain else shut
        wanted = np.zeros(len(self.labels), dtype=np.bool_)
        for value in values:
            found = self.index.get((facet, value))
            if found is not None:
                wanted[found] = True
        flags = np.zeros(len(self.members), dtype=np.bool_)
        rows = self.rows.get(facet, np.array([], dtype=np.int64))
        flags[self.combo[rows[wanted[self.key[rows]]]]] = True
        return flags

    def passes(self, filters: Iterable[tuple[str, Sequence[Any]]], open_only: bool) -> Flags:
        """For each combination number, whether it passes every facet filter (``filters``: facet, values)
        and ``open_only``: the combinations ``tally``'s total counts."""
        flags = np.ones(len(self.members), dtype=np.bool_)
        for facet, values in filters:
            flags &= self.with_value(facet, values)
        if open_only:
            flags &= self.with_value("openness", OPEN_WEIGHTS)
        return flags

    def tally(
        self,
        models: Ints,
        filters: Iterable[tuple[str, Sequence[Any]]],
        open_only: bool,
        facets: Sequence[str],
    ) -> tuple[int, dict[str, list[tuple[Any, int]]]]:
        """How many of ``models`` (per combination number) pass every facet filter (``filters``: facet,
        values) and ``open_only``, and each facet of ``facets``' counts over those that pass every other
        filter, as (value, count) with no value of count 0, in no particular order."""
        passing = {facet: self.with_value(facet, values) for facet, values in filters}
        everywhere = self.with_value("openness", OPEN_WEIGHTS) if open_only else None
        base = models if everywhere is None else models * everywhere
        total = base
        for flags in passing.values():
            total = total * flags
        counts: dict[str, list[tuple[Any, int]]] = {}
        for facet in facets:
            weight = base
            for other, flags in passing.items():
                if other != facet:
                    weight = weight * flags
            rows = self.rows.get(facet, np.array([], dtype=np.int64))
            summed = np.bincount(
                self.key[rows],
                weights=weight[self.combo[rows]] * self.times[rows],
                minlength=len(self.labels),
            )
            found = np.flatnonzero(summed)
            counts[facet] = [(self.labels[i][1], int(summed[i])) for i in found.tolist()]
        return int(total.sum()), counts
