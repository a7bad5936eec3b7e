"""What `memory` and `fit` estimate for: a config path, a bundled repo, or a catalog model and size."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from modelatlas.analysis.hardware import ParameterCount, count_parameters, estimate_from_total
from modelatlas.analysis.hardware.configs import (
    ModelConfig,
    bundled_config,
    model_configs,
    pick_config,
    read_config,
)
from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import HardwareNeed, Model
from modelatlas.cli._common import open_store
from modelatlas.config import Settings
from modelatlas.errors import NotFound
from modelatlas.store import queries as Q

__all__ = ["Subject", "catalog_subjects", "subject"]


@dataclass(frozen=True, slots=True)
class Subject:
    """A model size to estimate for: its count, where the count came from, and what sources state."""

    title: str
    count: ParameterCount
    origin: str
    model_id: str | None = None
    context_length: int | None = None
    stated: list[HardwareNeed] = field(default_factory=list)


def subject(target: str, config: Settings) -> Subject:
    """Resolve ``target``: a config.json path, a bundled ``owner/name`` repo, or a catalog model or size.

    Raises:
        ConfigError: the config cannot be used, or the model has several sizes and none was named.
        NotFound: no such file, repo or model; or the model has neither a config nor a stated size.
        StoreMissing: a model name was given and no store is built.
    """
    configs_dir = config.catalog / "configs"
    path = Path(target).expanduser()
    if path.exists():
        data = read_config(path)
        return Subject(str(path), count_parameters(data, origin=str(path)), str(path))
    if target.endswith(".json") or target.startswith((".", "/", "~")):
        raise NotFound(f"{target}: no such file")
    if target.count("/") == 1:
        bundled = bundled_config(configs_dir, target)
        if bundled is None:
            raise NotFound(
                f"the catalog has no config.json for {target!r}; download it from the Hub and pass its path"
            )
        return Subject(target, count_parameters(read_config(bundled), origin=target), _shown(bundled, config))
    with open_store(config).connect() as conn:
        model = Q.get_model(conn, Q.resolve(conn, target))
    return _from_model(model, target, configs_dir, config)


def catalog_subjects(models: list[Model], config: Settings) -> list[Subject]:
    """Every size of every catalog model that has a config or a stated parameter count."""
    configs_dir = config.catalog / "configs"
    subjects: list[Subject] = []
    for model in models:
        configs = model_configs(model, configs_dir)
        for found in configs:
            subjects.append(_from_config(model, found, config))
        if configs:
            continue
        sizes = [(v.name, v.parameters) for v in model.variants if v.parameters]
        if not sizes and model.parameters and model.parameters.total:
            sizes = [(model.name, model.parameters.total)]
        for label, total in sizes:
            count = estimate_from_total(total, note=_stated_note(model, total))
            subjects.append(Subject(label, count, "stated", model.id, model.context_length, model.hardware))
    return subjects


def _from_model(model: Model, asked: str, configs_dir: Path, config: Settings) -> Subject:
    configs = model_configs(model, configs_dir)
    chosen = pick_config(model, configs, asked)
    if chosen is not None:
        return _from_config(model, chosen, config)
    label, total = _stated_total(model, asked)
    if total is None:
        raise NotFound(
            f"{model.id} has no config.json in the catalog and no stated parameter count; "
            "pass the path of its config.json instead"
        )
    count = estimate_from_total(total, note=_stated_note(model, total))
    return Subject(label, count, "stated", model.id, model.context_length, model.hardware)


def _from_config(model: Model, found: ModelConfig, config: Settings) -> Subject:
    count = count_parameters(read_config(found.path), origin=found.repo)
    context = found.context_length or model.context_length
    return Subject(found.label, count, _shown(found.path, config), model.id, context, model.hardware)


def _stated_total(model: Model, asked: str) -> tuple[str, int | None]:
    """The size ``asked`` names (a variant), else the model's own stated total."""
    key = name_key(asked)
    for variant in model.variants:
        if name_key(variant.name) == key and variant.parameters:
            return variant.name, variant.parameters
    if model.parameters and model.parameters.total:
        return model.name, model.parameters.total
    sized = [v for v in model.variants if v.parameters]
    return (sized[0].name, sized[0].parameters) if len(sized) == 1 else (model.name, None)


def _stated_note(model: Model, total: int) -> str:
    return (
        f"estimate: no config.json for {model.id} in the catalog, so the stated {total:,} parameters are "
        "taken as all in linear layers; KV cache and activations unknown"
    )


def _shown(path: Path, config: Settings) -> str:
    try:
        return str(path.relative_to(config.catalog.parent))
    except ValueError:
        return str(path)
