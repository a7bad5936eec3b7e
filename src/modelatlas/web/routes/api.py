"""The read-only JSON API under ``/api/v1``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import PlainTextResponse

from modelatlas.analysis.frame import described
from modelatlas.analysis.hardware.gguf_file import read_gguf
from modelatlas.analysis.hardware.subjects import gguf_subject, pasted_subject
from modelatlas.errors import BadArgument
from modelatlas.live.ledger import latest
from modelatlas.live.targets import refs_of
from modelatlas.store import queries as Q
from modelatlas.web import exporting, views
from modelatlas.web.deps import (
    BrowseDep,
    EngineDep,
    HardwareDep,
    LangDep,
    MemoryDep,
    SettingsDep,
    TrendDep,
    body_head,
)
from modelatlas.web.schemas import (
    EcosystemFieldOut,
    EcosystemOut,
    ErrorOut,
    LineageOut,
    MemoryAnswer,
    ModelDetailOut,
    ModelListOut,
    ModelSummaryOut,
    TrendOut,
)

__all__ = ["router"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut},
    404: {"model": ErrorOut},
    422: {"model": ErrorOut},
}
router = APIRouter(prefix="/api/v1", tags=["api"], responses=_ERRORS)
_FIELDS = set(ModelSummaryOut.model_fields)


#: ``format=csv`` and ``format=markdown`` answer text: declared so that clients and fuzzers expect it.
_AS_TEXT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "text/markdown": {"schema": {"type": "string"}},
        },
        "description": "The models: JSON, or with `format` a CSV or markdown table of the same rows.",
    }
}


@router.get("/models", response_model=ModelListOut, response_model_exclude_unset=True, responses=_AS_TEXT)
def models(
    engine: EngineDep,
    selection: BrowseDep,
    fields: Annotated[
        str | None, Query(description="Comma-separated fields to return, e.g. id,name.")
    ] = None,
    facets: Annotated[bool, Query(description="Include facet counts.")] = False,
    format: Annotated[
        str, Query(pattern="^(json|csv|markdown)$", description="json, csv or markdown.")
    ] = "json",
) -> Any:
    """Models that pass the filters, sorted and paged; the same filters as the Models page."""
    chosen = (
        [f.strip() for f in fields.split(",") if f.strip()] if fields else list(ModelSummaryOut.model_fields)
    )
    unknown = [f for f in chosen if f not in _FIELDS]
    if unknown:
        raise BadArgument(
            f"unknown field {unknown[0]!r}: choose from {', '.join(ModelSummaryOut.model_fields)}"
        )
    page = views.browse_page(engine, selection, facets=facets)
    items = [{name: row.as_dict()[name] for name in chosen} for row in page.rows]
    if format != "json":
        text, media = exporting.table(items, chosen, format)
        return PlainTextResponse(text, media_type=media)
    following = page.offset + (page.limit or page.total)
    return {
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "next_offset": following if following < page.total else None,
        "items": [ModelSummaryOut(**item) for item in items],
        **({"facets": page.facets} if facets else {}),
    }


@router.get("/models/{model_id}", response_model=ModelDetailOut)
def model(model_id: str, engine: EngineDep) -> Any:
    """One model: the whole catalog record, lineage up and down, and the newest synced counts."""
    with engine.connect() as conn:
        found = Q.resolve(conn, model_id)
        record = Q.get_model(conn, found)
        tree = Q.lineage(conn, found)
    return {
        "model": record.model_dump(mode="json", exclude_none=True),
        "lineage": {
            "up": [{"model": m, "relation": r, "depth": d} for m, r, d in tree.up],
            "down": [{"model": m, "relation": r, "depth": d} for m, r, d in tree.down],
        },
        "live": latest(engine, refs_of(record)),
    }


@router.get("/lineage/{model_id}", response_model=LineageOut)
def lineage(model_id: str, engine: EngineDep) -> Any:
    """What a model was built on (up) and what was built on it (down), with relations and depths."""
    with engine.connect() as conn:
        found = Q.resolve(conn, model_id)
        tree = Q.lineage(conn, found)
        names = {r.id: r.name for r in Q.rows_for(conn, [found] + [m for m, _, _ in tree.up + tree.down])}

    def edges(found_edges: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
        return [{"model": m, "name": names[m], "relation": r, "depth": d} for m, r, d in found_edges]

    return {"model": found, "name": names[found], "up": edges(tree.up), "down": edges(tree.down)}


@router.get("/trends", response_model=TrendOut)
def trends(engine: EngineDep, settings: SettingsDep, query: TrendDep, lang: LangDep) -> Any:
    """Growth of parameters, training compute, tokens or cost: a log-linear fit with a 90% interval."""
    view = views.trend_view(views.analysis(engine, settings.db), query, lang)
    answer = {
        "fit": view["fit"],
        "headline": view["headline"],
        "selected": view["selected"],
        "selection": described(query.asked),
    }
    eras = view["breakpoints"]
    if eras is not None and "error" in eras:
        raise eras["error"]
    if eras is not None:
        answer["breakpoints"] = eras
    return answer


@router.get("/ecosystem", response_model=EcosystemFieldOut)
def ecosystem_field(
    engine: EngineDep,
    top: Annotated[int, Query(ge=1, le=1000, description="How many bases, most built upon first.")] = 20,
    months: Annotated[int, Query(ge=1, le=120, description="The months shown per base.")] = 12,
) -> Any:
    """The open-model field from the whole Hub listing (``modelatlas ecosystem -f json``): the most
    built-upon bases with their months and growth, new derivatives per month, and totals by catalog model,
    country, licence and pipeline tag; read from the sums kept when the listing was merged."""
    from modelatlas.live.landscape import landscape

    return landscape(engine, top=top, months=months)


@router.get("/ecosystem/{base:path}", response_model=EcosystemOut)
def ecosystem(
    base: str,
    engine: EngineDep,
    depth: Annotated[
        Literal["1", "all"],
        Query(description="1: the repos that name the base; all: their derivatives too, down the tree."),
    ] = "1",
) -> Any:
    """What the Hub builds on a base model (``modelatlas ecosystem --base``): its fine-tunes, adapters,
    quantizations and merges, per month of creation, from the whole Hub listing (``sync --source hf
    --all``). A repo the listing does not name as a base has none."""
    from modelatlas.live.ecosystem import ecosystem as derivatives

    return derivatives(engine, base, depth)


@router.get("/memory", response_model=MemoryAnswer)
def memory(
    hardware: HardwareDep,
    query: MemoryDep,
    model: Annotated[
        str,
        Query(
            min_length=1,
            description="What a person types: a catalog model, size or family (chatglm-6b, Llama-2-7B, "
            "llama-2: every size), a bare size (70B, 8x7B, 62亿), or a Hub repo id or URL "
            "(meta-llama/Llama-2-7b-hf; its config from the catalog, the store's sync or the Hub).",
        ),
    ],
) -> Any:
    """GPU memory to serve (per precision) or fine-tune a model, and whether it fits a card; as
    `modelatlas memory`: one estimate per size (several for a family). The count is exact when the
    model's config.json is known; a bare size counts its weights only."""
    return hardware.answer(model, hardware.asked(model), query)


@router.post("/memory", response_model=MemoryAnswer)
def memory_of_config(
    hardware: HardwareDep,
    query: MemoryDep,
    config: Annotated[dict[str, Any], Body(description="A Hugging Face config.json, as a JSON object.")],
) -> Any:
    """The same estimate for a pasted config.json (the request body); the same query parameters."""
    return hardware.answer("", [pasted_subject(config)], query)


@router.post(
    "/memory/gguf",
    response_model=MemoryAnswer,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def memory_of_gguf(hardware: HardwareDep, query: MemoryDep, request: Request) -> Any:
    """The estimate for a GGUF file from its header: the body is the file's first bytes (the header; at
    most 64 MiB are read). Its own format is counted as stored, and with a card, llama.cpp's ``-ngl``
    split between the card and system RAM."""
    head = await body_head(request)
    return hardware.answer("", [gguf_subject(read_gguf(head, origin="GGUF header"))], query)
