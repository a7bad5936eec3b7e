"""The open-model field from the Hub listing: which bases the community builds on, month by month.

Reads the sums ``sync --source hf --all`` keeps at the end of its merge (``live.landscape_tables``:
per base and month, per base, the field's totals) and the catalog's links from models to Hub repos
(``model_refs``), joined here on those small tables, so a catalog model's counts add up across its repos
and each base is placed by its maker's country whatever the catalog was when the listing was synced. A
derivative is a repo with a ``hub_bases`` row naming the base; each is counted once per base whatever
its relations (a repo both ``finetune`` and ``adapter`` of one base is one derivative of it). Months are
the derivative's ``createdAt`` month, as ``ecosystem`` counts them.

Growth compares the derivatives created in the last ``window`` whole months of the listing with the
``window`` months before: ``×2.0`` means twice as many new derivatives as in the period before.
A base's release is its repo's ``createdAt`` when the listing has it, else its catalog model's release
date; the days to its first and tenth quantized copies count from there.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, text

from modelatlas.live.landscape_tables import union

__all__ = ["derivatives_of", "landscape", "months_back"]

#: The catalog model, its first organization (name, country) and release of each Hub repo it names.
_CATALOG = """
SELECT lower(r.ref), m.id, m.name, o.country, o.name, m.released, o.name_zh
FROM model_refs r
JOIN models m ON m.id = r.model_id
LEFT JOIN model_organizations mo ON mo.model_id = m.id AND mo.position = 0
LEFT JOIN organizations o ON o.id = mo.organization_id
WHERE r.source = 'hf'
"""
_TOTALS = "SELECT base, derivatives, created_at, first_quantized, tenth_quantized FROM hub_base_totals"
#: The bases with at least as many derivatives as the ``skip + 1``-th most derived (ties all in).
_RANKED = (
    _TOTALS
    + """ WHERE derivatives >= coalesce(
    (SELECT derivatives FROM hub_base_totals ORDER BY derivatives DESC LIMIT 1 OFFSET :skip), 0)"""
)
#: Released bases with a quantized copy: when each was released and quantized.
_QUANTIZED = _TOTALS + " WHERE first_quantized IS NOT NULL"
#: Above this many bases, their months are read in one pass rather than by key.
_BY_KEY = 2000


def months_back(last: str, n: int) -> list[str]:
    """The ``n`` months ending with ``last`` (``YYYY-MM``), oldest first."""
    year, month = int(last[:4]), int(last[5:7])
    found = []
    for _ in range(n):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def landscape(engine: Engine, *, top: int = 20, months: int = 12, window: int = 3) -> dict[str, Any]:
    """The field as the listing shows it: the ``top`` bases by derivatives with their last ``months``
    months and growth over ``window`` months, derivatives per month with the share built on bases from
    China, totals and growth by catalog model, totals by maker's country, by licence and by pipeline
    tag, and the days from a release to its quantized copies per month of release.

    Each base in ``top_bases`` carries ``total``, ``by_month`` (the last ``months`` months), ``recent`` and
    ``previous`` (derivatives created in the last ``window`` months and the ``window`` before), ``growth``
    (``recent / previous``, None without a previous one), ``first_quantized_days`` and
    ``tenth_quantized_days`` (from its release to its first and tenth quantized copies, None unless
    both are known) and, when the catalog names it, ``model``, ``model_name``, ``organization`` and
    ``country``. ``by_model`` has the same ``recent``, ``previous`` and ``growth`` per catalog model, with
    its first organization (``organization``, ``organization_zh``) and its country."""
    with engine.connect() as conn:
        bases, derivatives = conn.execute(
            text("SELECT count(*), coalesce(sum(derivatives), 0) FROM hub_base_totals")
        ).one()
        per_month = {
            str(k): int(n)
            for k, n in conn.execute(text("SELECT key, derivatives FROM hub_field WHERE kind = 'month'"))
        }
        tagged: dict[str, list[tuple[str | None, int]]] = {"licence": [], "pipeline": []}
        for kind, key, n in conn.execute(
            text("SELECT kind, key, derivatives FROM hub_field WHERE kind IN ('licence', 'pipeline')")
        ):
            tagged[kind].append((key or None, int(n)))
        catalog = {row[0]: tuple(row[1:]) for row in conn.execute(text(_CATALOG))}
        rows = {r[0]: r for r in conn.execute(text(_RANKED), {"skip": top - 1})}
        ranked = sorted(rows, key=lambda b: (-rows[b][1], b))[:top]
        named = {r[0]: r for r in _named(conn, list(catalog))}
        cells = _months(conn, set(ranked) | set(named))
        quantized = list(conn.execute(text(_QUANTIZED)))
    dated = [m for m in per_month if m]
    last = max(dated) if dated else None
    shown = months_back(last, months) if last else []
    recent = set(months_back(last, window)) if last else set()
    before = set(months_back(last, 2 * window)) - recent if last else set()

    def growth(of: dict[str, int]) -> dict[str, Any]:
        new, old = sum(of.get(m, 0) for m in recent), sum(of.get(m, 0) for m in before)
        return {"recent": new, "previous": old, "growth": new / old if old else None}

    def released(base: str, created: str | None) -> str | None:
        known = catalog.get(base.lower())
        return created or (str(known[4]) if known and known[4] else None)

    top_bases = []
    for base in ranked:
        _, total, created, first, tenth = rows[base]
        start = released(base, created)
        entry: dict[str, Any] = {
            "base": base,
            "total": int(total),
            "by_month": {m: cells[base].get(m, 0) for m in shown},
            **growth(cells[base]),
            "first_quantized_days": _days_between(start, first),
            "tenth_quantized_days": _days_between(start, tenth),
        }
        known = catalog.get(base.lower())
        if known:
            entry.update(model=known[0], model_name=known[1], country=known[2], organization=known[3])
        top_bases.append(entry)
    by_model: dict[str, dict[str, Any]] = {}
    model_months: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_country: dict[str, int] = defaultdict(int)
    by_month: dict[str, dict[str, int]] = {m: {"total": per_month.get(m, 0), "CN": 0} for m in shown}
    for base, (_, total, *_rest) in named.items():
        model_id, name, country, organization, _released, organization_zh = catalog[base.lower()]
        if country:
            by_country[country] += int(total)
        model = by_model.setdefault(
            model_id,
            {"model": model_id, "name": name, "organization": organization,
             "organization_zh": organization_zh or organization, "country": country, "total": 0, "repos": 0},
        )  # fmt: skip
        model["total"] += int(total)
        model["repos"] += 1
        for month, count in cells[base].items():
            model_months[model_id][month] += count
        if country == "CN":
            for month in shown:
                by_month[month]["CN"] += cells[base].get(month, 0)
    for model_id, model in by_model.items():
        model.update(growth(model_months[model_id]))
    unknown = int(derivatives) - sum(by_country.values())
    if unknown:
        by_country["unknown"] += unknown
    return {
        "months": shown,
        "window": window,
        "bases": int(bases),
        "derivatives": int(derivatives),
        "top_bases": top_bases,
        "by_month": by_month,
        "by_model": sorted(by_model.values(), key=lambda m: (-m["total"], m["model"])),
        "by_country": dict(sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_licence": sorted(tagged["licence"], key=lambda kv: (-kv[1], kv[0] or "")),
        "by_pipeline": sorted(tagged["pipeline"], key=lambda kv: (-kv[1], kv[0] or "")),
        "quantized_by_release": _by_release(quantized, released, set(shown)),
    }


def _named(conn: Connection, refs: list[str]) -> list[Any]:
    """The totals of the bases the catalog names (``refs``, lower case), whatever their case."""
    if not refs:
        return []
    query = text(_TOTALS + " WHERE lower(base) IN :refs").bindparams(bindparam("refs", expanding=True))
    return list(conn.execute(query, {"refs": refs}))


def _months(conn: Connection, bases: set[str]) -> dict[str, dict[str, int]]:
    """Derivatives per month (``unknown`` when not dated) of each of ``bases``."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    if not bases:
        return found
    sql = "SELECT base, month, derivatives FROM hub_base_months"
    if len(bases) <= _BY_KEY:
        query = text(sql + " WHERE base IN :bases").bindparams(bindparam("bases", expanding=True))
        rows = conn.execute(query, {"bases": sorted(bases)})
    else:
        rows = conn.execute(text(sql))
    for base, month, count in rows:
        if base in bases:
            found[base][month or "unknown"] = int(count)
    return found


