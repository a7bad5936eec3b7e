"""The Hub listing's field summed up once per listing, and the counts read back from the sums.

``refresh`` runs at the end of each ``sync --source hf --all`` merge, in its transaction: it rewrites
the summary tables (``tables.SUMMARY``) from ``hub_bases`` and ``hub_repos``, so a million relations are
read once per listing, not once per request. A build carries the tables like the listing itself.

``union`` adds up the direct derivatives of several bases from ``hub_base_months``, each derivative
once: the derivatives with more than one base are the only ones two bases can share, and
``hub_shared`` holds their relations, so a derivative counted by ``k`` of the bases is taken off
``k - 1`` times (in the total, its month and, per relation, by the bases it has that relation to).
A model page adds up its repos this way, and ``ecosystem --depth all`` the bases of a whole tree, found
by walking ``hub_inner`` (the derivatives that are bases themselves) rather than every derivative.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from modelatlas.sources.hub_listing import RELATIONS

__all__ = ["COLUMNS", "Union", "refresh", "union"]

#: The ``hub_base_months`` column of each relation's count.
COLUMNS = {"finetune": "finetunes", "adapter": "adapters", "quantized": "quantized", "merge": "merges"}

_BASE_MONTHS = f"""
INSERT INTO hub_base_months (base, month, derivatives, {", ".join(COLUMNS.values())})
SELECT base, coalesce(month, ''), count(DISTINCT repo_id),
       {", ".join(f"sum(CASE WHEN relation = '{r}' THEN 1 ELSE 0 END)" for r in RELATIONS)}
FROM hub_bases GROUP BY base, coalesce(month, '')
"""
#: Each base's total, its own creation date and its 1st and 10th quantized copies' (by createdAt).
_BASE_TOTALS = """
INSERT INTO hub_base_totals (base, derivatives, created_at, first_quantized, tenth_quantized)
SELECT t.base, t.n, r.created_at, q.first, q.tenth
FROM (SELECT base, sum(derivatives) AS n FROM hub_base_months GROUP BY base) t
LEFT JOIN hub_repos r ON r.id = t.base
LEFT JOIN (
    SELECT base, min(CASE WHEN k = 1 THEN created_at END) AS first,
           min(CASE WHEN k = 10 THEN created_at END) AS tenth
    FROM (
        SELECT b.base, h.created_at,
               row_number() OVER (PARTITION BY b.base ORDER BY h.created_at, b.repo_id) AS k
        FROM hub_bases b JOIN hub_repos h ON h.id = b.repo_id
        WHERE b.relation = 'quantized' AND h.created_at IS NOT NULL
    ) ranked
    WHERE k IN (1, 10)
    GROUP BY base
) q ON q.base = t.base
"""
_SHARED = """
INSERT INTO hub_shared (repo_id, base, relation, month)
SELECT repo_id, base, relation, coalesce(month, '') FROM hub_bases
WHERE repo_id IN (SELECT repo_id FROM hub_bases GROUP BY repo_id HAVING count(DISTINCT base) > 1)
"""
_INNER = """
INSERT INTO hub_inner (base, repo_id)
SELECT DISTINCT base, repo_id FROM hub_bases WHERE repo_id IN (SELECT base FROM hub_base_totals)
"""
_FIELD_MONTHS = """
INSERT INTO hub_field (kind, key, derivatives)
SELECT 'month', month, sum(derivatives) FROM hub_base_months GROUP BY month
"""
#: Every derivative once, with its licence and pipeline tag.
_TAGGED = """
SELECT coalesce(h.licence, ''), coalesce(h.pipeline_tag, ''), count(*)
FROM (SELECT DISTINCT repo_id FROM hub_bases) d JOIN hub_repos h ON h.id = d.repo_id
GROUP BY coalesce(h.licence, ''), coalesce(h.pipeline_tag, '')
"""


def refresh(conn: Connection) -> None:
    """Rewrite the summary tables from the listing's ``hub_bases`` and ``hub_repos``, in the caller's
    transaction (``hub_ledger.merge`` calls it last, so readers see the old sums until the commit)."""
    for name in ("hub_field", "hub_inner", "hub_shared", "hub_base_totals", "hub_base_months"):
        conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 (our own table names)
    for sql in (_BASE_MONTHS, _BASE_TOTALS, _SHARED, _INNER, _FIELD_MONTHS):
        conn.execute(text(sql))
    licences: dict[str, int] = defaultdict(int)
    pipelines: dict[str, int] = defaultdict(int)
    for licence, pipeline, count in conn.execute(text(_TAGGED)):
        licences[licence] += int(count)
        pipelines[pipeline] += int(count)
    rows = [
        {"kind": kind, "key": key, "n": n}
        for kind, counts in (("licence", licences), ("pipeline", pipelines))
        for key, n in counts.items()
    ]
    if rows:
        conn.execute(text("INSERT INTO hub_field (kind, key, derivatives) VALUES (:kind, :key, :n)"), rows)


@dataclass(slots=True)
class Union:
    """Derivatives of several bases added up, each once: ``total``; ``months`` per month (``''`` when
    unknown) with ``derivatives`` and each relation; ``relations`` per relation."""

    total: int = 0
    relations: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RELATIONS, 0))
    months: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, month: str, counts: dict[str, int], sign: int = 1) -> None:
        cell = self.months.setdefault(month, {"derivatives": 0, **dict.fromkeys(RELATIONS, 0)})
        for key, n in counts.items():
            cell[key] += sign * n
            if key == "derivatives":
                self.total += sign * n
            else:
                self.relations[key] += sign * n


def union(conn: Connection, bases: str, params: dict[str, Any], *, without: str | None = None) -> Union:
    """The derivatives of the bases the SQL ``bases`` selects (a subquery, with ``params``), each once,
    leaving out the repo ``without`` (a tree's own base, when a cycle leads back to it)."""
    found = Union()
    sums = ", ".join(f"sum({c})" for c in ("derivatives", *COLUMNS.values()))
    months = f"SELECT month, {sums} FROM hub_base_months WHERE base IN ({bases}) GROUP BY month"  # noqa: S608
    for month, total, *relations in conn.execute(text(months), params):
        counts = dict(zip(RELATIONS, map(int, relations), strict=True))
        found.add(month, {"derivatives": int(total), **counts})
    shared = f"SELECT repo_id, base, relation, month FROM hub_shared WHERE base IN ({bases})"  # noqa: S608
    edges: dict[str, tuple[str, set[str], dict[str, set[str]]]] = {}
    for repo, base, relation, month in conn.execute(text(shared), params):
        _, parents, by_relation = edges.setdefault(repo, (month, set(), defaultdict(set)))
        parents.add(base)
        by_relation[relation].add(base)
    if without is not None:  # its relations to the bases, when it has a single base (else it is shared)
        alone = f"SELECT base, relation, coalesce(month, '') FROM hub_bases WHERE repo_id = :without AND base IN ({bases})"  # noqa: S608, E501
        for base, relation, month in conn.execute(text(alone), {**params, "without": without}):
            _, parents, by_relation = edges.setdefault(without, (month, set(), defaultdict(set)))
            parents.add(base)
            by_relation[relation].add(base)
    for repo, (month, parents, by_relation) in edges.items():
        keep = 0 if repo == without else 1  # how many times the repo stays counted
        excess = {"derivatives": len(parents) - keep}
        excess.update({r: len(of) - keep for r, of in by_relation.items()})
        found.add(month, excess, sign=-1)
    return found
