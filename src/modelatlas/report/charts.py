"""The trend charts as Altair (Vega-Lite) specs: one spec serves a notebook, the web page and static files.

Each function takes what an analysis returned and a language, and gives a chart whose titles, axes and
legends are in that language. A Chinese chart also carries the zh-CN locale in its config (Vega-Lite's
``config.locale``), so its dates read 一月, not January, wherever it is drawn: page, notebook or file.
``modelatlas.report.images`` turns a chart into PNG or SVG.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import altair as alt
import networkx as nx
import pandas as pd
import vl_convert as vlc

from modelatlas.analysis.frame import KINDS, METRICS
from modelatlas.analysis.growth import GrowthFit, points
from modelatlas.catalog.units import format_count
from modelatlas.catalog.vocab import Phrases
from modelatlas.report.chart_style import RELATION_COLORS, domain_scale, log_axis
from modelatlas.report.headlines import headline, metric_label
from modelatlas.report.lineage_layout import layout

# Charts carry all their points (a 100,000-model growth chart is sampled first: ``MAX_POINTS``).
alt.data_transformers.disable_max_rows()

__all__ = [
    "FONT",
    "FONT_STACK",
    "growth_chart",
    "history_chart",
    "lineage_chart",
    "open_share_chart",
    "releases_chart",
    "to_spec",
]

#: The font every chart asks for; ``images`` ships it, so Chinese renders wherever the chart is drawn.
FONT = "Noto Sans SC Subset"
#: What a chart asks for: the bundled font, then any sans-serif. Files render with the bundled font alone
#: (it has Latin too); a page gives it only CJK (``unicode-range``), so Latin there falls to the system sans.
FONT_STACK = f'"{FONT}", sans-serif'
WIDTH, HEIGHT = 720, 400
#: A growth chart draws at most this many models (a seeded random sample; the fit uses them all).
MAX_POINTS = 5000
_TEXT: dict[str, tuple[str, str]] = {
    "released": ("Release date", "发布日期"),
    "log": ("log scale", "对数坐标"),
    "sampled": (
        "drawn: a random {shown:,} of the {total:,} models",
        "图中随机绘出 {total} 个模型中的 {shown} 个",
    ),
    "unit-parameters": ("parameters", "个"),
    "unit-FLOP": ("FLOP", "FLOP"),
    "unit-tokens": ("tokens", "token"),
    "unit-USD": ("USD", "美元"),
    "domain": ("Domain", "领域"),
    "trend": ("Fitted trend and 90% interval", "拟合趋势与 90% 置信区间"),
    "method": ("Value", "数值来源"),
    "stated": ("stated", "来源所述"),
    "6ND": ("estimate: 6·N·D", "估算：6·N·D"),
    "estimate": ("third-party estimate", "第三方估算"),
    "model": ("Model", "模型"),
    "organization": ("Organization", "机构"),
    "period": ("Quarter", "季度"),
    "quarter": ("Quarter", "季度"),
    "month": ("Month", "月份"),
    "new_derivatives": ("New derivatives on the Hub", "Hub 上新增的衍生模型"),
    "base_model": ("Base model", "基础模型"),
    "ecosystem_title": (
        "What the Hub builds on the top base models, per month",
        "Hub 上基于热门基础模型的衍生模型（按月）",
    ),
    "quantized_title": ("Days from release to quantized copies", "发布到出现量化版本的天数"),
    "release_month": ("Month of the base's release", "基础模型发布月份"),
    "days_after": ("Median days after release", "发布后天数（中位数）"),
    "quantized_copy": ("Quantized copy", "量化版本"),
    "first_copy": ("1st quantized copy", "第 1 个量化版本"),
    "tenth_copy": ("10th quantized copy", "第 10 个量化版本"),
    "bases_counted": ("Bases", "基础模型数"),
    "year": ("Year", "年份"),
    "count": ("Models released", "发布模型数"),
    "releases-quarter": ("Models released per quarter, by domain", "各季度发布的模型数（按领域）"),
    "releases-month": ("Models released per month, by domain", "每月发布的模型数（按领域）"),
    "releases-year": ("Models released per year, by domain", "每年发布的模型数（按领域）"),
    "open_share": ("Share of models with open weights", "开放权重模型占比"),
    "open_share_axis": ("Open weights (share of models whose openness is known)", "开放权重占比"),
    "n": ("Models with known openness", "已知开放程度的模型数"),
    "open_share_note": (
        "Numbers above the points: models released that year whose openness is known",
        "点上的数字：当年发布且开放程度已知的模型数",
    ),
    "lineage": ("Lineage: models built on other models", "模型谱系：基于其他模型构建的模型"),
    "relation": ("Relation", "关系"),
    "fine-tune": ("fine-tune", "微调"),
    "instruction-tune": ("instruction-tune", "指令微调"),
    "distill": ("distill", "蒸馏"),
    "quantize": ("quantize", "量化"),
    "merge": ("merge", "合并"),
    "continued-pretrain": ("continued pre-training", "继续预训练"),
    "adapter": ("adapter", "适配器"),
    "component": ("component", "组件"),
    "port": ("port", "移植"),
    "partial": ("partial", "未完"),
    "lineage_trimmed": (
        "{name}'s family: {shown} of its {total} models shown, the most built upon first",
        "{name} 家族共 {total} 个模型，图中显示其中 {shown} 个（被衍生最多者优先）",
    ),
    "observed": ("Observed", "观测时间"),
}


def to_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite spec of ``chart``, asking for ``FONT`` (files and pages both ship it) on white."""
    spec: dict[str, Any] = chart.to_dict()
    config = spec.setdefault("config", {})
    config.setdefault("font", FONT_STACK)
    config.setdefault("background", "white")
    return spec


