"""What the Hub builds on a base model: its derivatives per relation and per month, from the listing.

Reads the summary tables ``sync --source hf --all`` fills at the end of its merge
(``live.landscape_tables``). A derivative is a Hub repo with a ``hub_bases`` row naming the base;
``total`` counts repos once, each relation counts the repos with that relation (a repo tagged both
``finetune`` and ``adapter`` of the same base counts in both), and ``by_month`` groups them by the month
of the derivative's ``createdAt`` (``unknown`` when the listing gave none). With ``depth="all"`` the
derivatives of derivatives are counted too, down the whole tree (each repo once, cycles ignored): the
tree's bases are found by walking ``hub_inner`` (derivatives that are bases themselves), and their
direct derivatives added up from ``hub_base_months``, each once.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Engine

from modelatlas.live.landscape_tables import union
from modelatlas.sources.hub_listing import RELATIONS

__all__ = ["Depth", "ecosystem"]

Depth = Literal["1", "all"]

#: The base and every derivative below it that is a base itself.
_TREE = """
WITH RECURSIVE tree(id) AS (
    SELECT CAST(:base AS VARCHAR(200))
    UNION
    SELECT i.repo_id FROM hub_inner i JOIN tree t ON i.base = t.id
)
SELECT id FROM tree
"""


def ecosystem(engine: Engine, base: str, depth: Depth = "1") -> dict[str, Any]:
    """``{"base", "depth", "derivatives": {"total", "finetune", "adapter", "quantized", "merge"},
    "by_month": {"YYYY-MM": {relation: count}}}`` for the Hub repo ``base``; months in order."""
    with engine.connect() as conn:
        if depth == "all":
            found = union(conn, _TREE, {"base": base}, without=base)
        else:
            found = union(conn, ":base", {"base": base})
    by_month: dict[str, dict[str, int]] = {}
    for month in sorted(found.months, key=lambda m: (m == "", m)):
        cell = {r: n for r in RELATIONS if (n := found.months[month][r])}
        if cell:
            by_month[month or "unknown"] = cell
    return {
        "base": base,
        "depth": depth,
        "derivatives": {"total": found.total, **found.relations},
        "by_month": by_month,
    }
