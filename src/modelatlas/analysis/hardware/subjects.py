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
    bundled_repos,
    json_object,
    model_configs,
    pick_config,
    read_config,
)
from modelatlas.analysis.hardware.gguf_file import GgufModel, Offload, offload, read_gguf
from modelatlas.analysis.hardware.gpus import GpuTable
from modelatlas.analysis.hardware.memory import (
    MAX_CONTEXT,
    Breakdown,
    TrainMethod,
    Workload,
    inference,
    largest_context,
    parse_context,
    training,
)
from modelatlas.analysis.hardware.params import ParameterCount, count_parameters, estimate_from_total
from modelatlas.analysis.hardware.pipelines import (
    Pipeline,
    is_pipeline,
    pipeline_at,
    pipeline_inference,
    read_pipeline,
)
from modelatlas.analysis.hardware.precision import PRECISIONS, Precision, get_precision
from modelatlas.analysis.hardware.speed import decode_tokens_per_second, first_token_seconds
from modelatlas.analysis.hardware.wording import Note, repo_origin
from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import Gpu, HardwareNeed, Model
from modelatlas.catalog.units import parse_count
from modelatlas.catalog.vocab import OPEN_WEIGHTS
from modelatlas.errors import BadArgument, ConfigError, NotFound, SourceError

__all__ = [
    "DEFAULT_CONTEXT",
    "MIN_SIZE",
    "PASTED",
    "ConfigLookup",
    "Estimate",
    "Resolver",
    "Subject",
    "catalog_subjects",
    "downloadable",
    "estimates",
    "fits_on",
    "gguf_subject",
    "inference_need",
    "hub_repo",
    "inference_estimate",
    "model_subjects",
    "parse_config",
    "pasted_subject",
    "precision_list",
    "size_subject",
    "subjects",
]