def _localized(chart: alt.TopLevelMixin, lang: str) -> alt.TopLevelMixin:
    """``chart``, in Chinese with the zh-CN number and date locale (months 一月…十二月 on time axes) and
    dates as 2023年1月5日 in tooltips; English charts keep Vega's default (en-US) locale."""
    if lang != "zh":
        return chart
    time = vlc.get_time_format_locale("zh-CN")  # d3's locales, as shipped with vl-convert's Vega
    locale = alt.Locale(number=vlc.get_format_locale("zh-CN"), time=time)
    configured: alt.TopLevelMixin = chart.configure(locale=locale, timeFormat=time["date"])
    return configured


_t = Phrases(_TEXT)


def _records(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a chart's data, dates as ISO text and empty cells as nulls: Altair writes it once into
    the spec's ``datasets`` (no row limit, the spec stands alone) without validating every record, ten
    times faster than inline values on 10,000 points."""
    table = frame.copy()
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
    clean: pd.DataFrame = table.astype(object).where(table.notna(), None)
    return clean


def growth_chart(
    frame: pd.DataFrame, fit: GrowthFit, lang: str = "en", *, notable: bool = False
) -> alt.TopLevelMixin:
    """Every model's value against its release date on a log axis, the fitted trend and its 90% band;
    the subtitle is the fit's headline (over ``notable`` models, when the fit was)."""
    column, unit = METRICS[fit.metric][0], METRICS[fit.metric][1]
    rows = points(frame, fit.metric)
    rows = rows[(rows["released"].dt.date >= fit.start) & (rows["released"].dt.date <= fit.end)]
    labels = {d: _t(d, lang) for d in rows["domain"].unique()}
    data = pd.DataFrame(
        {
            "name": rows["name"],
            "organization": rows["organization_name"].fillna(""),
            "released": rows["released"],
            "value": rows[column],
            "domain": rows["domain"].map(labels),
            "method": rows[KINDS[column]],  # the kind as stored: labelled once sampled
        }
    )
    subtitle = _wrap(headline(fit, lang, notable=notable), lang)
    if len(data) > MAX_POINTS:  # the rows drawn depend on the count alone: labelled after (746,030 at 1M)
        subtitle.append(_t("sampled", lang, shown=MAX_POINTS, total=len(data)))
        data = data.sample(MAX_POINTS, random_state=0).sort_values("released")
    data["method"] = data["method"].map(lambda m: _t(m, lang) if isinstance(m, str) else _t("stated", lang))
    counted = fit.metric in ("parameters", "tokens")  # counts say 7B / 70亿 as the site does, not SI's 7G
    if counted:
        data["shown"] = [format_count(int(v), lang=lang) for v in data["value"]]
    y_title = f"{metric_label(fit.metric, lang)} ({_t(f'unit-{unit}', lang)}, {_t('log', lang)})"
    trend = _trend(fit)
    scale, axis = log_axis([*data["value"], *trend["value"]], lang, unit=unit)
    years = (fit.end - fit.start).days / 365.25
    x = alt.X("released:T", title=_t("released", lang), axis=alt.Axis(tickCount="year") if years >= 4 else {})
    y = alt.Y("value:Q", title=y_title, scale=scale, axis=axis)
    single = data["method"].nunique() < 2
    dots = (
        alt.Chart(_records(data))
        .mark_point(filled=True, size=36, opacity=0.65)
        .encode(
            x=x,
            y=y,
            color=alt.Color("domain:N", title=_t("domain", lang), scale=domain_scale(labels)),
            # only compute mixes stated values with estimates
            shape=alt.Shape("method:N", title=_t("method", lang), legend=None if single else alt.Legend()),
            tooltip=[
                alt.Tooltip("name:N", title=_t("model", lang)),
                alt.Tooltip("organization:N", title=_t("organization", lang)),
                alt.Tooltip("released:T", title=_t("released", lang)),
                alt.Tooltip("shown:N", title=metric_label(fit.metric, lang))
                if counted
                else alt.Tooltip("value:Q", title=metric_label(fit.metric, lang), format=".3~s"),
            ],
        )
    )
    band = (
        alt.Chart(_records(trend))
        .mark_area(opacity=0.18, color="#444", clip=True)
        .encode(x=x, y="low:Q", y2="high:Q")
    )
    line = (
        alt.Chart(_records(trend)).mark_line(color="#222", strokeWidth=2, clip=True).encode(x=x, y="value:Q")
    )
    title = alt.Title(metric_label(fit.metric, lang), subtitle=subtitle)
    columns = ["name", "organization", "released", "value", "domain", "method"]
    chart = alt.layer(band, dots, line, title=title).properties(
        width=WIDTH, height=HEIGHT, usermeta=_plotted(1, columns)
    )
    return _localized(chart, lang)


def _trend(fit: GrowthFit) -> pd.DataFrame:
    start = pd.Timestamp(fit.start)
    end = pd.Timestamp(fit.end)
    dates = pd.date_range(start, end, periods=60)
    years = (dates.year + (dates.day_of_year - 1) / (365 + dates.is_leap_year)).to_numpy(dtype=float)
    low, high = fit.band(years)
    return pd.DataFrame({"released": dates, "value": fit.predict(years), "low": low, "high": high})


def _wrap(text: str, lang: str, width: int = 110) -> list[str]:
    """A long subtitle as lines (Vega draws one line per list item); Chinese breaks after its commas."""
    words = re.split(r"(?<=[，：])", text) if lang == "zh" else text.split(" ")
    limit, glue = (width // 2, "") if lang == "zh" else (width, " ")
    lines, line = [], ""
    for word in words:
        joined = f"{line}{glue}{word}" if line else word
        if len(joined) > limit and line:
            lines.append(line)
            line = word
        else:
            line = joined
    return [*lines, line] if line else lines


def releases_chart(
    counts: pd.DataFrame, lang: str = "en", *, unit: str = "period", as_of: dt.date | None = None
) -> alt.TopLevelMixin:
    """Stacked bars of ``timeline.releases`` (columns ``period``, ``group``, ``count``) by domain, on a
    time axis (a label a year or so, however many periods); a period not over on ``as_of`` (the data's
    date) is drawn pale with a dashed outline and labelled "partial", so it does not read as a drop."""
    freq = unit if unit in ("month", "year") else "quarter"
    periods = counts["period"].map(lambda p: pd.Period(p, freq=_FREQ[freq]))
    labels = {g: _t(g, lang) for g in counts["group"].unique()}
    data = counts.assign(
        domain=counts["group"],  # the id, for the CSV download
        group=counts["group"].map(labels),
        start=periods.map(lambda p: p.start_time),
        partial=periods.map(lambda p: as_of is not None and p.end_time.date() > as_of),
    )
    note = f" ({_t('partial', lang)})"
    data["about"] = [  # what a screen reader says of a bar (its aria-label)
        f"{p}, {g}: {n}{note if partial else ''}"
        for p, g, n, partial in zip(
            data["period"], data["group"], data["count"], data["partial"], strict=True
        )
    ]
    if freq == "year":  # a label under each bar, as many as fit
        x = alt.X("period:O", title=_t(freq, lang), axis=alt.Axis(labelAngle=0, labelOverlap="greedy"))
        middle = x
    else:  # a time axis: a label a year or so, however many months or quarters
        x = alt.X(
            f"{_TIME_UNIT[freq]}(start):T",
            title=_t(freq, lang),
            axis=alt.Axis(format="%Y", labelAngle=0, labelOverlap="greedy", tickCount="year", grid=False),
        )
        middle = alt.X(f"{_TIME_UNIT[freq]}(start):T", bandPosition=0.5)
    bars = (
        alt.Chart(_records(data))
        .mark_bar(binSpacing=0 if freq != "year" else 1)
        .encode(
            x=x,
            y=alt.Y("count:Q", title=_t("count", lang), stack="zero"),
            color=alt.Color("group:N", title=_t("domain", lang), scale=domain_scale(labels)),
            opacity=alt.condition("datum.partial", alt.value(0.4), alt.value(1.0)),
            strokeDash=alt.condition("datum.partial", alt.value([3, 2]), alt.value([])),
            stroke=alt.condition("datum.partial", alt.value("#333"), alt.value(None)),
            description="about:N",
            tooltip=[
                alt.Tooltip("period:O", title=_t(freq, lang)),
                alt.Tooltip("group:N", title=_t("domain", lang)),
                alt.Tooltip("count:Q", title=_t("count", lang)),
            ],
        )
    )
    layers: list[alt.Chart] = [bars]
    totals = data[data["partial"]].groupby(["period", "start"], as_index=False).agg(count=("count", "sum"))
    if len(totals):
        totals["note"] = _t("partial", lang)
        layers.append(
            alt.Chart(_records(totals))
            .mark_text(dy=-7, fontSize=11, color="#333")
            .encode(x=middle, y="count:Q", text="note:N")
        )
    chart: alt.TopLevelMixin = alt.layer(*layers, title=_t(f"releases-{freq}", lang)).properties(
        width=WIDTH, height=HEIGHT, usermeta=_plotted(0, ["period", "domain", "group", "count", "partial"])
    )
    return _localized(chart, lang)


#: pandas' period codes and Vega-Lite's time units for each frequency.
_FREQ = {"month": "M", "quarter": "Q", "year": "Y"}
_TIME_UNIT = {"month": "yearmonth", "quarter": "yearquarter", "year": "year"}


def _plotted(layer: int | None, columns: list[str]) -> dict[str, Any]:
    """The spec's ``usermeta``: which layer draws the points a reader may download (its dataset), and
    their columns, for the page's CSV export."""
    return {"modelatlas": {"points": layer, "columns": columns}}


def open_share_chart(shares: pd.DataFrame, lang: str = "en") -> alt.TopLevelMixin:
    """``shares.open_share`` as a line of the open share per period, with the number of models as labels."""
    base = alt.Chart(_records(shares)).encode(
        x=alt.X("period:O", title=_t("year", lang), axis=alt.Axis(labelAngle=0))
    )
    line = base.mark_line(point=True).encode(
        y=alt.Y(
            "share:Q",
            title=_t("open_share_axis", lang),
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        tooltip=["period:O", alt.Tooltip("share:Q", format=".0%"), alt.Tooltip("n:Q", title=_t("n", lang))],
    )
    labels = base.mark_text(dy=-10, fontSize=10, color="#555").encode(y="share:Q", text="n:Q")
    title = alt.Title(_t("open_share", lang), subtitle=_t("open_share_note", lang))
    chart = alt.layer(line, labels, title=title).properties(width=WIDTH, height=HEIGHT * 2 // 3)
    return _localized(chart, lang)


def lineage_chart(
    graph: nx.DiGraph[str], lang: str = "en", *, max_nodes: int = 60, focus: str | None = None
) -> alt.TopLevelMixin:
    """The family of the model most built upon (or of ``focus``) and the next largest families of
    ``analysis.lineage.lineage_graph``, as indented trees (``lineage_layout``): generations left to
    right, each model on its own row, edges that never cross a name."""
    placed = layout(graph, max_nodes, focus)
    nodes, edges = placed.nodes, placed.edges.copy()
    relations = {r: _t(r, lang) for r in edges["relation"].unique()}
    edges["relation"] = edges["relation"].map(relations)
    nodes = nodes.assign(
        relation=nodes["relation"].map(lambda r: "; ".join(_t(p, lang) for p in r.split("; ") if p))
    )
    x = alt.X(
        "x:Q", axis=None, scale=alt.Scale(domain=[-0.05, float(nodes["x"].max() if len(nodes) else 0) + 1.2])
    )
    y = alt.Y(
        "y:Q",
        axis=None,
        scale=alt.Scale(reverse=True, domain=[-0.6, float(nodes["y"].max()) + 0.6 if len(nodes) else 1]),
    )
    links = (
        alt.Chart(_records(edges))
        .mark_rule(strokeWidth=1.3, opacity=0.7)
        .encode(
            x=x,
            y=y,
            x2="x2:Q",
            y2="y2:Q",
            color=alt.Color(
                "relation:N",
                title=_t("relation", lang),
                legend=alt.Legend(orient="bottom"),
                scale=domain_scale(relations, RELATION_COLORS),
            ),
        )
    )
    dots = (
        alt.Chart(_records(nodes))
        .mark_circle(size=60, color="#1f4e79", opacity=1)
        .encode(x=x, y=y, tooltip=[alt.Tooltip("name:N", title=_t("model", lang))])
    )
    names = (
        alt.Chart(_records(nodes))
        .mark_text(align="left", baseline="middle", dx=7, fontSize=11, limit=180)
        .encode(x=x, y=y, text="name:N")
    )
    title: alt.Title | str = _t("lineage", lang)
    if placed.hidden:
        note = _t(
            "lineage_trimmed", lang, name=placed.hub, shown=placed.family - placed.hidden, total=placed.family
        )
        title = alt.Title(_t("lineage", lang), subtitle=[note])
    height = max(120, 18 * (int(nodes["y"].max()) + 1)) if len(nodes) else 120
    columns = ["id", "name", "x", "built_on", "relation"]
    chart = alt.layer(links, dots, names, title=title).properties(
        width=WIDTH, height=height, usermeta=_plotted(1, columns)
    )
    return _localized(chart, lang)


def history_chart(history: pd.DataFrame, lang: str = "en") -> alt.TopLevelMixin:
    """Synced counts over time (``observed_at``, ``metric``, ``ref``, ``value``), one panel a metric."""
    data = history.assign(series=history["metric"] + " · " + history["ref"])
    chart: alt.TopLevelMixin = (
        alt.Chart(_records(data))
        .mark_line(point=True)
        .encode(
            x=alt.X("observed_at:T", title=_t("observed", lang)),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("series:N", title=None),
            tooltip=["ref:N", "metric:N", "observed_at:T", alt.Tooltip("value:Q", format=",")],
        )
        .properties(height=180, width="container")
        .facet(row=alt.Row("metric:N", title=None))
        .resolve_scale(y="independent")
    )
    return _localized(chart, lang)


def ecosystem_chart(counts: pd.DataFrame, lang: str = "en") -> alt.TopLevelMixin:
    """New derivatives per month (``month`` as ``YYYY-MM``, ``base``, ``count``) of the top bases, a line
    each, from the Hub listing (``live.landscape``)."""
    data = counts.assign(start=pd.to_datetime(counts["month"] + "-01"))
    chart: alt.TopLevelMixin = (
        alt.Chart(_records(data), title=_t("ecosystem_title", lang))
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "yearmonth(start):T", title=_t("month", lang), axis=alt.Axis(format="%Y-%m", labelAngle=0)
            ),
            y=alt.Y("count:Q", title=_t("new_derivatives", lang)),
            color=alt.Color(
                "base:N", title=_t("base_model", lang), legend=alt.Legend(orient="bottom", columns=2)
            ),
            tooltip=[
                alt.Tooltip("base:N", title=_t("base_model", lang)),
                alt.Tooltip("month:N", title=_t("month", lang)),
                alt.Tooltip("count:Q", title=_t("new_derivatives", lang), format=","),
            ],
        )
        .properties(height=280, usermeta=_plotted(None, ["month", "base", "count"]))
    )
    return _localized(chart, lang)


def quantized_chart(rows: pd.DataFrame, lang: str = "en") -> alt.TopLevelMixin:
    """How soon bases are quantized: per month of release (``month`` as ``YYYY-MM``), the median
    ``days`` to the ``copy`` (``first`` or ``tenth``) quantized derivative, over ``bases`` bases."""
    data = rows.assign(
        start=pd.to_datetime(rows["month"] + "-01"),
        copy=rows["copy"].map({"first": _t("first_copy", lang), "tenth": _t("tenth_copy", lang)}),
    )
    chart: alt.TopLevelMixin = (
        alt.Chart(_records(data), title=_t("quantized_title", lang))
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "yearmonth(start):T",
                title=_t("release_month", lang),
                axis=alt.Axis(format="%Y-%m", labelAngle=0),
            ),
            y=alt.Y("days:Q", title=_t("days_after", lang)),
            color=alt.Color("copy:N", title=_t("quantized_copy", lang), legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("copy:N", title=_t("quantized_copy", lang)),
                alt.Tooltip("month:N", title=_t("release_month", lang)),
                alt.Tooltip("days:Q", title=_t("days_after", lang), format=",.1f"),
                alt.Tooltip("bases:Q", title=_t("bases_counted", lang), format=","),
            ],
        )
        .properties(height=240, usermeta=_plotted(None, ["month", "copy", "days", "bases"]))
    )
    return _localized(chart, lang)
