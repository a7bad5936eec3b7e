"""The trends report: headline growth rates, timeline, openness, leaders, lineage and carbon, as sections.

``build_report`` runs every analysis over the models it is given and returns a ``Report`` (sections of
paragraphs, tables and charts) in English or Chinese; ``modelatlas.report.writer`` writes it as markdown
and self-contained HTML with the charts beside them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import networkx as nx
import pandas as pd

from modelatlas.analysis import leaderboard, lineage, shares, timeline
from modelatlas.analysis.estimates import PUBLISHED_RUNS
from modelatlas.analysis.frame import Selection, model_frame, select
from modelatlas.analysis.growth import GrowthFit, fit_growth
from modelatlas.catalog.schema import Model, Organization
from modelatlas.catalog.units import format_count
from modelatlas.catalog.vocab import Phrases
from modelatlas.errors import NotEnoughData
from modelatlas.report import charts
from modelatlas.report.headlines import headline, metric_label, months, times

__all__ = ["Figure", "Report", "Section", "Table", "build_report"]


@dataclass(slots=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass(slots=True)
class Figure:
    """A chart and the file stem it is saved under (``charts/<name>.png``)."""

    name: str
    caption: str
    chart: alt.TopLevelMixin


@dataclass(slots=True)
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(slots=True)
class Report:
    title: str
    lang: str
    generated: dt.date
    intro: list[str]
    sections: list[Section]
    #: The lineage graph and the growth fits, written next to the report as data.
    graph: nx.DiGraph[str] = field(default_factory=nx.DiGraph)
    fits: list[GrowthFit] = field(default_factory=list)


_TEXT: dict[str, tuple[str, str]] = {
    "title": ("Large AI models: trends", "大模型趋势报告"),
    "intro": (
        "{n} models, {dated} with a release date, from {first} to {last}. Growth rates are log-linear "
        "least-squares fits against release date; the 90% intervals come from 2,000 bootstrap resamples. "
        "Values that no source states are estimates and are labelled as such.",
        "共 {n} 个模型，其中 {dated} 个有发布日期（{first} 至 {last}）。增长率为对数线性最小二乘拟合，"
        "90% 置信区间来自 2000 次自助重抽样。来源未给出而由本工具估算的数值均已标明。",
    ),
    "notable": (
        "The report counts the notable models: those that meet Epoch AI's notability criteria (state of "
        "the art, highly cited, historically significant, widely used or costly to train) and the curated "
        "catalog's records, as Epoch AI's headline trends do.",
        "本报告统计重要模型：符合 Epoch AI 重要性标准（达到最先进水平、高被引、具有历史意义、"
        "广泛使用或训练成本高）的模型，以及本项目精选目录中的模型，与 Epoch AI 发布的总体趋势口径一致。",
    ),
    "growth": ("Growth since {since}", "{since} 年以来的增长"),
    "frontier": ("frontier (record-setting models only)", "前沿（仅发布时创纪录的模型）"),
    "metric": ("Metric", "指标"),
    "models": ("Models", "模型数"),
    "per_year": ("Growth a year", "年增长倍数"),
    "ci90": ("90% CI", "90% 置信区间"),
    "doubling": ("Doubling (months)", "翻倍时间（月）"),
    "all": ("all models", "全部模型"),
    "scope": ("Scope", "范围"),
    "no_data": ("Too few models for this fit: {why}", "数据不足，无法拟合：{why}"),
    "estimated": (
        "{n} of the compute values are estimates: 6 × parameters × training tokens (Kaplan et al. 2020).",
        "其中 {n} 个训练算力为估算值：6 × 参数量 × 训练 token 数（Kaplan 等，2020）。",
    ),
    "timeline": ("Timeline", "发布时间线"),
    "newest": ("The newest models", "最新发布的模型"),
    "model": ("Model", "模型"),
    "organization": ("Organization", "机构"),
    "released": ("Released", "发布日期"),
    "domain": ("Domain", "领域"),
    "parameters": ("Parameters", "参数量"),
    "openness": ("Openness and geography", "开放程度与地域"),
    "open_text": (
        "In {year}, {share:.0%} of the {n} models whose openness is known had downloadable weights.",
        "{year} 年发布且开放程度已知的 {n} 个模型中，{share:.0%} 提供可下载的权重。",
    ),
    "country": ("Country", "国家/地区"),
    "share": ("Share", "占比"),
    "countries": (
        "Models by country of the (first) organization, {since}–{until}",
        "{since}–{until} 年按（第一）机构所在国家统计",
    ),
    "org_kind": ("Kind of organization", "机构类型"),
    "company": ("company", "企业"),
    "lab": ("research lab", "研究机构"),
    "university": ("university", "高校"),
    "nonprofit": ("non-profit", "非营利组织"),
    "government": ("government", "政府"),
    "collective": ("research collective", "研究社区"),
    "unknown": ("unknown", "未知"),
    "leaders": ("Organizations", "机构排行"),
    "by_models": ("Most models", "发布模型最多"),
    "largest": ("Largest model", "最大模型"),
    "compute": ("Largest training run (FLOP)", "最大训练算力（FLOP）"),
    "lineage": ("Lineage", "模型谱系"),
    "built_on": ("Most built-on models", "被用作基座最多的模型"),
    "direct": ("Direct derivatives", "直接衍生"),
    "total": ("All descendants", "全部后代"),
    "carbon": ("Carbon", "碳排放"),
    "carbon_text": (
        'Emissions as the sources give them, a third party\'s estimate marked "estimate"; the estimates '
        "below recompute two published figures from their inputs "
        "(accelerator-hours × power × PUE × grid intensity).",
        "下表为来源给出的排放量，第三方估算值标注“估算”；其下两行按公开的输入"
        "（加速卡时 × 功率 × PUE × 电网碳强度）重新计算。",
    ),
    "co2e": ("CO2e (t)", "CO2e（吨）"),
    "vs_gpt3": ("vs GPT-3", "相对 GPT-3"),
    "source": ("Source", "来源"),
    "run": ("Training run", "训练"),
    "published": ("Published CO2e (t)", "公布的 CO2e（吨）"),
    "estimate": ("Our estimate (t)", "本工具估算（吨）"),
    "third_party": ("estimate", "估算"),
    "energy": ("Energy (MWh)", "能耗（MWh）"),
}


_t = Phrases(_TEXT)
_labels = Phrases(_TEXT, labels_first=True)


def _label(value: object, lang: str) -> str:
    return _labels(str(value), lang)


def build_report(
    models: Sequence[Model],
    organizations: Mapping[str, Organization],
    *,
    lang: str = "en",
    selection: Selection | None = None,
    growth_since: int = 2010,
    today: dt.date | None = None,
    curated: Collection[str] = (),
) -> Report:
    """Every analysis over ``models`` (narrowed by ``selection``) as a report in ``lang``; ``curated``
    are the ids of the curated catalog's records, notable whatever the imports say (``model_frame``)."""
    selection = selection or Selection()
    frame = select(model_frame(models, organizations, curated=curated), selection)
    chosen = {model.id for model in models} & set(frame["id"])
    graph = lineage.lineage_graph([m for m in models if m.id in chosen])
    recent = select(frame, Selection(released_after=dt.date(growth_since, 1, 1)))
    growth, fits = _growth(recent, lang, growth_since, notable=selection.population == "notable")
    dated = frame[frame["released"].notna()]
    intro = _t(
        "intro",
        lang,
        n=len(frame),
        dated=len(dated),
        first=dated["released"].min().date() if len(dated) else "–",
        last=dated["released"].max().date() if len(dated) else "–",
    )
    return Report(
        title=_t("title", lang),
        lang=lang,
        generated=today or dt.date.today(),
        intro=[intro, _t("notable", lang)] if selection.population == "notable" else [intro],
        sections=[
            growth,
            _timeline(frame, lang),
            _openness(frame, lang),
            _leaders(frame, organizations, lang),
            _lineage(graph, lang),
            _carbon(frame, lang),
        ],
        graph=graph,
        fits=fits,
    )


