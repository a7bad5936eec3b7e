"""Diffusion pipelines: the networks a diffusers ``model_index.json`` names, each counted from its config.

A pipeline (Stable Diffusion, SDXL, FLUX.1) runs several networks together: a denoiser (a UNet or a
transformer), one or two text encoders, a VAE and, in Stable Diffusion 1.x, a safety checker. Its
``model_index.json`` names each component's library and class; the component's ``config.json`` sits in
a folder of the same name beside it, as on the Hub. Tokenizers, schedulers and feature extractors hold
no weights and are left out.

``read_pipeline`` counts every component it can (``count_component``); one it cannot (no config beside
the index, or a class modelatlas does not count) stays in the list with no count and a note, so the
total is then a lower bound. ``pipeline_inference`` turns the counts into weight bytes per component.
Activations grow with the resolution and the number of images, and no published formula gives them for
these networks, so they are left unknown (never 0): the total is the weights' lower bound.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelatlas.analysis.hardware import _diffusers as D
from modelatlas.analysis.hardware import _encoders as E
from modelatlas.analysis.hardware._tally import Config, Tally
from modelatlas.analysis.hardware.configs import read_config
from modelatlas.analysis.hardware.memory import Breakdown, Workload, overhead
from modelatlas.analysis.hardware.params import ParameterCount, count_parameters
from modelatlas.analysis.hardware.precision import Precision
from modelatlas.analysis.hardware.wording import Note
from modelatlas.errors import BadArgument, ConfigError

__all__ = [
    "COUNTED_CLASSES",
    "Component",
    "Pipeline",
    "count_component",
    "is_pipeline",
    "pipeline_at",
    "pipeline_inference",
    "read_pipeline",
]

#: Component classes with no weights: they are named in the index and skipped.
_WEIGHTLESS = ("Scheduler", "Tokenizer", "TokenizerFast", "FeatureExtractor", "ImageProcessor", "Processor")

_DIFFUSERS: dict[str, Callable[[Config, Tally], None]] = {
    "UNet2DConditionModel": D.unet_2d_condition,
    "AutoencoderKL": D.autoencoder_kl,
    "FluxTransformer2DModel": D.flux_transformer,
    "StableDiffusionSafetyChecker": E.safety_checker,
}
#: transformers classes a pipeline uses as text encoders, and the model_type their configs carry.
_TRANSFORMERS = {
    "CLIPTextModel": "clip_text_model",
    "CLIPTextModelWithProjection": "clip_text_model",
    "T5EncoderModel": "t5",
}
#: The component classes counted exactly.
COUNTED_CLASSES = tuple(sorted({*_DIFFUSERS, *_TRANSFORMERS}))

#: Pipelines whose __call__ casts a ``force_upcast`` VAE to float32 to decode from float16 (diffusers
#: ``StableDiffusionXLPipeline.upcast_vae``); the float32 copy replaces the float16 one while it decodes.
_UPCASTING = (
    "StableDiffusionXLPipeline",
    "StableDiffusionXLImg2ImgPipeline",
    "StableDiffusionXLInpaintPipeline",
)


@dataclass(frozen=True, slots=True)
class Component:
    """One network of a pipeline: its name in the index (``unet``), its class, its parameter count (None
    when not counted, with ``note`` saying why) and whether its pipeline decodes it in float32."""

    name: str
    class_name: str
    parameters: int | None
    note: Note | None = None
    upcast: bool = False


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A diffusers pipeline: its class (``StableDiffusionPipeline``) and its networks, in index order."""

    class_name: str
    components: tuple[Component, ...]

    @property
    def total(self) -> int:
        """Parameters of the components counted."""
        return sum(c.parameters or 0 for c in self.components)

    @property
    def complete(self) -> bool:
        """Every component with weights is counted."""
        return all(c.parameters is not None for c in self.components)

    def count(self) -> ParameterCount:
        """The pipeline as one count: a group per component, no shape (it has no context or KV cache)."""
        missing = [c for c in self.components if c.parameters is None]
        note = None
        if missing:
            parts = [
                Note("note_component", {"name": c.name, "class_name": c.class_name, "why": c.note})
                for c in missing
            ]
            note = Note("note_uncounted", {"parts": parts})
        return ParameterCount(
            architecture="diffusers pipeline",
            model_class=self.class_name,
            total=self.total,
            active=None,
            groups={c.name: c.parameters for c in self.components if c.parameters is not None},
            shape=None,
            exact=not missing,
            note=note,
        )


