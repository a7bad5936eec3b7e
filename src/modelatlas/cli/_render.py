"""How records look on the terminal, in English or Chinese."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from modelatlas.catalog.units import format_count
from modelatlas.catalog.vocab import DOMAINS, Phrases
from modelatlas.cli._output import Format, cell, emit, markdown_table, stdout

if TYPE_CHECKING:
    from modelatlas.catalog.schema import Estimate, Model
    from modelatlas.store.queries import Lineage, Overview

__all__ = ["comparison", "label", "live", "model_rows", "overview", "record"]

_TEXT: dict[str, tuple[str, str]] = {
    "newest": ("Newest models", "最新模型"),
    "by_domain_year": ("Models per domain and release year", "各领域每年发布的模型数"),
    "total": ("total", "合计"),
    "release_year": ("Released", "发布年份"),
    "added": ("Added", "收录于"),
    "as_of": ("How current", "数据时效"),
    "curated_as_of": (
        "curated catalog: {n} models, the newest released {date}",
        "人工整理目录：{n} 个模型，最新发布于 {date}",
    ),
    "source_as_of": ("{source}: snapshot of {date}, {rows} rows", "{source}：{date} 的快照，{rows} 行"),
    "import_as_of": ("{source}: imported {date}, {rows} rows", "{source}：{date} 导入，{rows} 行"),
    "unknown": ("unknown", "未知"),
    "lineage_up": ("Built on (lineage up)", "基于（上游）"),
    "lineage_down": ("Built upon by (lineage down)", "衍生模型（下游）"),
    "accessed": ("accessed", "访问于"),
    "supports": ("supports", "支持字段"),
    "paper": ("paper", "论文"),
    "code_available": ("Training code", "训练代码"),
    "weights_public": ("Public weights", "公开权重"),
    "dialogue": ("Dialogue / instruction tuned", "对话/指令微调"),
    "evaluation": ("Evaluation", "评测"),
    "cost": ("Training cost", "训练成本"),
    "min_gpu": ("GPU memory (stated)", "显存需求（来源所述）"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "live": ("Live (last sync)", "实时数据（最近同步）"),
    "checked": ("checked", "检查于"),
    "gone": ("gone from the source", "来源已无此项"),
    "error": ("last check failed", "上次检查失败"),
}


#: The display label of a field or vocabulary value in a language; the key itself when there is none.
label = Phrases(_TEXT)


def _params(value: Any, lang: str) -> str:
    return format_count(value, lang=lang) if isinstance(value, int) else ""


def model_rows(
    records: Sequence[dict[str, Any]], lang: str, fmt: Format, *, extra: Sequence[tuple[str, str]] = ()
) -> None:
    columns = [
        ("id", "id"),
        ("name", label("name", lang)),
        ("organizations", label("organizations", lang)),
        ("domains", label("domains", lang)),
        ("parameters", label("parameters", lang)),
        ("released", label("released", lang)),
        ("openness", label("openness", lang)),
        *extra,
    ]
    shown = {
        "parameters": lambda v: _params(v, lang),
        "domains": lambda v: ", ".join(label(d, lang) for d in v),
        "openness": lambda v: label(v, lang) if v else "",
    }
    emit(records, columns, fmt, shown=shown)


#: Years before this are counted by decade, so the table stays a screen tall however far back it goes.
_YEARLY_FROM = 2010


def _periods(years: list[int]) -> list[tuple[str, list[int]]]:
    """Row labels and the years each counts: ``1950s`` … ``2000s``, then each year from 2010."""
    periods: dict[str, list[int]] = {}
    for year in years:
        key = str(year) if year >= _YEARLY_FROM else f"{year // 10 * 10}s"
        periods.setdefault(key, []).append(year)
    return list(periods.items())


def overview(result: Overview, lang: str, fmt: Format) -> None:
    """Models per release year (rows) and domain (columns), then the newest models."""
    years = sorted({y for _, y in result.by_domain_year} | set(result.by_year))
    headers = [label("release_year", lang), *(label(d, lang) for d in DOMAINS), label("total", lang)]

    def count(table: dict[Any, int], keys: list[Any]) -> int | str:
        return sum(table.get(k, 0) for k in keys) or ""

    matrix: list[list[Any]] = [
        [
            name,
            *(count(result.by_domain_year, [(d, y) for y in span]) for d in DOMAINS),
            count(result.by_year, span),
        ]
        for name, span in _periods(years)
    ]
    matrix.append([label("total", lang), *(result.by_domain.get(d, 0) for d in DOMAINS), result.total])
    newest = [r.as_dict() for r in result.newest]
    if fmt is Format.markdown:
        out = stdout()
        out.print(f"## {label('by_domain_year', lang)}\n", markup=False)
        out.print(markdown_table(headers, matrix), markup=False)
        out.print(f"## {label('newest', lang)}\n", markup=False)
        model_rows(newest, lang, fmt)
        out.print(f"\n## {label('as_of', lang)}\n", markup=False)
        out.print("\n".join(f"- {line}" for line in _as_of(result, lang)), markup=False)
        return
    if fmt is Format.csv:
        emit(
            [{"domain": d, "year": y, "models": n} for (d, y), n in result.by_domain_year.items()],
            [("domain", "domain"), ("year", "year"), ("models", "models")],
            fmt,
        )
        return
    table = Table(title=label("by_domain_year", lang), header_style="bold")
    for header in headers:
        table.add_column(header, justify="right")
    for row in matrix:
        table.add_row(*(cell(v) for v in row))
    stdout().print(table)
    stdout().print(f"[bold]{escape(label('newest', lang))}[/bold]")
    model_rows(newest, lang, fmt)
    stdout().print(f"[bold]{escape(label('as_of', lang))}[/bold]")
    for line in _as_of(result, lang):
        stdout().print(f"  {line}", markup=False)


def _as_of(result: Overview, lang: str) -> list[str]:
    """One line for the curated catalog, one per dataset: what the store knows, as of when."""
    now = result.currency
    lines = []
    if now.curated_models is not None:
        lines.append(
            label("curated_as_of", lang).format(n=now.curated_models, date=now.newest_curated or "-")
        )
    for source in now.sources:
        kind = "source_as_of" if source.key.startswith("bundled:") else "import_as_of"
        lines.append(label(kind, lang).format(source=source.key, date=source.date, rows=source.rows))
    return lines


def record(
    model: Model,
    tree: Lineage,
    orgs: dict[str, dict[str, Any]],
    names: dict[str, str],
    lang: str,
    *,
    markdown: bool = False,
) -> None:
    """Print a whole model record as readable text (or markdown)."""
    lines: list[tuple[str, str]] = []

    def add(key: str, value: Any) -> None:
        text = cell(value)
        if text:
            lines.append((label(key, lang), text))

    summary = model.summary
    text = (summary.zh or summary.en if lang == "zh" else summary.en or summary.zh) if summary else None
    add("aliases", model.aliases)
    add("organizations", [_org(orgs, o, lang) for o in model.organizations])
    add("domains", [label(d, lang) for d in model.domains])
    if model.modalities:
        add("modalities", f"{' + '.join(model.modalities.input)} → {' + '.join(model.modalities.output)}")
    add("tasks", model.tasks)
    if model.architecture:
        arch = model.architecture
        add(
            "architecture",
            arch.type + (" (MoE)" if arch.moe else "") + (f" — {arch.note}" if arch.note else ""),
        )
    if model.version_of:
        add("version_of", f"{names.get(model.version_of, model.version_of)} ({model.version or '?'})")
    if model.parameters:
        stated = model.parameters.total
        add("parameters", _params(stated, lang) if stated else label("not_stated", lang))
        add("active_parameters", _params(model.parameters.active, lang))
    add(
        "variants",
        [f"{v.name} ({_params(v.parameters, lang)})" if v.parameters else v.name for v in model.variants],
    )
    add("context_length", model.context_length)
    if model.training:
        t = model.training
        add("training.dataset", t.dataset)
        add("training.tokens", _params(t.tokens, lang))
        add("training.compute_flop", f"{t.compute_flop:.3g}" if t.compute_flop else None)
        add("training.hardware", t.hardware)
        add("training.gpu_hours", f"{t.gpu_hours:,.0f}" if t.gpu_hours else None)
        add("training.cost_usd", f"${t.cost_usd:,.0f}" if t.cost_usd else None)
        add("training.co2e_t", t.co2e_t)
    add("techniques", model.techniques)
    add("released", model.released)
    add("announced", model.announced)
    add("papers", [_paper(p) for p in model.papers])
    add("code", model.code)
    if model.weights:
        add("weights", [*(f"hf:{r}" for r in model.weights.huggingface), *model.weights.urls])
    add("demo", model.demo)
    add("homepage", model.homepage)
    add("license", model.license)
    add("openness", label(model.openness, lang) if model.openness else None)
    add("hardware", [_hardware(h) for h in model.hardware])
    add("status_notes", [f"{n.date}: {n.note} [{n.source}]" for n in model.status_notes])
    add("evaluations", [f"{e.benchmark} {e.metric} = {e.value} [{e.source}]" for e in model.evaluations])
    add(
        "disputes",
        [
            f"{d.field} = {d.value!s} [{d.source}]" + (f" — {d.note}" if d.note else "")
            for d in model.disputes
        ],
    )
    add("estimates", [_estimate(e, lang) for e in model.estimates])
    add(
        "notability",
        [f"{n.by}: {', '.join(label(c, lang) for c in n.criteria)} [{n.source}]" for n in model.notability],
    )
    add("lineage_up", [f"{'  ' * (depth - 1)}{names.get(m, m)} ({rel})" for m, rel, depth in tree.up])
    add("lineage_down", [f"{'  ' * (depth - 1)}{names.get(m, m)} ({rel})" for m, rel, depth in tree.down])
    sources = [
        " ".join(p for p in (f"[{s.id}]", s.title, s.url, s.citation and f"— {s.citation}") if p)
        + f" ({label('accessed', lang)} {s.accessed}; "
        f"{label('supports', lang)}: {', '.join(s.fields) or '-'})"
        for s in model.sources
    ]
    add("sources", sources)
    out = stdout()
    if markdown:
        out.print(f"## {model.name} (`{model.id}`)\n", markup=False)
        if text:
            out.print(f"{text}\n", markup=False)
        for key, value in lines:
            out.print(f"- **{key}**: {value}", markup=False)
        return
    out.print(f"[bold]{escape(model.name)}[/bold] ({escape(model.id)})")
    if text:
        out.print(escape(text), soft_wrap=True)
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in lines:
        table.add_row(escape(key), escape(value.replace("; ", "\n")))
    out.print(table)


def live(found: Sequence[dict[str, Any]], lang: str, *, markdown: bool = False) -> None:
    """Print the newest synced counts of a model's repos and papers, one line each (nothing if unsynced)."""
    if not found:
        return
    lines = []
    for item in found:
        counts = ", ".join(f"{name} {value:,.0f}" for name, value in sorted(item["metrics"].items()))
        if item["status"] == "missing":
            counts = label("gone", lang)
        elif item["status"] == "error":
            counts = label("error", lang) + (f"; {counts}" if counts else "")
        when = f"{label('checked', lang)} {item['checked_at'][:10]}"
        lines.append(f"{item['source']} {item['ref']}: {counts or 'ok'} ({when})")
    out = stdout()
    if markdown:
        out.print(f"\n### {label('live', lang)}\n", markup=False)
        for line in lines:
            out.print(f"- {line}", markup=False)
        return
    out.print(f"[bold]{escape(label('live', lang))}[/bold]")
    for line in lines:
        out.print("  " + escape(line), soft_wrap=True)