def _by_release(rows: list[Any], released: Any, months: set[str]) -> list[dict[str, Any]]:
    """Per month of release among ``months``: the bases with a quantized copy, and the median days to
    their first and (those with ten) tenth quantized copies."""
    firsts: dict[str, list[int]] = defaultdict(list)
    tenths: dict[str, list[int]] = defaultdict(list)
    for base, _, created, first, tenth in rows:
        start = released(base, created)
        days = _days_between(start, first)
        if start is None or days is None or start[:7] not in months:
            continue
        firsts[start[:7]].append(days)
        if (later := _days_between(start, tenth)) is not None:
            tenths[start[:7]].append(later)
    return [
        {
            "month": month,
            "bases": len(firsts[month]),
            "first": statistics.median(firsts[month]),
            "tenth_bases": len(tenths[month]),
            "tenth": statistics.median(tenths[month]) if tenths[month] else None,
        }
        for month in sorted(firsts)
    ]


def _days_between(start: str | None, end: str | None) -> int | None:
    """Whole days from the ISO date ``start`` to ``end`` (their first ten characters)."""
    if not start or not end:
        return None
    try:
        return (dt.date.fromisoformat(end[:10]) - dt.date.fromisoformat(start[:10])).days
    except ValueError:
        return None


def derivatives_of(engine: Engine, repos: list[str]) -> dict[str, Any] | None:
    """A catalog model's derivatives on the Hub, its ``repos`` added up (each derivative once in the total
    and in each month; once per relation it has): ``{"total", "by_relation": {relation: n}, "by_month":
    {"YYYY-MM": n}}``; None when none of its repos is a base in the synced listing."""
    if not repos:
        return None
    marks = ", ".join(f":r{n}" for n in range(len(repos)))
    with engine.connect() as conn:
        found = union(conn, marks, {f"r{n}": repo for n, repo in enumerate(repos)})
    if not found.total:
        return None
    months = {m or "unknown": cell["derivatives"] for m, cell in found.months.items() if cell["derivatives"]}
    relations = {r: n for r, n in sorted(found.relations.items()) if n}
    return {
        "total": found.total,
        "by_relation": dict(sorted(relations.items(), key=lambda kv: -kv[1])),
        "by_month": dict(sorted(months.items())),
    }
