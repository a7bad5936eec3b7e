"""GitHub's REST API through ``httpx2``: a repository's stars, forks, licence, last push, latest release."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import httpx2
import orjson

from modelatlas import __version__
from modelatlas.errors import SourceDataError, SourceError, SourceHTTPError

__all__ = ["GITHUB_API", "GitHubRepo", "GitHubSource", "Release", "github_repo"]

#: The public API; ``MODELATLAS_GITHUB_URL`` overrides it.
GITHUB_API = "https://api.github.com"
_REPO_URL = re.compile(r"^https?://(?:www\.)?github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?(?:[/#?].*)?$")
_NOT_A_REPO = {"orgs", "sponsors", "topics", "features", "marketplace", "settings"}


def github_repo(url: str) -> str | None:
    """``owner/repo`` for a GitHub repository URL (a deeper path counts); None for anything else."""
    match = _REPO_URL.match(url.strip())
    if not match or match.group(1).lower() in _NOT_A_REPO:
        return None
    return f"{match.group(1)}/{match.group(2)}"


@dataclass(frozen=True, slots=True)
class Release:
    tag: str
    name: str | None
    published_at: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class GitHubRepo:
    """What GitHub says about one repository (``full_name`` is its current name, after any rename)."""

    full_name: str
    stars: int
    forks: int
    open_issues: int | None = None
    license: str | None = None
    created_at: str | None = None
    pushed_at: str | None = None
    archived: bool = False
    description: str | None = None
    default_branch: str | None = None
    release: Release | None = None

    def metrics(self) -> dict[str, float]:
        counts = {"stars": self.stars, "forks": self.forks, "open_issues": self.open_issues}
        return {name: float(value) for name, value in counts.items() if value is not None}

    def facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = {
            "full_name": self.full_name,
            "license": self.license,
            "created_at": self.created_at,
            "pushed_at": self.pushed_at,
            "archived": self.archived,
            "description": self.description,
        }
        if self.release is not None:
            facts["latest_release"] = self.release.tag
            facts["latest_release_at"] = self.release.published_at
        return {name: value for name, value in facts.items() if value is not None}


def _repo(body: dict[str, Any]) -> GitHubRepo:
    license_ = body.get("license") or {}
    spdx = license_.get("spdx_id")
    return GitHubRepo(
        full_name=body["full_name"],
        stars=int(body["stargazers_count"]),
        forks=int(body["forks_count"]),
        open_issues=body.get("open_issues_count"),
        license=spdx if spdx and spdx != "NOASSERTION" else license_.get("key"),
        created_at=body.get("created_at"),
        pushed_at=body.get("pushed_at"),
        archived=bool(body.get("archived", False)),
        description=body.get("description"),
        default_branch=body.get("default_branch"),
    )


def _release(body: dict[str, Any]) -> Release:
    return Release(
        tag=body["tag_name"],
        name=body.get("name"),
        published_at=body.get("published_at"),
        url=body.get("html_url"),
    )


class GitHubSource:
    """GitHub's REST API, asked with ``httpx2`` through a polite transport."""

    def __init__(
        self,
        *,
        transport: httpx2.BaseTransport,
        base_url: str = GITHUB_API,
        token: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": f"modelatlas/{__version__}",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = httpx2.Client(
            base_url=base_url.rstrip("/"),
            transport=transport,
            headers=headers,
            timeout=timeout,
            follow_redirects=True,
        )

    def close(self) -> None:
        self.client.close()

    def repo(self, full_name: str, *, releases: bool = True) -> GitHubRepo | None:
        """The repository with its latest release; None when GitHub no longer has it (404, 410, 451).

        Raises:
            SourceError: GitHub failed after every retry, or answered with something unreadable.
        """
        body = self._get(f"/repos/{full_name}")
        if body is None:
            return None
        try:
            repo = _repo(body)
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceDataError(
                self._url(f"/repos/{full_name}"), f"not a repository record ({exc})"
            ) from exc
        if not releases:
            return repo
        latest = self._get(f"/repos/{repo.full_name}/releases/latest")
        if latest is None:
            return repo
        try:
            release = _release(latest)
        except (KeyError, TypeError) as exc:
            url = self._url(f"/repos/{repo.full_name}/releases/latest")
            raise SourceDataError(url, f"not a release record ({exc})") from exc
        return replace(repo, release=release)

    def _url(self, path: str) -> str:
        return str(self.client.base_url).rstrip("/") + path

    def _get(self, path: str) -> dict[str, Any] | None:
        url = self._url(path)
        try:
            response = self.client.get(path)
        except httpx2.HTTPError as exc:
            raise SourceError(f"GET {url} failed: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code in (404, 410, 451):
            return None
        if response.status_code != 200:
            detail = _message(response)
            raise SourceHTTPError(
                url, response.status_code, response.headers.get("x-github-request-id"), detail
            )
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise SourceDataError(url, f"the answer is not valid JSON ({exc})") from exc
        if not isinstance(body, dict):
            raise SourceDataError(url, "the answer is not a JSON object")
        return body


def _message(response: httpx2.Response) -> str:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""
