"""What a search stands for besides its own letters: the organizations so named, and the names a Chinese
name translates to.

- **Organizations.** A query that matches one of an organization's names (id, name, Chinese name,
  alias; ``store.text_index.organization_names``) whole, as ``ranking.name_score`` matches a model's
  name (exact, version, begins or words), finds that organization's models: 清华 finds every model of
  清华大学, 深度求索 every model of DeepSeek, 混元 every model of Tencent (alias 腾讯混元).
- **Chinese names.** A query with a Chinese character that matches, the same way, a model's alias
  written in Chinese alone (通义千问 of Qwen, 混元 of Hunyuan) also asks for that model's name: 千问
  finds every model named Qwen, curated or imported, not only those whose aliases say 通义千问.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from modelatlas.catalog.names import name_key, name_words
from modelatlas.store import ranking
from modelatlas.store import tables as T
from modelatlas.store.text_index import contains, organization_names

__all__ = ["NOTHING_RELATED", "Related", "organization_models", "related"]

_CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: A Chinese query stands for at most this many model names (the first by name).
_MAX_NAMES = 8


@dataclass(frozen=True, slots=True)
class Related:
    """``organizations``: id → the name of it that matched; ``names``: model names the query stands for."""

    organizations: dict[str, str] = field(default_factory=dict)
    names: tuple[str, ...] = ()


NOTHING_RELATED = Related()


def _score(query: list[str], query_key: str, name: str) -> float:
    """``ranking.name_score`` of ``name`` for the query if it matches whole (exact, version, begins or
    words), else 0."""
    score = ranking.name_score(query, query_key, name_words(name), name_key(name))
    return score if score is not None and score > ranking.ORGANIZATION else 0.0


def _chinese_alias(words: list[str], query_key: str, alias: str) -> bool:
    """Whether ``alias`` is written in Chinese alone and matches the query whole."""
    chinese_only = all(_CHINESE.fullmatch(word) for word in name_words(alias))
    return chinese_only and bool(_score(words, query_key, alias))


def related(
    conn: Connection,
    text: str,
    names: Sequence[Sequence[str]] | None = None,
    *,
    aliases: bool | None = None,
) -> Related:
    """The organizations ``text`` names and the model names it stands for (see the module). ``names``
    are ``(model id, name, …)`` of every name whose key contains the query's, if the caller has read
    them already (read only for a Chinese query); ``aliases``, whether the store has
    ``organization_names``, if the caller knows."""
    query_key, words = name_key(text), name_words(text)
    if not query_key:
        return NOTHING_RELATED
    best: dict[str, tuple[float, str]] = {}  # each organization's best name, the first by name of a tie
    for org, name in sorted(organization_names(conn, query_key, aliases=aliases)):
        score = _score(words, query_key, name)
        if score > best.get(org, (0.0, ""))[0]:
            best[org] = (score, name)
    organizations = {org: name for org, (_, name) in sorted(best.items())}
    stands_for: set[str] = set()
    if _CHINESE.search(query_key):
        mn, m = T.model_names.c, T.models.c
        if names is None:
            query = select(mn.model_id, mn.name).where(contains(mn.key, query_key))
            names = [(mid, name) for mid, name in conn.execute(query)]
        chinese = sorted({row[0] for row in names if _chinese_alias(words, query_key, row[1])})
        if chinese:  # the display names of those models, those not written in Chinese themselves
            own = conn.execute(select(m.name).where(m.id.in_(chinese))).scalars()
            stands_for = {name for name in own if not _CHINESE.search(name)}
    return Related(organizations, tuple(sorted(stands_for, key=lambda n: (n.casefold(), n))[:_MAX_NAMES]))


def organization_models(conn: Connection, organizations: dict[str, str]) -> list[tuple[str, str]]:
    """``(model id, the organization's name that matched)`` for every model of ``organizations``."""
    if not organizations:
        return []
    mo = T.model_organizations.c
    query = select(mo.model_id, mo.organization_id).where(mo.organization_id.in_(list(organizations)))
    return [(mid, organizations[org]) for mid, org in conn.execute(query.order_by(mo.model_id, mo.position))]
