"""`memory`, `fit`, `gpus`: can I run it, on which card, and how fast."""

from __future__ import annotations

import dataclasses
import enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from modelatlas.analysis.hardware.memory import KV_FORMATS
from modelatlas.analysis.hardware.precision import PRECISIONS
from modelatlas.analysis.hardware.wording import origin_said
from modelatlas.catalog.units import format_count
from modelatlas.cli._common import CatalogOpt, DbOpt, FormatOpt, LangOpt, settings
from modelatlas.cli._hardware import configs_dir, subjects
from modelatlas.cli._output import Format, emit, emit_json, stdout
from modelatlas.cli._render import label
from modelatlas.errors import BadArgument

if TYPE_CHECKING:
    from modelatlas.analysis.hardware.memory import Workload
    from modelatlas.analysis.hardware.subjects import Estimate, Subject
    from modelatlas.catalog.schema import Gpu, HardwareNeed

__all__ = ["register"]

GIB = 1024**3
FIT_PRECISIONS = ("fp16", "int8", "int4")

_TEXT: dict[str, tuple[str, str]] = {
    "precision": ("precision", "精度"),
    "weights": ("weights", "权重"),
    "kv_cache": ("KV cache", "KV 缓存"),
    "activations": ("activations", "激活"),
    "overhead": ("overhead", "框架开销"),
    "gradients": ("gradients", "梯度"),
    "optimizer": ("optimizer", "优化器状态"),
    "lora": ("LoRA weights", "LoRA 权重"),
    "total": ("total GiB", "合计 GiB"),
    "per_gpu": ("per GPU GiB", "每卡 GiB"),
    "fits": ("fits", "放得下"),
    "speed": ("tokens/s (est.)", "生成速度 token/s（估算）"),
    "max_context": ("largest context", "最长可用上下文"),
    "first_token": ("first token s (est., ≥)", "首 token 秒（估算，下限）"),
    "method": ("training", "训练方式"),
    "model": ("model", "模型"),
    "size": ("size", "规格"),
    "stated": ("Stated by sources", "来源所述显存需求"),
    "exact": ("exact", "精确"),
    "config": ("config", "配置"),
    "heading": ("{title} — {n:,} parameters ({kind})", "{title} — {n:,} 个参数（{kind}）"),
    "active": ("active {n:,}", "激活 {n:,}"),
    "workload": ("context {context} × batch {batch}", "上下文 {context} × 批大小 {batch}"),
    "weights_only": ("weights only (no config)", "仅权重（没有配置文件）"),
    "on_gpus": (" on {n} GPUs", "，分布在 {n} 张卡上"),
    "estimate": ("estimate", "估算"),
    # the networks of a diffusion pipeline, by their names in its model_index.json
    "unet": ("UNet", "UNet"),
    "transformer": ("transformer (DiT)", "Transformer（DiT）"),
    "text_encoder": ("text encoder", "文本编码器"),
    "text_encoder_2": ("text encoder 2", "文本编码器 2"),
    "text_encoder_3": ("text encoder 3", "文本编码器 3"),
    "vae": ("VAE", "VAE 自编码器"),
    "safety_checker": ("safety checker", "安全检查器"),
    "components": ("components", "组件"),
}


def _t(key: str, lang: str) -> str:
    pair = _TEXT.get(key)
    return label(key, lang) if pair is None else pair[1 if lang == "zh" else 0]


class Train(enum.StrEnum):
    full = "full"
    lora = "lora"
    qlora = "qlora"


ContextOpt = Annotated[
    str | None,
    typer.Option(
        help="Tokens per sequence: 8192, 8k, 32k, 128k, or max (the model's own limit). "
        "Default: the model's maximum, at most 4096.",
    ),
]
KvOpt = Annotated[
    str | None,
    typer.Option(
        "--kv",
        help=f"KV-cache format: {', '.join(KV_FORMATS)} (fp8/q8_0 as vLLM and llama.cpp offer). "
        "Default: as the weights keep it, 16-bit.",
    ),
]
BatchOpt = Annotated[int, typer.Option(min=1, help="Sequences at once.")]
GpuOpt = Annotated[str | None, typer.Option("--gpu", help='A card: "RTX 4090", "A100 80GB", "3060 12GB".')]
GpusOpt = Annotated[int, typer.Option("--gpus", min=1, help="Split the model across this many cards.")]
PrecisionOpt = Annotated[
    list[str] | None,
    typer.Option("--precision", "-p", help=f"Weights format (repeatable): {', '.join(PRECISIONS)}."),
]


def register(app: typer.Typer) -> None:
    app.command("memory")(memory)
    app.command("fit")(fit)
    app.command("gpus")(gpus)


