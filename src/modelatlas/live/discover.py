"""Candidates for new catalog models: Hub repos and arXiv papers the catalog does not have yet."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import Model
from modelatlas.live.targets import SOURCES, refs_of
from modelatlas.sources.arxiv import ArxivPaper, introduced_model
from modelatlas.sources.hf import HubModel

__all__ = ["Candidate", "Known", "from_arxiv", "from_hub", "known"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A model a source knows and the catalog does not, waiting for ``modelatlas accept`` or ``reject``."""

    source: str
    ref: str
    name: str
    url: str
    organization: str | None = None
    published: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.ref}"


@dataclass(slots=True)
class Known:
    """What the catalog already has: references per source, name keys, and which org an author is."""

    refs: dict[str, set[str]]
    names: set[str]
    organizations: dict[str, str]
    hub_authors: set[str]

    def has(self, source: str, ref: str, name: str) -> bool:
        return ref.lower() in self.refs.get(source, set()) or name_key(name) in self.names

    def authors(self) -> list[str]:
        """The Hub authors whose repos the catalog holds: the organizations a sync watches for new models."""
        return sorted(self.hub_authors, key=str.lower)


def known(models: Iterable[Model]) -> Known:
    refs: dict[str, set[str]] = {source: set() for source in SOURCES}
    names: set[str] = set()
    organizations: dict[str, str] = {}
    authors: set[str] = set()
    for model in models:
        names.update(name_key(name) for name in model.names)
        found = refs_of(model)
        for source, listed in found.items():
            refs[source].update(ref.lower() for ref in listed)
        for author in {repo.split("/")[0] for repo in found["hf"] if "/" in repo}:
            authors.add(author)
            if model.organizations:
                organizations.setdefault(author.lower(), model.organizations[0])
    return Known(refs, names, organizations, authors)


def from_hub(found: Iterable[HubModel], catalog: Known, since: str) -> list[Candidate]:
    """Hub repos created on or after ``since`` (ISO date) that the catalog does not hold."""
    candidates: dict[str, Candidate] = {}
    for hub in found:
        name = hub.repo_id.split("/")[-1]
        if catalog.has("hf", hub.repo_id, name) or (hub.created_at or "") < since:
            continue
        author = (hub.author or hub.repo_id.split("/")[0]).lower()
        detail = {
            "likes": hub.likes,
            "downloads": hub.downloads,
            "pipeline_tag": hub.pipeline_tag,
            "library": hub.library,
            "license": hub.license,
            "parameters": hub.parameters,
            "base_models": list(hub.base_models),
            "gated": hub.gated,
        }
        candidates[hub.repo_id] = Candidate(
            source="hf",
            ref=hub.repo_id,
            name=name,
            url=f"https://huggingface.co/{hub.repo_id}",
            organization=catalog.organizations.get(author),
            published=(hub.created_at or "")[:10] or None,
            detail={k: v for k, v in detail.items() if v not in (None, [])},
        )
    return list(candidates.values())


def from_arxiv(found: Iterable[ArxivPaper], catalog: Known, since: str) -> list[Candidate]:
    """Papers published on or after ``since`` that introduce a model the catalog does not hold."""
    candidates: dict[str, Candidate] = {}
    for paper in found:
        name = introduced_model(paper)
        if name is None or paper.published < since or catalog.has("arxiv", paper.arxiv_id, name):
            continue
        candidates[paper.arxiv_id] = Candidate(
            source="arxiv",
            ref=paper.arxiv_id,
            name=name,
            url=paper.url,
            published=paper.published,
            detail={
                "title": paper.title,
                "authors": list(paper.authors[:10]),
                "primary_category": paper.primary_category,
                "categories": list(paper.categories),
                "summary": paper.summary[:600],
            },
        )
    return list(candidates.values())
