"""What a memory estimate is for, and the estimate: one model size, its workload, its rows per precision.

A :class:`Subject` is one size of a model with its parameter count, found from a ``config.json`` path
(the CLI only), a pasted config, a bundled ``owner/name`` repo, or a catalog model or size. A catalog
model without a bundled config falls back to the size its sources state (weights only, an estimate).
``estimates`` turns a subject and a workload into rows: inference per precision, or fine-tuning per
checkpointing setting, each with whether it fits a card and, for inference, a decode speed.

The CLI's ``memory`` and ``fit`` and the web's calculator, model page and "fits on my GPU" facet all
go through here; the caller supplies ``resolve``, which looks a catalog model up by name in the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelatlas.analysis.hardware.configs import (
    ModelConfig,
    bundled_config,
    json_object,
    model_configs,
    pick_config,
    read_config,
)
from modelatlas.analysis.hardware.gpus import GpuTable
from modelatlas.analysis.hardware.memory import Breakdown, TrainMethod, Workload, inference, training
from modelatlas.analysis.hardware.params import ParameterCount, count_parameters, estimate_from_total
from modelatlas.analysis.hardware.precision import PRECISIONS, Precision, get_precision
from modelatlas.analysis.hardware.speed import decode_tokens_per_second
from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import Gpu, HardwareNeed, Model
from modelatlas.errors import ConfigError, NotFound

__all__ = [
    "DEFAULT_CONTEXT",
    "PASTED",
    "Estimate",
    "Resolver",
    "Subject",
    "catalog_subjects",
    "estimates",
    "fits_on",
    "inference_estimate",
    "model_subjects",
    "parse_config",
    "pasted_subject",
    "precision_list",
    "subject",
]

#: Tokens per sequence when none is asked for, or the model's maximum if that is shorter.
DEFAULT_CONTEXT = 4096
#: The origin of a config given as text rather than as a file.
PASTED = "pasted config.json"
#: More parameters than this in a pasted config is a typo, not a model.
_IMPLAUSIBLE = 10**15
_REPO = re.compile(r"[A-Za-z0-9_][\w.-]*/[A-Za-z0-9_][\w.-]*")

#: Looks a catalog model up by id, name, alias or variant name (raises NotFound).
Resolver = Callable[[str], Model]


@dataclass(frozen=True, slots=True)
class Subject:
    """A model size to estimate for: its count, where the count came from, and what sources state."""

    title: str
    count: ParameterCount
    origin: str
    model_id: str | None = None
    context_length: int | None = None
    stated: list[HardwareNeed] = field(default_factory=list)

    def workload(self, context: int | None = None, batch: int = 1, gpus: int = 1) -> Workload:
        """``context`` tokens (default: the model's maximum, at most 4096) × ``batch`` on ``gpus`` cards.

        Raises:
            BadArgument: a value below 1.
        """
        if context is None:
            count = self.count
            limit = self.context_length or (count.shape.max_context if count.shape else None)
            # a pasted config may say anything; only a positive number limits the default
            if isinstance(limit, int | float) and not isinstance(limit, bool) and limit >= 1:
                context = min(DEFAULT_CONTEXT, int(limit))
            else:
                context = DEFAULT_CONTEXT
        return Workload(context=context, batch=batch, gpus=gpus)


@dataclass(frozen=True, slots=True)
class Estimate:
    """One row: the memory, whether it fits the card (None without one), and decode tokens/s (inference)."""

    breakdown: Breakdown
    fits: bool | None
    decode_tokens_per_second: float | None


def subject(target: str, *, configs_dir: Path, resolve: Resolver, paths: bool = True) -> Subject:
    """Resolve ``target``: a config.json path, a bundled ``owner/name`` repo, or a catalog model or size.

    ``configs_dir`` is the catalog's ``configs/``; paths under the catalog are shown relative to the
    catalog's parent (``catalog/configs/…``). With ``paths=False`` (a web request) ``target`` is never
    read as a file on this machine.

    Raises:
        ConfigError: the config cannot be used, or the model has several sizes and none was named.
        NotFound: no such file, repo or model; or the model has neither a config nor a stated size.
        StoreMissing: a model name was given and no store is built (raised by ``resolve``).
    """
    looks_like_path = target.endswith(".json") or target.startswith((".", "/", "~"))
    if paths:
        path = Path(target).expanduser()
        if path.exists():
            data = read_config(path)
            return Subject(str(path), count_parameters(data, origin=str(path)), str(path))
        if looks_like_path:
            raise NotFound(f"{target}: no such file")
    elif looks_like_path:
        raise NotFound(f"{target!r} is not a catalog model or a repo whose config.json the catalog bundles")
    if target.count("/") == 1:
        bundled = bundled_config(configs_dir, target) if _REPO.fullmatch(target.strip()) else None
        if bundled is None:
            raise NotFound(
                f"the catalog has no config.json for {target!r}; download it from the Hub and pass its path"
            )
        return Subject(
            target, count_parameters(read_config(bundled), origin=target), _shown(bundled, configs_dir)
        )
    return _from_model(resolve(target), target, configs_dir)


def parse_config(text: str, *, origin: str = PASTED) -> dict[str, Any]:
    """The JSON object in ``text`` (a config.json's contents).

    Raises:
        ConfigError: not JSON, or not an object; the message gives the line and column.
    """
    return json_object(text, origin)


def pasted_subject(data: Mapping[str, Any], *, origin: str = PASTED) -> Subject:
    """The subject a config given as data describes, titled by its repo or class.

    Raises:
        ConfigError: the config lacks a setting the count needs, or describes no plausible model.
    """
    try:
        count = count_parameters(data, origin=origin)
    except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as exc:
        # a hand-edited config can hold values no published one does (zero heads, a list for a size)
        raise ConfigError(origin, "", f"cannot be counted: {exc}") from None
    if not 0 < count.total <= _IMPLAUSIBLE:
        raise ConfigError(origin, "", f"describes {count.total:,} parameters; check its sizes")
    if count.shape is not None and min(count.shape.hidden, count.shape.layers) < 1:
        raise ConfigError(origin, "", "the hidden size and the number of layers must be at least 1")
    return Subject(_config_title(data, origin), count, origin)


def model_subjects(model: Model, configs_dir: Path) -> list[Subject]:
    """Every size of ``model`` with a bundled config, else every size its sources state (maybe none)."""
    configs = model_configs(model, configs_dir)
    if configs:
        return [_from_config(model, found, configs_dir) for found in configs]
    sizes = [(v.name, v.parameters) for v in model.variants if v.parameters]
    if not sizes and model.parameters and model.parameters.total:
        sizes = [(model.name, model.parameters.total)]
    return [_stated(model, label, total) for label, total in sizes]


def catalog_subjects(models: Iterable[Model], configs_dir: Path) -> list[Subject]:
    """Every size of every model that has a config or a stated parameter count."""
    return [found for model in models for found in model_subjects(model, configs_dir)]


def precision_list(names: Sequence[str] | None = None) -> list[Precision]:
    """The formats ``names`` names, in order and without repeats; every format when none is named.

    Raises:
        BadArgument: a name is no format.
    """
    if not names:
        return list(PRECISIONS.values())
    return list({p.name: p for p in (get_precision(n) for n in names)}.values())


def fits_on(row: Breakdown, card: Gpu) -> bool:
    """Whether one card holds its share of ``row``."""
    return row.per_gpu <= GpuTable.memory_bytes(card)


def inference_estimate(found: Subject, precision: Precision, work: Workload, card: Gpu | None) -> Estimate:
    """Serving ``found`` in ``precision``: memory, fit on ``card`` and decode speed on it."""
    row = inference(found.count, precision, work)
    if card is None:
        return Estimate(row, None, None)
    return Estimate(row, fits_on(row, card), decode_tokens_per_second(found.count, precision, work, card))


def estimates(
    found: Subject,
    work: Workload,
    card: Gpu | None = None,
    *,
    precisions: Sequence[Precision] = (),
    train: TrainMethod | None = None,
    checkpointing: bool | None = None,
    lora_rank: int = 16,
) -> list[Estimate]:
    """Inference per precision (all when none is given), or with ``train`` fine-tuning with and without
    gradient checkpointing (or only as ``checkpointing`` says).

    Raises:
        BadArgument: training without a config (the shape is unknown).
    """
    if train is None:
        return [inference_estimate(found, p, work, card) for p in precisions or precision_list()]
    modes = [checkpointing] if checkpointing is not None else [False, True]
    rows = [training(found.count, train, work, checkpointing=c, lora_rank=lora_rank) for c in modes]
    return [Estimate(row, None if card is None else fits_on(row, card), None) for row in rows]


def _from_model(model: Model, asked: str, configs_dir: Path) -> Subject:
    chosen = pick_config(model, model_configs(model, configs_dir), asked)
    if chosen is not None:
        return _from_config(model, chosen, configs_dir)
    label, total = _stated_total(model, asked)
    if total is None:
        raise NotFound(
            f"{model.id} has no config.json in the catalog and no stated parameter count; "
            "pass the path of its config.json instead"
        )
    return _stated(model, label, total)


def _from_config(model: Model, found: ModelConfig, configs_dir: Path) -> Subject:
    count = count_parameters(read_config(found.path), origin=found.repo)
    context = found.context_length or model.context_length
    return Subject(found.label, count, _shown(found.path, configs_dir), model.id, context, model.hardware)


def _stated(model: Model, label: str, total: int) -> Subject:
    note = (
        f"estimate: no config.json for {model.id} in the catalog, so the stated {total:,} parameters are "
        "taken as all in linear layers; KV cache and activations unknown"
    )
    count = estimate_from_total(total, note=note)
    return Subject(label, count, "stated", model.id, model.context_length, model.hardware)


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


def _config_title(data: Mapping[str, Any], origin: str) -> str:
    """The repo a saved config names, else its class, else its model type."""
    named = data.get("_name_or_path")
    if isinstance(named, str) and _REPO.fullmatch(named):
        return named
    classes = data.get("architectures")
    if isinstance(classes, list) and classes and isinstance(classes[0], str):
        return classes[0]
    kind = data.get("model_type")
    return kind if isinstance(kind, str) and kind else origin


def _shown(path: Path, configs_dir: Path) -> str:
    """``path`` relative to the catalog's parent (``catalog/configs/…``) where it lies under it."""
    try:
        return str(path.relative_to(configs_dir.parent.parent))
    except ValueError:
        return str(path)
