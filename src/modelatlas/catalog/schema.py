"""The typed records of the catalog: Model, Organization, Technique, Benchmark.

Every record is strict: an unknown key is an error, so a misspelt field fails validation
instead of vanishing. Facts are backed by ``sources``; see ``modelatlas.catalog.validate``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from modelatlas.catalog.units import parse_count
from modelatlas.catalog.vocab import (
    ArchType,
    Domain,
    Modality,
    Openness,
    OrgKind,
    Precision,
    Purpose,
    Relation,
    TechniqueKind,
)
from modelatlas.errors import BadArgument

__all__ = [
    "SOURCED_LISTS",
    "Architecture",
    "BaseEdge",
    "Benchmark",
    "Confidence",
    "Count",
    "Dispute",
    "Estimate",
    "Evaluation",
    "Gpu",
    "GpuFile",
    "HardwareNeed",
    "Modalities",
    "Model",
    "Organization",
    "Paper",
    "Parameters",
    "PartialDate",
    "Slug",
    "Source",
    "StatusNote",
    "Summary",
    "Technique",
    "Training",
    "Variant",
    "Weights",
]

_SLUG = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")
_ARXIV = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})$")
_HF_REPO = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


def _check_slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(f"{value!r} is not a slug: use lowercase letters, digits, '-' and '.'")
    return value


def _check_url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _check_arxiv(value: str) -> str:
    value = re.sub(r"v\d+$", "", value.strip())
    if not _ARXIV.match(value):
        raise ValueError(f"{value!r} is not an arXiv id such as 2302.13971")
    return value


def _check_hf_repo(value: str) -> str:
    if not _HF_REPO.match(value):
        raise ValueError(f"{value!r} is not a Hugging Face repo id such as THUDM/chatglm-6b")
    return value


def _to_count(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | str):
        try:
            return parse_count(value)
        except BadArgument as exc:
            raise ValueError(str(exc)) from exc
    return value


Slug = Annotated[str, AfterValidator(_check_slug)]
Url = Annotated[str, AfterValidator(_check_url)]
ArxivId = Annotated[str, AfterValidator(_check_arxiv)]
HfRepo = Annotated[str, AfterValidator(_check_hf_repo)]
#: A non-negative integer count; YAML may write ``6200000000``, ``6.2e9``, ``"6.2B"`` or ``"62亿"``. At most
#: what the store's 64-bit integer columns hold: ``validate`` passed a larger ``context_length`` that
#: ``build`` then crashed on (issue 19).
Count = Annotated[int, BeforeValidator(_to_count), Field(ge=0, le=2**63 - 1)]
#: A non-negative finite number: an infinite compute or cost is no fact, and JSON (the API's, the merge's
#: shelf) has no way to write one (pydantic writes it as null).
Positive = Annotated[float, Field(ge=0, allow_inf_nan=False)]
#: Any finite number, for a score or a disputed value.
Finite = Annotated[float, Field(allow_inf_nan=False)]


#: ``2023``, ``2023-03`` or ``2023-03-14``: year, month and day.
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class PartialDate(BaseModel):
    """A date known to the year, the month or the day: ``2023``, ``2023-03`` or ``2023-03-14``."""

    model_config = ConfigDict(frozen=True)

    date: dt.date
    precision: Literal["year", "month", "day"]

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return value
        if isinstance(value, dt.datetime):
            return {"date": value.date(), "precision": "day"}
        if isinstance(value, dt.date):
            return {"date": value, "precision": "day"}
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            text = value.strip()
            found = _PARTIAL_DATE.fullmatch(text)
            if found:  # the date made from its parts, as strptime did at a tenth of the cost
                year, month, day = found.groups()
                try:
                    parsed = dt.date(int(year), int(month or 1), int(day or 1))
                except ValueError as exc:
                    raise ValueError(f"{text!r} is not a real date") from exc
                precision = "day" if day else "month" if month else "year"
                return {"date": parsed, "precision": precision}
        raise ValueError(f"{value!r} is not a date: write 2023, 2023-03 or 2023-03-14")

    def span(self) -> tuple[dt.date, dt.date]:
        """The first and last day the date may mean: ``2023`` is 2023-01-01 to 2023-12-31."""
        start = self.date
        if self.precision == "year":
            return dt.date(start.year, 1, 1), dt.date(start.year, 12, 31)
        if self.precision == "month":
            last = calendar.monthrange(start.year, start.month)[1]
            return dt.date(start.year, start.month, 1), dt.date(start.year, start.month, last)
        return start, start

    def __str__(self) -> str:
        if self.precision == "year":
            return f"{self.date.year:04d}"
        if self.precision == "month":
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()


DateField = Annotated[PartialDate, PlainSerializer(str, return_type=str)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Summary(_Strict):
    zh: str | None = None
    en: str | None = None


class Source(_Strict):
    """Where facts come from: a URL or a citation, when it was read, and which fields it supports."""

    id: Slug
    url: Url | None = None
    citation: str | None = None
    title: str | None = None
    accessed: dt.date
    fields: list[str] = Field(default_factory=list)
    #: What the listed fields are: ``stated`` by the maker (or relayed from the maker's statement), or
    #: ``measured`` (counted from the weights or the config). Estimates are not fields: see ``Estimate``.
    kind: Literal["stated", "measured"] = "stated"
    note: str | None = None

    @model_validator(mode="after")
    def _url_or_citation(self) -> Source:
        if not self.url and not self.citation:
            raise ValueError("a source needs a url or a citation")
        return self


class Modalities(_Strict):
    input: list[Modality] = Field(min_length=1)
    output: list[Modality] = Field(min_length=1)


class Architecture(_Strict):
    type: ArchType
    moe: bool = False
    note: str | None = None


class Parameters(_Strict):
    total: Count | None = None
    active: Count | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _active_le_total(self) -> Parameters:
        if self.total is not None and self.active is not None and self.active > self.total:
            raise ValueError(f"active parameters {self.active} exceed the total {self.total}")
        return self


class Training(_Strict):
    tokens: Count | None = None
    dataset: str | None = None
    compute_flop: Positive | None = None
    hardware: str | None = None
    gpu_hours: Positive | None = None
    cost_usd: Positive | None = None
    co2e_t: Positive | None = None
    note: str | None = None


class Variant(_Strict):
    """One size of a model: its own count, context, weights, and (when a source gives them for this size
    alone) its own release date and training figures, never mixed into the model's."""

    name: str
    parameters: Count | None = None
    context_length: Count | None = None
    weights: list[HfRepo] = Field(default_factory=list)
    released: DateField | None = None
    training: Training | None = None


