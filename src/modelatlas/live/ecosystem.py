"""What the Hub builds on a base model: its derivatives per relation and per month, from the listing.

Reads the tables ``sync --source hf --all`` fills. A derivative is a Hub repo with a ``hub_bases`` row
naming the base; ``total`` counts repos once, each relation counts the repos with that relation (a repo
tagged both ``finetune`` and ``adapter`` of the same base counts in both), and ``by_month`` groups them by
the month of the derivative's ``createdAt`` (``hub_bases.month``, ``unknown`` when the listing gave none),
so the counts come from the ``(base, relation, month)`` index alone. With ``depth="all"`` the
derivatives of derivatives are counted too, down the whole tree (each repo once, cycles ignored).
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Engine, text

from modelatlas.sources.hub_listing import RELATIONS

__all__ = ["Depth", "ecosystem"]

Depth = Literal["1", "all"]

_DIRECT = """
SELECT relation, month, count(DISTINCT repo_id) FROM hub_bases WHERE base = :base GROUP BY relation, month
"""
_DIRECT_TOTAL = "SELECT count(DISTINCT repo_id) FROM hub_bases WHERE base = :base"
_TREE = """
WITH RECURSIVE tree(id) AS (
    SELECT :base
    UNION
    SELECT b.repo_id FROM hub_bases b JOIN tree t ON b.base = t.id
)
"""
_DEEP = (
    _TREE
    + """
SELECT b.relation, b.month, count(DISTINCT b.repo_id)
FROM tree t JOIN hub_bases b ON b.base = t.id
WHERE b.repo_id <> :base
GROUP BY b.relation, b.month
"""
)
_DEEP_TOTAL = _TREE + "SELECT count(*) FROM tree WHERE id <> :base"


def ecosystem(engine: Engine, base: str, depth: Depth = "1") -> dict[str, Any]:
    """``{"base", "depth", "derivatives": {"total", "finetune", "adapter", "quantized", "merge"},
    "by_month": {"YYYY-MM": {relation: count}}}`` for the Hub repo ``base``; months in order."""
    rows_sql, total_sql = (_DEEP, _DEEP_TOTAL) if depth == "all" else (_DIRECT, _DIRECT_TOTAL)
    counts = dict.fromkeys(RELATIONS, 0)
    by_month: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        total = int(conn.execute(text(total_sql), {"base": base}).scalar_one())
        for relation, month, count in conn.execute(text(rows_sql), {"base": base}):
            counts[relation] = counts.get(relation, 0) + int(count)
            cell = by_month.setdefault(month or "unknown", {})
            cell[relation] = cell.get(relation, 0) + int(count)
    ordered = {month: by_month[month] for month in sorted(by_month)}
    return {"base": base, "depth": depth, "derivatives": {"total": total, **counts}, "by_month": ordered}
