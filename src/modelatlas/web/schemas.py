"""What the JSON API answers: one pydantic model per response, so ``/openapi.json`` documents it."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from pydantic import BaseModel, Field

from modelatlas.analysis.hardware.gpus import GIB
from modelatlas.analysis.hardware.memory import Workload
from modelatlas.analysis.hardware.subjects import Estimate, Subject
from modelatlas.catalog.schema import Gpu

__all__ = [
    "ComponentOut",
    "ErrorBody",
    "ErrorOut",
    "GpuOut",
    "LineageOut",
    "MemoryAnswer",
    "MemoryOut",
    "MemoryRowOut",
    "OffloadOut",
    "ModelDetailOut",
    "ModelListOut",
    "ModelSummaryOut",
    "SubjectOut",
    "TrendOut",
    "WorkloadOut",
]


class ModelSummaryOut(BaseModel):
    """One model in a listing; with ``fields=`` only the fields asked for are present."""

    id: str | None = None
    name: str | None = None
    organizations: list[str] | None = None
    countries: list[str] | None = None
    domains: list[str] | None = None
    parameters: int | None = None
    released: str | None = None
    openness: str | None = None
    architecture: str | None = None
    license: str | None = None


class ModelListOut(BaseModel):
    total: int = Field(description="Models that pass the filters.")
    offset: int
    limit: int
    next_offset: int | None = Field(description="Offset of the next page; null on the last page.")
    items: list[ModelSummaryOut]
    facets: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="Counts per facet value among the models that pass the filters."
    )


class ModelDetailOut(BaseModel):
    """The whole catalog record, its lineage and what live sources last said."""

    model: dict[str, Any]
    lineage: dict[str, list[dict[str, Any]]]
    live: list[dict[str, Any]]


class ErrorBody(BaseModel):
    status: int
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


class TrendOut(BaseModel):
    """A log-linear growth fit: growth per year, doubling time and their 90% bootstrap intervals."""

    fit: dict[str, Any] = Field(
        description="metric, n, growth_per_year, doubling_months, ci90, doubling_ci90 …"
    )
    headline: str
    selected: int | None = Field(
        default=None,
        description="How many models the filters select, each once (dated versions not counted), with or "
        "without the metric: the models /api/v1/models lists for the same filters.",
    )
    selection: dict[str, str] = Field(
        description="The filters given, by name (released_after and released_before also as since and "
        "until), organizations as ids; population and estimates."
    )
    breakpoints: dict[str, Any] | None = Field(
        default=None,
        description="With breaks=: the dates new eras start on, each era's fit (as fit) and the BIC of each "
        "number of breaks tried.",
    )


class LineageEdgeOut(BaseModel):
    model: str
    name: str
    relation: str
    depth: int


class LineageOut(BaseModel):
    model: str
    name: str
    up: list[LineageEdgeOut] = Field(description="What it was built on, nearest first.")
    down: list[LineageEdgeOut] = Field(description="What was built on it, nearest first.")


class DerivativesOut(BaseModel):
    total: int = Field(description="Repos naming the base (down the tree with depth=all), each once.")
    finetune: int
    adapter: int
    quantized: int
    merge: int


class EcosystemOut(BaseModel):
    base: str = Field(description="The base model's Hub repo.")
    depth: str = Field(description="1: the repos that name the base; all: their derivatives too.")
    derivatives: DerivativesOut = Field(description="Repos per relation; a repo with two counts in both.")
    by_month: dict[str, dict[str, int]] = Field(
        description="Per month of the derivative's creation (YYYY-MM), the repos per relation."
    )


class EcosystemFieldOut(BaseModel):
    months: list[str] = Field(description="The months each top base's by_month covers (YYYY-MM).")
    window: int = Field(description="Months compared for growth: the last `window` against those before.")
    bases: int = Field(description="Hub repos that some repo names as its base.")
    derivatives: int = Field(description="Repos that name a base, each once.")
    top_bases: list[dict[str, Any]] = Field(
        description="The most built-upon bases: base, total, by_month, recent, previous, growth, days to "
        "the first and tenth quantized copies, and the catalog model when the catalog names the repo."
    )
    by_month: dict[str, dict[str, int]] = Field(
        description="New derivatives per month of creation: total, and those built on bases from China (CN)."
    )
    by_model: list[dict[str, Any]] = Field(description="Per catalog model, its repos added up, with growth.")
    by_country: dict[str, int] = Field(description="Derivatives by the country of their base's maker.")
    by_licence: list[Any] = Field(description="Derivatives by licence.")
    by_pipeline: list[Any] = Field(description="Derivatives by pipeline tag.")
    quantized_by_release: list[dict[str, Any]] = Field(
        description="Per month of a base's release, the median days to its first and tenth quantized copy."
    )


def _gib(value: int) -> float:
    return round(value / GIB, 3)


class ComponentOut(BaseModel):
    """One network of a diffusion pipeline."""

    name: str = Field(description="Its name in model_index.json: unet, transformer, text_encoder, vae …")
    model_class: str = Field(description="Its class: UNet2DConditionModel, CLIPTextModel …")
    parameters: int | None = Field(description="Counted from its config.json; null when not counted.")
    note: str | None = Field(default=None, description="Why it is not counted.")


class SubjectOut(BaseModel):
    """The model size estimated for, and where its parameter count comes from."""

    title: str
    model: str | None = Field(description="Catalog id; null for a pasted config or a bare repo.")
    origin: str = Field(
        description="The config used (catalog/configs/…), `stated` (the sources' size) or a pasted config."
    )
    parameters: int
    active_parameters: int | None = Field(description="Parameters used per token by a mixture of experts.")
    exact: bool = Field(description="Counted from the config; false for an estimate.")
    architecture: str
    model_class: str
    groups: dict[str, int] = Field(
        description="Parameters by group: embedding, attention, mlp …; for a diffusion pipeline, by network "
        "(unet, text_encoder, vae …)."
    )
    components: list[ComponentOut] | None = Field(
        default=None,
        description="A diffusion pipeline's networks as its model_index.json names them; null otherwise.",
    )


class WorkloadOut(BaseModel):
    context: int | None = Field(
        description="Tokens per sequence; null for an image generator, which has none."
    )
    batch: int = Field(description="Sequences at once.")
    gpus: int = Field(description="Cards the model is split across.")
    kv_bits: int | None = Field(
        default=None, description="Bits per KV-cache value; null: as the weights keep it."
    )


class GpuOut(BaseModel):
    id: str
    name: str
    vendor: str
    segment: str
    memory_gb: float = Field(description="Vendors' GB are binary: 24 GB is 24 GiB.")
    bandwidth_gbs: float | None
    fp16_tflops: float | None = Field(default=None, description="Peak dense FP16 TFLOPS, tensor cores.")
    fp16_kind: Literal["stated", "estimated"] | None = Field(
        default=None,
        description="stated: the maker's figure for this card; estimated: a calculation or a carry-over.",
    )
    gpu_share: float | None = Field(
        default=None, description="Unified memory (Apple): the share of memory_gb the GPU may hold."
    )
    source: str = Field(description="Where the figures come from (gpus.yaml's sources).")


class OffloadOut(BaseModel):
    """llama.cpp's split of a GGUF file: the most layers the card holds (``-ngl``), and the RAM the
    rest takes."""

    layers: int = Field(
        description="Layers on the card (-ngl); one more than the model has: the output layer too."
    )
    total_layers: int
    gpu: int = Field(description="Bytes on the card: those layers, their KV cache, the compute buffer, CUDA.")
    ram: int = Field(
        description="Bytes of system RAM: the token embedding, the other layers and their KV cache."
    )


class MemoryRowOut(BaseModel):
    """One precision (or training method): bytes by part, their total, and the fit on the card."""

    label: str = Field(description="The precision, e.g. int4; or the training method, e.g. qlora.")
    breakdown: dict[str, int] = Field(description="Bytes: weights, kv_cache, activations, overhead …")
    breakdown_gib: dict[str, float]
    total: int = Field(description="Bytes over all cards.")
    total_gib: float
    per_gpu: int = Field(description="Bytes on each card.")
    per_gpu_gib: float
    fits: bool | None = Field(description="Whether each card holds its share; null without a card.")
    decode_tokens_per_second: float | None = Field(
        description="Memory-bandwidth bound upper estimate (inference on a card with a known bandwidth)."
    )
    first_token_seconds: float | None = Field(
        default=None,
        description="Prefill time of the prompt at the card's peak FP16 rate: a lower bound (a card with a "
        "known FP16 figure and a config).",
    )
    offload: OffloadOut | None = Field(
        default=None, description="For a GGUF file's own format on a card: llama.cpp's -ngl split (estimate)."
    )
    max_context: int | None = Field(
        default=None,
        description="The most tokens per sequence that fit the card at this batch and KV format, up to the "
        "model's limit (inference on a card; null without one or without a config).",
    )


class MemoryOut(BaseModel):
    """GPU memory to serve or fine-tune a model, per precision, with the fit on a card."""

    subject: SubjectOut
    training: str | None = Field(description="full, lora or qlora; null for inference.")
    workload: WorkloadOut
    gpu: GpuOut | None
    rows: list[MemoryRowOut]
    stated: list[dict[str, Any]] = Field(description="GPU memory the model's sources state.")
    notes: list[str]

    @classmethod
    def of(
        cls,
        found: Subject,
        work: Workload,
        rows: list[Estimate],
        card: Gpu | None,
        training: str | None,
        lang: str = "en",
    ) -> MemoryOut:
        """The estimate of ``found`` for ``work``, its notes said in ``lang`` (the API's in English)."""
        count = found.count
        components = None
        if found.pipeline is not None:
            components = [
                ComponentOut(
                    name=c.name,
                    model_class=c.class_name,
                    parameters=c.parameters,
                    note=c.note.said(lang) if c.note else None,
                )
                for c in found.pipeline.components
            ]
        return cls(
            subject=SubjectOut(
                title=found.title,
                model=found.model_id,
                origin=found.origin,
                parameters=count.total,
                active_parameters=count.active,
                exact=count.exact,
                architecture=count.architecture,
                model_class=count.model_class,
                groups={k: v for k, v in count.groups.items() if v},
                components=components,
            ),
            training=training,
            workload=WorkloadOut(
                context=None if found.pipeline else work.context,
                batch=work.batch,
                gpus=work.gpus,
                kv_bits=work.kv_bits,
            ),
            gpu=GpuOut.model_validate(card.model_dump()) if card else None,
            rows=[
                MemoryRowOut(
                    label=r.breakdown.label,
                    breakdown=dict(r.breakdown.parts),
                    breakdown_gib={k: _gib(v) for k, v in r.breakdown.parts.items()},
                    total=r.breakdown.total,
                    total_gib=_gib(r.breakdown.total),
                    per_gpu=r.breakdown.per_gpu,
                    per_gpu_gib=_gib(r.breakdown.per_gpu),
                    fits=r.fits,
                    decode_tokens_per_second=r.decode_tokens_per_second,
                    max_context=r.max_context,
                    first_token_seconds=r.first_token_seconds,
                    offload=OffloadOut.model_validate(dataclasses.asdict(r.offload)) if r.offload else None,
                )
                for r in rows
            ],
            stated=[h.model_dump(mode="json", exclude_none=True) for h in found.stated],
            notes=[n.said(lang) for n in found.notes(work, rows)],
        )


class MemoryAnswer(BaseModel):
    """The estimate for every size of what was asked: one for a model size, a repo or a config; one per
    size for a family (llama-2: 7B, 13B, 70B)."""

    asked: str = Field(description="What was asked, as typed; empty for a pasted config.json.")
    sizes: list[MemoryOut] = Field(
        description="One estimate per size, smallest first as the catalog lists them."
    )
