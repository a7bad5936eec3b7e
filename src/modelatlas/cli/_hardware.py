"""The CLI's side of `memory` and `fit`: the catalog's configs and a store lookup, from the settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from modelatlas.cli._common import store_connection

if TYPE_CHECKING:
    from modelatlas.analysis.hardware.subjects import Subject
    from modelatlas.catalog.schema import Model
    from modelatlas.config import Settings

__all__ = ["configs_dir", "subject"]


def configs_dir(config: Settings) -> Path:
    """The catalog's bundled ``config.json`` files."""
    return config.catalog / "configs"


def subject(target: str, config: Settings) -> Subject:
    """``target`` as `memory` reads it: a config.json path, a bundled repo, or a catalog model or size.

    Raises:
        ConfigError: the config cannot be used, or the model has several sizes and none was named.
        NotFound: no such file, repo or model; or the model has neither a config nor a stated size.
        StoreMissing: a model name was given and no store is built.
    """
    from modelatlas.analysis.hardware.subjects import subject as find_subject
    from modelatlas.store import queries as Q

    def resolve(name: str) -> Model:
        with store_connection(config) as conn:
            return Q.get_model(conn, Q.resolve(conn, name))

    return find_subject(target, configs_dir=configs_dir(config), resolve=resolve)