def comparison(
    records: Sequence[Model], orgs: dict[str, dict[str, Any]], lang: str
) -> list[tuple[str, list[str]]]:
    """Rows of a side-by-side comparison: (field label, one value per model)."""
    yes, no = label("yes", lang), label("no", lang)

    def row(key: str, values: list[str]) -> tuple[str, list[str]]:
        return label(key, lang), values

    def training(m: Model, attr: str) -> Any:
        return getattr(m.training, attr) if m.training else None

    def cost(m: Model) -> str:
        parts = []
        if (usd := training(m, "cost_usd")) is not None:
            parts.append(f"${usd:,.0f}")
        if (hours := training(m, "gpu_hours")) is not None:
            parts.append(f"{hours:,.0f} GPU-h")
        return ", ".join(parts)

    tuned = {"sft", "rlhf", "instruction-tuning", "self-instruct"}
    return [
        row("organizations", [cell([_org(orgs, o, lang) for o in m.organizations]) for m in records]),
        row("released", [cell(m.released) for m in records]),
        row("parameters", [_params(m.parameters.total if m.parameters else None, lang) for m in records]),
        row("architecture", [m.architecture.type if m.architecture else "" for m in records]),
        row("training.dataset", [cell(training(m, "dataset")) for m in records]),
        row("training.tokens", [_params(training(m, "tokens"), lang) for m in records]),
        row("code_available", [yes if m.code else no for m in records]),
        row("weights_public", [label(m.openness, lang) if m.openness else "" for m in records]),
        row("dialogue", [yes if tuned & set(m.techniques) else "" for m in records]),
        row(
            "evaluation",
            [cell([f"{e.benchmark} {e.metric} {e.value}" for e in m.evaluations]) for m in records],
        ),
        row("cost", [cost(m) for m in records]),
        row("min_gpu", [cell(sorted({_hardware(h) for h in m.hardware})) for m in records]),
        row("base_models", [cell([b.model for b in m.base_models]) for m in records]),
        row("license", [cell(m.license) for m in records]),
    ]