class Paper(_Strict):
    title: str | None = None
    arxiv: ArxivId | None = None
    venue: str | None = None
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    #: The paper's own first public date (arXiv v1, or the publication), a fact apart from ``released``.
    date: DateField | None = None
    url: Url | None = None

    @model_validator(mode="after")
    def _something(self) -> Paper:
        if not (self.title or self.arxiv or self.url):
            raise ValueError("a paper needs a title, an arxiv id or a url")
        return self


class Weights(_Strict):
    huggingface: list[HfRepo] = Field(default_factory=list)
    urls: list[Url] = Field(default_factory=list)


class StatusNote(_Strict):
    """A dated statement about availability, e.g. "as of 2023-03-22 no code released"."""

    date: DateField
    note: str
    source: Slug


class BaseEdge(_Strict):
    """A lineage edge: this model was made from ``model`` by ``relation`` (and ``method``)."""

    model: Slug
    relation: Relation
    method: Slug | None = None
    note: str | None = None


class HardwareNeed(_Strict):
    """A source's statement of the GPU memory needed, e.g. ChatGLM-6B int4 inference 6 GB."""

    purpose: Purpose = "inference"
    precision: Precision | None = None
    gpu_memory_gb: Positive | None = None
    gpu: str | None = None
    note: str | None = None
    source: Slug


class Evaluation(_Strict):
    benchmark: Slug
    metric: str
    value: Finite | str
    date: DateField | None = None
    source: Slug


#: How sure an estimator says it is, in Epoch AI's terms: ``confident`` (within about 3x), ``likely``
#: (within about 10x), ``speculative`` (within about 30x: rumours and guesses).
Confidence = Literal["confident", "likely", "speculative"]


class Estimate(_Strict):
    """A number nobody who made the model states, estimated by a third party: never shown as a fact.

    ``field`` is the fact it stands in for (``parameters``, ``training.compute_flop``…); ``by`` who
    estimated it, ``method`` how (``rumour`` for a figure that only circulates), ``confidence`` how sure.
    """

    field: Literal[
        "parameters",
        "parameters.active",
        "context_length",
        "training.tokens",
        "training.compute_flop",
        "training.cost_usd",
        "training.gpu_hours",
        "training.co2e_t",
    ]
    value: Positive
    by: str
    method: str | None = None
    confidence: Confidence | None = None
    #: The variant (one size) the figure is about, when it is not the model's largest.
    variant: str | None = None
    source: Slug
    note: str | None = None


class Notability(_Strict):
    """A third party's judgement that a model is notable, with its criteria: Epoch AI's ``Notability
    criteria`` column (``SOTA improvement``, ``Highly cited``, ``Historical significance``…). Trends count
    notable models as Epoch AI's headline does; the curated catalog's records are notable by being there."""

    by: str
    criteria: list[str] = Field(min_length=1)
    source: Slug


class Dispute(_Strict):
    """A value some source claims that the catalog does not adopt, kept with its source."""

    field: str
    value: str | Finite | int
    source: Slug
    note: str | None = None


