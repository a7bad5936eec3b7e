"""What routes depend on: the app's settings and engine, the request's language, the shared parsers, and the
hardware calculator's view of the catalog (cards, bundled configs) and of the store (its models' sizes)."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, Literal, cast

from fastapi import Depends, Query, Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from modelatlas.analysis.frame import Selection
from modelatlas.analysis.hardware.gguf_file import MAX_HEADER
from modelatlas.analysis.hardware.memory import KV_FORMATS, MAX_CONTEXT, TrainMethod, kv_bits, parse_context
from modelatlas.analysis.hardware.precision import PRECISIONS
from modelatlas.analysis.hardware.subjects import (
    precision_list,
)
from modelatlas.catalog.schema import PartialDate
from modelatlas.config import Settings
from modelatlas.errors import BadArgument
from modelatlas.store.browse import Browse, BrowseSort, for_frame
from modelatlas.store.filter_sql import named
from modelatlas.store.filters import FILTERS, filter_kwargs, spec
from modelatlas.web.hardware import Hardware, MemoryQuery, weights_formats
from modelatlas.web.i18n import pick_lang
from modelatlas.web.views import TrendQuery

__all__ = [
    "FEED_SINCE",
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
    "default_browse",
    "default_trend",
    "feed_selection",
    "filter_params",
    "memory_params",
    "new_filters",
    "new_selection",
    "new_since",
    "trend_params",
]


# The dependencies that only read the request or the app are ``async``: FastAPI runs a plain ``def`` one
# in its thread pool, a hop to another thread and back for each (six on the models page), and each hop
# waits for the interpreter's lock while another request computes: up to a switch interval (5 ms) each.


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def _lang(request: Request) -> str:
    return pick_lang(request)


SettingsDep = Annotated[Settings, Depends(_settings)]
EngineDep = Annotated[Engine, Depends(_engine)]
LangDep = Annotated[str, Depends(_lang)]


async def _hardware(settings: SettingsDep, engine: EngineDep) -> Hardware:
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


def filter_params(
    edge: str,
    *,
    skip: frozenset[str] = frozenset(),
    defaults: Mapping[str, str] | None = None,
    also: frozenset[str] = frozenset(),
) -> Callable[..., Awaitable[dict[str, Any]]]:
    """The dependency reading the query parameters of every filter of ``store.filters.FILTERS`` (but
    ``skip``'s fields) into ``Filters`` fields: one declaration for the API and the pages, so a filter
    added there is a documented parameter of each at once. ``defaults`` are this edge's own defaults
    (the trends count the notable models). A filter another edge takes but this one does not is an error
    naming it, not silently ignored (``also``: the edge's own parameters of that kind).

    Raises:
        BadArgument: a value that cannot be read, or a filter ``edge`` does not take.
    """
    taken = [s for s in FILTERS if s.field not in skip]
    own = dict(defaults or {})
    parameters = [inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)]
    for s in taken:
        annotation: Any
        default: Any
        if s.many:
            annotation, default = Annotated[list[str], Query(description=s.help)], []
        elif s.flag:
            annotation, default = Annotated[bool, Query(description=s.help)], False
        else:
            annotation = Annotated[str | None, Query(description=s.help)]
            default = own.get(s.param)
        parameters.append(
            inspect.Parameter(s.param, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
        )
    refused = sorted(ALL_FILTER_PARAMS - {s.param for s in taken} - also)

    async def read(request: Request, **raw: Any) -> dict[str, Any]:
        wrong = [name for name in refused if name in request.query_params]
        if wrong:
            raise BadArgument(
                f"{wrong[0]}: not a filter of {edge}", key="err_not_filter", values={"field": wrong[0]}
            )
        return filter_kwargs(raw)

    read.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return read


#: Every filter parameter some edge takes: the shared filters and the trends' own.
ALL_FILTER_PARAMS = frozenset({s.param for s in FILTERS} | {"since", "until", "estimates"})
_browse_filters = filter_params("/models")
_trend_filters = filter_params(
    "/trends",
    defaults={"population": "notable"},
    also=frozenset({"since", "until", "estimates"}),
)

new_filters = filter_params("/new", also=frozenset({"since"}))
#: The feed: the newest models of all time, so many of them, of the domains asked.
FEED_SINCE, FEED_SIZE = dt.date(1, 1, 1), 30
#: At most this many models on ``/new``.
NEW_LIMIT = 500


def feed_selection(domains: tuple[str, ...] = ()) -> Browse:
    """Which models the feed lists (``views.added_view`` since ``FEED_SINCE``)."""
    return Browse(domain=domains, limit=FEED_SIZE)


def new_since(since: str | None = None) -> dt.date:
    """The first day ``/new`` lists from: ``since`` (a year, month or day) or, not given, this month's.

    Raises:
        BadArgument: ``since`` is not a date.
    """
    if not since:
        return dt.date.today().replace(day=1)
    try:
        return PartialDate.model_validate(since).span()[0]
    except ValueError as exc:
        raise BadArgument(f"since {since!r} is not a date: write 2026, 2026-11 or 2026-11-15") from exc


def new_selection(filters: Mapping[str, Any] | None = None) -> Browse:
    """Which models ``/new`` lists: ``filters`` as ``new_filters`` reads them (none given: its default)."""
    # one more than the page shows: whether more entered than it lists
    return Browse(**(_unasked(new_filters) if filters is None else filters), limit=NEW_LIMIT + 1)


async def browse_params(
    filters: Annotated[dict[str, Any], Depends(_browse_filters)],
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
    """The query parameters shared by ``/models`` and ``/api/v1/models``: the filters
    (``filter_params``), a card to fit, the order and the page. Only a card to fit reads the store
    (once per build and card), in the thread pool: the event loop does not wait for it."""
    fitting = None
    if gpu and gpu.strip():
        fitting = tuple(await run_in_threadpool(hardware.fitting, gpu, precision))
    return _browse(filters, fitting, sort, order, offset, limit)


def _browse(
    filters: Mapping[str, Any],
    fitting: tuple[str, ...] | None,
    sort: str | None,
    order: str | None,
    offset: int,
    limit: int,
) -> Browse:
    text = filters.get("text")
    return Browse(
        **filters,
        only=fitting,
        sort=cast(BrowseSort, sort or ("relevance" if text else "released")),
        descending=order == "desc" if order else sort != "name",
        offset=offset,
        limit=limit,
    )


BrowseDep = Annotated[Browse, Depends(browse_params)]


def trend_params(
    filters: Annotated[dict[str, Any], Depends(_trend_filters)],
    metric: Annotated[str, Query(pattern="^(parameters|compute|tokens|cost)$")] = "parameters",
    since: Annotated[
        str | None, Query(description="Released on or after (as released_after): 2018, 2017-06.")
    ] = "2018",
    until: Annotated[
        str | None, Query(description="Released on or before (as released_before; the whole year counts).")
    ] = None,
    frontier: Annotated[bool, Query(description="Fit record-setting models only.")] = False,
    boot: Annotated[int, Query(ge=100, le=5000, description="Bootstrap resamples.")] = 500,
    estimates: Annotated[
        Literal["include", "exclude", "only"],
        Query(description="Values no maker states (third-party estimates, 6·N·D): include, exclude or only."),
    ] = "include",
    breaks: Annotated[
        Literal["auto", "1", "2"] | None,
        Query(description="Find eras: auto (BIC picks 0, 1 or 2 breakpoints), 1 or 2; each era's fit."),
    ] = None,
    *,
    engine: EngineDep,
) -> TrendQuery:
    """The query parameters of ``/trends`` and ``/api/v1/trends``: the filters (``filter_params``; the
    notable models by default, ``since`` and ``until`` as ``released_after`` and ``released_before``),
    the metric and how to fit it. Names become ids, and what the analysis table has no column for
    (text, modality) the ids of the models that pass it, so the trends count the models ``list`` lists."""
    dates = {
        field: spec(field).read(text.strip(), name)
        for field, name, text in (("released_after", "since", since), ("released_before", "until", until))
        if text and text.strip()
    }
    chosen = Selection(**{**dates, **filters}, estimates=estimates)
    with engine.connect() as conn:
        resolved, asked = for_frame(conn, chosen), named(conn, chosen)
    return TrendQuery(metric, resolved, frontier, boot, breaks, since=since, until=until, asked=asked)


TrendDep = Annotated[TrendQuery, Depends(trend_params)]


def _unasked(read: Callable[..., Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """The filters a ``filter_params`` dependency reads from a request that gives none."""
    given = inspect.signature(read).parameters.values()
    return filter_kwargs({p.name: p.default for p in given if p.name != "request"})


def default_trend(engine: Engine, metric: str = "parameters") -> TrendQuery:
    """The query ``/trends?metric=…`` and ``/api/v1/trends?metric=…`` make when given nothing else, as
    ``trend_params`` makes it (``web.refresh`` keeps its view under the key a request will ask)."""
    return trend_params(_unasked(_trend_filters), metric, engine=engine)


def default_browse() -> Browse:
    """The selection ``/models`` and ``/api/v1/models`` make when given no parameter (``browse_params``)."""
    asked = inspect.signature(browse_params).parameters
    given = {name: asked[name].default for name in ("sort", "order", "offset", "limit")}
    return _browse(_unasked(_browse_filters), None, **given)


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