def _growth(frame: pd.DataFrame, lang: str, since: int, *, notable: bool) -> tuple[Section, list[GrowthFit]]:
    section = Section(_t("growth", lang, since=since))
    rows, fits = [], []
    for metric in ("parameters", "compute", "tokens", "cost"):
        for frontier in (False, True):
            try:
                fit = fit_growth(frame, metric, frontier_top=1 if frontier else None)
            except NotEnoughData as exc:
                if not frontier:
                    section.paragraphs.append(f"{metric_label(metric, lang)}: {_t('no_data', lang, why=exc)}")
                continue
            fits.append(fit)
            scope = _t("frontier", lang) if frontier else _t("all", lang)
            rows.append(
                [
                    metric_label(metric, lang),
                    scope,
                    str(fit.n),
                    times(fit.growth_per_year),
                    f"{times(fit.ci90[0])}–{times(fit.ci90[1])}",
                    _doubling(fit),
                ]
            )
            if not frontier:
                said = headline(fit, lang, notable=notable)
                section.paragraphs.append(said)
                if metric in ("parameters", "compute"):
                    section.figures.append(
                        Figure(
                            f"growth-{metric}",
                            said,
                            charts.growth_chart(frame, fit, lang, notable=notable),
                        )
                    )
    estimated = int((frame["compute_method"] == "6ND").sum())
    if estimated:
        section.paragraphs.append(_t("estimated", lang, n=estimated))
    headers = ["metric", "scope", "models", "per_year", "ci90", "doubling"]
    section.tables.append(Table([_t(h, lang) for h in headers], rows))
    return section, fits