def _org(orgs: dict[str, dict[str, Any]], org_id: str, lang: str) -> str:
    org = orgs.get(org_id)
    if not org:
        return org_id
    return str((org["name_zh"] if lang == "zh" else None) or org["name"])


def _paper(paper: Any) -> str:
    parts = [paper.title or ""]
    if paper.arxiv:
        parts.append(f"arXiv:{paper.arxiv}")
    if paper.venue:
        parts.append(paper.venue)
    elif paper.year:
        parts.append(str(paper.year))
    return ", ".join(p for p in parts if p)


def _hardware(h: Any) -> str:
    text = (
        f"{h.purpose} {h.precision or ''} {h.gpu_memory_gb:g} GB".replace("  ", " ")
        if h.gpu_memory_gb
        else h.purpose
    )
    if h.gpu:
        text += f" ({h.gpu})"
    return text


def _estimate(estimate: Estimate, lang: str) -> str:
    """``Parameters: ≈ 1.8T — estimated by Epoch AI, rumour, likely (within ~10×) [source]``."""
    counted = estimate.field in ("parameters", "parameters.active", "training.tokens")
    value = _params(int(estimate.value), lang) if counted else f"{estimate.value:.3g}"
    about = f" ({estimate.variant})" if estimate.variant else ""
    how = [label(estimate.method, lang)] if estimate.method else []
    how += [label(estimate.confidence, lang)] if estimate.confidence else []
    return (
        f"{label(estimate.field, lang)}{about}: ≈ {value} — {label('estimated_by', lang)} {estimate.by}"
        + "".join(f", {h}" for h in how)
        + f" [{estimate.source}]"
    )