def memory(
    target: Annotated[
        str,
        typer.Argument(
            help="A catalog model, size or family (chatglm-6b, Llama-2-7B, llama-2), a size (70B, 8x7B, "
            "62亿), a Hub repo or URL (meta-llama/Llama-2-7b-hf), a config.json path, or a .gguf file "
            "(its header only is read: the file's own bytes, and llama.cpp's -ngl split with --gpu)."
        ),
    ],
    context: ContextOpt = None,
    batch: BatchOpt = 1,
    precision: PrecisionOpt = None,
    kv: KvOpt = None,
    train: Annotated[
        Train | None, typer.Option(help="Estimate fine-tuning instead: full (AdamW), lora or qlora.")
    ] = None,
    checkpointing: Annotated[
        bool | None,
        typer.Option(
            "--checkpointing/--no-checkpointing",
            help="Training with or without gradient checkpointing. Default: both.",
            show_default=False,
        ),
    ] = None,
    lora_rank: Annotated[int, typer.Option(min=1, help="LoRA rank (on every attention and MLP layer).")] = 16,
    gpu: GpuOpt = None,
    gpu_count: GpusOpt = 1,
    catalog: CatalogOpt = None,
    db: DbOpt = None,
    lang: LangOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """GPU memory to run or fine-tune a model: per precision, total and breakdown, and whether it fits a card.

    The parameter count is exact when the model's config.json is known (bundled in the catalog or
    given as a path), computed from the architecture without downloading weights.

    Examples: `modelatlas memory chatglm-6b`, `modelatlas memory Llama-2-7B -p int4 --gpu "RTX 3060 12GB"`,
    `modelatlas memory ./config.json --context 8192 --batch 4 -f json`,
    `modelatlas memory Llama-2-7B --train qlora`.
    """
    from modelatlas.analysis.hardware.gpus import load_gpu_table
    from modelatlas.analysis.hardware.memory import kv_bits
    from modelatlas.analysis.hardware.subjects import estimates, precision_list

    config = settings(db=db, catalog=catalog, lang=lang)
    card = load_gpu_table(config.catalog).find(gpu) if gpu else None
    answers: list[dict[str, Any]] = []
    table_rows: list[dict[str, Any]] = []
    columns: dict[str, str] = {}
    for found in subjects(target, config):
        work = found.workload(found.tokens(context), batch, gpu_count, kv_bits(kv) if kv else None)
        if train is not None:
            rows = estimates(
                found, work, card, train=train.value, checkpointing=checkpointing, lora_rank=lora_rank
            )
        else:
            rows = estimates(found, work, card, precisions=precision_list(precision) if precision else ())
        answer, records, named = _print_memory(found, work, rows, card, train is not None, config.lang, fmt)
        answers.append(answer)
        table_rows.extend({"size": found.title, **r} for r in records)
        columns.update(named)
    if fmt is Format.json:
        emit_json({"asked": target, "sizes": answers})
    elif fmt is Format.csv:  # one header for every size: the columns of them all
        emit(table_rows, [("size", _t("size", config.lang)), *columns.items()], fmt)


def fit(
    gpu: Annotated[str, typer.Option("--gpu", help='The card: "RTX 3060 12GB", "4090", "A100 80GB".')],
    gpu_count: GpusOpt = 1,
    context: ContextOpt = None,
    batch: BatchOpt = 1,
    precision: PrecisionOpt = None,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all", help="Also list models that fit at no precision, and those without public weights."
        ),
    ] = False,
    catalog: CatalogOpt = None,
    db: DbOpt = None,
    lang: LangOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Catalog models that fit on a card (or --gpus N of them), per precision, largest first.

    Only models whose weights can be downloaded (open or restricted-open), unless --all. Each size of
    each model with a bundled config.json is counted exactly; others use their stated parameter count
    (weights only, marked with *). Default precisions: fp16, int8, int4.

    Examples: `modelatlas fit --gpu "RTX 3060 12GB"`, `modelatlas fit --gpu 4090 -p q4_k_m -p fp16 -f csv`.
    """
    from modelatlas.analysis.hardware.gpus import load_gpu_table
    from modelatlas.analysis.hardware.subjects import (
        catalog_subjects,
        downloadable,
        fits_on,
        inference_need,
        precision_list,
    )
    from modelatlas.store.records import load_models

    config = settings(db=db, catalog=catalog, lang=lang)
    card = load_gpu_table(config.catalog).find(gpu)
    chosen = precision_list(precision or list(FIT_PRECISIONS))
    records: list[dict[str, Any]] = []
    models = [m for m in load_models(config.db) if show_all or downloadable(m)]
    for found in catalog_subjects(models, configs_dir(config)):
        work = found.workload(found.tokens(context) if found.count.shape else None, batch, gpu_count)
        row: dict[str, Any] = {
            "model": found.model_id,
            "size": found.title,
            "parameters": found.count.total,
            "exact": found.count.exact,
        }
        fits_any = False
        for p in chosen:
            need = inference_need(found, p, work)  # None: a pipeline in a quantised format
            ok = need is not None and fits_on(need, card)
            fits_any |= ok
            row[p.name] = need.per_gpu if need is not None else None
            row[f"{p.name}_fits"] = ok
        if fits_any or show_all:
            records.append(row)
    records.sort(key=lambda r: (-r["parameters"], r["model"] or ""))
    title = f"{card.name} × {gpu_count}" if gpu_count > 1 else card.name
    if fmt is Format.json:
        emit_json(
            {
                "gpu": _gpu_dict(card),
                "gpus": gpu_count,
                "precisions": [p.name for p in chosen],
                "models": records,
            }
        )
        return
    lang = config.lang

    columns = [("model", "id"), ("size", _t("size", lang)), ("parameters", label("parameters", lang))]
    columns += [(p.name, f"{p.name} GiB") for p in chosen]
    display: list[dict[str, Any]] = []
    for r in records:
        d = dict(r)
        d["parameters"] = format_count(r["parameters"], lang=lang) + ("" if r["exact"] else "*")
        for p in chosen:
            mark = "✓" if r[f"{p.name}_fits"] else "✗"
            if r[p.name] is None:  # a pipeline's weights are counted in float formats only
                d[p.name] = "—"
            else:
                d[p.name] = f"{mark} {r[p.name] / GIB:.1f}" if fmt is not Format.csv else r[p.name]
        display.append(d)
    if fmt is Format.csv:
        columns = [(k, k) for k in records[0]] if records else columns
        emit(records, columns, fmt)
        return
    emit(display, columns, fmt, title=f"{title}: {card.memory_gb:g} GB × {gpu_count}")
    if fmt is Format.table:
        stdout().print(
            "* stated parameter count, weights only (no config.json bundled)", style="dim", markup=False
        )


def gpus(
    vendor: Annotated[str | None, typer.Option(help="Only this vendor: nvidia, amd, apple …")] = None,
    segment: Annotated[
        str | None, typer.Option(help="Only consumer, workstation or datacenter cards.")
    ] = None,
    catalog: CatalogOpt = None,
    lang: LangOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The GPUs modelatlas knows: memory, bandwidth, FP16 throughput, with the source of each figure."""
    from modelatlas.analysis.hardware.gpus import load_gpu_table

    config = settings(catalog=catalog, lang=lang)
    table = load_gpu_table(config.catalog)
    cards = [
        g
        for g in table.gpus
        if (vendor is None or g.vendor == vendor) and (segment is None or g.segment == segment)
    ]
    if not cards:
        raise BadArgument(f"no GPU matches --vendor {vendor!r} --segment {segment!r}")
    records = [g.model_dump(mode="json") | {"source_url": table.sources[g.source].url} for g in cards]
    columns = [
        ("id", "id"),
        ("name", "name"),
        ("segment", "segment"),
        ("memory_gb", "memory GB"),
        ("bandwidth_gbs", "bandwidth GB/s"),
        ("fp16_tflops", "FP16 TFLOPS"),
        ("fp16_kind", "FP16 kind"),
        ("released", "released"),
    ]
    emit(records, columns if fmt is not Format.csv else [(k, k) for k in records[0]], fmt)


