"""Trend fits as sentences, in English and Chinese: what the CLI prints and the report opens with."""

from __future__ import annotations

from modelatlas.analysis.frame import METRICS
from modelatlas.analysis.growth import GrowthFit

__all__ = ["headline", "metric_label", "months", "times"]


def metric_label(metric: str, lang: str) -> str:
    """``Training compute`` / ``训练算力``."""
    _, _, en, zh = METRICS[metric]
    return zh if lang == "zh" else en


def times(value: float) -> str:
    """A growth factor: ×4.35, ×1.40, ×12.5, ×1,200."""
    return f"×{value:.2f}" if value < 10 else f"×{value:.1f}" if value < 100 else f"×{value:,.0f}"


def months(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _months_between(fast: float | None, slow: float | None) -> str:
    """A doubling time's interval: ``6.1–9.3``, or ``≥ 794.5`` when the data allow no growth at all at
    its slow end (no upper bound), as the trends page's figures say it."""
    return f"≥ {months(fast)}" if slow is None else f"{months(fast)}–{months(slow)}"


def headline(fit: GrowthFit, lang: str = "en", *, notable: bool = False) -> str:
    """One sentence: how many models (``notable`` ones, when the fit was over those), over which dates,
    growth a year and doubling time, with intervals."""
    low, high = fit.ci90
    fast, slow = fit.doubling_ci90
    what = metric_label(fit.metric, lang)
    scope = ("重要" if lang == "zh" else "notable ") if notable else ""
    scope += ("前沿" if lang == "zh" else "frontier ") if fit.frontier else ""
    if lang == "zh":
        rate, low_rate, high_rate = (times(v).removeprefix("×") for v in (fit.growth_per_year, low, high))
        growth = f"每年增长 {rate} 倍（90% 置信区间 {low_rate}–{high_rate} 倍）"
        doubling = (
            f"约每 {months(fit.doubling_months)} 个月翻一番（{_months_between(fast, slow)}）"
            if fit.doubling_months
            else "没有增长"
        )
        return f"{what}：{fit.start} 至 {fit.end} 发布的 {fit.n} 个{scope}模型，{growth}，{doubling}。"
    growth = f"{times(fit.growth_per_year)} a year (90% CI {times(low)}–{times(high)})"
    doubling = (
        f"doubling every {months(fit.doubling_months)} months ({_months_between(fast, slow)})"
        if fit.doubling_months
        else "not growing"
    )
    return f"{what} of {fit.n} {scope}models released {fit.start} to {fit.end}: {growth}, {doubling}."
