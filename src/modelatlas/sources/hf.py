"""The Hugging Face Hub through ``huggingface_hub``: one model's facts and metrics, its config, new models.

``HubSource`` points ``HfApi`` at ``endpoint`` (``HF_ENDPOINT``; a local replay server in tests) and
gives the library an ``httpx2`` client built on ``PoliteTransport``, so the Hub gets the same pacing,
retries, budget and ETag revalidation as GitHub. That client talks to ``endpoint``'s origin only: a
request the library makes elsewhere on its own (its agent-detection registry, say, which it fetches from
the ``HF_ENDPOINT`` it read at import) is answered 404 here without leaving the machine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
from huggingface_hub import (
    HfApi,
    close_session,
    get_session,
    hf_hub_url,
    hf_raise_for_status,
    set_client_factory,
)
from huggingface_hub.errors import HfHubHTTPError, RemoteEntryNotFoundError, RepositoryNotFoundError
from huggingface_hub.hf_api import ModelInfo
from huggingface_hub.utils._http import hf_request_event_hook

from modelatlas.errors import SourceDataError, SourceError, SourceHTTPError

__all__ = ["HUB", "HubModel", "HubSource", "hub_model"]

#: The public Hub; ``HF_ENDPOINT`` overrides it.
HUB = "https://huggingface.co"


@dataclass(frozen=True, slots=True)
class HubModel:
    """What the Hub says about one model repository."""

    repo_id: str
    author: str | None = None
    sha: str | None = None
    created_at: str | None = None
    last_modified: str | None = None
    downloads: int | None = None
    downloads_all_time: int | None = None
    likes: int | None = None
    license: str | None = None
    pipeline_tag: str | None = None
    library: str | None = None
    base_models: tuple[str, ...] = ()
    parameters: int | None = None
    gated: str | None = None
    tags: tuple[str, ...] = ()

    def metrics(self) -> dict[str, float]:
        """The counts to keep as snapshots: downloads (last 30 days), all-time downloads, likes."""
        counts = {
            "downloads": self.downloads,
            "downloads_all_time": self.downloads_all_time,
            "likes": self.likes,
        }
        return {name: float(value) for name, value in counts.items() if value is not None}

    def facts(self) -> dict[str, Any]:
        """The facts to keep as observations (latest value only)."""
        facts = {
            "sha": self.sha,
            "created_at": self.created_at,
            "last_modified": self.last_modified,
            "license": self.license,
            "pipeline_tag": self.pipeline_tag,
            "library": self.library,
            "base_models": list(self.base_models) or None,
            "parameters": self.parameters,
            "gated": self.gated,
        }
        return {name: value for name, value in facts.items() if value is not None}


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _tagged(tags: list[str], prefix: str) -> list[str]:
    """Values of ``prefix:value`` tags; ``base_model:finetune:x/y`` gives ``x/y``."""
    values = []
    for tag in tags:
        if tag.startswith(prefix + ":"):
            values.append(tag.split(":")[-1])
    return values


def hub_model(info: ModelInfo) -> HubModel:
    """Parse the library's ``ModelInfo`` into a ``HubModel``; missing keys stay None."""
    tags = list(info.tags or [])
    card = info.card_data
    license_ = card.get("license") if card is not None else None
    if license_ is None:
        license_ = next(iter(_tagged(tags, "license")), None)
    base = [*(_tagged(tags, "base_model"))]
    if card is not None and card.get("base_model"):
        declared = card.get("base_model")
        base = [declared] if isinstance(declared, str) else [str(b) for b in declared]
    gated = info.gated if isinstance(info.gated, str) else None
    return HubModel(
        repo_id=info.id,
        author=info.author or (info.id.split("/")[0] if "/" in info.id else None),
        sha=info.sha,
        created_at=_iso(info.created_at),
        last_modified=_iso(info.last_modified),
        downloads=info.downloads,
        downloads_all_time=info.downloads_all_time,
        likes=info.likes,
        license=str(license_) if license_ is not None else None,
        pipeline_tag=info.pipeline_tag,
        library=info.library_name,
        base_models=tuple(dict.fromkeys(base)),
        parameters=info.safetensors.total if info.safetensors is not None else None,
        gated=gated,
        tags=tuple(tags),
    )


