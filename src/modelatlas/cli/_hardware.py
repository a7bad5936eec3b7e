"""The CLI's side of `memory` and `fit`: the catalog's configs and a store lookup, from the settings."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelatlas.cli._common import open_store, store_connection

if TYPE_CHECKING:
    from modelatlas.analysis.hardware.subjects import Subject
    from modelatlas.catalog.schema import Model
    from modelatlas.config import Settings

__all__ = ["configs_dir", "subjects"]


def configs_dir(config: Settings) -> Path:
    """The catalog's bundled ``config.json`` files."""
    return config.catalog / "configs"


def subjects(target: str, config: Settings) -> list[Subject]:
    """``target`` as `memory` reads it (``analysis.hardware.subjects.subjects``): a config.json path, a Hub
    repo or URL (its config bundled, synced into the store, or from the Hub), a size, or a catalog model,
    size or family (every size).

    Raises:
        ConfigError: the config cannot be used.
        NotFound: no such file, repo, size or model; or the model has neither a config nor a stated size.
        StoreMissing: a model name was given and no store is built.
    """
    from modelatlas.analysis.hardware.subjects import subjects as find_subjects
    from modelatlas.errors import StoreMissing
    from modelatlas.live.clients import Endpoints
    from modelatlas.live.hub_configs import hub_config, synced_config
    from modelatlas.store import queries as Q

    def resolve(name: str) -> Model:
        with store_connection(config) as conn:
            return Q.get_model(conn, Q.resolve(conn, name))

    def synced(repo: str) -> Mapping[str, Any] | None:
        try:
            engine = open_store(config)
        except StoreMissing:
            return None
        try:
            return synced_config(engine, repo)
        finally:
            engine.dispose()

    endpoints = Endpoints(hf=config.hf_endpoint, hf_token=config.hf_token)
    return find_subjects(
        target,
        configs_dir=configs_dir(config),
        resolve=resolve,
        synced=synced,
        hub=partial(hub_config, endpoints, cache=config.cache_dir),
    )