#: Tokens per sequence when none is asked for, or the model's maximum if that is shorter.
DEFAULT_CONTEXT = 4096
#: The origin of a config given as text rather than as a file.
PASTED = "pasted config.json"
#: More parameters than this in a pasted config is a typo, not a model.
_IMPLAUSIBLE = 10**15
#: What image, video and audio generators make: their pipelines hold more than one network.
_MEDIA = {"audio": "made_audio", "image": "made_images", "video": "made_video"}
#: A size typed alone must be at least this many parameters (a smaller number is no model's size).
MIN_SIZE = 10**6
_REPO = re.compile(r"[A-Za-z0-9_][\w.-]*/[A-Za-z0-9_][\w.-]*")
_HUB_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/(?P<repo>[^/?#\s]+/[^/?#\s]+)(?:[/?#]\S*)?",
    re.IGNORECASE,
)
_EXPERTS = re.compile(r"\s*(?P<n>\d{1,4})\s*[x×*]\s*(?P<each>\S.*)", re.IGNORECASE)

#: Finds the config.json of a Hub repo (the store's synced copy, or the Hub's): None when there is none.
ConfigLookup = Callable[[str], Mapping[str, Any] | None]

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
    #: A GGUF file's header: its weights as stored, and how they split between card and RAM.
    gguf: GgufModel | None = None
    #: A diffusion pipeline's networks (a model_index.json): weights per component, no context.
    pipeline: Pipeline | None = None
    #: What an image, video or audio generator's stated size leaves out.
    media: list[Note] = field(default_factory=list)

    def limit(self) -> int | None:
        """The longest context the model takes, when its config or the catalog says (a pasted config may
        say anything: only a positive whole number counts); None for a pipeline, which has none."""
        count = self.count
        if self.pipeline is not None:
            return None
        limit = self.context_length or (count.shape.max_context if count.shape else None)
        if isinstance(limit, int | float) and not isinstance(limit, bool) and 1 <= limit <= MAX_CONTEXT:
            return int(limit)
        return None

    def beyond(self, work: Workload) -> Note | None:
        """A warning when ``work``'s context is longer than the model takes."""
        limit = self.limit()
        if limit is None or work.context <= limit:
            return None
        return Note("note_beyond", {"context": work.context, "limit": limit, "title": self.title})

    def notes(self, work: Workload, rows: Sequence[Estimate]) -> list[Note]:
        """What an estimate of this size for ``work`` must say beside its rows: how the count was made,
        what the first row leaves out, what a generator's stated size leaves out, and a context beyond
        the model's (each row's GGUF offload says itself: ``Offload.note``)."""
        first = rows[0].breakdown.notes if rows else []
        if self.pipeline is not None:  # its fp16 row may say more than its fp32 one
            first = [n for r in rows for n in r.breakdown.notes]
        found = [self.count.note, *first, *self.media, self.beyond(work)]
        unique: list[Note] = []
        for note in found:
            if note is not None and note not in unique:
                unique.append(note)
        return unique

    def tokens(self, asked: str | None) -> int | None:
        """The context ``asked`` names for this model: tokens (``8192``, ``8k``, ``128k``), ``max`` (the
        model's limit), or None (nothing asked: the default).

        Raises:
            BadArgument: not a context, or ``max`` for a model whose limit is not known.
        """
        if asked is None or not asked.strip():
            return None
        if self.pipeline is not None:
            raise BadArgument(
                f"--context: {self.title} is a {self.pipeline.class_name}, which makes images from a prompt; "
                "it has no context length to set"
            )
        if asked.strip().lower() == "max":
            limit = self.limit()
            if limit is None:
                raise BadArgument(
                    f"--context max: the longest context of {self.title} is not known; give tokens",
                    key="err_context_max",
                    values={"title": self.title},
                )
            return limit
        return parse_context(asked)

    def workload(
        self, context: int | None = None, batch: int = 1, gpus: int = 1, kv_bits: int | None = None
    ) -> Workload:
        """``context`` tokens (default: the model's maximum, at most 4096) × ``batch`` on ``gpus`` cards,
        the KV cache in ``kv_bits`` bits (None: as the weights' format keeps it).

        Raises:
            BadArgument: a value below 1.
        """
        if context is None:
            limit = self.limit()
            context = min(DEFAULT_CONTEXT, limit) if limit else DEFAULT_CONTEXT
        return Workload(context=context, batch=batch, gpus=gpus, kv_bits=kv_bits)


@dataclass(frozen=True, slots=True)
class Estimate:
    """One row: the memory, whether it fits the card (None without one), decode tokens/s and the largest
    context that fits the card (inference on a card; None otherwise or without a config)."""

    breakdown: Breakdown
    fits: bool | None
    decode_tokens_per_second: float | None
    max_context: int | None = None
    first_token_seconds: float | None = None
    #: For a GGUF file on a card: llama.cpp's layers on the card (-ngl) and the RAM the rest takes.
    offload: Offload | None = None


def subjects(
    target: str,
    *,
    configs_dir: Path,
    resolve: Resolver,
    paths: bool = True,
    synced: ConfigLookup | None = None,
    hub: ConfigLookup | None = None,
) -> list[Subject]:
    """What a person typed, as the model sizes to estimate for: a config.json path (``paths`` only: a web
    request never reads a file on this machine), a Hub repo id or URL, a size (``70B``, ``8x7B``,
    ``62亿``), a catalog model, size or family (every size), or the name of a bundled repo without its
    owner (``chatglm3-6b``).

    A repo's config is the catalog's bundled copy, else the one ``synced`` finds (the store's copy from
    `sync`), else the one ``hub`` fetches; either may be None. ``configs_dir`` is the catalog's
    ``configs/``; paths under the catalog are shown relative to the catalog's parent.

    Raises:
        ConfigError: the config cannot be used.
        NotFound: no such file, repo, size or model; or the model has neither a config nor a stated size.
        SourceError: ``hub`` failed (raised by it).
        StoreMissing: a model name was given and no store is built (raised by ``resolve``).
    """
    target = target.strip()
    repo = hub_repo(target)
    looks_like_path = repo is None and (target.endswith(".json") or target.startswith((".", "/", "~")))
    if paths:
        path = Path(target).expanduser()
        if path.suffix.lower() == ".gguf":
            return [gguf_subject(read_gguf(path))]
        found = pipeline_at(path) if path.exists() else None
        if found is not None:
            index, folder = found
            return [_subject(str(path), index, folder, str(path))]
        if path.exists():
            data = read_config(path)
            return [_subject(str(path), data, path.parent, str(path))]
        if looks_like_path:
            raise NotFound(f"{target}: no such file")
    elif looks_like_path:
        raise NotFound(
            f"{target!r} is not a catalog model, a size or a Hub repo",
            key="err_no_subject",
            values={"text": target},
        )
    if repo is not None:
        return [_from_repo(repo, configs_dir, synced, hub)]
    size = size_subject(target)
    if size is not None:
        return [size]
    try:
        model = resolve(target)
    except NotFound:
        bundled = _bundled_by_name(configs_dir, target)
        if bundled is None:
            raise
        return [_from_repo(bundled, configs_dir, None, None)]
    return _from_model(model, target, configs_dir)


def gguf_subject(model: GgufModel) -> Subject:
    """The subject a GGUF header describes: counted from its tensors, its weights as stored."""
    return Subject(model.name, model.count, model.origin, context_length=model.shape.max_context, gguf=model)


def hub_repo(text: str) -> str | None:
    """The Hub repo ``text`` names: ``owner/name``, or a Hub URL of the repo or of a file in it."""
    found = _HUB_URL.fullmatch(text)
    repo = found["repo"] if found else text
    return repo if _REPO.fullmatch(repo) else None


def size_subject(text: str) -> Subject | None:
    """A size typed instead of a model (``70B``, ``7e9``, ``62亿``, ``8x7B``), counted as its weights
    alone; None when ``text`` is no size of at least a million parameters."""
    found = _EXPERTS.fullmatch(text)
    experts, each = (int(found["n"]), found["each"]) if found else (1, text)
    try:
        total = experts * parse_count(each)
    except BadArgument:
        return None
    if not MIN_SIZE <= total <= _IMPLAUSIBLE:
        return None
    values = {"text": text, "total": total}
    note = Note("note_size", values)
    if experts > 1:
        note = Note("note_size_experts", {**values, "experts": experts, "each": each})
    return Subject(text, estimate_from_total(total, note=note), "size")


def parse_config(text: str, *, origin: str = PASTED) -> dict[str, Any]:
    """The JSON object in ``text`` (a config.json's contents).

    Raises:
        ConfigError: not JSON, or not an object; the message gives the line and column.
    """
    return json_object(text, origin)


def pasted_subject(data: Mapping[str, Any], *, origin: str = PASTED) -> Subject:
    """The subject a config given as data describes, titled by its repo or class.

    Raises:
        ConfigError: the config lacks a setting the count needs, or describes no plausible model; or it is
            a pipeline's model_index.json, whose components' configs are not in it.
    """
    if is_pipeline(data):
        raise ConfigError(
            origin,
            "_class_name",
            f"a {data['_class_name']}'s model_index.json only names its components, whose configs sit in "
            "folders beside it: ask for the Hub repo, or give `modelatlas memory` the pipeline's folder",
        )
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


def downloadable(model: Model) -> bool:
    """Weights anyone can fetch, so that a fit means something: open or restricted-open, or (openness
    unknown) a listed repo or download. `fit` and the pages' "fits on my GPU" count only these."""
    if model.openness is not None:
        return model.openness in OPEN_WEIGHTS
    return bool(model.weights and (model.weights.huggingface or model.weights.urls))


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


def inference_need(found: Subject, precision: Precision, work: Workload) -> Breakdown | None:
    """The memory to serve ``found`` in ``precision``; None for a pipeline in a format its weights are not
    counted in (a quantised one)."""
    if found.pipeline is None:
        return inference(found.count, precision, work)
    if precision.scope != "all":
        return None
    return pipeline_inference(found.pipeline, precision, work)


def inference_estimate(found: Subject, precision: Precision, work: Workload, card: Gpu | None) -> Estimate:
    """Serving ``found`` in ``precision``: memory, fit on ``card`` and decode speed on it (a pipeline: the
    memory and the fit; it decodes no tokens).

    Raises:
        BadArgument: a pipeline in a quantised format.
    """
    if found.pipeline is not None:
        row = pipeline_inference(found.pipeline, precision, work)
        return Estimate(row, None if card is None else fits_on(row, card), None)
    row = inference(found.count, precision, work)
    if card is None:
        return Estimate(row, None, None)
    memory = GpuTable.memory_bytes(card)
    speed = decode_tokens_per_second(found.count, precision, work, card)
    longest = largest_context(found.count, precision, work, memory, found.limit())
    first = first_token_seconds(found.count, work, card)
    # llama.cpp's split only for the file's own bytes, not for another format of the same model
    own = found.gguf is not None and precision == found.gguf.precision()
    split = offload(found.gguf, work, memory) if found.gguf and own else None
    return Estimate(row, fits_on(row, card), speed, longest, first, split)


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
        BadArgument: training without a config (the shape is unknown) or a pipeline; a pipeline in a
            quantised format.
    """
    if train is None:
        chosen = precisions or ([found.gguf.precision()] if found.gguf else precision_list())
        if found.pipeline is not None and not precisions:
            chosen = [p for p in chosen if p.scope == "all"]
        return [inference_estimate(found, p, work, card) for p in chosen]
    if found.pipeline is not None:
        raise BadArgument(
            "--train: fine-tuning memory is modelled for language models, "
            f"not for a {found.pipeline.class_name}"
        )
    modes = [checkpointing] if checkpointing is not None else [False, True]
    rows = [training(found.count, train, work, checkpointing=c, lora_rank=lora_rank) for c in modes]
    return [Estimate(row, None if card is None else fits_on(row, card), None) for row in rows]


def _from_model(model: Model, asked: str, configs_dir: Path) -> list[Subject]:
    """The size ``asked`` names, else the model's only size, else every size it has (a family)."""
    configs = model_configs(model, configs_dir)
    chosen = pick_config(configs, asked)
    if chosen is not None:
        return [_from_config(model, chosen, configs_dir)]
    if configs:
        return [_from_config(model, found, configs_dir) for found in configs]
    label, total = _stated_total(model, asked)
    if total is not None:
        return [_stated(model, label, total)]
    every = model_subjects(model, configs_dir)
    if not every:
        raise NotFound(
            f"{model.id} has no config.json in the catalog and no stated parameter count; "
            "paste its config.json or type its size (7B)",
            key="err_no_size",
            values={"model": model.id},
        )
    return every


def _from_repo(
    repo: str, configs_dir: Path, synced: ConfigLookup | None, hub: ConfigLookup | None
) -> Subject:
    """The size a Hub repo's config describes: the bundled copy, the store's synced one, or the Hub's.

    Raises:
        NotFound: none of them has it.
    """
    bundled = bundled_config(configs_dir, repo)
    if bundled is not None:
        folder = bundled.parent / bundled.stem
        return _subject(repo, read_config(bundled), folder, repo, _shown(bundled, configs_dir))
    unreachable = ""
    for origin, lookup in (("origin_synced", synced), ("origin_hub", hub)):
        try:
            data = lookup(repo) if lookup is not None else None
        except SourceError as exc:
            unreachable = f", and the Hub could not be asked ({exc})"
            continue
        if data is not None:
            found = pasted_subject(data, origin=repo_origin(repo, origin))
            return Subject(repo, found.count, found.origin)
    where = "the catalog bundles none and the store has none"
    if hub is not None and not unreachable:
        where += ", and the Hub has none"
    raise NotFound(
        f"no config.json for {repo!r}: {where}{unreachable}; paste its config.json or type its size (7B)",
        key="err_no_repo_config_offline" if unreachable else "err_no_repo_config",
        values={"repo": repo},
    )


def _bundled_by_name(configs_dir: Path, name: str) -> str | None:
    """The bundled repo (as its file spells it) whose name without its owner is ``name``
    (``glm-4-9b-chat-hf``), if exactly one."""
    key = name_key(name)
    found = [
        path for repo, path in bundled_repos(configs_dir).items() if name_key(repo.split("/")[-1]) == key
    ]
    return found[0].relative_to(configs_dir).with_suffix("").as_posix() if len(found) == 1 else None


def _from_config(model: Model, found: ModelConfig, configs_dir: Path) -> Subject:
    bare = _subject(found.label, read_config(found.path), found.path.parent / found.path.stem, found.repo)
    context = found.context_length or model.context_length
    shown = _shown(found.path, configs_dir)
    return Subject(found.label, bare.count, shown, model.id, context, model.hardware, pipeline=bare.pipeline)


def _subject(
    title: str, data: Mapping[str, Any], folder: Path, origin: str, shown: str | None = None
) -> Subject:
    """A config's subject: counted from a config.json, or, for a diffusers model_index.json, from its
    components' configs in ``folder`` (``<folder>/<component>/config.json``). ``origin`` names the config
    in errors, ``shown`` (default: ``origin``) where it came from."""
    if is_pipeline(data):
        pipeline = read_pipeline(data, folder, origin)
        return Subject(title, pipeline.count(), shown or origin, pipeline=pipeline)
    return Subject(title, count_parameters(data, origin=origin), shown or origin)


def _stated(model: Model, label: str, total: int) -> Subject:
    count = estimate_from_total(total, note=Note("note_stated", {"model": model.id, "total": total}))
    made = sorted(set(model.modalities.output if model.modalities else ()) & set(_MEDIA))
    media = [Note("note_media", {"made": [_MEDIA[m] for m in made]})] if made else []
    return Subject(label, count, "stated", model.id, model.context_length, model.hardware, media=media)


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