#: The lists of a model whose items each name, by id, the source in ``sources`` that supports them.
SOURCED_LISTS = ("hardware", "evaluations", "status_notes", "disputes", "estimates", "notability")


class Model(_Strict):
    """One model: the unit of the catalog, one YAML file each."""

    id: Slug
    name: str
    aliases: list[str] = Field(default_factory=list)
    family: Slug | None = None
    version: str | None = None
    #: This record is a dated version (``GPT-4 (Jun 2023)``) of that model, with facts of its own.
    version_of: Slug | None = None
    organizations: list[Slug] = Field(default_factory=list)
    domains: list[Domain] = Field(min_length=1)
    modalities: Modalities | None = None
    tasks: list[str] = Field(default_factory=list)
    architecture: Architecture | None = None
    parameters: Parameters | None = None
    context_length: Count | None = None
    variants: list[Variant] = Field(default_factory=list)
    training: Training | None = None
    techniques: list[Slug] = Field(default_factory=list)
    released: DateField | None = None
    announced: DateField | None = None
    papers: list[Paper] = Field(default_factory=list)
    code: list[Url] = Field(default_factory=list)
    weights: Weights | None = None
    demo: Url | None = None
    homepage: Url | None = None
    license: str | None = None
    openness: Openness | None = None
    status_notes: list[StatusNote] = Field(default_factory=list)
    base_models: list[BaseEdge] = Field(default_factory=list)
    hardware: list[HardwareNeed] = Field(default_factory=list)
    evaluations: list[Evaluation] = Field(default_factory=list)
    disputes: list[Dispute] = Field(default_factory=list)
    estimates: list[Estimate] = Field(default_factory=list)
    notability: list[Notability] = Field(default_factory=list)
    summary: Summary | None = None
    sources: list[Source] = Field(min_length=1)

    @property
    def names(self) -> list[str]:
        """The name, every alias and every variant name: all the spellings that resolve to this model."""
        return [self.name, *self.aliases, *(v.name for v in self.variants)]

    def record_json(self) -> str:
        """The record as JSON, its fields at their defaults left out: what the store keeps of it
        (``models.record_json``) and the merge's shelf holds; validated, it is this model again."""
        return self.model_dump_json(exclude_defaults=True)


class Organization(_Strict):
    id: Slug
    name: str
    name_zh: str | None = None
    aliases: list[str] = Field(default_factory=list)
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    #: Required in the catalog's own organizations.yaml; an imported list may not say.
    kind: OrgKind | None = None
    url: Url | None = None


class Technique(_Strict):
    id: Slug
    name: str
    name_zh: str | None = None
    aliases: list[str] = Field(default_factory=list)
    kind: TechniqueKind
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    paper: Paper | None = None
    summary: Summary | None = None


class Benchmark(_Strict):
    id: Slug
    name: str
    name_zh: str | None = None
    domain: Domain
    url: Url | None = None
    paper: Paper | None = None
    summary: Summary | None = None


class Gpu(_Strict):
    """A graphics card in ``gpus.yaml``: its memory, bandwidth and FP16 throughput, with a source."""

    id: Slug
    name: str
    aliases: list[str] = Field(default_factory=list)
    vendor: Literal["nvidia", "amd", "intel", "apple", "huawei"]
    segment: Literal["consumer", "workstation", "datacenter"]
    released: DateField | None = None
    #: As the vendor states it; GPU memory "GB" are binary (24 GB is 24 GiB).
    memory_gb: Annotated[float, Field(gt=0)]
    memory_type: str | None = None
    bandwidth_gbs: Annotated[float, Field(gt=0)] | None = None
    #: Peak dense FP16 throughput without sparsity (tensor cores where the card has them).
    fp16_tflops: Annotated[float, Field(gt=0)] | None = None
    #: What ``fp16_tflops`` is: the maker's figure for this card (``stated``, perhaps halved from a
    #: with-sparsity one), or a calculation or carry-over (``estimated``); the note says by whom.
    fp16_kind: Literal["stated", "estimated"] | None = None
    #: Unified memory (Apple): the share of ``memory_gb`` the GPU may hold (Metal's working-set limit).
    gpu_share: Annotated[float, Field(gt=0, le=1)] | None = None
    source: Slug
    note: str | None = None

    @model_validator(mode="after")
    def _fp16_kind_with_figure(self) -> Gpu:
        if (self.fp16_tflops is None) != (self.fp16_kind is None):
            raise ValueError(
                "fp16_tflops and fp16_kind go together: give both (stated or estimated) or neither"
            )
        return self

    def spellings(self) -> list[str]:
        return [self.id, self.name, *self.aliases]


class GpuFile(_Strict):
    sources: list[Source] = Field(min_length=1)
    gpus: list[Gpu] = Field(min_length=1)