def _doubling(fit: GrowthFit) -> str:
    fast, slow = fit.doubling_ci90
    return f"{months(fit.doubling_months)} ({months(fast)}–{months(slow)})"


def _timeline(frame: pd.DataFrame, lang: str) -> Section:
    section = Section(_t("timeline", lang))
    dated = frame[frame["released"].notna()]
    if len(dated):
        last = dated["released"].max().year
        recent = select(frame, Selection(released_after=dt.date(last - 7, 1, 1)))
        counts = timeline.releases(recent, freq="quarter", by="domain")
        section.figures.append(Figure("releases", "", charts.releases_chart(counts, lang)))
    newest = timeline.newest(frame, 10) if len(dated) else dated
    section.tables.append(
        Table(
            caption=_t("newest", lang),
            headers=[_t(h, lang) for h in ("model", "organization", "released", "domain", "parameters")],
            rows=[
                [
                    row["name"],
                    row["organization_name"] or "",
                    row["released"].date().isoformat(),
                    _label(row["domain"], lang),
                    _count(row["parameters"], lang),
                ]
                for row in _rows(newest)
            ],
        )
    )
    return section


def _openness(frame: pd.DataFrame, lang: str) -> Section:
    section = Section(_t("openness", lang))
    opened = shares.open_share(frame)
    if len(opened):
        latest = opened.iloc[-1]
        section.paragraphs.append(
            _t("open_text", lang, year=latest["period"], share=latest["share"], n=int(latest["n"]))
        )
        section.figures.append(Figure("open-share", "", charts.open_share_chart(opened, lang)))
    dated = frame[frame["released"].notna()]
    if len(dated):
        last = int(dated["released"].max().year)
        recent = select(frame, Selection(released_after=dt.date(last - 2, 1, 1)))
        for column, title in (("country", "countries"), ("org_kind", "org_kind")):
            totals = recent[column].fillna("unknown").value_counts()
            header = _t(title, lang, since=last - 2, until=last) if column == "country" else _t(title, lang)
            section.tables.append(
                Table(
                    [header, _t("models", lang), _t("share", lang)],
                    [[_label(k, lang), str(v), f"{v / totals.sum():.0%}"] for k, v in totals.head(8).items()],
                )
            )
    return section


