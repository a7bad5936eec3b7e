"""Where a live source disagrees with the catalog. The catalog is never changed: the disagreement is listed.

Compared: a Hub repo's safetensors parameter count with the model's (or its variant's) parameters, within
5%; the Hub licence with the model's licence; an arXiv paper's title with the catalog's, and its year
when the catalog gives no venue (a venue's year may rightly differ from the preprint's).
Conflicts are worked out when asked for, from the latest observations and the current catalog, so they
follow both without being stored twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from sqlalchemy import Engine, inspect, select

from modelatlas.catalog.schema import Model
from modelatlas.live.targets import refs_of
from modelatlas.sources._compare import agree, disputed, magnitude, show
from modelatlas.store import tables as T

__all__ = ["all_conflicts", "live_conflicts"]

_URL = {
    "hf": "https://huggingface.co/{ref}",
    "arxiv": "https://arxiv.org/abs/{ref}",
    "github": "https://github.com/{ref}",
}
_SOURCE_ID = {"hf": "huggingface-hub", "arxiv": "arxiv", "github": "github"}
_VAGUE_LICENSES = {"other", "unknown", "custom", "noassertion"}
_LICENCE_FILLER = {"license", "licence", "community", "version", "v", "the", "agreement"}


def _licence_words(text: str) -> set[str]:
    """The words of a licence name, so ``Llama 2 Community License`` and ``llama2`` compare equal."""
    words = re.findall(r"[a-z]+|\d+", text.lower())
    return {w for w in words if w not in _LICENCE_FILLER}


def _title_key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def all_conflicts(engine: Engine, models: Iterable[Model]) -> list[dict[str, Any]]:
    """Every conflict the store knows: the importers' (stored at build) and live sync's (worked out now)."""
    query = select(T.conflicts, T.models.c.name).join(T.models, T.models.c.id == T.conflicts.c.model_id)
    with engine.connect() as conn:
        records = [dict(r) for r in conn.execute(query).mappings()]
    if inspect(engine).has_table("observations"):
        records += live_conflicts(engine, models)
    return records


def live_conflicts(engine: Engine, models: Iterable[Model]) -> list[dict[str, Any]]:
    """Rows shaped like the ``conflicts`` table (with ``origin`` hf or arxiv) for ``models``."""
    facts: dict[tuple[str, str], dict[str, Any]] = {}
    o = T.observations.c
    query = select(o.source, o.ref, o.field, o.value).where(o.source.in_(("hf", "arxiv")))
    with engine.connect() as conn:
        for source, ref, name, value in conn.execute(query):
            facts.setdefault((source, ref), {})[name] = orjson.loads(value)
    rows: list[dict[str, Any]] = []
    for model in models:
        rows.extend(_hub(model, facts))
        rows.extend(_papers(model, facts))
    return rows


def _row(model: Model, name: str, kept: Any, other: Any, source: str, ref: str) -> dict[str, Any]:
    return {
        "model_id": model.id,
        "name": model.name,
        "field": name,
        "kept": show(kept),
        "other": show(other),
        "source_id": _SOURCE_ID[source],
        "source_url": _URL[source].format(ref=ref),
        "origin": source,
        "magnitude": magnitude(kept, other),
    }


def _stated_sizes(model: Model, repo: str) -> list[int]:
    """The parameter counts the catalog states for ``repo``: its variant's, else every size of the model."""
    for variant in model.variants:
        if repo in variant.weights:
            return [variant.parameters] if variant.parameters else []
    sizes = [model.parameters.total, model.parameters.active] if model.parameters else []
    sizes += [variant.parameters for variant in model.variants]
    return [size for size in sizes if size]


def _hub(model: Model, facts: dict[tuple[str, str], dict[str, Any]]) -> Iterator[dict[str, Any]]:
    repos = refs_of(model)["hf"]
    for repo in repos:
        count = facts.get(("hf", repo), {}).get("parameters")
        sizes = _stated_sizes(model, repo)
        if not isinstance(count, int) or not sizes or any(agree(size, count) for size in sizes):
            continue
        nearest = min(sizes, key=lambda size: magnitude(size, count))
        if not disputed(model, "parameters", count):
            yield _row(model, "parameters", nearest, count, "hf", repo)
    licence = facts.get(("hf", repos[0]), {}).get("license") if repos else None
    if model.license and isinstance(licence, str):
        mine, theirs = _licence_words(model.license), _licence_words(licence)
        vague = (mine | theirs) & _VAGUE_LICENSES
        if mine and theirs and not vague and not (mine <= theirs or theirs <= mine):
            if not disputed(model, "license", licence):
                yield _row(model, "license", model.license, licence, "hf", repos[0])


def _papers(model: Model, facts: dict[tuple[str, str], dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for paper in model.papers:
        if not paper.arxiv:
            continue
        found = facts.get(("arxiv", paper.arxiv), {})
        title = found.get("title")
        if paper.title and isinstance(title, str) and _title_key(paper.title) != _title_key(title):
            yield _row(model, "papers.title", paper.title, title, "arxiv", paper.arxiv)
        published = found.get("published")
        at_venue = paper.venue is not None and "arxiv" not in paper.venue.lower()
        if paper.year and not at_venue and isinstance(published, str) and int(published[:4]) != paper.year:
            yield _row(model, "papers.year", paper.year, int(published[:4]), "arxiv", paper.arxiv)