class _SameOrigin(httpx2.BaseTransport):
    """Send requests for ``origin`` on to ``inner``; answer any other with a local 404."""

    def __init__(self, inner: httpx2.BaseTransport, origin: httpx2.URL) -> None:
        self.inner, self.origin = inner, (origin.scheme, origin.host, origin.port)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if (request.url.scheme, request.url.host, request.url.port) != self.origin:
            return httpx2.Response(404, request=request, text="not the configured Hub endpoint")
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class HubSource:
    """The Hub, asked through ``huggingface_hub`` with a polite transport."""

    def __init__(
        self,
        *,
        transport: httpx2.BaseTransport,
        endpoint: str = HUB,
        token: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout

        guarded = _SameOrigin(transport, httpx2.URL(self.endpoint))

        def client() -> httpx2.Client:
            return httpx2.Client(
                transport=guarded,
                event_hooks={"request": [hf_request_event_hook]},
                follow_redirects=True,
                timeout=timeout,
            )

        set_client_factory(client)
        self.api = HfApi(endpoint=self.endpoint, token=token, library_name="modelatlas")

    def close(self) -> None:
        close_session()

    def model(self, repo_id: str) -> HubModel | None:
        """The repository's facts; None when the Hub does not know it (deleted, renamed or private).

        Raises:
            SourceError: the Hub failed after every retry, or answered with something unreadable.
        """
        url = f"{self.endpoint}/api/models/{repo_id}"
        with _errors(url):
            try:
                return hub_model(self.api.model_info(repo_id, timeout=self.timeout))
            except RepositoryNotFoundError:
                return None

    def config(self, repo_id: str, revision: str | None = None) -> dict[str, Any] | None:
        """The repository's ``config.json`` at ``revision``; None when it has none.

        Raises:
            SourceError: the Hub failed, or the file is not a JSON object.
        """
        url = hf_hub_url(repo_id, "config.json", revision=revision, endpoint=self.endpoint)
        with _errors(url):
            response = get_session().get(url, headers=self.api._build_hf_headers(), timeout=self.timeout)
            try:
                hf_raise_for_status(response)
            except (RemoteEntryNotFoundError, RepositoryNotFoundError):
                return None
            config = response.json()
        if not isinstance(config, dict):
            raise SourceDataError(url, "config.json is not a JSON object")
        return config

    def recent(self, author: str, limit: int) -> list[HubModel]:
        """The newest ``limit`` models of ``author`` (an organization or user on the Hub)."""
        url = f"{self.endpoint}/api/models?author={author}"
        with _errors(url):
            found = self.api.list_models(author=author, sort="created_at", limit=limit)
            return [hub_model(info) for info in found]

    def listing_page(self, url: str) -> tuple[bytes, str | None]:
        """One page of the model listing at ``url``: its undecoded body and the next page's URL (the
        ``Link: <…>; rel="next"`` header), None on the last page. Sent through the library's session,
        so the token, user-agent, pacing, retries and Retry-After apply as to every Hub request.

        Raises:
            SourceError: the Hub failed after every retry (names ``url``).
        """
        with _errors(url):
            response = get_session().get(url, headers=self.api._build_hf_headers(), timeout=self.timeout)
            hf_raise_for_status(response)
            following = response.links.get("next", {}).get("url")
            return response.content, following

    def most_liked(self, limit: int) -> list[HubModel]:
        """The ``limit`` most-liked models on the Hub."""
        url = f"{self.endpoint}/api/models?sort=likes"
        with _errors(url):
            return [hub_model(info) for info in self.api.list_models(sort="likes", limit=limit)]


@contextlib.contextmanager
def _errors(url: str) -> Iterator[None]:
    """Turn the library's exceptions into modelatlas's ``SourceError`` family."""
    try:
        yield
    except SourceError:
        raise
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        raise SourceHTTPError(url, status, exc.request_id, exc.server_message or "") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceDataError(url, f"the answer is not valid JSON ({exc})") from exc
    except (TypeError, KeyError) as exc:
        raise SourceDataError(url, f"the answer lacks what a model record needs ({exc})") from exc
    except httpx2.HTTPError as exc:
        raise SourceError(f"GET {url} failed: {exc.__class__.__name__}: {exc}") from exc
