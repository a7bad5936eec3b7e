"""What a sync asks each source about: every Hub repo, arXiv paper and GitHub repository of the catalog."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from modelatlas.catalog.schema import Model
from modelatlas.sources.github import github_repo

__all__ = ["SOURCES", "Target", "refs_of", "targets"]

#: The live sources, in the order a sync asks them.
SOURCES = ("hf", "arxiv", "github")


@dataclass(frozen=True, slots=True)
class Target:
    """One thing to ask a source about (a Hub repo id, a bare arXiv id, a GitHub ``owner/repo``)."""

    source: str
    ref: str
    models: tuple[str, ...]


def refs_of(model: Model) -> dict[str, list[str]]:
    """The model's references per source, in catalog order: weights (and variants' weights), papers, code."""
    refs: dict[str, list[str]] = {source: [] for source in SOURCES}
    hub = list(model.weights.huggingface) if model.weights else []
    hub += [repo for variant in model.variants for repo in variant.weights]
    refs["hf"] = list(dict.fromkeys(hub))
    refs["arxiv"] = list(dict.fromkeys(p.arxiv for p in model.papers if p.arxiv))
    repos = (github_repo(url) for url in model.code)
    refs["github"] = list(dict.fromkeys(repo for repo in repos if repo))
    return refs


def targets(models: Iterable[Model]) -> dict[str, list[Target]]:
    """Every target per source, each with the ids of the models that refer to it, sorted by reference."""
    owners: dict[tuple[str, str], list[str]] = defaultdict(list)
    for model in models:
        for source, refs in refs_of(model).items():
            for ref in refs:
                owners[(source, ref)].append(model.id)
    found: dict[str, list[Target]] = {source: [] for source in SOURCES}
    for (source, ref), ids in sorted(owners.items(), key=lambda item: (item[0][0], item[0][1].lower())):
        found[source].append(Target(source, ref, tuple(ids)))
    return found
