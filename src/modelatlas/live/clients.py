"""The three source clients a sync uses, built from endpoints, tokens and one politeness policy per source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import httpx2

from modelatlas.sources._http import Cache, Policy, PoliteTransport, Tally
from modelatlas.sources.arxiv import ARXIV_API, ArxivSource
from modelatlas.sources.github import GITHUB_API, GitHubSource
from modelatlas.sources.hf import HUB, HubSource

__all__ = ["DEFAULT_POLICIES", "Clients", "Endpoints", "open_clients"]

#: arXiv asks for one request every 3 s; the Hub and GitHub get a small gap and their own rate limits.
DEFAULT_POLICIES = {
    "hf": Policy(interval=0.1),
    "arxiv": Policy(interval=3.0),
    "github": Policy(interval=0.1),
}


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where each source lives and the tokens to use (``HF_ENDPOINT``, ``HF_TOKEN``, ``GITHUB_TOKEN``…)."""

    hf: str = HUB
    arxiv: str = ARXIV_API
    github: str = GITHUB_API
    hf_token: str | None = None
    github_token: str | None = None


@dataclass(slots=True)
class Clients:
    hf: HubSource | None = None
    arxiv: ArxivSource | None = None
    github: GitHubSource | None = None
    tallies: dict[str, Tally] = field(default_factory=dict)

    def close(self) -> None:
        for client in (self.hf, self.arxiv, self.github):
            if client is not None:
                client.close()


def open_clients(
    sources: tuple[str, ...],
    endpoints: Endpoints,
    *,
    policies: dict[str, Policy] | None = None,
    budget: int | None = None,
    cache: Cache | None = None,
    inner: Callable[[], httpx2.BaseTransport] | None = None,
) -> Clients:
    """Clients for ``sources``; ``budget`` caps the requests of each source in this run."""
    chosen = {**DEFAULT_POLICIES, **(policies or {})}
    if budget is not None:
        chosen = {name: replace(policy, budget=budget) for name, policy in chosen.items()}
    clients = Clients(tallies={source: Tally() for source in sources})

    def transport(source: str) -> PoliteTransport:
        base = inner() if inner is not None else None
        return PoliteTransport(chosen[source], inner=base, cache=cache, tally=clients.tallies[source])

    if "hf" in sources:
        clients.hf = HubSource(
            transport=transport("hf"),
            endpoint=endpoints.hf,
            token=endpoints.hf_token,
            timeout=chosen["hf"].timeout,
        )
    if "arxiv" in sources:
        clients.arxiv = ArxivSource(
            policy=chosen["arxiv"], tally=clients.tallies["arxiv"], base_url=endpoints.arxiv
        )
    if "github" in sources:
        clients.github = GitHubSource(
            transport=transport("github"),
            base_url=endpoints.github,
            token=endpoints.github_token,
            timeout=chosen["github"].timeout,
        )
    return clients