def _gpu_dict(g: Gpu) -> dict[str, Any]:
    return g.model_dump(mode="json", exclude_none=True)


def _print_memory(
    found: Subject,
    work: Workload,
    estimated: list[Estimate],
    card: Gpu | None,
    is_training: bool,
    lang: str,
    fmt: Format,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[tuple[str, str]]]:
    """Print one size's estimate as a table (not for JSON or CSV, which the caller prints for every size
    at once); return it as JSON data, and as rows with their columns."""
    count = found.count
    rows = [e.breakdown for e in estimated]
    records: list[dict[str, Any]] = []
    for row, e in zip(rows, estimated, strict=True):
        record: dict[str, Any] = {"precision" if not is_training else "method": row.label, **row.parts}
        record["total"], record["per_gpu"] = row.total, row.per_gpu
        record["fits"] = e.fits
        record["decode_tokens_per_second"] = e.decode_tokens_per_second
        if not is_training:
            record["max_context"] = e.max_context
            record["first_token_seconds"] = e.first_token_seconds
        if e.offload is not None:
            record["offload"] = dataclasses.asdict(e.offload)
        records.append(record)
    answer = {
        "model": found.model_id,
        "title": found.title,
        "config": found.origin,
        **count.as_dict(),
        "workload": {
            "context": None if found.pipeline else work.context,
            "batch": work.batch,
            "gpus": work.gpus,
            "kv_bits": work.kv_bits,
        },
        "gpu": _gpu_dict(card) if card else None,
        ("training" if is_training else "precisions"): {
            r.label: {
                **r.as_dict(),
                "fits": rec["fits"],
                "decode_tokens_per_second": rec["decode_tokens_per_second"],
                **{k: rec[k] for k in ("max_context", "first_token_seconds", "offload") if k in rec},
            }
            for r, rec in zip(rows, records, strict=True)
        },
        "stated": [h.model_dump(mode="json", exclude_none=True) for h in found.stated],
        "notes": [str(n) for n in found.notes(work, estimated)],
    }
    if found.pipeline is not None:
        answer["components"] = [
            {"name": c.name, "class": c.class_name, "parameters": c.parameters, "note": c.note}
            for c in found.pipeline.components
        ]
    key = "method" if is_training else "precision"
    parts = list(rows[0].parts) if rows else []
    if found.pipeline is not None:  # each network's weights; activations unknown, never 0
        parts = [p for p in parts if p != "overhead"] + ["activations", "overhead"]
    elif not is_training and count.shape is None:  # unknown without a config: shown as such, never as 0
        parts = ["weights", "kv_cache", "activations", "overhead"]
    columns = [(key, _t(key, lang)), *((p, _t(p, lang)) for p in parts), ("total", _t("total", lang))]
    if work.gpus > 1:
        columns.append(("per_gpu", _t("per_gpu", lang)))
    if card is not None:
        columns.append(
            ("fits", f"{_t('fits', lang)} {card.name}" + (f" ×{work.gpus}" if work.gpus > 1 else ""))
        )
        if not is_training and found.pipeline is None:
            columns.append(("decode_tokens_per_second", _t("speed", lang)))
            columns.append(("first_token_seconds", _t("first_token", lang)))
            columns.append(("max_context", _t("max_context", lang)))
    if fmt in (Format.json, Format.csv):
        return answer, records, columns
    unknown = "未知" if lang == "zh" else "unknown"
    gib = {k: (lambda v: unknown if v is None else f"{v / GIB:.2f}") for k in [*parts, "total", "per_gpu"]}
    shown: dict[str, Any] = {
        **gib,
        "fits": lambda v: "" if v is None else ("✓" if v else "✗"),
        "decode_tokens_per_second": lambda v: "" if v is None else f"≈{v:.0f}",
        "max_context": lambda v: unknown if v is None else "—" if v == 0 else f"{v:,}",
        "first_token_seconds": lambda v: unknown if v is None else f"≥{v:,.0f}" if v >= 100 else f"≥{v:.2g}",
    }
    say = {"en": ("; ", ", "), "zh": ("；", "、")}[lang if lang == "zh" else "en"]
    kind = _t("exact", lang) if count.exact else _t("estimate", lang)
    if count.active:
        kind += say[1] + _t("active", lang).format(n=count.active)
    if count.shape:
        kind += say[0] + (count.model_class or count.architecture)
        workload = _t("workload", lang).format(context=work.context, batch=work.batch)
    else:
        workload = _t("weights_only", lang)
    if found.pipeline is not None:  # an image generator has no context
        networks = say[1].join(_t(c.name, lang) for c in found.pipeline.components)
        workload = f"{found.pipeline.class_name}: {networks}"
    heading = _t("heading", lang).format(title=found.title, n=count.total, kind=kind) + say[0] + workload
    if work.gpus > 1:
        heading += _t("on_gpus", lang).format(n=work.gpus)
    emit(records, columns, fmt, title=heading, shown=shown)
    out = stdout()
    notes = [f"{_t('config', lang)}: {origin_said(found.origin, lang)}"]
    notes += [n.said(lang) for n in found.notes(work, estimated)]
    notes += [e.offload.note(e.breakdown.label).said(lang) for e in estimated if e.offload is not None]
    if found.stated and not is_training:
        stated = "; ".join(_stated(h) for h in found.stated if h.gpu_memory_gb)
        if stated:
            notes.append(f"{_t('stated', lang)}: {stated}")
    for note in notes:
        out.print(note, style="dim" if fmt is Format.table else None, markup=False)
    return answer, records, columns


def _stated(need: HardwareNeed) -> str:
    bits = [need.purpose, need.precision or "", f"{need.gpu_memory_gb:g} GB"]
    return " ".join(b for b in bits if b) + f" [{need.source}]"
