"""``store.filters.Filters`` in SQL: the conditions on ``models`` that each filter is, and the names
resolved to ids first (organizations by id, name, alias or Chinese name; a base model as its
derivatives). The same SQL runs on SQLite and PostgreSQL; ``store.browse`` uses it as it is where the
store has no facet index, and its non-facet part beside the facet index on SQLite."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, TypeVar

from sqlalchemy import Connection, func, inspect, or_, select
from sqlalchemy import text as sql

from modelatlas.catalog.names import name_key
from modelatlas.catalog.vocab import OPEN_WEIGHTS
from modelatlas.store import tables as T
from modelatlas.store.filters import NOT_OPEN, OPEN, Filters
from modelatlas.store.queries import lineage
from modelatlas.store.queries import resolve as resolve_model
from modelatlas.store.text_index import ORGANIZATION_NAMES

__all__ = [
    "conditions",
    "named",
    "openness_condition",
    "openness_values",
    "organization_ids",
    "resolve",
    "source_condition",
]

F = TypeVar("F", bound=Filters)


def openness_values(asked: Iterable[str]) -> tuple[str, ...]:
    """The catalog values ``asked`` stands for: ``open`` is every openness of downloadable weights."""
    found: list[str] = []
    for value in asked:
        found += OPEN_WEIGHTS if value == OPEN else (value,)
    return tuple(dict.fromkeys(found))


def openness_condition(column: Any, asked: Iterable[str]) -> Any:
    """``column`` (an openness) is one of ``asked``: catalog values, ``open`` or ``not-open`` (any value
    but the open ones, or none)."""
    wanted = openness_values(asked)
    plain = [v for v in wanted if v != NOT_OPEN]
    found = [column.in_(plain)] if plain else []
    if NOT_OPEN in wanted:
        found.append(or_(column.is_(None), column.not_in(OPEN_WEIGHTS)))
    return or_(*found)


def _has(table: Any, condition: Any) -> Any:
    """Models with a row in ``table`` meeting ``condition``: one uncorrelated subquery, not one per model
    (SQLite would otherwise scan the domain index once per model: minutes on 100,000 models)."""
    return T.models.c.id.in_(select(table.c.model_id).where(condition))


def source_condition(wanted: str) -> Any:
    """Sources whose id is ``wanted`` or one of its rows (``wanted-…``), a bundled copy (``bundled-…``)
    counting as the dataset; compared exactly, case and ``_`` included (not ``LIKE``)."""
    s = T.sources.c.source_id
    found = []
    for prefix in (wanted, f"bundled-{wanted}"):
        stem = f"{prefix}-"
        found += [s == prefix, func.substr(s, 1, len(stem)) == stem]
    return or_(*found)


def population_condition(column: Any) -> Any:
    """``column`` (a model id) among the notable models (``analysis_rows.notable``)."""
    a = T.analysis_rows
    return column.in_(select(a.c.id).where(a.c.notable.is_(True)))


def conditions(f: Filters, hits: list[str] | None = None, matcher: Any = None) -> list[Any]:
    """The conditions on ``models`` of every filter of ``f`` (resolved: ``resolve``), and of the search
    ``hits`` and text ``matcher`` standing for its text."""
    m, o, mo = T.models, T.organizations, T.model_organizations
    found: list[Any] = []
    if hits is not None:
        found.append(m.c.id.in_(hits))
    if matcher is not None:
        found.append(matcher)
    if f.only is not None:
        found.append(m.c.id.in_(f.only))
    if f.domain:
        found.append(_has(T.model_domains, T.model_domains.c.domain.in_(f.domain)))
    if f.modality:
        found.append(_has(T.model_modalities, T.model_modalities.c.modality.in_(f.modality)))
    if f.organization:
        found.append(_has(mo, mo.c.organization_id.in_(f.organization)))
    if f.country:
        by_country = select(mo.c.model_id).join(o, o.c.id == mo.c.organization_id)
        found.append(m.c.id.in_(by_country.where(o.c.country.in_(f.country))))
    if f.openness:
        found.append(openness_condition(m.c.openness, f.openness))
    if f.open_only:
        found.append(m.c.openness.in_(OPEN_WEIGHTS))
    if f.year:
        found.append(func.extract("year", m.c.released).in_(f.year))
    if f.released_after is not None:
        found.append(m.c.released >= f.released_after)
    if f.released_before is not None:
        found.append(m.c.released <= f.released_before)
    if f.min_params is not None:
        found.append(m.c.parameters >= f.min_params)
    if f.max_params is not None:
        found.append(m.c.parameters <= f.max_params)
    if f.source is not None:
        found.append(_has(T.sources, source_condition(f.source)))
    if f.population == "notable":
        found.append(population_condition(m.c.id))
    return found


def named(conn: Connection, f: F) -> F:
    """``f`` with its organizations as ids (``organization_ids``), all else as given: what it asks, as
    an answer repeats it."""
    return replace(f, organization=organization_ids(conn, f.organization)) if f.organization else f


def resolve(conn: Connection, f: F) -> F:
    """``f`` with its organizations as ids (``organization_ids``) and its base model (an id, name or
    alias) as the ids of its derivatives (``only``).

    Raises:
        NotFound: no model is called ``f.base``.
    """
    f = named(conn, f)
    if f.base is not None:
        below = tuple(d for d, _, _ in lineage(conn, resolve_model(conn, f.base)).down)
        kept = below if f.only is None else tuple(i for i in f.only if i in set(below))
        f = replace(f, base=None, only=kept)
    return f


#: A Chinese name may be given short: 智谱 is 智谱AI, 阿里 阿里巴巴.
_CJK = re.compile(r"[\u3400-\u9fff]")


def organization_ids(conn: Connection, asked: Iterable[str]) -> tuple[str, ...]:
    """The ids of the organizations ``asked`` names, each by id or name (any case), alias (any case,
    spacing or hyphens: ``Qwen`` is Alibaba's) or Chinese name (the start of it is enough: 智谱 is
    智谱AI); a value that names none is kept as it is, so it matches nothing rather than everything.

    Aliases come from the build's ``organization_names`` table; a store without it matches none."""
    o = T.organizations
    aliases = inspect(conn).has_table(ORGANIZATION_NAMES)
    found: list[str] = []
    for value in asked:
        needle = value.strip()
        chinese = o.c.name_zh.startswith(needle) if _CJK.search(needle) else o.c.name_zh == needle
        folded = needle.casefold()
        named = or_(func.lower(o.c.id) == folded, func.lower(o.c.name) == folded, chinese)
        ids = list(conn.execute(select(o.c.id).where(named).order_by(o.c.id)).scalars())
        key = name_key(needle)
        if not ids and aliases and key:
            query = f"SELECT DISTINCT organization_id FROM {ORGANIZATION_NAMES} WHERE key = :key"
            ids = sorted(str(i) for i in conn.execute(sql(query), {"key": key}).scalars())
        found += ids or [value]
    return tuple(dict.fromkeys(found))
