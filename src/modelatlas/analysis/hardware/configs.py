"""Where a model's ``config.json`` comes from: a path given by the user, or the catalog's ``configs/``.

The catalog keeps real configs under ``configs/<owner>/<name>.json`` (one per Hugging Face repo),
with their provenance in ``configs/sources.yaml``. A catalog model's configs are found through the
repos listed in its ``weights`` and its variants' ``weights``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import Model
from modelatlas.errors import ConfigError

__all__ = [
    "ModelConfig",
    "bundled_config",
    "bundled_repos",
    "json_object",
    "model_configs",
    "pick_config",
    "read_config",
]


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """One size of a catalog model and the config that describes it."""

    label: str
    repo: str
    path: Path
    stated_parameters: int | None
    context_length: int | None


def read_config(path: Path) -> dict[str, Any]:
    """The JSON object in ``path`` (a ``config.json`` or a directory holding one).

    Raises:
        ConfigError: the file is missing, not JSON, or not an object.
    """
    if path.is_dir():
        path = path / "config.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), "", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot be read: {exc}") from None
    return json_object(text, str(path))


def json_object(text: str, origin: str) -> dict[str, Any]:
    """The JSON object ``text`` holds (``origin`` names it in errors).

    Raises:
        ConfigError: not JSON (with the line and column), nested too deeply, or not an object.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{origin}:{exc.lineno}", "", f"not JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:  # 100,000 nested brackets: a traceback, and a 500 on POST /hardware
        raise ConfigError(origin, "", "nested too deeply to be a config.json") from None
    if not isinstance(data, dict):
        raise ConfigError(origin, "", "a config.json must be a JSON object")
    return data


def bundled_repos(configs_dir: Path) -> dict[str, Path]:
    """Every repo the catalog bundles a config of, as ``owner/name`` in lower case, with its file."""
    return {f"{path.parent.name}/{path.stem}".lower(): path for path in configs_dir.glob("*/*.json")}


def bundled_config(configs_dir: Path, repo: str) -> Path | None:
    """The catalog's config of Hugging Face repo ``repo`` (``owner/name``, any case), if it has one."""
    owner, _, name = repo.strip().partition("/")
    if not owner or not name or "/" in name:
        return None
    exact = configs_dir / owner / f"{name}.json"
    if exact.is_file():
        return exact
    return bundled_repos(configs_dir).get(repo.strip().lower())


def model_configs(model: Model, configs_dir: Path) -> list[ModelConfig]:
    """One config per size of ``model``: each variant's first repo with one, then the model's other repos."""
    found: list[ModelConfig] = []
    covered: set[str] = set()
    for variant in model.variants:
        covered.update(variant.weights)
        for repo in variant.weights:
            path = bundled_config(configs_dir, repo)
            if path is not None:
                found.append(
                    ModelConfig(variant.name, repo, path, variant.parameters, variant.context_length)
                )
                break
    weights = model.weights.huggingface if model.weights else []
    stated = model.parameters.total if model.parameters else None
    for repo in weights:
        if repo in covered:
            continue
        path = bundled_config(configs_dir, repo)
        if path is not None:
            label = model.name if not found else repo
            found.append(ModelConfig(label, repo, path, stated if not found else None, model.context_length))
    return found


def pick_config(configs: list[ModelConfig], asked: str) -> ModelConfig | None:
    """The config the user meant by ``asked`` (a variant name, a repo, or the model when it has one size);
    None when ``asked`` names none of several (the whole family is meant) or there is none."""
    key = name_key(asked)
    for config in configs:
        if key in (name_key(config.label), name_key(config.repo), name_key(config.repo.split("/")[-1])):
            return config
    return configs[0] if len(configs) == 1 else None
