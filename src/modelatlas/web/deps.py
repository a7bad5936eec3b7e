"""What routes depend on: the app's settings and engine, the request's language, the shared parsers, and the
hardware calculator's view of the catalog (cards, bundled configs) and of the store (its models' sizes)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, cast

from fastapi import Depends, Query, Request
from sqlalchemy import Engine

from modelatlas.analysis.hardware.gguf_file import MAX_HEADER
from modelatlas.analysis.hardware.memory import KV_FORMATS, MAX_CONTEXT, TrainMethod, kv_bits, parse_context
from modelatlas.analysis.hardware.precision import PRECISIONS
from modelatlas.analysis.hardware.subjects import (
    precision_list,
)
from modelatlas.catalog.units import date_bound, parse_count
from modelatlas.config import Settings
from modelatlas.errors import BadArgument
from modelatlas.store.browse import Browse, BrowseSort, organization_ids
from modelatlas.web.hardware import Hardware, MemoryQuery, weights_formats
from modelatlas.web.i18n import pick_lang
from modelatlas.web.views import TrendQuery

__all__ = [
    "BrowseDep",
    "EngineDep",
    "Hardware",
    "HardwareDep",
    "LangDep",
    "MemoryDep",
    "body_head",
    "MemoryQuery",
    "SettingsDep",
    "TrendDep",
    "browse_params",
    "memory_params",
    "trend_params",
]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


SettingsDep = Annotated[Settings, Depends(_settings)]
EngineDep = Annotated[Engine, Depends(_engine)]
LangDep = Annotated[str, Depends(pick_lang)]


def _count(value: str | None, name: str) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        return parse_count(value)
    except BadArgument as exc:
        raise BadArgument(f"{name}: {exc}", key="err_count", values={"field": name, "text": value}) from exc


def _date(value: str | None, name: str, *, end: bool) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return date_bound(value, end=end)
    except BadArgument as exc:
        raise BadArgument(f"{name}: {exc}", key="err_date", values={"field": name, "text": value}) from exc


def _hardware(settings: SettingsDep, engine: EngineDep) -> Hardware:
    return Hardware(settings, engine)


HardwareDep = Annotated[Hardware, Depends(_hardware)]


def _kv(value: str | None) -> str | None:
    """A form's KV-cache format: empty is None.

    Raises:
        BadArgument: not one of ``KV_FORMATS``.
    """
    if value is None or not value.strip():
        return None
    try:
        kv_bits(value)
    except BadArgument:
        raise BadArgument(
            f"kv: {value!r} is not one of {', '.join(KV_FORMATS)}",
            key="err_one_of",
            values={"field": "kv", "text": value, "choices": list(KV_FORMATS)},
        ) from None
    return value.strip().lower()


def _whole(value: str | None, name: str, top: int) -> int | None:
    """A form's number: empty is None; otherwise a whole number from 1 to ``top``."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= top:
        raise BadArgument(
            f"{name}: {value!r} is not a whole number from 1 to {top:,}",
            key="err_whole",
            values={"field": name, "text": value, "most": top},
        )
    return int(text)


_DIGITS = "^ *[0-9]* *$"


def memory_params(
    context: Annotated[
        str | None,
        Query(
            max_length=20,
            description="Tokens per sequence: 8192, 8k, 32k, 128k, or max (the model's limit). "
            "Default: the model's maximum, at most 4096.",
        ),
    ] = None,
    kv: Annotated[
        str | None,
        Query(
            max_length=10,
            description=f"KV-cache format: {', '.join(KV_FORMATS)}. Default: 16-bit, as the weights keep it.",
        ),
    ] = None,
    batch: Annotated[str | None, Query(pattern=_DIGITS, description="Sequences at once. Default 1.")] = None,
    precision: Annotated[
        list[str], Query(description=f"Weights format (repeatable; default all): {', '.join(PRECISIONS)}.")
    ] = [],  # noqa: B006
    train: Annotated[
        str | None,
        Query(
            pattern="^(full|lora|qlora)?$", description="Estimate fine-tuning instead: full, lora or qlora."
        ),
    ] = None,
    checkpointing: Annotated[
        bool | None, Query(description="Training with or without gradient checkpointing. Default: both.")
    ] = None,
    lora_rank: Annotated[int, Query(ge=1, le=4096, description="LoRA rank.")] = 16,
    gpu: Annotated[str | None, Query(description='A card: "RTX 4090", "A100 80GB", "rtx-3060-12gb".')] = None,
    gpus: Annotated[
        str | None, Query(pattern=_DIGITS, description="Split the model across this many cards. Default 1.")
    ] = None,
) -> MemoryQuery:
    """The query parameters of ``/api/v1/memory`` and the Hardware page; empty values mean the default."""
    asked = [n for n in precision if n.strip()]
    tokens = context.strip() if context and context.strip() else None
    if tokens is not None and tokens.lower() != "max":
        try:
            parse_context(tokens)
        except BadArgument:
            raise BadArgument(
                f"context: {tokens!r} is not a number of tokens (8192, 8k, 128k or max)",
                key="err_context",
                values={"text": tokens, "most": MAX_CONTEXT},
            ) from None
    return MemoryQuery(
        context=tokens,
        kv=_kv(kv),
        batch=_whole(batch, "batch", 100_000) or 1,
        precisions=tuple(p.name for p in precision_list(weights_formats(asked))) if asked else (),
        train=cast(TrainMethod, train) if train else None,
        checkpointing=checkpointing,
        lora_rank=lora_rank,
        gpu=gpu.strip() if gpu and gpu.strip() else None,
        gpus=_whole(gpus, "gpus", 1024) or 1,
    )


