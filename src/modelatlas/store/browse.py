"""Browse the store as the dashboard and the API do: text search, combinable facets, sorting, paging.

Within one facet the values are alternatives (domain nlp *or* cv); across facets they all apply
(nlp *and* from China). A facet's counts are taken over the models that pass every *other* filter, so
its values stay in view as alternatives: the count of ``cv`` is what choosing ``cv`` too would add.

A build also writes three derived tables (made by migrations 0010 on SQLite and 0011 on PostgreSQL), so
that a page takes one query for every facet's counts and one for its rows, over a few narrow tables
instead of one pass over the models per facet:

- ``facet_sets``: each distinct combination of facet values a model has (its openness, release year,
  domains, modalities, organizations and their countries), numbered, with how many models have it;
- ``facet_values``: the values of each combination (``times``: how often, for a model that lists a
  domain twice) and the number of its models again;
- ``model_facets``: each model's combination, with the columns the page sorts and filters by that are
  not facets (parameters, released, name).

The conditions that are not facets (text, ids, parameters) pick models from ``model_facets``; the facet
filters apply to combinations, a few thousand of them where there are 100,000 models. Without these
tables (a store that lacks them) each facet is one SQL query over the models. The queries are the same
on both databases but for what each one's SQL has: on SQLite ``+column`` keeps an index out of a
condition and a long list of ids is one JSON array (``json_each``); on PostgreSQL a list of ids is one
array parameter (``= ANY``), the planner picks the indexes, ``released`` is a date and the years of
``facet_values`` are text (``store.facet_index_pg``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    Connection,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from modelatlas.store import tables as T
from modelatlas.store.facet_counts import FacetArrays
from modelatlas.store.facet_index import FACET_TABLES, has_facet_index
from modelatlas.store.facet_index import NARROW as _NARROW
from modelatlas.store.facet_index import SETS as _SETS
from modelatlas.store.facet_index import VALUES as _VALUES
from modelatlas.store.filter_sql import (
    conditions,
    openness_values,
    organization_ids,
    population_condition,
    resolve,
    source_condition,
)
from modelatlas.store.filters import LARGEST, NOT_OPEN, Filters
from modelatlas.store.queries import (
    OPEN_WEIGHTS,
    ModelRow,
    among,
    rows_for,
    search,
    text_match,
)
from modelatlas.store.related import related
from modelatlas.store.text_index import has_organization_names, has_text_index

__all__ = [
    "ARRAYS_KEY",
    "FACETS",
    "FACET_TABLES",
    "Browse",
    "BrowseSort",
    "Keep",
    "Page",
    "added_since",
    "browse",
    "for_frame",
    "has_facet_index",
    "matching_ids",
    "organization_ids",
    "selected_ids",
]

BrowseSort = Literal["relevance", "released", "parameters", "name"]
#: The facets, in the order the dashboard shows them.
FACETS = ("domain", "modality", "organization", "country", "openness", "year")
#: At most this many search hits take part in a text query.
_MAX_HITS = 5000
#: Facets a model can have several values of (its modalities, organizations, their countries).
_MANY_PER_MODEL = frozenset({"modality", "organization", "country"})
#: A plain text match with fewer models than this also looks for near spellings.
_FEW = 10
#: With more matches than this, a page walks the index of its sort order instead of sorting them all.
_WALK = 1000
#: What ``browse`` asks ``keep`` for the facet index in memory (``FacetArrays``) under.
ARRAYS_KEY = ("facet arrays",)


@dataclass(frozen=True, slots=True)
class Browse(Filters):
    """Which models (``store.filters.Filters``: the one filter model of the CLI, the API, the pages and
    the analyses), in which order, which page of them.

    Raises:
        BadArgument: a filter's value no model can have (see ``Filters``).
    """

    sort: BrowseSort = "released"
    descending: bool = True
    offset: int = 0
    #: At most this many rows; None for all of them.
    limit: int | None = 50

    def __post_init__(self) -> None:
        """A count or offset above ``LARGEST`` is ``LARGEST`` (no store holds more, so the answer is
        the same; ``min_params=1e19`` was a 500)."""
        Filters.__post_init__(self)
        for name in ("offset", "limit"):
            value = getattr(self, name)
            if value is not None and value > LARGEST:
                object.__setattr__(self, name, LARGEST)


@dataclass(slots=True)
class Page:
    total: int
    offset: int
    limit: int | None
    rows: list[ModelRow]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _conditions(b: Filters, hits: list[str] | None, matcher: Any = None) -> list[Any]:
    return conditions(b, hits, matcher)


def _year(released: Any) -> Any:
    return func.extract("year", released)


#: ``keep(key, compute)``: ``compute()``, or what it gave before for the same ``key`` (see ``browse``).
Keep = Callable[[Hashable, Callable[[], Any]], Any]


def _compute(_: Hashable, compute: Callable[[], Any]) -> Any:
    return compute()


def browse(conn: Connection, b: Browse, *, facets: bool = True, keep: Keep = _compute) -> Page:
    """The page of models ``b`` asks for, the total that match, and (with ``facets``) the facet counts.

    Text ranked by relevance goes through ``queries.search``; in any other order it is one SQL condition
    (``queries.text_match``), unless that finds fewer than ``_FEW`` models: then near spellings count too.

    The search hits, the total and the facet counts do not depend on the page's offset or limit: each
    is asked of ``keep`` with a key that says what it depends on, so that a caller who keeps them (the
    web, per store build) pages through a result without computing them again.
    """
    b = _resolved(conn, b)
    hits: list[str] | None = None
    matcher = None
    if b.text and b.sort != "relevance":
        also = related(conn, b.text, aliases=_has_aliases(conn, keep))
        matcher = text_match(b.text, indexed=has_text_index(conn), also=also)
    if b.text and b.sort == "relevance":
        hits = _search(conn, b.text, keep)
    if keep(("facet index",), lambda: has_facet_index(conn)):  # (three catalog queries on PostgreSQL)
        return _browse_indexed(conn, b, hits, matcher, facets, keep)
    if matcher is not None:  # the matching ids once, not the text condition again in every facet's count
        text, condition = b.text, matcher
        query = select(T.models.c.id).where(condition).limit(_MAX_HITS + 1)
        matched = keep(("matched", text), lambda: list(conn.execute(query).scalars()))
        if len(matched) <= _MAX_HITS:  # (a bound on the parameters one statement may carry)
            matcher = T.models.c.id.in_(matched)
    total, ids = _page(conn, b, hits, matcher, keep)
    if matcher is not None and total < _FEW:
        hits, matcher = _search(conn, b.text or "", keep), None
        total, ids = _page(conn, b, hits, matcher, keep)
    page = Page(total, b.offset, b.limit, rows_for(conn, ids))
    if facets:
        chosen, near = hits, matcher is None

        def counts() -> dict[str, dict[str, int]]:
            found = {}
            for facet in FACETS:  # each facet is also a field of Browse
                cleared: dict[str, Any] = {facet: ()}
                others = _conditions(replace(b, **cleared), chosen, matcher)
                found[facet] = _counts(conn, facet, select(T.models.c.id).where(and_(True, *others)))
            return found

        page.facets = keep(("facets", _question(b), near), counts)
    return page


def _resolved(conn: Connection, b: Browse) -> Browse:
    """``b`` with its organizations as ids and its base model as the ids of its derivatives (``only``)."""
    return resolve(conn, b)


S = TypeVar("S", bound=Filters)


def selected_ids(conn: Connection, f: Filters, at_most: int) -> list[str] | None:
    """The ids of the models ``f`` selects (resolved, its text as ``only``: ``for_frame``), found as
    ``browse`` counts them (on the facet index where the store has it); None when there are more than
    ``at_most`` (read no further)."""
    b = Browse(**{name: getattr(f, name) for name in f.given()})
    if has_facet_index(conn):
        narrow, sqlite = _NARROW, conn.dialect.name == "sqlite"
        # Beside a list of ids (the notable models, ``only``, a source's), SQLite would probe the index of
        # (combo, id) once per passing combination and id: a million models, the notable ones of a
        # domain, 80 s. ``+combo`` makes it read the ids' rows and check their combination instead.
        listed = b.population == "notable" or b.only is not None or b.source is not None
        combo = _unindexed(narrow.c.combo, sqlite and listed)
        query = select(narrow.c.id).where(*_common(conn, b, None, None), *_passing(combo, b, sqlite))
    else:
        query = select(T.models.c.id).where(*conditions(b))
    ids = list(conn.execute(query.limit(at_most + 1)).scalars())
    return None if len(ids) > at_most else ids


def matching_ids(conn: Connection, f: Filters) -> set[str]:
    """The ids of every model ``f`` selects, as ``browse`` finds them (its text in date order)."""
    b = Browse(**{name: getattr(f, name) for name in f.given()}, limit=None)
    if b.text and b.text.strip():
        return {row.id for row in browse(conn, b, facets=False).rows}
    b = resolve(conn, b)
    return set(conn.execute(select(T.models.c.id).where(*conditions(b))).scalars())


def for_frame(conn: Connection, selection: S) -> S:
    """``selection`` as ``analysis.frame.select`` can apply it: its organizations as ids, and the
    filters the analysis table has no column for (text, modality, base) as the ids of the models that
    pass them (``only``), found as the models browser finds them (text in date order)."""
    s = resolve(conn, selection)
    if not (s.text and s.text.strip()) and not s.modality:
        return replace(s, text=None)
    ids: set[str] | None = None
    if s.modality:
        query = select(T.models.c.id).where(*conditions(Filters(modality=s.modality, only=s.only)))
        ids = set(conn.execute(query).scalars())
    if s.text and s.text.strip():
        found = browse(conn, Browse(text=s.text, only=s.only, limit=None), facets=False)
        matched = {row.id for row in found.rows}
        ids = matched if ids is None else ids & matched
    only = tuple(sorted(ids or ()))
    return replace(s, text=None, modality=(), only=only)


def added_since(conn: Connection, since: dt.date, b: Browse) -> list[tuple[ModelRow, dt.date]]:
    """The models that entered the atlas on or after ``since`` and pass ``b``'s filters (its text as
    ``queries.text_match`` finds it; not its order or offset), newest first, at most ``b.limit``.

    A model entered the atlas when its first source was read (the earliest ``accessed``, the build's
    ``models.added``): the day a curated record was written, or a bundled dataset's snapshot date. A
    model without sources never entered it.
    """
    m = T.models
    b = _resolved(conn, b)
    matcher = None
    if b.text and b.text.strip():
        matcher = text_match(b.text, indexed=has_text_index(conn), also=related(conn, b.text))
    query = select(m.c.id, m.c.added).where(m.c.added >= since)
    if matcher is None and _filters(b, True) and _walks(conn, b):
        # Walk the index of ``added``, each model's combination checked, and stop at the page's end: the
        # models of a facet filter listed first were then all sorted (a million models, domain=cv: 1 s).
        narrow, sqlite = _NARROW, conn.dialect.name == "sqlite"
        query = query.join(narrow, narrow.c.id == m.c.id).where(
            *_common(conn, b, None, None, unindexed=True),
            *_passing(_unindexed(narrow.c.combo, sqlite), b, sqlite),
        )
    else:
        query = query.where(*_conditions(b, None, matcher))
    query = query.order_by(m.c.added.desc(), m.c.released.desc().nulls_last(), m.c.id).limit(b.limit)
    found = [(model_id, added) for model_id, added in conn.execute(query)]
    rows = {r.id: r for r in rows_for(conn, [model_id for model_id, _ in found])}
    return [(rows[model_id], _as_date(added)) for model_id, added in found]


def _walks(conn: Connection, b: Browse) -> bool:
    """Whether ``added_since`` should walk the index of ``added`` for ``b``'s page rather than list the
    models its facet filters pass and sort them (in a store with the facet index): a walk meets about
    ``limit × models / passing`` models, a list sorts ``passing`` of them, so walk when ``passing² >
    limit × models`` (counted from the facet index's combinations). At a million models a domain of
    99,000 walked to 501 models in 60 ms where the list took 1 s; an organization of 1,051 the other way
    round."""
    if b.limit is None or not has_facet_index(conn):
        return False
    sets, sqlite = _SETS.c, conn.dialect.name == "sqlite"
    passing = func.sum(case((and_(True, *_passing(sets.combo, b, sqlite)), sets.models), else_=0))
    found, models = conn.execute(select(passing, func.sum(sets.models))).one()
    return int(found or 0) ** 2 > b.limit * int(models or 0)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _question(b: Browse) -> Browse:
    """``b`` without what only chooses the page (offset, limit, order): what totals and counts depend on."""
    relevance = b.sort == "relevance"
    return replace(b, offset=0, limit=0, sort="relevance" if relevance else "released", descending=True)


def _search(conn: Connection, text: str, keep: Keep = _compute) -> list[str] | None:
    if not text.strip():
        return None

    def hits() -> list[str]:
        return [hit.id for hit in search(conn, text, limit=_MAX_HITS, aliases=_has_aliases(conn, keep))]

    return keep(("hits", text), hits)  # type: ignore[no-any-return]


def _has_aliases(conn: Connection, keep: Keep) -> bool:
    """Whether the store has ``organization_names``: asked of ``keep`` (once per build on the web, not
    once per search: a catalog query on PostgreSQL)."""
    return keep(("organization names table",), lambda: has_organization_names(conn))  # type: ignore[no-any-return]


def _page(
    conn: Connection, b: Browse, hits: list[str] | None, matcher: Any, keep: Keep = _compute
) -> tuple[int, list[str]]:
    """The total that match (asked of ``keep``: it does not depend on the page) and the ids of the page.

    The page's query asks for no count, so that the database can walk the sort order's index and stop
    at the page's end instead of sorting every match."""
    m = T.models
    conditions = and_(True, *_conditions(b, hits, matcher))
    if b.sort == "relevance" and hits is not None:
        wanted = set(conn.execute(select(m.c.id).where(conditions)).scalars())
        ranked = [mid for mid in hits if mid in wanted]
        return len(ranked), ranked[b.offset : None if b.limit is None else b.offset + b.limit]
    near = matcher is None and hits is not None

    def count() -> int:
        return int(conn.execute(select(func.count()).select_from(m).where(conditions)).scalar_one())

    total: int = keep(("total", _question(b), near), count)
    key = "released" if b.sort == "relevance" else b.sort
    column = {"released": m.c.released, "parameters": m.c.parameters, "name": func.lower(m.c.name)}[key]
    order = column.desc() if b.descending else column.asc()
    query = select(m.c.id).where(conditions).order_by(order.nulls_last(), m.c.id)
    ids = list(conn.execute(query.offset(b.offset).limit(b.limit)).scalars()) if total > b.offset else []
    return total, ids


def _counts(conn: Connection, facet: str, matching: Select[Any]) -> dict[str, int]:
    """How many of ``matching`` have each value of ``facet``, most first (years newest first)."""
    m, md, mm, mo, o = T.models, T.model_domains, T.model_modalities, T.model_organizations, T.organizations
    value: Any
    source: Any
    match facet:
        case "domain":
            value, owner, source = md.c.domain, md.c.model_id, md
        case "modality":
            value, owner, source = mm.c.modality, mm.c.model_id, mm
        case "organization":
            value, owner, source = mo.c.organization_id, mo.c.model_id, mo
        case "country":
            value, owner, source = o.c.country, mo.c.model_id, mo.join(o, o.c.id == mo.c.organization_id)
        case "openness":
            value, owner, source = m.c.openness, m.c.id, m
        case _:
            value, owner, source = _year(m.c.released), m.c.id, m
    query = (
        select(value, func.count(func.distinct(owner)) if facet in _MANY_PER_MODEL else func.count())
        .select_from(source)
        .where(owner.in_(matching.scalar_subquery()), value.is_not(None))
        .group_by(value)
    )
    return _ordered(facet, [(v, n) for v, n in conn.execute(query)])


def _ordered(facet: str, found: Iterable[tuple[Any, int]]) -> dict[str, int]:
    """Counts as the page shows them: most first (years newest first), empty values left out."""
    shown = [(str(int(v)) if facet == "year" else str(v), int(n)) for v, n in found if v]
    if facet == "year":
        return dict(sorted(shown, key=lambda item: item[0], reverse=True))
    return dict(sorted(shown, key=lambda item: (-item[1], item[0])))


# The facet index (SQLite and PostgreSQL): the same answers as _page and _counts, from the derived tables.


def _browse_indexed(
    conn: Connection, b: Browse, hits: list[str] | None, matcher: Any, facets: bool, keep: Keep
) -> Page:
    """``browse`` on the facet index: the total (and the facet counts) in one query, then the page; for a
    caller who keeps, ranked search hits from each hit's combination (``_ranked_hits``)."""
    question = _question(b)
    # a caller who keeps what it is given keeps the facet index in memory too (FacetArrays, on both
    # databases): a new question's counts are then array sums; one who does not (the CLI) would pay
    # more to read it than to count in SQL
    arrays = keep(ARRAYS_KEY, lambda: FacetArrays.load(conn)) if keep is not _compute else None
    if arrays is not None and b.sort == "relevance" and hits is not None:
        kept, found = arrays, hits
        ranked, counts = keep(
            ("ranked", question, facets), lambda: _ranked_hits(conn, b, found, facets, kept)
        )
        shown = ranked[b.offset : None if b.limit is None else b.offset + b.limit]
        return Page(len(ranked), b.offset, b.limit, rows_for(conn, shown), counts)

    def tally(hits: list[str] | None, matcher: Any) -> tuple[int, dict[str, dict[str, int]]]:
        return _tally(conn, b, hits, matcher, facets, arrays)

    total, counts = keep(("tally", question, facets, False), lambda: tally(hits, matcher))
    if matcher is not None and total < _FEW:
        hits, matcher = _search(conn, b.text or "", keep), None
        near = hits
        total, counts = keep(("tally", question, facets, True), lambda: tally(near, None))
    narrow, sqlite = _NARROW, conn.dialect.name == "sqlite"
    if b.sort == "relevance" and hits is not None:
        # the hits by primary key, each one's combination then checked: probing the combination index
        # once per passing combination and hit takes seconds
        conditions = [
            *_common(conn, b, hits, matcher),
            *_passing(_unindexed(narrow.c.combo, sqlite), b, sqlite),
        ]
        wanted = set(conn.execute(select(narrow.c.id).where(*conditions)).scalars().all())
        ranked = [mid for mid in hits if mid in wanted]
        shown = ranked[b.offset : None if b.limit is None else b.offset + b.limit]
        return Page(len(ranked), b.offset, b.limit, rows_for(conn, shown), counts)
    ids: list[str] = []
    if total > b.offset:
        # Many matches: walk the index of the sort order (it holds every column the conditions read) until
        # the page is full, rather than sort them all; so that SQLite does, no condition may use an index.
        walk = total > _WALK and sqlite  # (PostgreSQL's planner chooses for itself)
        conditions = [
            *_common(conn, b, hits, matcher, walk),
            *_passing(_unindexed(narrow.c.combo, walk), b, sqlite),
        ]
        key = "released" if b.sort == "relevance" else b.sort
        sort = {"released": narrow.c.released, "parameters": narrow.c.parameters}.get(key)
        order = func.lower(narrow.c.name) if sort is None else sort
        query = (
            select(narrow.c.id)
            .where(*conditions)
            .order_by((order.desc() if b.descending else order.asc()).nulls_last(), narrow.c.id)
        )
        ids = list(conn.execute(query.offset(b.offset).limit(b.limit)).scalars())
    return Page(total, b.offset, b.limit, rows_for(conn, ids), counts)


def _ranked_hits(
    conn: Connection, b: Browse, hits: list[str], facets: bool, arrays: FacetArrays
) -> tuple[list[str], dict[str, dict[str, int]]]:
    """The search ``hits`` that pass every filter of ``b``, best first, and (with ``facets``) the facet
    counts over them: the combination of each hit that passes the conditions that are not facets, read
    once (one lookup a hit, where the grouped count and the check of each hit were two), then arrays."""
    narrow = _NARROW.c
    combo_of = dict(conn.execute(select(narrow.id, narrow.combo).where(*_common(conn, b, hits, None))).all())
    combos = np.fromiter(combo_of.values(), dtype=np.int64, count=len(combo_of))
    filters = _filters(b, sqlite=True)
    passing = arrays.passes(filters, b.open_only)
    ranked = [mid for mid in hits if mid in combo_of and passing[combo_of[mid]]]
    if not facets:
        return ranked, {}
    return ranked, _array_counts(arrays, np.bincount(combos, minlength=len(arrays.members)), b)[1]


def _unindexed(column: Any, unindexed: bool = True) -> Any:
    """``column`` as SQLite's ``+column``, which no index can answer, if ``unindexed``."""
    return UnaryExpression(column, operator=custom_op("+")) if unindexed else column


def _common(
    conn: Connection, b: Browse, hits: list[str] | None, matcher: Any, unindexed: bool = False
) -> list[Any]:
    """The conditions of ``_conditions`` that are not facets, on ``model_facets`` (``unindexed``: as
    ``+column``, on SQLite only)."""
    sqlite = conn.dialect.name == "sqlite"
    unindexed = unindexed and sqlite
    mid = _unindexed(_NARROW.c.id, unindexed)
    parameters = _unindexed(_NARROW.c.parameters, unindexed)
    found: list[Any] = []
    if hits is not None:
        found.append(among(conn, mid, hits))
    if matcher is not None:
        found.append(mid.in_(select(T.models.c.id).where(matcher)))
    if b.only is not None:
        found.append(among(conn, mid, b.only))
    released = _unindexed(_NARROW.c.released, unindexed)
    after, before = b.released_after, b.released_before
    if after is not None:  # on SQLite stored as ISO text, as models.released is there; a date elsewhere
        found.append(released >= (after.isoformat() if sqlite else after))
    if before is not None:
        found.append(released <= (before.isoformat() if sqlite else before))
    if b.min_params is not None:
        found.append(parameters >= b.min_params)
    if b.max_params is not None:
        found.append(parameters <= b.max_params)
    if b.source is not None:
        found.append(mid.in_(select(T.sources.c.model_id).where(source_condition(b.source))))
    if b.population == "notable":
        found.append(population_condition(mid))
    return found


def _filters(b: Browse, sqlite: bool) -> list[tuple[str, tuple[Any, ...]]]:
    """The facet filters of ``b`` as (facet, values), values as stored in ``facet_values`` (years as
    numbers on ``sqlite``, else as text)."""
    chosen: dict[str, tuple[Any, ...]] = {
        "domain": b.domain,
        "modality": b.modality,
        "organization": b.organization,
        "country": b.country,
        "openness": openness_values(b.openness),
        "year": b.year if sqlite else tuple(str(year) for year in b.year),
    }
    return [(facet, chosen[facet]) for facet in FACETS if chosen[facet]]


def _passing(combo: Any, b: Browse, sqlite: bool) -> list[Any]:
    """Conditions on ``combo``: the combinations that pass every facet filter of ``b`` (and open_only)."""
    found = [_with_value(combo, facet, values) for facet, values in _filters(b, sqlite)]
    if b.open_only:
        found.append(_with_value(combo, "openness", OPEN_WEIGHTS))
    return found


def _with_value(combo: Any, facet: str, values: Sequence[Any]) -> Any:
    """The combinations with one of ``values`` for ``facet``; for openness, ``not-open`` is every
    combination without an open one (a model of unknown openness has no openness value)."""
    chosen = _VALUES.alias("chosen")
    if facet == "openness" and NOT_OPEN in values:
        plain = [v for v in values if v != NOT_OPEN]
        shut = combo.not_in(
            select(chosen.c.combo).where(chosen.c.facet == facet, chosen.c.value.in_(OPEN_WEIGHTS))
        )
        return or_(shut, _with_value(combo, facet, plain)) if plain else shut
    return combo.in_(select(chosen.c.combo).where(chosen.c.facet == facet, chosen.c.value.in_(values)))


def _bounded(hits: Sequence[str] | None, only: Sequence[str] | None) -> bool:
    """Whether the search hits or the ``only`` ids keep a question to at most ``_MAX_HITS`` models."""
    return any(ids is not None and len(ids) <= _MAX_HITS for ids in (hits, only))


def _tally(
    conn: Connection,
    b: Browse,
    hits: list[str] | None,
    matcher: Any,
    facets: bool = True,
    arrays: FacetArrays | None = None,
) -> tuple[int, dict[str, dict[str, int]]]:
    """How many models pass every filter of ``b``, and (with ``facets``) each facet's counts over the
    models that pass every other filter: ``_page``'s total and ``_counts`` of each facet, in one query,
    or (given the facet index in memory, ``arrays``: SQLite) one query for the models of each combination
    that pass the conditions that are not facets and array sums for the rest."""
    v: Any = _VALUES
    narrow, sqlite = _NARROW, conn.dialect.name == "sqlite"
    common = _common(conn, b, hits, matcher)
    passing = _passing(narrow.c.combo, b, sqlite)
    if common and not passing and not facets:  # a plain count, on the index of the condition
        sizes_only = hits is None and matcher is None and b.only is None and b.source is None
        sizes_only = sizes_only and b.released_after is None and b.released_before is None
        if arrays is not None and sizes_only and b.population != "notable":  # or a range of sizes
            return arrays.sized(b.min_params, b.max_params), {}
        return int(conn.execute(select(func.count()).where(*common)).scalar_one()), {}
    if arrays is not None and facets:
        return _tally_arrays(conn, b, common, arrays)
    sets: Any
    if common:  # how many models of each combination pass them
        # grouped by +combo: read from the index of the condition (a range of sizes or dates) and grouped
        # apart, not by walking every model in the order of the combination index (116 ms → 7 ms)
        grouped = _unindexed(narrow.c.combo, sqlite)
        sets = select(narrow.c.combo, func.count().label("n")).where(*common).group_by(grouped)
        sets = sets.cte("sets")
        values_from, n = sets.join(v, v.c.combo == sets.c.combo), sets.c.n
        if not sqlite and _bounded(hits, b.only):
            # A few thousand combinations at most: each one's values from the combination index (OFFSET 0
            # keeps the planner from turning it into a hash join over every value: 70 → 24 ms at 100,000)
            v = select(v).where(v.c.combo == sets.c.combo).offset(0).lateral("v")
            values_from = sets.join(v, true())
    else:  # every model: the counts are stored
        sets = select(_SETS.c.combo, _SETS.c.models.label("n")).subquery("sets")
        values_from, n = v, v.c.models
    total = select(literal(""), literal(None), func.sum(sets.c.n)).where(*_passing(sets.c.combo, b, sqlite))
    query: Any = total
    if facets:
        # A value of facet f counts the models of the combinations that pass every filter but f's own.
        counted = [
            or_(v.c.facet == facet, _with_value(v.c.combo, facet, values))
            for facet, values in _filters(b, sqlite)
        ]
        if b.open_only:
            counted.append(_with_value(v.c.combo, "openness", OPEN_WEIGHTS))
        counts = (
            select(v.c.facet, v.c.value, func.sum(n * v.c.times))
            .select_from(values_from)
            .where(*counted)
            .group_by(v.c.facet, v.c.value)
        )
        query = counts.union_all(total)
    found: dict[str, list[tuple[Any, int]]] = defaultdict(list)
    for facet, value, count in conn.execute(query):
        found[facet].append((value, count))
    everything = found.pop("")[0][1] or 0
    return int(everything), {facet: _ordered(facet, found[facet]) for facet in FACETS} if facets else {}


def _tally_arrays(
    conn: Connection, b: Browse, common: list[Any], arrays: FacetArrays
) -> tuple[int, dict[str, dict[str, int]]]:
    """``_tally`` with facets, from the facet index in memory: the models of each combination that pass
    ``common`` (one grouped query, as ``_tally``'s ``sets``; every model: ``facet_sets``), then sums."""
    models = arrays.members
    if common:
        narrow = _NARROW
        sqlite = conn.dialect.name == "sqlite"
        grouped = select(narrow.c.combo, func.count()).where(*common)
        grouped = grouped.group_by(_unindexed(narrow.c.combo, sqlite))
        models = np.zeros(len(arrays.members), dtype=np.int64)
        for combo, n in conn.execute(grouped).all():
            models[combo] = n
    return _array_counts(arrays, models, b)


def _array_counts(
    arrays: FacetArrays, models: npt.NDArray[np.int64], b: Browse
) -> tuple[int, dict[str, dict[str, int]]]:
    """How many of ``models`` (per combination number) pass ``b``'s facet filters, and each facet's
    counts as the page shows them (``FacetArrays.tally``)."""
    total, found = arrays.tally(models, _filters(b, sqlite=True), b.open_only, FACETS)
    return total, {facet: _ordered(facet, found[facet]) for facet in FACETS}
