"""A Hub repo's ``config.json`` for the memory calculator: the copy `sync` kept in the store, or the Hub's.

``synced_config`` reads the store's latest observation of the repo's config (`sync --source hf` keeps it
for every catalog model's repo). ``hub_config`` asks the Hub itself through ``huggingface_hub``
(``sources.hf.HubSource``), once per repo: a config found is kept on disk under the cache directory
(``Settings.cache_dir``, one file per endpoint and repo, written atomically) for later runs, and every
answer, a missing config included, in memory for the process. A machine without a network fails fast
(one retry, short timeouts) with a ``SourceError`` that says so, rather than holding a request for minutes.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, func, select

from modelatlas.errors import ModelAtlasError
from modelatlas.files import write_atomic
from modelatlas.live.clients import Endpoints, open_clients
from modelatlas.sources._http import Policy
from modelatlas.store import tables as T

__all__ = ["HUB_POLICY", "hub_config", "synced_config"]

#: How the calculator asks the Hub: at once, one retry, and no long waits.
HUB_POLICY = Policy(interval=0.0, retries=1, backoff=0.5, max_wait=5.0, timeout=10.0, budget=4)

_asking = threading.Lock()


def synced_config(engine: Engine, repo: str) -> Mapping[str, Any] | None:
    """The config.json the store's last Hub sync of ``repo`` saw (the repo id in any case); None without."""
    o = T.observations.c
    query = (
        select(o.value)
        .where(o.source == "hf", o.field == "config", func.lower(o.ref) == repo.lower())
        .limit(1)
    )
    with engine.connect() as conn:
        value = conn.execute(query).scalar()
    found = orjson.loads(value) if value is not None else None
    return found if isinstance(found, dict) else None


@functools.lru_cache(maxsize=512)
def hub_config(endpoints: Endpoints, repo: str, cache: Path | None = None) -> Mapping[str, Any] | None:
    """``repo``'s config.json from the Hub at ``endpoints.hf`` (or from ``cache``, where an earlier run
    kept it); None when the repo has none.

    Raises:
        SourceError: the Hub could not be reached or answered with an error (not kept: asked again).
    """
    kept = _kept(cache, endpoints.hf, repo) if cache is not None else None
    if kept is not None and kept.is_file():
        with contextlib.suppress(OSError, orjson.JSONDecodeError):
            found = orjson.loads(kept.read_bytes())
            if isinstance(found, dict):
                return found
    with _asking:  # huggingface_hub's client factory is global: one question at a time
        clients = open_clients(("hf",), endpoints, policies={"hf": HUB_POLICY})
        try:
            config = clients.hf.config(repo) if clients.hf is not None else None
        finally:
            clients.close()
    if config is not None and kept is not None:
        with contextlib.suppress(ModelAtlasError, OSError):  # a cache that cannot be written is no cache
            kept.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(kept, orjson.dumps(config))
    return config


def _kept(cache: Path, endpoint: str, repo: str) -> Path:
    """The file that keeps ``repo``'s config from ``endpoint``: the endpoint hashed (a URL is no file
    name), the repo lower-cased (the Hub's ids are case-insensitive)."""
    owner, name = repo.lower().split("/", 1)
    return cache / "hub-configs" / hashlib.sha256(endpoint.encode()).hexdigest()[:16] / owner / f"{name}.json"
