"""Browse the store as the dashboard and the API do: text search, combinable facets, sorting, paging.

Within one facet the values are alternatives (domain nlp *or* cv); across facets they all apply
(nlp *and* from China). A facet's counts are taken over the models that pass every *other* filter, so
its values stay in view as alternatives: the count of ``cv`` is what choosing ``cv`` too would add.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import Connection, Select, and_, func, select

from modelatlas.store import tables as T
from modelatlas.store.queries import OPEN_WEIGHTS, ModelRow, rows_for, search, text_match
from modelatlas.store.text_index import has_text_index

__all__ = ["FACETS", "Browse", "BrowseSort", "Page", "browse"]

BrowseSort = Literal["relevance", "released", "parameters", "name"]
#: The facets, in the order the dashboard shows them.
FACETS = ("domain", "modality", "organization", "country", "openness", "year")
#: At most this many search hits take part in a text query.
_MAX_HITS = 5000
#: Facets a model can have several values of (its modalities, organizations, their countries).
_MANY_PER_MODEL = frozenset({"modality", "organization", "country"})
#: A plain text match with fewer models than this also looks for near spellings.
_FEW = 10


@dataclass(frozen=True, slots=True)
class Browse:
    """One state of the model browser; every field is optional."""

    text: str | None = None
    domain: tuple[str, ...] = ()
    modality: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    openness: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    min_params: int | None = None
    max_params: int | None = None
    open_only: bool = False
    #: Only these ids (the caller's own filter, e.g. "fits on my GPU"); None for all.
    only: tuple[str, ...] | None = None
    sort: BrowseSort = "released"
    descending: bool = True
    offset: int = 0
    limit: int = 50


@dataclass(slots=True)
class Page:
    total: int
    offset: int
    limit: int
    rows: list[ModelRow]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _has(table: Any, condition: Any) -> Any:
    """Models with a row in ``table`` meeting ``condition``: one uncorrelated subquery, not one per model
    (SQLite would otherwise scan the domain index once per model: minutes on 100,000 models)."""
    return T.models.c.id.in_(select(table.c.model_id).where(condition))


def _conditions(b: Browse, hits: list[str] | None, matcher: Any = None) -> list[Any]:
    m, o, mo = T.models, T.organizations, T.model_organizations
    found: list[Any] = []
    if hits is not None:
        found.append(m.c.id.in_(hits))
    if matcher is not None:
        found.append(matcher)
    if b.only is not None:
        found.append(m.c.id.in_(b.only))
    if b.domain:
        found.append(_has(T.model_domains, T.model_domains.c.domain.in_(b.domain)))
    if b.modality:
        found.append(_has(T.model_modalities, T.model_modalities.c.modality.in_(b.modality)))
    if b.organization:
        found.append(_has(mo, mo.c.organization_id.in_(b.organization)))
    if b.country:
        by_country = select(mo.c.model_id).join(o, o.c.id == mo.c.organization_id)
        found.append(m.c.id.in_(by_country.where(o.c.country.in_([c.upper() for c in b.country]))))
    if b.openness:
        found.append(m.c.openness.in_(b.openness))
    if b.open_only:
        found.append(m.c.openness.in_(OPEN_WEIGHTS))
    if b.year:
        found.append(func.extract("year", m.c.released).in_(b.year))
    if b.min_params is not None:
        found.append(m.c.parameters >= b.min_params)
    if b.max_params is not None:
        found.append(m.c.parameters <= b.max_params)
    return found


def browse(conn: Connection, b: Browse, *, facets: bool = True) -> Page:
    """The page of models ``b`` asks for, the total that match, and (with ``facets``) the facet counts.

    Text ranked by relevance goes through ``queries.search``; in any other order it is one SQL condition
    (``queries.text_match``), unless that finds fewer than ``_FEW`` models: then near spellings count too.
    """
    hits: list[str] | None = None
    matcher = text_match(b.text, indexed=has_text_index(conn)) if b.text and b.sort != "relevance" else None
    if b.text and b.sort == "relevance":
        hits = _search(conn, b.text)
    total, ids = _page(conn, b, hits, matcher)
    if matcher is not None and total < _FEW:
        hits, matcher = _search(conn, b.text or ""), None
        total, ids = _page(conn, b, hits, matcher)
    page = Page(total, b.offset, b.limit, rows_for(conn, ids))
    if facets:
        for facet in FACETS:  # each facet is also a field of Browse
            cleared: dict[str, Any] = {facet: ()}
            others = _conditions(replace(b, **cleared), hits, matcher)
            page.facets[facet] = _counts(conn, facet, select(T.models.c.id).where(and_(True, *others)))
    return page


def _search(conn: Connection, text: str) -> list[str] | None:
    return [hit.id for hit in search(conn, text, limit=_MAX_HITS)] if text.strip() else None


def _page(conn: Connection, b: Browse, hits: list[str] | None, matcher: Any) -> tuple[int, list[str]]:
    """The total that match and the ids of the page, in one query when not ranked by relevance."""
    m = T.models
    conditions = and_(True, *_conditions(b, hits, matcher))
    if b.sort == "relevance" and hits is not None:
        wanted = set(conn.execute(select(m.c.id).where(conditions)).scalars())
        ranked = [mid for mid in hits if mid in wanted]
        return len(ranked), ranked[b.offset : b.offset + b.limit]
    key = "released" if b.sort == "relevance" else b.sort
    column = {"released": m.c.released, "parameters": m.c.parameters, "name": func.lower(m.c.name)}[key]
    order = column.desc() if b.descending else column.asc()
    query = (
        select(m.c.id, func.count().over().label("total"))
        .where(conditions)
        .order_by(order.nulls_last(), m.c.id)
        .offset(b.offset)
        .limit(b.limit)
    )
    rows = conn.execute(query).all()
    if rows:
        return int(rows[0].total), [row.id for row in rows]
    if b.offset == 0:
        return 0, []
    return conn.execute(select(func.count()).select_from(m).where(conditions)).scalar_one(), []


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
            value, owner, source = func.extract("year", m.c.released), m.c.id, m
    query = (
        select(value, func.count(func.distinct(owner)) if facet in _MANY_PER_MODEL else func.count())
        .select_from(source)
        .where(owner.in_(matching.scalar_subquery()), value.is_not(None))
        .group_by(value)
    )
    found = [(str(int(v)) if facet == "year" else str(v), int(n)) for v, n in conn.execute(query) if v]
    if facet == "year":
        return dict(sorted(found, key=lambda item: item[0], reverse=True))
    return dict(sorted(found, key=lambda item: (-item[1], item[0])))