MemoryDep = Annotated[MemoryQuery, Depends(memory_params)]


def browse_params(
    q: Annotated[str | None, Query(description="Name, alias or words (Chinese or English).")] = None,
    domain: Annotated[list[str], Query(description="Domain (repeatable: any of them).")] = [],  # noqa: B006
    modality: Annotated[list[str], Query(description="Modality (repeatable).")] = [],  # noqa: B006
    org: Annotated[
        list[str], Query(description="Organization id, name or Chinese name: meta, Meta, 智谱 (repeatable).")
    ] = [],  # noqa: B006
    country: Annotated[list[str], Query(description="Country code, e.g. CN (repeatable).")] = [],  # noqa: B006
    openness: Annotated[list[str], Query(description="Openness (repeatable).")] = [],  # noqa: B006
    year: Annotated[list[int], Query(description="Release year (repeatable).")] = [],  # noqa: B006
    released_after: Annotated[
        str | None, Query(description="Released on or after: 2023, 2023-03 or 2023-03-14.")
    ] = None,
    released_before: Annotated[
        str | None, Query(description="Released on or before (the whole year or month counts).")
    ] = None,
    min_params: Annotated[
        str | None, Query(description="At least this many parameters: 7B, 6.2e9, 62亿.")
    ] = None,
    max_params: Annotated[str | None, Query(description="At most this many parameters.")] = None,
    open: Annotated[bool, Query(description="Only models whose weights can be downloaded.")] = False,
    gpu: Annotated[
        str | None,
        Query(description="Only models with a size that fits this card (as `modelatlas fit` counts it)."),
    ] = None,
    precision: Annotated[str, Query(description="The weights format for `gpu`.")] = "int4",
    sort: Annotated[
        str | None,
        Query(
            pattern="^(relevance|released|parameters|name)?$",
            description="Default: relevance with q, else released.",
        ),
    ] = None,
    order: Annotated[
        str | None, Query(pattern="^(asc|desc)?$", description="Default: asc for name, else desc.")
    ] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    *,
    hardware: HardwareDep,
) -> Browse:
    """The query parameters shared by ``/models`` and ``/api/v1/models``."""
    fitting = tuple(hardware.fitting(gpu, precision)) if gpu and gpu.strip() else None
    return Browse(
        text=q,
        domain=tuple(domain),
        modality=tuple(modality),
        organization=tuple(org),
        country=tuple(country),
        openness=tuple(openness),
        year=tuple(year),
        released_after=_date(released_after, "released_after", end=False),
        released_before=_date(released_before, "released_before", end=True),
        min_params=_count(min_params, "min_params"),
        max_params=_count(max_params, "max_params"),
        open_only=open,
        only=fitting,
        sort=cast(BrowseSort, sort or ("relevance" if q else "released")),
        descending=order == "desc" if order else sort != "name",
        offset=offset,
        limit=limit,
    )


BrowseDep = Annotated[Browse, Depends(browse_params)]


def trend_params(
    metric: Annotated[str, Query(pattern="^(parameters|compute|tokens|cost)$")] = "parameters",
    since: Annotated[int | None, Query(ge=1950, le=2100, description="First release year.")] = 2018,
    until: Annotated[int | None, Query(ge=1950, le=2100, description="Last release year.")] = None,
    domain: Annotated[str | None, Query()] = None,
    org: Annotated[str | None, Query(description="Organization id, name or Chinese name.")] = None,
    country: Annotated[str | None, Query()] = None,
    openness: Annotated[str | None, Query(description="open, closed or an openness value.")] = None,
    frontier: Annotated[bool, Query(description="Fit record-setting models only.")] = False,
    boot: Annotated[int, Query(ge=100, le=5000, description="Bootstrap resamples.")] = 500,
    estimates: Annotated[
        Literal["include", "exclude", "only"],
        Query(description="Values no maker states (third-party estimates, 6·N·D): include, exclude or only."),
    ] = "include",
    population: Annotated[
        Literal["notable", "all"],
        Query(
            description="notable: models that meet Epoch AI's notability criteria, and the curated catalog "
            "(as Epoch AI's headline trends count); all: every model in the store."
        ),
    ] = "notable",
    breaks: Annotated[
        Literal["auto", "1", "2"] | None,
        Query(description="Find eras: auto (BIC picks 0, 1 or 2 breakpoints), 1 or 2; each era's fit."),
    ] = None,
    *,
    engine: EngineDep,
) -> TrendQuery:
    orgs = None
    if org and org.strip():
        with engine.connect() as conn:
            orgs = organization_ids(conn, [org])
    return TrendQuery(
        metric, since, until, domain, orgs, country, openness, frontier, boot, estimates, population, breaks
    )


TrendDep = Annotated[TrendQuery, Depends(trend_params)]


async def body_head(request: Request) -> bytes:
    """The request's body, at most ``MAX_HEADER`` bytes and one more (so that a config.json too large is
    known as such): a GGUF file's header is all the page needs, and a client sending gigabytes is not
    read into memory."""
    head = bytearray()
    async for chunk in request.stream():
        head += chunk[: MAX_HEADER + 1 - len(head)]
        if len(head) > MAX_HEADER:
            break
    return bytes(head)