def is_pipeline(data: Mapping[str, Any]) -> bool:
    """Whether ``data`` is a diffusers ``model_index.json`` (its ``_class_name`` is a pipeline)."""
    name = data.get("_class_name")
    return isinstance(name, str) and name.endswith("Pipeline")


def read_pipeline(index: Mapping[str, Any], folder: Path | None, origin: str) -> Pipeline:
    """The pipeline ``index`` (a ``model_index.json``) names, each component counted from
    ``folder/<name>/config.json``; with no folder (a pasted index) no component can be counted.

    Raises:
        ConfigError: ``index`` is no pipeline, or a component's config cannot be read or counted.
    """
    if not is_pipeline(index):
        raise ConfigError(origin, "_class_name", "is not a diffusers pipeline's model_index.json")
    pipeline_class = str(index["_class_name"])
    components: list[Component] = []
    for name, value in index.items():
        if name.startswith("_") or not isinstance(value, list) or len(value) != 2:
            continue
        library, class_name = value
        if not isinstance(class_name, str) or class_name.endswith(_WEIGHTLESS):
            continue
        path = folder / name / "config.json" if folder is not None else None
        if path is None or not path.is_file():
            components.append(Component(name, class_name, None, Note("why_no_config")))
            continue
        if class_name not in COUNTED_CLASSES:
            components.append(
                Component(
                    name,
                    class_name,
                    None,
                    Note("why_not_counted", {"library": library, "class_name": class_name}),
                )
            )
            continue
        config = read_config(path)
        upcast = (
            class_name == "AutoencoderKL"
            and pipeline_class in _UPCASTING
            and bool(config.get("force_upcast"))
        )
        count = count_component(class_name, config, origin=f"{origin} {name}/config.json")
        components.append(Component(name, class_name, count, upcast=upcast))
    if not components:
        raise ConfigError(origin, "_class_name", f"{pipeline_class} names no component with weights")
    return Pipeline(pipeline_class, tuple(components))


def count_component(class_name: str, config: Mapping[str, Any], *, origin: str) -> int:
    """The exact parameter count of one pipeline component of class ``class_name``.

    Raises:
        ConfigError: a class not in :data:`COUNTED_CLASSES`, or a config that cannot be counted.
    """
    if class_name in _TRANSFORMERS:
        data = {**config, "model_type": _TRANSFORMERS[class_name], "architectures": [class_name]}
        return count_parameters(data, origin=origin).total
    counter = _DIFFUSERS.get(class_name)
    if counter is None:
        raise ConfigError(origin, "_class_name", f"{class_name} is not a component modelatlas counts")
    tally = Tally()
    counter(Config(config, origin), tally)
    return tally.total


def pipeline_inference(pipeline: Pipeline, precision: Precision, work: Workload) -> Breakdown:
    """The weights of every component in ``precision`` (a float format: fp32, fp16, bf16) and the
    overhead; activations unknown, so the total is a lower bound.

    Raises:
        BadArgument: a quantised format (which layers of a UNet or VAE a quantiser keeps in 16 bits is
            not modelled).
    """
    if precision.scope != "all":
        raise BadArgument(
            f"--precision {precision.name}: a {pipeline.class_name}'s weights are counted in fp32, fp16 or "
            "bf16 only (which of its layers a quantiser keeps in 16 bits is not modelled)"
        )
    parts: dict[str, int] = {}
    notes: list[Note] = []
    for c in pipeline.components:
        if c.parameters is None:
            continue
        bits = 32 if c.upcast and precision.name == "fp16" else precision.bits
        parts[c.name] = round(c.parameters * bits / 8)
        if bits != precision.bits:
            notes.append(Note("note_upcast", {"component": c.name, "pipeline": pipeline.class_name}))
    parts["overhead"] = overhead(sum(parts.values()), work.gpus)
    notes.append(Note("note_pipeline_activations"))
    return Breakdown(precision.name, parts, work.gpus, notes)


def pipeline_at(path: Path) -> tuple[dict[str, Any], Path] | None:
    """The ``model_index.json`` at ``path`` (the file, or a folder holding it, as a downloaded pipeline
    is) and the folder of its components; None when ``path`` is neither.

    Raises:
        ConfigError: the index cannot be read.
    """
    index = path / "model_index.json" if path.is_dir() else path
    if index.name != "model_index.json" or not index.is_file():
        return None
    return read_config(index), index.parent
