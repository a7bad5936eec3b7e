"""The open-model field from the Hub listing: which bases the community builds on, month by month.

Reads the tables ``sync --source hf --all`` fills (``hub_repos``, ``hub_bases``) and the catalog's links
from models to Hub repos (``model_refs``), so a catalog model's counts add up across its repos and each
base is placed by its maker's country. A derivative is a repo with a ``hub_bases`` row naming the base;
each is counted once per base whatever its relations (a repo both ``finetune`` and ``adapter`` of one base
is one derivative of it). Months are the derivative's ``createdAt`` month, as ``ecosystem`` counts them.

Growth compares the derivatives created in the last ``window`` whole months of the listing with the
``window`` months before: ``×2.0`` means twice as many new derivatives as in the period before.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, bindparam, text

__all__ = ["derivatives_of", "landscape", "months_back"]

#: Derivatives per base and month (each repo once, whatever its relations): one pass over the
#: ``(base, relation, month)`` index.
_PER_BASE = """
SELECT base, month, count(DISTINCT repo_id) FROM hub_bases GROUP BY base, month
"""
#: The catalog model (and its first organization's country) of each Hub repo the catalog names.
_CATALOG = """
SELECT lower(r.ref), m.id, m.name, o.country
FROM model_refs r
JOIN models m ON m.id = r.model_id
LEFT JOIN model_organizations mo ON mo.model_id = m.id AND mo.position = 0
LEFT JOIN organizations o ON o.id = mo.organization_id
WHERE r.source = 'hf'
"""
_BY_LICENCE = """
SELECT coalesce(h.licence, ''), count(DISTINCT b.repo_id)
FROM hub_bases b JOIN hub_repos h ON h.id = b.repo_id
GROUP BY coalesce(h.licence, '')
ORDER BY 2 DESC
"""
_BY_PIPELINE = """
SELECT coalesce(h.pipeline_tag, ''), count(DISTINCT b.repo_id)
FROM hub_bases b JOIN hub_repos h ON h.id = b.repo_id
GROUP BY coalesce(h.pipeline_tag, '')
ORDER BY 2 DESC
"""
#: For each base: its own creation date and its first quantized derivative's.
_FIRST_QUANTIZED = """
SELECT b.base, min(h.created_at), base_repo.created_at
FROM hub_bases b
JOIN hub_repos h ON h.id = b.repo_id
LEFT JOIN hub_repos base_repo ON base_repo.id = b.base
WHERE b.relation = 'quantized' AND b.base IN :bases
GROUP BY b.base, base_repo.created_at
"""


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
    China, and totals by catalog model, by maker's country, by licence and by pipeline tag.

    Each base in ``top_bases`` carries ``total``, ``by_month`` (the last ``months`` months), ``recent`` and
    ``previous`` (derivatives created in the last ``window`` months and the ``window`` before), ``growth``
    (``recent / previous``, None without a previous one) and, when the catalog names it, ``model``,
    ``model_name`` and ``country``. ``first_quantized_days`` is the time from a top base's own creation
    to its first quantized derivative, where the listing has both."""
    with engine.connect() as conn:
        per_base: dict[str, dict[str, int]] = defaultdict(dict)
        for base, month, count in conn.execute(text(_PER_BASE)):
            cell = per_base[base]
            key = month or "unknown"
            cell[key] = cell.get(key, 0) + int(count)
        catalog = {row[0]: row[1:] for row in conn.execute(text(_CATALOG))}
        licences = [(name or None, int(n)) for name, n in conn.execute(text(_BY_LICENCE))]
        pipelines = [(name or None, int(n)) for name, n in conn.execute(text(_BY_PIPELINE))]
        dated = sorted(m for cells in per_base.values() for m in cells if m != "unknown")
        last = dated[-1] if dated else None
        shown = months_back(last, months) if last else []
        recent = set(months_back(last, window)) if last else set()
        before = set(months_back(last, 2 * window)) - recent if last else set()
        totals = {base: sum(cells.values()) for base, cells in per_base.items()}
        ranked = sorted(totals, key=lambda b: (-totals[b], b))[:top]
        quantized: dict[str, int] = {}
        if ranked:
            query = text(_FIRST_QUANTIZED).bindparams(bindparam("bases", expanding=True))
            for base, first, created in conn.execute(query, {"bases": ranked}):
                days = _days_between(created, first)
                if days is not None:
                    quantized[base] = days
    top_bases = []
    for base in ranked:
        cells = per_base[base]
        new = sum(cells.get(m, 0) for m in recent)
        old = sum(cells.get(m, 0) for m in before)
        entry: dict[str, Any] = {
            "base": base,
            "total": totals[base],
            "by_month": {m: cells.get(m, 0) for m in shown},
            "recent": new,
            "previous": old,
            "growth": new / old if old else None,
            "first_quantized_days": quantized.get(base),
        }
        known = catalog.get(base.lower())
        if known:
            entry.update(model=known[0], model_name=known[1], country=known[2])
        top_bases.append(entry)
    by_model: dict[str, dict[str, Any]] = {}
    by_country: dict[str, int] = defaultdict(int)
    by_month: dict[str, dict[str, int]] = {m: {"total": 0, "CN": 0} for m in shown}
    for base, cells in per_base.items():
        known = catalog.get(base.lower())
        country = known[2] if known else None
        by_country[country or "unknown"] += totals[base]
        if known:
            model = by_model.setdefault(
                known[0], {"model": known[0], "name": known[1], "total": 0, "repos": 0}
            )
            model["total"] += totals[base]
            model["repos"] += 1
        for month in shown:
            count = cells.get(month, 0)
            by_month[month]["total"] += count
            if country == "CN":
                by_month[month]["CN"] += count
    return {
        "months": shown,
        "window": window,
        "bases": len(per_base),
        "derivatives": sum(totals.values()),
        "top_bases": top_bases,
        "by_month": by_month,
        "by_model": sorted(by_model.values(), key=lambda m: (-m["total"], m["model"])),
        "by_country": dict(sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_licence": licences,
        "by_pipeline": pipelines,
    }


def _days_between(start: str | None, end: str | None) -> int | None:
    """Whole days from the ISO date ``start`` to ``end`` (their first ten characters)."""
    if not start or not end:
        return None
    try:
        return (dt.date.fromisoformat(end[:10]) - dt.date.fromisoformat(start[:10])).days
    except ValueError:
        return None


_OF_REPOS = """
SELECT {by}, count(DISTINCT repo_id) FROM hub_bases WHERE base IN :repos GROUP BY {by}
"""
_OF_REPOS_TOTAL = "SELECT count(DISTINCT repo_id) FROM hub_bases WHERE base IN :repos"


def derivatives_of(engine: Engine, repos: list[str]) -> dict[str, Any] | None:
    """A catalog model's derivatives on the Hub, its ``repos`` added up (each derivative once in the total
    and in each month; once per relation it has): ``{"total", "by_relation": {relation: n}, "by_month":
    {"YYYY-MM": n}}``; None when none of its repos is a base in the synced listing."""
    if not repos:
        return None

    def query(sql: str) -> Any:
        return text(sql).bindparams(bindparam("repos", expanding=True))

    with engine.connect() as conn:
        total = int(conn.execute(query(_OF_REPOS_TOTAL), {"repos": repos}).scalar_one())
        if not total:
            return None
        counted = {
            by: {
                key or "unknown": int(n)
                for key, n in conn.execute(query(_OF_REPOS.format(by=by)), {"repos": repos})
            }
            for by in ("relation", "month")
        }
    return {
        "total": total,
        "by_relation": dict(sorted(counted["relation"].items(), key=lambda kv: -kv[1])),
        "by_month": dict(sorted(counted["month"].items())),
    }