def _leaders(frame: pd.DataFrame, organizations: Mapping[str, Organization], lang: str) -> Section:
    section = Section(_t("leaders", lang))

    def name(org_id: str) -> str:
        org = organizations.get(org_id)
        if org is None:
            return org_id
        return (org.name_zh or org.name) if lang == "zh" else org.name

    ranked = leaderboard.organizations(frame, by="models", n=10)
    section.tables.append(
        Table(
            [_t("organization", lang), _t("by_models", lang), _t("largest", lang), _t("compute", lang)],
            [
                [
                    name(row["organization"]),
                    str(row["models"]),
                    f"{row['largest_model']} ({_count(row['largest_parameters'], lang)})"
                    if row["largest_model"]
                    else "",
                    "" if pd.isna(row["largest_compute"]) else f"{row['largest_compute']:.2g}",
                ]
                for row in _rows(ranked)
            ],
        )
    )
    rankings: tuple[leaderboard.Ranking, ...] = ("largest", "compute")
    for by in rankings:
        top = leaderboard.organizations(frame, by=by, n=5)
        colon, comma = ("：", "、") if lang == "zh" else (": ", ", ")
        section.paragraphs.append(_t(by, lang) + colon + comma.join(name(o) for o in top["organization"]))
    return section


def _largest(row: dict[str, Any], lang: str) -> str:
    model = row["largest_model"]
    return "" if pd.isna(model) else f"{model} ({_count(row['largest_parameters'], lang)})"


def _lineage(graph: nx.DiGraph[str], lang: str) -> Section:
    section = Section(_t("lineage", lang))
    if graph.number_of_edges():
        section.figures.append(Figure("lineage", "", charts.lineage_chart(graph, lang)))
    top = lineage.most_built_on(graph, 10)
    section.tables.append(
        Table(
            [_t("model", lang), _t("direct", lang), _t("total", lang)],
            [[row["name"], str(row["direct"]), str(row["total"])] for row in _rows(top)],
        )
    )
    return section


def _carbon(frame: pd.DataFrame, lang: str) -> Section:
    section = Section(_t("carbon", lang), paragraphs=[_t("carbon_text", lang)])
    stated = frame[frame["co2e_t"].notna()].sort_values("co2e_t", ascending=False)
    gpt3 = frame.loc[frame["id"] == "gpt-3", "co2e_t"]
    reference = float(gpt3.iloc[0]) if len(gpt3) and pd.notna(gpt3.iloc[0]) else None
    section.tables.append(
        Table(
            [_t("model", lang), _t("organization", lang), _t("co2e", lang), _t("vs_gpt3", lang)],
            [
                [
                    row["name"],
                    row["organization_name"] or "",
                    f"{row['co2e_t']:,.1f}"
                    + (f" ({_t('third_party', lang)})" if row["co2e_kind"] == "estimate" else ""),
                    _ratio(row["co2e_t"], reference),
                ]
                for row in _rows(stated)
            ],
        )
    )
    section.tables.append(
        Table(
            [_t(h, lang) for h in ("run", "energy", "estimate", "published", "source")],
            [
                [
                    run.model,
                    f"{run.estimate().energy_mwh:,.0f}",
                    f"{run.estimate().co2e_t:,.1f}",
                    f"{run.published_co2e_t:,.1f}",
                    run.source,
                ]
                for run in PUBLISHED_RUNS
            ],
        )
    )
    return section


def _ratio(value: float, reference: float | None) -> str:
    """``1/24`` for a small fraction of ``reference``, ``0.98×`` near it; empty without a reference."""
    if not reference:
        return ""
    return f"1/{reference / value:.0f}" if value * 2 <= reference else f"{value / reference:.2f}×"


def _rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``table``, a missing value as None (pandas' NaN printed as "nan": issue 19)."""
    return [
        {
            str(key): None if isinstance(value, float) and math.isnan(value) else value
            for key, value in row.items()
        }
        for row in table.to_dict("records")
    ]


def _count(value: float, lang: str) -> str:
    return "" if pd.isna(value) else format_count(int(value), lang=lang)
