"""report.headlines: a fit's sentence in each language, its doubling time's interval open-ended when the
data allow no growth at its slow end (as the trends page's figures say it), and no doubling when none."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from modelatlas.analysis.growth import GrowthFit
from modelatlas.report.headlines import headline

FIT = GrowthFit(
    metric="parameters",
    n=675,
    start=dt.date(2018, 1, 18),
    end=dt.date(2026, 7, 15),
    slope=0.42,
    intercept=-840.0,
    r2=0.43,
    growth_per_year=2.63,
    doubling_months=8.6,
    ci90=(2.45, 2.79),
    doubling_ci90=(8.1, 9.3),
)


def test_a_bounded_interval() -> None:
    assert headline(FIT, "en", notable=True) == (
        "Parameters of 675 notable models released 2018-01-18 to 2026-07-15: ×2.63 a year "
        "(90% CI ×2.45–×2.79), doubling every 8.6 months (8.1–9.3)."
    )
    assert headline(FIT, "zh", notable=True) == (
        "参数量：2018-01-18 至 2026-07-15 发布的 675 个重要模型，"
        "每年增长 2.63 倍（90% 置信区间 2.45–2.79 倍），"
        "约每 8.6 个月翻一番（8.1–9.3）。"
    )


def test_an_interval_without_a_slow_end() -> None:
    flat = replace(
        FIT, growth_per_year=1.0, doubling_months=3204.5, ci90=(0.99, 1.01), doubling_ci90=(794.5, None)
    )
    assert headline(flat, "en").endswith(
        "×1.00 a year (90% CI ×0.99–×1.01), doubling every 3204.5 months (≥ 794.5)."
    )
    assert headline(flat, "zh").endswith("约每 3204.5 个月翻一番（≥ 794.5）。")


def test_no_doubling_when_not_growing() -> None:
    shrinking = replace(
        FIT, growth_per_year=0.8, doubling_months=None, ci90=(0.7, 0.9), doubling_ci90=(None, None)
    )
    assert headline(shrinking, "en").endswith(", not growing.")
    assert headline(shrinking, "zh").endswith("，没有增长。")
